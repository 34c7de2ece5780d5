/**
 * The Store port on PostgreSQL, for several instances of the server sharing one ledger
 * (`serve --database`). Each instance keeps the state in memory as the embedded store does
 * (StoreState: the same indexes answer the same synchronous reads, state-reads.ts) and
 * PostgreSQL is the disk:
 *  - commit() checks and applies the changes in memory at once, then writes them (a group of
 *    commits made close together in one statement: commit-group.ts, schema.ts's
 *    `paydesk_commit`) and resolves once PostgreSQL committed them. The log row of each
 *    commit carries its sequence number as primary key.
 *  - exclusive() is how instances take turns: a session advisory lock held for each task of
 *    the invoker's queue (and for a commit made outside one), after which the instance reads
 *    the log rows it has not seen and applies them: a command always runs on the latest
 *    state, and two commands of the whole system never interleave. Before the lock is let
 *    go, the task's commits are written, so the next holder finds them in the log.
 *  - The lock is kept for a moment after a task (LINGER_MS), unless another instance asks for
 *    it (a NOTIFY on `paydesk_turns`, sent when it finds the lock taken, and again while it
 *    waits): while it is held nobody else commits, so a task that follows soon needs neither
 *    the lock's round trip nor a read of the log (a burst of API calls, a script). Only for a
 *    moment: an instance that hangs holding the lock holds the others up until its
 *    connection closes, and a short hold keeps that window small.
 *  - An instance that commits without the latest state (it lost the lock with its
 *    connection, say) fails on the log's primary key instead of overwriting anything.
 *  - Between tasks, a NOTIFY from the commit function tells the other instances to read the
 *    log, so that their reads and their clients' push events follow within moments.
 *  - After a failed write (the database gone, a constraint refusing a change), the store
 *    takes no more writes (as the embedded store after a failed fsync: memory may be ahead
 *    of the database) until the instance is started again, which reloads from the database.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { hostname } from 'node:os';
import pg from 'pg';
import type { Change, Store, StoreCopy, StoreRepair, SubscriptionClaims } from '../ports';
import { DomainError } from '../../../shared/result';
import { StoreError } from '../store/errors';
import { CURRENT_FORMAT, type StoreFormat } from '../store/format';
import { StateReads } from '../store/state-reads';
import type { StoreState } from '../store/state';
import { claimsOn } from './claims';
import { commitPayload, movesHistory, type Persisted, type QueuedCommit } from './commit-group';
import { loadState } from './load';
import { migrate } from './schema';

export interface PgStoreOptions {
  /** Where the store reports what it did on its own (migrations applied, writes stopped). */
  log?: (message: string) => void;
  /** Called once when the store stops taking writes (writeFailure() says why from then on). */
  onWritesStopped?: (error: StoreError) => void;
  /** Told of the changes other instances committed, once they are applied here. */
  onRemoteChanges?: (changes: readonly Change[]) => void;
  /** "Now" for expiring idempotency records at compaction (default: the system clock). */
  clockNow?: () => Date;
  /** For tests only: called before each write to the database; throwing makes it fail. */
  testing?: { beforeWrite?: () => void };
}

/** Advisory lock keys: the writers' turn and the scheduler's leader ("payd" + 1, + 2). */
const WRITER_LOCK = 0x7061_7965;
const LEADER_LOCK = 0x7061_7966;
/** The channels of the commits written (to follow them) and of the turn asked for. */
const COMMITS_CHANNEL = 'paydesk_commits';
const TURNS_CHANNEL = 'paydesk_turns';
/** How often an instance waiting for the turn asks for it again (a holder may have missed it). */
const ASK_AGAIN_MS = 250;
/** How long the turn is kept after a task, for a next one, when nobody else asks for it. */
const LINGER_MS = 200;
/** The commit log keeps a day of commits (instances catch up from it), and always the last. */
const LOG_KEPT = '1 day';

/** A row of the commit log (`seq` is a bigint: text in node-postgres). */
interface LogRow {
  seq: string;
  v: number;
  changes: unknown[];
}

/** paydesk_try_turn's rows: the first says whether the lock was free; the log rows follow. */
type TryRow = { got: boolean } & ({ seq: null } | LogRow);

/** Where the store is in its life: in a task (holding the lock) or not. */
interface Section {
  open: boolean;
}

export async function openPgStore(
  url: string,
  dataDir: string,
  options: PgStoreOptions = {},
): Promise<Store> {
  const log = options.log ?? (() => undefined);
  // Four connections are held (the lock's, the writes', the notifications', the leader's),
  // one is taken at open and one by a recurring run's claims: room for them all.
  const pool = new pg.Pool({ connectionString: url, max: 7 });
  pool.on('error', (error) => log(`PostgreSQL: an idle connection failed: ${error.message}`));
  try {
    const client = await pool.connect();
    try {
      const applied = await migrate(client);
      if (applied.length > 0) log(`PostgreSQL: schema migrations ${applied.join(', ')} applied`);
      const loaded = await loadState(client, CURRENT_FORMAT);
      const store = new PgStore(dataDir, pool, loaded.state, loaded.seq, CURRENT_FORMAT, {
        log,
        onWritesStopped: options.onWritesStopped,
        onRemoteChanges: options.onRemoteChanges,
        clockNow: options.clockNow ?? (() => new Date()),
        beforeWrite: options.testing?.beforeWrite,
      });
      await store.start();
      return store;
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
}

interface Config {
  log: (message: string) => void;
  onWritesStopped: ((error: StoreError) => void) | undefined;
  onRemoteChanges: ((changes: readonly Change[]) => void) | undefined;
  clockNow: () => Date;
  beforeWrite: (() => void) | undefined;
}

class PgStore extends StateReads implements Store {
  private readonly instance = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  private readonly section = new AsyncLocalStorage<Section>();
  /** This instance's turns, one at a time. */
  private turns: Promise<unknown> = Promise.resolve();
  /**
   * Reads of the log, one at a time: apart from the turns, so that an instance whose next
   * turn waits for another's (a long recurring run there) still follows what it commits.
   */
  private catching: Promise<unknown> = Promise.resolve();
  private queue: { commit: QueuedCommit; done: Deferred }[] = [];
  private writing: Promise<void> | null = null;
  private persisted: Persisted;
  private failure: StoreError | null = null;
  private closing: Promise<void> | null = null;
  /** Clients of their own: the lock's session, the writes, the notifications, the leader. */
  private locker!: pg.PoolClient;
  private writer!: pg.PoolClient;
  private listener!: pg.PoolClient;
  private leader: pg.PoolClient | null = null;
  private leading = false;
  /** The last turn's unlock, under way. */
  private unlocking: Promise<void> = Promise.resolve();
  /** Whether the lock's session holds the writers' turn (kept between tasks: see the top). */
  private holding = false;
  /** Whether a task holds the turn now. */
  private inTask = false;
  /** Another instance asked for the turn since this one last let it go. */
  private wanted = false;
  /** Lets the turn go once it has been kept LINGER_MS unused. */
  private lingering: NodeJS.Timeout | null = null;

  constructor(
    readonly dataDir: string,
    private readonly pool: pg.Pool,
    protected readonly state: StoreState,
    private seq: number,
    private readonly format: StoreFormat,
    private readonly config: Config,
  ) {
    super();
    this.persisted = this.persistedNow();
  }

  async start(): Promise<void> {
    this.locker = await this.client('the lock');
    this.writer = await this.client('writes');
    this.listener = await this.client('notifications');
    this.listener.on('notification', (message) => {
      const [instance, last] = (message.payload ?? '').split(' ');
      if (instance === this.instance) return;
      if (message.channel === TURNS_CHANNEL) this.askedForTurn();
      else if (Number(last) > this.seq) this.followOthers();
    });
    await this.listener.query(`LISTEN ${COMMITS_CHANNEL}; LISTEN ${TURNS_CHANNEL}`);
  }

  private async client(purpose: string): Promise<pg.PoolClient> {
    const client = await this.pool.connect();
    client.on('error', (error) => {
      this.stopWrites(`its connection for ${purpose} failed (${error.message})`);
    });
    return client;
  }

  repaired(): StoreRepair | null {
    return null;
  }

  writeFailure(): Error | null {
    return this.failure;
  }

  commitSeq(): number {
    return this.seq;
  }

  // -- taking turns -----------------------------------------------------------------------

  exclusive<T>(task: () => Promise<T>): Promise<T> {
    if (this.section.getStore()?.open === true) return task();
    const turn = this.turns.then(async () => {
      const section: Section = { open: false };
      this.inTask = true;
      try {
        await this.takeTurn();
        section.open = true;
        return await this.section.run(section, task);
      } finally {
        section.open = false;
        // The next holder reads the log: what this task committed must be in it first.
        await this.written().catch(() => undefined);
        this.inTask = false;
        if (this.wanted || this.failure !== null || this.closing !== null) this.letGo();
        else this.linger();
      }
    });
    this.turns = turn.catch(() => undefined);
    return turn;
  }

  /**
   * Holds the writers' turn on the latest state: at once if this instance kept it (nobody
   * else has committed since), else the lock and the log rows after this instance's last
   * commit in one call (schema.ts), asking the holder for it first if another has it.
   */
  private async takeTurn(): Promise<void> {
    this.stopLingering();
    if (this.holding) return;
    // A connection gone (the database restarted, say) is the store's failure, which the
    // service answers storage_unavailable, not a bug's internal error.
    const failed = (error: Error) => {
      throw this.stopWrites(`taking the writers' turn failed (${error.message})`);
    };
    const tried = await this.locker
      .query<TryRow>('SELECT got, seq, v, changes FROM paydesk_try_turn($1, $2)', [
        WRITER_LOCK,
        this.seq,
      ])
      .catch(failed);
    let rows: LogRow[] = tried.rows.filter((row): row is TryRow & LogRow => row.seq !== null);
    if (tried.rows[0]?.got !== true) {
      this.askForTurn();
      const asking = setInterval(() => this.askForTurn(), ASK_AGAIN_MS);
      try {
        rows = (
          await this.locker
            .query<LogRow>('SELECT seq, v, changes FROM paydesk_take_turn($1, $2)', [
              WRITER_LOCK,
              this.seq,
            ])
            .catch(failed)
        ).rows;
      } finally {
        clearInterval(asking);
      }
    }
    this.holding = true;
    await this.caughtUp(rows).catch((error: unknown) => {
      if (error instanceof StoreError) throw error;
      throw this.stopWrites(`reading the commit log failed (${(error as Error).message})`);
    });
  }

  /** Tells the instance holding the turn that this one waits for it. */
  private askForTurn(): void {
    this.writer
      .query('SELECT pg_notify($1, $2)', [TURNS_CHANNEL, this.instance])
      .catch((error: Error) =>
        this.config.log(`PostgreSQL: asking for the turn failed: ${error.message}`),
      );
  }

  /** Another instance waits for the turn: let it go now, or when the task holding it ends. */
  private askedForTurn(): void {
    this.wanted = true;
    if (!this.inTask) this.letGo();
  }

  /** Keeps the turn for a next task for a moment, then lets it go. */
  private linger(): void {
    if (!this.holding) return;
    this.stopLingering();
    this.lingering = setTimeout(() => {
      this.lingering = null;
      if (!this.inTask) this.letGo();
    }, LINGER_MS);
    this.lingering.unref();
  }

  private stopLingering(): void {
    if (this.lingering !== null) clearTimeout(this.lingering);
    this.lingering = null;
  }

  /** Lets the writers' turn go, if held (not waited for: a next turn asks on the same connection, after it). */
  private letGo(): void {
    this.stopLingering();
    this.wanted = false;
    if (!this.holding) return;
    this.holding = false;
    this.unlocking = this.locker.query('SELECT pg_advisory_unlock($1)', [WRITER_LOCK]).then(
      () => undefined,
      (error: Error) => this.config.log(`PostgreSQL: unlock failed: ${error.message}`),
    );
  }

  /** Reads what the others committed (after a NOTIFY). */
  private followOthers(): void {
    this.caughtUp().catch((error: Error) =>
      this.config.log(`PostgreSQL: catching up failed: ${error.message}`),
    );
  }

  /**
   * Resolves once the log rows committed so far (or `read`, the rows of a turn) are applied,
   * one reader at a time.
   */
  private caughtUp(read?: LogRow[]): Promise<void> {
    const run = this.catching.then(() => this.catchUp(read));
    this.catching = run.catch(() => undefined);
    return run;
  }

  /** Applies the log rows after this instance's last commit (read now, or `read`), in order. */
  private async catchUp(read?: LogRow[]): Promise<void> {
    if (this.closing !== null) return;
    const rows =
      read ??
      (
        await this.writer.query<LogRow>(
          'SELECT seq, v, changes FROM paydesk_commits WHERE seq > $1 ORDER BY seq',
          [this.seq],
        )
      ).rows;
    if (rows.length === 0) return;
    const decode = this.format.changesDecoder(this.format.version, 'paydesk_commits');
    const applied: Change[] = [];
    let any = false;
    for (const row of rows) {
      const seq = Number(row.seq);
      if (seq <= this.seq) continue;
      if (seq !== this.seq + 1) {
        throw this.stopWrites(
          `commits ${this.seq + 1} to ${seq - 1} are no longer in the log (this instance fell ` +
            `behind by more than ${LOG_KEPT}); start it again to reload`,
        );
      }
      const changes = decode(row.changes, row.v);
      const problem = this.state.check(changes);
      if (problem !== null) throw this.stopWrites(`commit ${seq} in the log: ${problem}`);
      this.state.apply(changes as Change[]);
      this.seq = seq;
      any = true;
      applied.push(...(changes as Change[]));
    }
    if (!any) return;
    // Others' commits come only while this instance writes nothing (they held the turn):
    // what is in memory now is what the database holds.
    this.persisted = this.persistedNow();
    if (applied.length > 0) this.config.onRemoteChanges?.(applied);
  }

  async leadScheduler(): Promise<boolean> {
    if (this.leading || this.closing !== null) return this.leading;
    const leader = this.leader ?? (await this.pool.connect());
    if (this.leader === null) {
      // The lock is the session's: when its connection goes, so does the lead.
      leader.on('error', (error) => {
        this.leading = false;
        this.leader = null;
        this.config.log(`PostgreSQL: the scheduler leader's connection failed: ${error.message}`);
      });
      this.leader = leader;
    }
    const { rows } = await leader.query<{ got: boolean }>(
      'SELECT pg_try_advisory_lock($1) AS got',
      [LEADER_LOCK],
    );
    this.leading = rows[0]?.got === true;
    if (this.leading) this.config.log('PostgreSQL: this instance leads the scheduler');
    return this.leading;
  }

  claimSubscriptions(): SubscriptionClaims {
    return claimsOn(this.pool, this.config.log);
  }

  // -- writes -----------------------------------------------------------------------------

  commit(changes: Change[]): Promise<void> {
    if (this.closing !== null) {
      return Promise.reject(new StoreError('closed', 'the PostgreSQL store is closed'));
    }
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.section.getStore()?.open !== true) {
      // Not in a task of the queue: a turn of its own, on the latest state.
      return this.exclusive(() => this.commit(changes));
    }
    const problem = this.state.check(changes);
    if (problem !== null) {
      return Promise.reject(new DomainError('internal', `store.commit refused: ${problem}`));
    }
    this.state.apply(changes);
    const stacks = movesHistory(changes)
      ? { undo: this.state.undo.slice(), redo: this.state.redo.slice() }
      : null;
    const done = deferred();
    this.queue.push({ commit: { seq: ++this.seq, changes, stacks }, done });
    // Started after this turn, so that `writing` is set before the writer can clear it.
    this.writing ??= Promise.resolve().then(() => this.writeQueued());
    return done.promise;
  }

  /** Writes the queued commits, as many as are queued at a time, until none is left. */
  private async writeQueued(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const group = this.queue.splice(0);
        if (this.failure !== null) {
          for (const item of group) item.done.reject(this.failure);
          continue;
        }
        const { payload, after } = commitPayload(
          group.map((item) => item.commit),
          this.persisted,
          this.format.version,
          this.instance,
        );
        try {
          this.config.beforeWrite?.();
          await this.writer.query('SELECT paydesk_commit($1::jsonb)', [JSON.stringify(payload)]);
          this.persisted = after;
          for (const item of group) item.done.resolve();
        } catch (error) {
          const failure = this.stopWrites(
            `writing commits ${group[0]?.commit.seq} to ${payload.last} failed (${(error as Error).message})`,
          );
          for (const item of group) item.done.reject(failure);
        }
      }
    } finally {
      this.writing = null;
    }
  }

  /** Resolves when everything committed so far is written (or refused). */
  private async written(): Promise<void> {
    while (this.writing !== null) await this.writing;
  }

  private stopWrites(why: string): StoreError {
    if (this.failure !== null) return this.failure;
    this.failure = new StoreError(
      'write_failed',
      `PostgreSQL: ${why}. This instance takes no more changes until it is started again.`,
    );
    this.config.log(this.failure.message);
    this.config.onWritesStopped?.(this.failure);
    // Nothing more is written here: the others need not wait for this instance to be restarted.
    if (!this.inTask) this.letGo();
    return this.failure;
  }

  private persistedNow(): Persisted {
    return {
      stacks: { undo: this.state.undo.slice(), redo: this.state.redo.slice() },
      auditLength: this.state.audit.length,
    };
  }

  /** Drops expired idempotency records (as the embedded store's compaction) and old log rows. */
  compact(): Promise<void> {
    if (this.closing !== null) {
      return Promise.reject(new StoreError('closed', 'the PostgreSQL store is closed'));
    }
    return this.exclusive(() => this.tidy());
  }

  private async tidy(): Promise<void> {
    await this.written();
    const dropped = this.state.dropExpiredIdempotency(this.config.clockNow());
    if (dropped.length > 0) {
      await this.writer.query('DELETE FROM paydesk_idempotency WHERE key = ANY($1)', [dropped]);
    }
    await this.writer.query(
      `DELETE FROM paydesk_commits WHERE at < now() - $1::interval
         AND seq < (SELECT max(seq) FROM paydesk_commits)`,
      [LOG_KEPT],
    );
  }

  holdCompaction(): () => void {
    return () => undefined;
  }

  backupTo(): Promise<StoreCopy> {
    return Promise.reject(
      new DomainError(
        'unavailable',
        'The books are in PostgreSQL: back them up with pg_dump (README, "Several desks on PostgreSQL")',
      ),
    );
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    await this.turns;
    await this.catching;
    await this.written();
    this.letGo();
    await this.unlocking;
    if (this.failure === null) {
      // As the embedded store compacts at close: expired keys and old log rows go.
      await this.tidy().catch((error: Error) =>
        this.config.log(`PostgreSQL: tidying at close failed: ${error.message}`),
      );
    }
    for (const client of [this.locker, this.writer, this.listener, this.leader]) {
      client?.release();
    }
    await this.pool.end();
  }
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A caller that never awaits a commit still has its failure in writeFailure().
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}
