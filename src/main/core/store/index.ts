/**
 * The storage engine of the core: `openStore(dataDir)` gives the Store of src/main/core/ports.ts.
 *
 * Files in the data directory:
 *  - paydesk.json     the snapshot: the whole state as of commit `journalSeq` (a lowdb file
 *                     with our own adapter; layout in snapshot.ts: the payments' indexed
 *                     fields in columns, their other fields one line each at the end).
 *  - paydesk.journal  one JSON line per commit after the snapshot: {"seq","crc","v","changes"}
 *                     (layout in journal.ts; v the schema version; changes encoded by
 *                     journal-codec.ts).
 * How each kind of record is written (its fields in order, their encodings, the payment
 * fields that have a column) is declared once, in its layout (layout/); the codecs and the
 * record checks derive from the layouts, gathered for one schema version in format.ts.
 *  - paydesk.mark     the number of a commit known durable (mark.ts): tells a journal cut
 *                     short from one whose last write was torn (the rule: journal.ts).
 *  - paydesk.journal.cut-<time>  the bytes cut from the end of a journal that did not read
 *                     (saved before the cut, never removed; README, "Recovering").
 *  - paydesk.lock.<n> the lock: the highest generation names the pid of the one process that
 *                     may write the directory, or says it was released (lock.ts).
 *  - *.tmp            a snapshot or journal being rewritten; ignored and removed at open.
 * Every write, flush, rename and directory flush of these files (the lock's aside) goes
 * through one file port (file-ops.ts, StoreOptions.testing.files), whose failures name the
 * file and the operation.
 * On POSIX the directory is 0700 and every file 0600; open() tightens an older, looser
 * directory and logs it (../private-files.ts).
 *
 * Guarantees:
 *  - commit() applies its changes to memory at once (reads see them when it returns) and
 *    resolves only once its journal line is written and fsynced. Commits made while a flush
 *    is running share the next one (group commit). A commit is all or nothing across crashes.
 *    If a write fails, every commit of that group rejects and the store refuses further
 *    commits (memory would be ahead of disk).
 *  - After any failed write, flush or rename of its files (the journal, a compaction's files,
 *    the mark), the store takes no more writes until it is reopened: every commit and
 *    compaction is refused with the same StoreError 'write_failed', which names the file and
 *    the cause (ENOSPC, EIO, ...), and options.onWritesStopped is told once. After a failed
 *    fsync the kernel may have dropped the pages it could not write, so that retrying would
 *    acknowledge what is not on disk (PostgreSQL's rule since 2018). Reads go on; nothing
 *    acknowledged before is lost; a reopen once the cause is fixed takes writes again.
 *  - Compaction (in the background when the journal passes compactThresholdBytes or the
 *    snapshot's size, whichever is larger, and at close) writes the state as of commit S to
 *    paydesk.json.tmp in slices without blocking the event loop (syncing it every few megabytes, so that journal fsyncs never wait long
 *    behind it), fsyncs it, renames it over paydesk.json, fsyncs the directory, then
 *    replaces the journal by its lines after S. A crash at any point leaves a snapshot and a
 *    journal that hold every acknowledged commit exactly once (replay skips seq <= S).
 *    The bodies of payments unchanged since the last snapshot are copied from it byte for
 *    byte (neither read nor checked again); payments are read from the new file as soon as
 *    it is synced. Idempotency records older than 7 days are dropped at compaction.
 *  - open() takes the lock (a stale lock of a dead pid is taken over), reads and validates
 *    the snapshot, migrates an older schema (reading every payment, unless the migrations
 *    between leave payments alone or only add fields: migrations.ts), refuses a newer one,
 *    and replays the journal, each line's records migrated from the version it says. The
 *    snapshot's checksum (checksum.ts) is checked first: a changed byte anywhere refuses the
 *    open. A journal's end that does not read is cut after its bytes are saved beside it,
 *    and reported (options.log, Store.repaired(), which the core audits and shows), with the
 *    numbers of the commits lost when the mark knows them (journal.ts's header has the rule);
 *    any other damage found at open stops it with StoreError 'corrupt' and touches nothing.
 *  - Payments are read lazily: open reads the snapshot up to the payments' bodies and keeps
 *    the file open; a payment's body is read, decoded and validated when the payment is
 *    first asked for (payment-base.ts); the last few read one at a time are cached, pages
 *    are not (payment-table.ts). What is validated:
 *    at open, the header, every subscription, history entry, audit entry and idempotency
 *    record whole, and every payment's indexed fields (id, status, createdAt, customer
 *    e-mail, subscription, period, idempotency key; ids unique) and body size (they must
 *    add up to the file's size); at first read, the payment whole against the domain
 *    schema. A payment that fails then (its file changed under the open store) is StoreError
 *    'corrupt' naming the file and line, thrown by the read that met it (and by every later
 *    one): the store stays open, and views (PaymentQuery.skipUnreadable, the refunds'
 *    summary) leave that payment out and name it instead of failing.
 *  - Queries are answered by indexes in memory (tables.ts): no query scans the whole store,
 *    and a page reads only its own payments' bodies. Filters and sorts by any column
 *    (query.ts) read the columns: a sort column's list is built on its first use. The customers' totals (customers.ts)
 *    are summed from the payments' columns the first time they are asked for, then moved
 *    by every put; they are never written (a reopen sums them again).
 *
 * Measured on the project's 2-core machines (noisy, ±30%), 1,000,000 payments (bench/
 * fixtures.ts): open 0.75 to 0.9 s and about 370 MB RSS (schema 1, which read every payment,
 * took 9 to 11 s and 1.2 to 1.4 GB; the first open of such a file still reads it whole, once,
 * to rewrite it: about 16 s); a status page of 50 anywhere in the list about 0.11 ms (p50)
 * and 0.45 ms (p99), its bodies read from the file; a lone commit about 0.25 ms (p50), 1 ms
 * (p99); a compaction about 1.2 s of slices, commits meanwhile waiting up to about 30 ms.
 * Reading every payment (allPayments) takes about 3 s at that size. BENCHMARKS.md has the
 * figures of the whole core path.
 */
import { open, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Low } from 'lowdb';
import {
  DEFAULT_SETTINGS,
  type AuditEntry,
  type Payment,
  type Settings,
  type Subscription,
} from '../../../shared/domain';
import { DomainError } from '../../../shared/result';
import type { Change, Store, StoreCopy, StoreRepair, SubscriptionClaims } from '../ports';
import { makePrivateDir, PRIVATE_FILE_MODE, tightenPrivateDir } from '../private-files';
import { corruptSnapshot, errnoCode, StoreError, unreadable } from './errors';
import { namingFailures, NODE_FILES, type FileOps } from './file-ops';
import { dataFiles, TEMP_SUFFIX, type DataFiles } from './files';
import {
  corruptJournal,
  cutJournalTail,
  journalLine,
  JournalWriter,
  replayJournal,
  type ReplayResult,
} from './journal';
import { MarkWriter, readMark } from './mark';
import { acquireLock, type DirLock } from './lock';
import { CURRENT_FORMAT, storeFormat, type StoreFormat } from './format';
import type { Layouts } from './layout';
import { migrate, readsPayments, SCHEMA_VERSION, type Migrations, type RawDoc } from './migrations';
import type { PaymentBase } from './payment-base';
import { draftList } from './payment-writer';
import { SnapshotFile, type SnapshotData, type StepHook } from './snapshot';
import { DuplicateRecord, emptySnapshot, StoreState, type SnapshotDoc } from './state';
import { StateReads } from './state-reads';
import { validateSnapshot } from './validate';

export { StoreError } from './errors';
export type { StoreErrorCode } from './errors';
export type { CompactionStep } from './snapshot';

export interface StoreOptions {
  /** Where the store reports what it did on its own (a cut journal tail, a taken-over lock). */
  log?: (msg: string) => void;
  /**
   * Compact in the background once the journal is larger than this (default 64 MiB) and
   * than the snapshot (as Redis rewrites its append-only file when it has doubled, 64 MB at
   * least). A compaction rewrites the whole snapshot, so a larger one waits for a
   * proportionally longer journal: each journal byte costs at most about one byte of
   * rewriting. A scheduler run holds compaction back until it ends (holdCompaction). The
   * price: an open after a crash replays up to a snapshot's worth of journal and what the
   * run under way wrote (at a million payments, after a run of 100,000 charges, about
   * 3.6 s for 97 MB).
   */
  compactThresholdBytes?: number;
  /** "Now" for expiring idempotency records at compaction (default: the system clock). */
  clockNow?: () => Date;
  /**
   * Open without writing anything (a backup being verified): no lock taken, no directory
   * made, no temporary file removed, no compaction; a torn journal tail is refused as
   * 'corrupt' instead of cut. Commits are refused ('read_only').
   */
  readOnly?: boolean;
  /** For the store's own tests only. */
  testing?: {
    /** Pretend the current schema version is this one... */
    schemaVersion?: number;
    /** ...reached with these migrations (MIGRATIONS[n] takes n to n + 1)... */
    migrations?: Migrations;
    /** ...with these records' layouts (a copy of the current ones with a field added). */
    layouts?: Layouts;
    /** Called at each step of a compaction (to copy the files as a crash would leave them). */
    onCompactionStep?: StepHook;
    /** Called before each journal write; throwing makes that write fail. */
    beforeJournalWrite?: () => void;
    /** The file operations (default: the real file system; a fault-injecting one in tests). */
    files?: FileOps;
  };
  /**
   * Called once when the store stops taking writes (a write, flush or rename of its files
   * failed; Store.writeFailure() says why from then on).
   */
  onWritesStopped?: (error: StoreError) => void;
}

const DEFAULT_COMPACT_THRESHOLD = 64 << 20;

export async function openStore(dataDir: string, options: StoreOptions = {}): Promise<Store> {
  const log = options.log ?? (() => undefined);
  const files = dataFiles(resolve(dataDir));
  if (options.readOnly === true) return openReadOnly(files, options, log);
  try {
    await makePrivateDir(files.dir);
  } catch (error) {
    throw unreadable(files.dir, error);
  }
  const lock = await acquireLock(files.dir, files.lock, log);
  try {
    await tightenPrivateDir(files.dir, log).catch((error: unknown) => {
      throw unreadable(files.dir, error);
    });
    return await openLocked(files, lock, options, log);
  } catch (error) {
    await lock.release().catch(() => undefined);
    throw error;
  }
}

async function openLocked(
  files: DataFiles,
  lock: DirLock,
  options: StoreOptions,
  log: (msg: string) => void,
): Promise<Store> {
  const format = formatOf(options);
  const onStep = options.testing?.onCompactionStep;
  const ops = namingFailures(options.testing?.files ?? NODE_FILES);
  // Reading: nothing on disk is changed until the snapshot and the journal are both good.
  const { loaded, state, replay } = await readState(files, format);

  // Writing.
  let repair: StoreRepair | null;
  try {
    repair = await repairJournalEnd(files, ops, replay, log);
    await removeTempFiles(files.dir, ops).catch((error: unknown) => {
      throw unreadable(files.dir, error);
    });
  } catch (error) {
    await state.payments.close();
    throw error;
  }
  const store = new FileStore(files, state, lock, {
    files: ops,
    repair,
    onWritesStopped: options.onWritesStopped,
    format,
    seq: replay.lastSeq,
    journalBytes: replay.goodBytes,
    snapshotBytes: await sizeOf(files.snapshot),
    log,
    clockNow: options.clockNow ?? (() => new Date()),
    threshold: options.compactThresholdBytes ?? DEFAULT_COMPACT_THRESHOLD,
    onStep,
    beforeWrite: options.testing?.beforeJournalWrite,
    readOnly: false,
  });
  try {
    await store.start();
  } catch (error) {
    await state.payments.close();
    throw unreadable(files.journal, error);
  }
  if (loaded.rewrite) {
    try {
      await store.compact();
    } catch (error) {
      await store.close().catch(() => undefined);
      throw error;
    }
  }
  return store;
}

/** The format of this open: the current one, or the one options.testing asks for. */
function formatOf(options: StoreOptions): StoreFormat {
  const t = options.testing;
  if (t?.schemaVersion === undefined && t?.migrations === undefined && t?.layouts === undefined) {
    return CURRENT_FORMAT;
  }
  return storeFormat({ version: t.schemaVersion, migrations: t.migrations, layouts: t.layouts });
}

/** Reads the snapshot and replays the journal into memory; changes nothing on disk. */
async function readState(files: DataFiles, format: StoreFormat) {
  const loaded = await loadSnapshot(files, format);
  try {
    const state = StoreState.fromSnapshot(loaded.doc, format);
    // The journal's lines that do not say their version are of the snapshot's.
    const decode = format.changesDecoder(loaded.writtenVersion, files.journal);
    const replay = await replayJournal(files.journal, loaded.doc.journalSeq, state, decode);
    return { loaded, state, replay };
  } catch (error) {
    if (!Array.isArray(loaded.doc.payments)) await loaded.doc.payments.close();
    if (error instanceof DuplicateRecord) throw corruptSnapshot(files.snapshot, error.message);
    throw error;
  }
}

/** The lock of a read-only store: none is taken, so there is nothing to release. */
const NO_LOCK: DirLock = { release: () => Promise.resolve() };

/** openStore with `readOnly`: reads, checks and refuses; writes nothing at all. */
async function openReadOnly(
  files: DataFiles,
  options: StoreOptions,
  log: (msg: string) => void,
): Promise<Store> {
  const format = formatOf(options);
  // A missing directory would read as a new, empty store: refuse it instead.
  try {
    if (!(await stat(files.dir)).isDirectory()) throw new Error('not a directory');
  } catch (error) {
    throw unreadable(files.dir, error);
  }
  const { state, replay } = await readState(files, format);
  if (replay.torn !== null) {
    await state.payments.close();
    throw corruptJournal(files.journal, replay.torn.line, replay.torn.problem);
  }
  return new FileStore(files, state, NO_LOCK, {
    files: NODE_FILES,
    repair: null,
    onWritesStopped: undefined,
    format,
    seq: replay.lastSeq,
    journalBytes: replay.goodBytes,
    snapshotBytes: 0,
    log,
    clockNow: options.clockNow ?? (() => new Date()),
    threshold: Infinity,
    onStep: undefined,
    beforeWrite: undefined,
    readOnly: true,
  });
}

/** The size of `path`, 0 if it does not exist. */
async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return 0;
    throw unreadable(path, error);
  }
}

async function loadSnapshot(
  files: DataFiles,
  format: StoreFormat,
): Promise<{ doc: SnapshotDoc; rewrite: boolean; writtenVersion: number }> {
  const target = format.version;
  const low = new Low<SnapshotData | null>(
    new SnapshotFile(files, { knownVersion: target, format }),
    null,
  );
  await low.read();
  const data = low.data;
  if (data === null || data.kind !== 'read') {
    // A new store (or one whose snapshot is gone: the journal must then start at commit 1).
    return { doc: emptySnapshot(target), rewrite: true, writtenVersion: target };
  }
  let { raw, firstLines, payments: base } = data;
  try {
    const version = raw.schemaVersion;
    if (
      base !== null &&
      typeof version === 'number' &&
      version < target &&
      readsPayments(version, target, format.migrations)
    ) {
      // Migrations take payments as objects: read them all (validated once migrated).
      raw = { ...raw, payments: readAll(base) };
      firstLines = {};
      await base.close();
      base = null;
    }
    const doc = checkedDoc(files, raw, format, firstLines);
    if (base !== null) doc.doc.payments = base;
    return { ...doc, writtenVersion: typeof version === 'number' ? version : target };
  } catch (error) {
    await base?.close();
    throw error;
  }
}

function checkedDoc(
  files: DataFiles,
  raw: RawDoc,
  format: StoreFormat,
  firstLines: Parameters<typeof validateSnapshot>[2],
): { doc: SnapshotDoc; rewrite: boolean } {
  const target = format.version;
  const migrated = migrate(raw, target, format.migrations);
  if (!migrated.ok) {
    if (migrated.reason === 'newer') {
      throw new StoreError(
        'newer_schema',
        `${files.snapshot} was written by a newer Paydesk (schema version ${String(migrated.version)}, ` +
          `this one knows up to ${target}); nothing was changed. Run that newer Paydesk version.`,
        files.snapshot,
      );
    }
    throw corruptSnapshot(
      files.snapshot,
      `schemaVersion ${JSON.stringify(migrated.version)} is not a version Paydesk knows`,
      1,
    );
  }
  const doc = validateSnapshot(
    files.snapshot,
    migrated.doc,
    migrated.migrated ? {} : firstLines,
    format,
  );
  return { doc, rewrite: migrated.migrated };
}

/** Every payment of `base`, read and decoded (validated once migrated). */
function readAll(base: PaymentBase): unknown[] {
  const out: unknown[] = [];
  const RUN = 1024;
  for (let from = 0; from < base.count; from += RUN) {
    base.decodeRun(from, Math.min(from + RUN, base.count), (p) => out.push(p));
  }
  return out;
}

/**
 * Cuts a journal's bad end (its bytes saved beside it first) and tells what was lost, by the
 * rule of journal.ts's header: the commits between the journal's last good line and the
 * durable mark (mark.ts) were acknowledged and are missing. Null when there is nothing to say.
 */
async function repairJournalEnd(
  files: DataFiles,
  ops: FileOps,
  replay: ReplayResult,
  log: (msg: string) => void,
): Promise<StoreRepair | null> {
  const mark = await readMark(ops, files.mark).catch((error: unknown) => {
    throw unreadable(files.mark, error);
  });
  if (mark.problem !== null) log(mark.problem);
  const kept = replay.lastSeq;
  const lost = mark.seq !== null && mark.seq > kept ? { from: kept + 1, to: mark.seq } : null;
  const torn = replay.torn;
  if (torn === null && lost === null) return null;
  const parts: string[] = [];
  let savedAs: string | null = null;
  if (torn !== null) {
    const cut = await cutJournalTail(ops, files.journal, files.dir, replay.goodBytes, new Date());
    savedAs = cut.path;
    const what = torn.seq === null ? '' : `, commit ${torn.seq}`;
    parts.push(
      `${files.journal}: its end did not read as a commit (line ${torn.line}${what}: ` +
        `${torn.problem}); its last ${cut.bytes} bytes were cut and saved as ${cut.path}.`,
    );
  }
  if (lost !== null) {
    const which =
      lost.from === lost.to ? `Commit ${lost.from} was` : `Commits ${lost.from} to ${lost.to} were`;
    parts.push(
      `${which} confirmed and ${lost.from === lost.to ? 'is' : 'are'} missing: the journal ` +
        `ends at commit ${kept} (it was cut short, or the data was replaced by an older copy). ` +
        `Start-up reconciliation records again every charge and refund the gateway made; ` +
        `their other changes are lost unless a backup holds them.`,
    );
  } else if (mark.seq !== null) {
    parts.push(
      `Every commit known confirmed (up to ${mark.seq}) is kept: the cut bytes are the end of ` +
        `a write interrupted when Paydesk stopped, never confirmed.`,
    );
  } else {
    parts.push(`No record says whether the cut bytes held confirmed commits.`);
  }
  const message = parts.join(' ');
  log(message);
  return { message, savedAs, keptSeq: kept, lost };
}

async function removeTempFiles(dir: string, ops: FileOps): Promise<void> {
  for (const name of await readdir(dir)) {
    if (name.startsWith('paydesk.') && name.endsWith(TEMP_SUFFIX)) {
      await ops.unlink(join(dir, name)).catch((error: unknown) => {
        if (errnoCode(error) !== 'ENOENT') throw error;
      });
    }
  }
}

interface FileStoreConfig {
  /** How the store's files are written (faults named: file-ops.ts). */
  files: FileOps;
  /** What the open cut or found missing, if anything. */
  repair: StoreRepair | null;
  onWritesStopped: ((error: StoreError) => void) | undefined;
  /** What the store writes (its schema version, records' layouts). */
  format: StoreFormat;
  seq: number;
  journalBytes: number;
  snapshotBytes: number;
  log: (msg: string) => void;
  clockNow: () => Date;
  threshold: number;
  onStep: StepHook | undefined;
  beforeWrite: (() => void) | undefined;
  /** Opened with StoreOptions.readOnly: commits, compactions and the journal refused. */
  readOnly: boolean;
}

class FileStore extends StateReads implements Store {
  readonly dataDir: string;
  private seq: number;
  private readonly journal: JournalWriter;
  /** The number of a commit known durable (null when read-only). */
  private readonly mark: MarkWriter | null;
  private readonly low: Low<SnapshotData | null>;
  private failure: StoreError | null = null;
  private closing: Promise<void> | null = null;
  private compaction: Promise<void> | null = null;
  /** The journal size past which the next background compaction starts. */
  private compactAt: number;
  /** Holds on background compaction not yet released (holdCompaction). */
  private compactionHolds = 0;
  private snapshotBytes: number;

  constructor(
    private readonly files: DataFiles,
    protected readonly state: StoreState,
    private readonly lock: DirLock,
    private readonly config: FileStoreConfig,
  ) {
    super();
    this.dataDir = files.dir;
    this.seq = config.seq;
    this.snapshotBytes = config.snapshotBytes;
    this.compactAt = this.threshold();
    this.journal = new JournalWriter({
      files: config.files,
      path: files.journal,
      dir: files.dir,
      bytes: config.journalBytes,
      writtenSeq: config.seq,
      // Every failed write of the store's files ends here (stopWrites): one refusal, told once.
      onFailure: (error) => {
        this.failure = error;
        this.mark?.stop();
        config.log(error.message);
        config.onWritesStopped?.(error);
      },
      onFlushed: (seq) => {
        this.mark?.durable(seq);
        this.maybeCompact();
      },
      onStep: config.onStep,
      beforeWrite: config.beforeWrite,
    });
    this.mark = config.readOnly
      ? null
      : new MarkWriter(config.files, files.mark, files.dir, config.seq, (error) =>
          this.stopWrites(error),
        );
    this.low = new Low<SnapshotData | null>(
      new SnapshotFile(files, {
        knownVersion: config.format.version,
        format: config.format,
        files: config.files,
        onStep: config.onStep,
        abortIf: () => this.failure,
      }),
      null,
    );
  }

  async start(): Promise<void> {
    await this.mark?.start();
    await this.journal.start();
  }

  /** Takes no more writes: `error` (a failed write, flush or rename) left the disk unknown. */
  private stopWrites(error: unknown): StoreError {
    return this.journal.fail(error);
  }

  repaired(): StoreRepair | null {
    return this.config.repair;
  }

  exclusive<T>(task: () => Promise<T>): Promise<T> {
    return task();
  }

  leadScheduler(): Promise<boolean> {
    return Promise.resolve(true);
  }

  claimSubscriptions(): SubscriptionClaims {
    // The directory's lock admits one process, whose runs take turns in its queue.
    return {
      claim: (ids) => Promise.resolve(new Set(ids)),
      release: () => Promise.resolve(),
    };
  }

  writeFailure(): Error | null {
    return this.failure;
  }

  // -- writes -----------------------------------------------------------------------------

  commit(changes: Change[]): Promise<void> {
    if (this.closing !== null) {
      return Promise.reject(
        new StoreError('closed', `the store of ${this.dataDir} is closed`, this.files.snapshot),
      );
    }
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.config.readOnly) return Promise.reject(this.readOnlyError());
    const problem = this.state.check(changes);
    if (problem !== null) {
      return Promise.reject(new DomainError('internal', `store.commit refused: ${problem}`));
    }
    let json: string;
    try {
      json = JSON.stringify(this.config.format.encodeChanges(changes));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    this.state.apply(changes);
    const seq = ++this.seq;
    return this.journal.append(seq, journalLine(seq, json, this.config.format.version));
  }

  compact(): Promise<void> {
    if (this.closing !== null) {
      return Promise.reject(new StoreError('closed', `the store of ${this.dataDir} is closed`));
    }
    if (this.config.readOnly) return Promise.reject(this.readOnlyError());
    return this.runCompaction();
  }

  commitSeq(): number {
    return this.seq;
  }

  backupTo(dir: string, atCapture?: () => void): Promise<StoreCopy> {
    if (this.closing !== null) {
      return Promise.reject(new StoreError('closed', `the store of ${this.dataDir} is closed`));
    }
    // After a compaction, not during one: the capture reads unchanged payments' bodies from
    // the snapshot file that a compaction would close under it.
    return this.serialized(() => this.copyOnce(dir, atCapture));
  }

  private async copyOnce(dir: string, atCapture: (() => void) | undefined): Promise<StoreCopy> {
    if (this.failure !== null) throw this.failure;
    // The state as of commit S, captured as a compaction captures it (and `atCapture` in the
    // same synchronous instant), written as a snapshot of S with no journal after it.
    const seq = this.seq;
    const image = this.state.capture(this.config.format.version, seq);
    atCapture?.();
    const file = new SnapshotFile(dataFiles(resolve(dir)), {
      knownVersion: this.config.format.version,
      format: this.config.format,
      abortIf: () => this.failure,
    });
    await file.write({ kind: 'write', image });
    // Commits up to S may still be on their way to the journal: the copy holds none that the
    // store failed to make durable (their group's write failing stops the store: refuse).
    await this.journal.drain();
    if (this.failure !== null) throw this.failure;
    return {
      seq,
      payments: image.payments.count,
      subscriptions: image.subscriptions.length,
      refunds: image.refunds.length,
      audit: image.audit.length,
    };
  }

  private readOnlyError(): StoreError {
    return new StoreError(
      'read_only',
      `the store of ${this.dataDir} was opened read-only: it takes no change`,
      this.files.snapshot,
    );
  }

  holdCompaction(): () => void {
    this.compactionHolds++;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.compactionHolds--;
      this.maybeCompact();
    };
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    try {
      await this.journal.drain();
      await this.compaction?.catch(() => undefined);
      if (this.failure === null && !this.config.readOnly) await this.runCompaction();
    } finally {
      await this.mark?.close(this.failure === null).catch(() => undefined);
      await this.journal.close().catch(() => undefined);
      await this.state.payments.close().catch(() => undefined);
      await this.lock.release();
    }
  }

  /** Starts a compaction after the one running, if any; resolves when it is done. */
  private runCompaction(): Promise<void> {
    return this.serialized(() => this.compactOnce());
  }

  /** Runs `task` after the compaction or backup running, if any, and before any later one. */
  private serialized<T>(task: () => Promise<T>): Promise<T> {
    const previous = this.compaction ?? Promise.resolve();
    const result = previous.catch(() => undefined).then(task);
    const run = result.then(() => undefined);
    this.compaction = run;
    void run.then(
      () => this.settle(run),
      () => this.settle(run),
    );
    return result;
  }

  private settle(run: Promise<void>): void {
    if (this.compaction === run) this.compaction = null;
  }

  private async compactOnce(): Promise<void> {
    if (this.failure !== null) throw this.failure;
    // Capture the state as of commit S, synchronously: records are immutable, so shallow
    // copies of the arrays stay as they are while commits go on.
    const seq = this.seq;
    this.state.dropExpiredIdempotency(this.config.clockNow());
    const image = this.state.capture(this.config.format.version, seq);
    this.journal.startRetaining();
    try {
      this.low.data = {
        kind: 'write',
        image,
        // Once written, the payments are read from the new file (and leave the overlay).
        moveTo: (base) => this.state.payments.rebase(base, image.payments),
      };
      await this.low.write();
    } catch (error) {
      this.journal.stopRetaining();
      throw this.stopWrites(error);
    } finally {
      this.low.data = null;
    }
    await this.journal.replaceWithRetained();
    this.snapshotBytes = await sizeOf(this.files.snapshot).catch(() => this.snapshotBytes);
    this.compactAt = this.journal.bytes + this.threshold();
  }

  /** How much the journal may grow before a background compaction (see compactThresholdBytes). */
  private threshold(): number {
    return Math.max(this.config.threshold, this.snapshotBytes);
  }

  private maybeCompact(): void {
    if (this.compaction !== null || this.closing !== null || this.compactionHolds > 0) return;
    if (this.journal.bytes < this.compactAt) return;
    this.compactAt = this.journal.bytes + this.threshold();
    this.runCompaction().catch((error: unknown) => {
      // A failed write stopped the store's writes and was logged then (stopWrites).
      if (this.failure !== null) return;
      const why = error instanceof Error ? error.message : String(error);
      this.config.log(`${this.files.snapshot}: background compaction failed (${why})`);
    });
  }
}

/** What `writeStoreFiles` writes: records may come from generators. */
export interface StoreFilesContent {
  /** The snapshot's last commit; the journal's commits follow it. */
  journalSeq: number;
  settings?: Settings;
  payments: Iterable<Payment>;
  subscriptions?: Iterable<Subscription>;
  audit?: Iterable<AuditEntry>;
  /** Commits after the snapshot, written to the journal as they would be. */
  journal?: Iterable<Change[]>;
}

/**
 * Writes a data directory's snapshot and journal directly, in the current format, without
 * opening a store (for benchmark fixtures). Records are not validated: pass valid ones.
 */
export async function writeStoreFiles(dataDir: string, content: StoreFilesContent): Promise<void> {
  const files = dataFiles(resolve(dataDir));
  await makePrivateDir(files.dir);
  await new SnapshotFile(files).write({
    kind: 'write',
    image: {
      schemaVersion: SCHEMA_VERSION,
      journalSeq: content.journalSeq,
      settings: content.settings ?? DEFAULT_SETTINGS,
      testClock: null,
      gatewayCursor: null,
      payments: draftList(content.payments),
      subscriptions: [...(content.subscriptions ?? [])],
      refunds: [],
      undo: [],
      redo: [],
      audit: [...(content.audit ?? [])],
      idempotency: [],
    },
  });
  const handle = await open(files.journal, 'w', PRIVATE_FILE_MODE);
  try {
    let seq = content.journalSeq;
    let lines: Buffer[] = [];
    for (const changes of content.journal ?? []) {
      seq++;
      const json = JSON.stringify(CURRENT_FORMAT.encodeChanges(changes));
      lines.push(journalLine(seq, json, SCHEMA_VERSION));
      if (lines.length >= 1000) {
        await handle.write(Buffer.concat(lines));
        lines = [];
      }
    }
    await handle.write(Buffer.concat(lines));
    await handle.sync();
  } finally {
    await handle.close();
  }
}
