/**
 * The storage engine of the core: `openStore(dataDir)` gives the Store of src/main/core/ports.ts.
 *
 * Files in the data directory:
 *  - paydesk.json     the snapshot: the whole state as of commit `journalSeq` (a lowdb file
 *                     with our own adapter; layout in snapshot.ts: the payments' indexed
 *                     fields in columns, their other fields one line each at the end).
 *  - paydesk.journal  one JSON line per commit after the snapshot: {"seq","crc","changes"}
 *                     (layout in journal.ts, changes encoded by journal-codec.ts).
 *  - paydesk.lock     the pid of the one process that may write the directory.
 *  - *.tmp            a snapshot or journal being rewritten; ignored and removed at open.
 *
 * Guarantees:
 *  - commit() applies its changes to memory at once (reads see them when it returns) and
 *    resolves only once its journal line is written and fsynced. Commits made while a flush
 *    is running share the next one (group commit). A commit is all or nothing across crashes.
 *    If a write fails, every commit of that group rejects and the store refuses further
 *    commits (memory would be ahead of disk).
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
 *    the snapshot, migrates an older schema (reading every payment, unless the versions
 *    between changed only the journal: migrations.ts), refuses a newer one,
 *    and replays the journal. A torn last journal line is cut and reported through
 *    options.log; any other damage found at open stops it with StoreError 'corrupt' and
 *    touches nothing.
 *  - Payments are read lazily: open reads the snapshot up to the payments' bodies and keeps
 *    the file open; a payment's body is read, decoded and validated when the payment is
 *    first asked for (payment-base.ts); the last few read one at a time are cached, pages
 *    are not (payment-table.ts). What is validated:
 *    at open, the header, every subscription, history entry, audit entry and idempotency
 *    record whole, and every payment's indexed fields (id, status, createdAt, customer
 *    e-mail, subscription, period, idempotency key; ids unique) and body size (they must
 *    add up to the file's size); at first read, the payment whole against the domain
 *    schema. A payment that fails then is StoreError 'corrupt' naming the file and line,
 *    thrown by the read that met it (and by every later one): the store stays open.
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
import { mkdir, open, readdir, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Low } from 'lowdb';
import type { CustomerPage, CustomerSummary, Page } from '../../../shared/contract';
import {
  DEFAULT_SETTINGS,
  type AuditEntry,
  type HistoryEntry,
  type IdempotencyRecord,
  type Payment,
  type Refund,
  type Settings,
  type Subscription,
} from '../../../shared/domain';
import { DomainError } from '../../../shared/result';
import type {
  AuditQuery,
  Change,
  CustomerQuery,
  PaymentQuery,
  PeriodCharges,
  RefundMade,
  Store,
  SubscriptionQuery,
} from '../ports';
import { AuditQueries } from './audit-query';
import { instantMs } from './codec';
import { corruptSnapshot, errnoCode, StoreError, unreadable } from './errors';
import { dataFiles, TEMP_SUFFIX, type DataFiles } from './files';
import { journalLine, JournalWriter, replayJournal } from './journal';
import { acquireLock, type DirLock } from './lock';
import { encodeChanges } from './journal-codec';
import { migrate, readsPayments, SCHEMA_VERSION, type Migration, type RawDoc } from './migrations';
import type { PaymentBase } from './payment-base';
import { draftList } from './payment-writer';
import { SnapshotFile, type SnapshotData, type StepHook } from './snapshot';
import { DuplicateRecord, emptySnapshot, StoreState, type SnapshotDoc } from './state';
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
  /** For the store's own tests only. */
  testing?: {
    /** Pretend the current schema version is this one... */
    schemaVersion?: number;
    /** ...reached with these migrations (MIGRATIONS[n] takes n to n + 1). */
    migrations?: Readonly<Record<number, Migration>>;
    /** Called at each step of a compaction (to copy the files as a crash would leave them). */
    onCompactionStep?: StepHook;
    /** Called before each journal write; throwing makes that write fail. */
    beforeJournalWrite?: () => void;
  };
}

const DEFAULT_COMPACT_THRESHOLD = 64 << 20;

export async function openStore(dataDir: string, options: StoreOptions = {}): Promise<Store> {
  const log = options.log ?? (() => undefined);
  const files = dataFiles(resolve(dataDir));
  try {
    await mkdir(files.dir, { recursive: true });
  } catch (error) {
    throw unreadable(files.dir, error);
  }
  const lock = await acquireLock(files.dir, files.lock, log);
  try {
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
  const target = options.testing?.schemaVersion ?? SCHEMA_VERSION;
  const onStep = options.testing?.onCompactionStep;
  // Reading: nothing on disk is changed until the snapshot and the journal are both good.
  const loaded = await loadSnapshot(files, target, options.testing?.migrations);
  let state: StoreState;
  let replay: Awaited<ReturnType<typeof replayJournal>>;
  try {
    state = StoreState.fromSnapshot(loaded.doc);
    replay = await replayJournal(files.journal, loaded.doc.journalSeq, state);
  } catch (error) {
    if (!Array.isArray(loaded.doc.payments)) await loaded.doc.payments.close();
    if (error instanceof DuplicateRecord) throw corruptSnapshot(files.snapshot, error.message);
    throw error;
  }

  // Writing.
  try {
    if (replay.torn !== null) {
      await cutJournal(files.journal, replay.goodBytes).catch((error: unknown) => {
        throw unreadable(files.journal, error);
      });
      log(
        `${files.journal}: cut a torn last line (line ${replay.torn.line}: ${replay.torn.problem}); ` +
          `it was never acknowledged. ${replay.applied} commits were replayed.`,
      );
    }
    await removeTempFiles(files.dir).catch((error: unknown) => {
      throw unreadable(files.dir, error);
    });
  } catch (error) {
    await state.payments.close();
    throw error;
  }
  const store = new FileStore(files, state, lock, {
    schemaVersion: target,
    seq: replay.lastSeq,
    journalBytes: replay.goodBytes,
    snapshotBytes: await sizeOf(files.snapshot),
    log,
    clockNow: options.clockNow ?? (() => new Date()),
    threshold: options.compactThresholdBytes ?? DEFAULT_COMPACT_THRESHOLD,
    onStep,
    beforeWrite: options.testing?.beforeJournalWrite,
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
  target: number,
  migrations: Readonly<Record<number, Migration>> | undefined,
): Promise<{ doc: SnapshotDoc; rewrite: boolean }> {
  const low = new Low<SnapshotData | null>(new SnapshotFile(files, { knownVersion: target }), null);
  await low.read();
  const data = low.data;
  if (data === null || data.kind !== 'read') {
    // A new store (or one whose snapshot is gone: the journal must then start at commit 1).
    return { doc: emptySnapshot(target), rewrite: true };
  }
  let { raw, firstLines, payments: base } = data;
  try {
    const version = raw.schemaVersion;
    if (
      base !== null &&
      typeof version === 'number' &&
      version < target &&
      readsPayments(version, target, migrations)
    ) {
      // Migrations take payments as objects: read them all (each is validated as it is).
      raw = { ...raw, payments: readAll(base) };
      firstLines = {};
      await base.close();
      base = null;
    }
    const doc = checkedDoc(files, raw, target, migrations, firstLines);
    if (base !== null) doc.doc.payments = base;
    return doc;
  } catch (error) {
    await base?.close();
    throw error;
  }
}

function checkedDoc(
  files: DataFiles,
  raw: RawDoc,
  target: number,
  migrations: Readonly<Record<number, Migration>> | undefined,
  firstLines: Parameters<typeof validateSnapshot>[2],
): { doc: SnapshotDoc; rewrite: boolean } {
  const migrated = migrate(raw, target, migrations);
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
  const doc = validateSnapshot(files.snapshot, migrated.doc, migrated.migrated ? {} : firstLines);
  return { doc, rewrite: migrated.migrated };
}

/** Every payment of `base`, read and validated. */
function readAll(base: PaymentBase): Payment[] {
  const out: Payment[] = [];
  const RUN = 1024;
  for (let from = 0; from < base.count; from += RUN) {
    base.readRun(
      from,
      Math.min(from + RUN, base.count),
      () => true,
      (p) => out.push(p),
    );
  }
  return out;
}

async function cutJournal(path: string, length: number): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.truncate(length);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function removeTempFiles(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    if (name.startsWith('paydesk.') && name.endsWith(TEMP_SUFFIX)) {
      await unlink(join(dir, name)).catch((error: unknown) => {
        if (errnoCode(error) !== 'ENOENT') throw error;
      });
    }
  }
}

interface FileStoreConfig {
  schemaVersion: number;
  seq: number;
  journalBytes: number;
  snapshotBytes: number;
  log: (msg: string) => void;
  clockNow: () => Date;
  threshold: number;
  onStep: StepHook | undefined;
  beforeWrite: (() => void) | undefined;
}

class FileStore implements Store {
  readonly dataDir: string;
  private seq: number;
  private readonly journal: JournalWriter;
  private readonly low: Low<SnapshotData | null>;
  private failure: StoreError | null = null;
  private closing: Promise<void> | null = null;
  private compaction: Promise<void> | null = null;
  /** The journal size past which the next background compaction starts. */
  private compactAt: number;
  private readonly auditQueries = new AuditQueries(() => this.state.audit);
  /** Holds on background compaction not yet released (holdCompaction). */
  private compactionHolds = 0;
  private snapshotBytes: number;

  constructor(
    private readonly files: DataFiles,
    private readonly state: StoreState,
    private readonly lock: DirLock,
    private readonly config: FileStoreConfig,
  ) {
    this.dataDir = files.dir;
    this.seq = config.seq;
    this.snapshotBytes = config.snapshotBytes;
    this.compactAt = this.threshold();
    this.journal = new JournalWriter({
      path: files.journal,
      dir: files.dir,
      bytes: config.journalBytes,
      writtenSeq: config.seq,
      onFailure: (error) => {
        this.failure = error;
        config.log(error.message);
      },
      onFlushed: () => this.maybeCompact(),
      onStep: config.onStep,
      beforeWrite: config.beforeWrite,
    });
    this.low = new Low<SnapshotData | null>(
      new SnapshotFile(files, {
        knownVersion: config.schemaVersion,
        onStep: config.onStep,
        abortIf: () => this.failure,
      }),
      null,
    );
  }

  start(): Promise<void> {
    return this.journal.start();
  }

  // -- reads ------------------------------------------------------------------------------

  getPayment(id: string): Payment | undefined {
    return this.state.payments.get(id);
  }

  getPaymentByIdempotencyKey(key: string): Payment | undefined {
    return this.state.payments.byIdempotencyKey(key);
  }

  queryPayments(query: PaymentQuery): Page<Payment> {
    return this.state.payments.query(query, query.order, query.offset, query.limit);
  }

  pendingPayments(): Payment[] {
    return this.state.payments.pending();
  }

  allPayments(): Iterable<Payment> {
    return this.state.payments.values();
  }

  paymentCount(): number {
    return this.state.payments.size;
  }

  getSubscription(id: string): Subscription | undefined {
    return this.state.subscriptions.get(id);
  }

  querySubscriptions(query: SubscriptionQuery): Page<Subscription> {
    return this.state.subscriptions.query(query, query.order, query.offset, query.limit);
  }

  paymentsOfSubscription(subscriptionId: string): Payment[] {
    return this.state.payments.ofSubscription(subscriptionId);
  }

  refundsSince(instant: string): RefundMade[] {
    return this.state.payments.refundsSince(instantMs(instant));
  }

  periodCharges(subscriptionId: string, period: number): PeriodCharges {
    return this.state.payments.periodCharges(subscriptionId, period);
  }

  dueSubscriptions(now: string, limit: number = Infinity): Subscription[] {
    return this.state.subscriptions.dueAt(now, limit);
  }

  allSubscriptions(): Iterable<Subscription> {
    return this.state.subscriptions.values();
  }

  queryCustomers(query: CustomerQuery): CustomerPage {
    return this.state.customers().page(query);
  }

  getCustomer(email: string): CustomerSummary | undefined {
    return this.state.customers().get(email);
  }

  undoStack(): readonly HistoryEntry[] {
    return this.state.undo.slice();
  }

  redoStack(): readonly HistoryEntry[] {
    return this.state.redo.slice();
  }

  audit(offset: number, limit: number, query?: AuditQuery): Page<AuditEntry> {
    return this.auditQueries.page(offset, limit, query);
  }

  getRefund(id: string): Refund | undefined {
    return this.state.refunds.get(id);
  }

  getRefundByIdempotencyKey(key: string): Refund | undefined {
    return this.state.refunds.byIdempotencyKey(key);
  }

  refundsOfPayment(paymentId: string): Refund[] {
    return this.state.refunds.ofPayment(paymentId);
  }

  pendingRefunds(): Refund[] {
    return this.state.refunds.pending();
  }

  getIdempotencyRecord(key: string): IdempotencyRecord | undefined {
    return this.state.idempotency.get(key);
  }

  unfinishedRequests(): IdempotencyRecord[] {
    return [...this.state.idempotency.values()].filter((r) => r.answer === null);
  }

  settings(): Settings {
    return this.state.settings;
  }

  testClock(): string | null {
    return this.state.testClock;
  }

  gatewayCursor(): string | null {
    return this.state.gatewayCursor;
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
    const problem = this.state.check(changes);
    if (problem !== null) {
      return Promise.reject(new DomainError('internal', `store.commit refused: ${problem}`));
    }
    let json: string;
    try {
      json = JSON.stringify(encodeChanges(changes));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    this.state.apply(changes);
    const seq = ++this.seq;
    return this.journal.append(seq, journalLine(seq, json));
  }

  compact(): Promise<void> {
    if (this.closing !== null) {
      return Promise.reject(new StoreError('closed', `the store of ${this.dataDir} is closed`));
    }
    return this.runCompaction();
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
      if (this.failure === null) await this.runCompaction();
    } finally {
      await this.journal.close().catch(() => undefined);
      await this.state.payments.close().catch(() => undefined);
      await this.lock.release();
    }
  }

  /** Starts a compaction after the one running, if any; resolves when it is done. */
  private runCompaction(): Promise<void> {
    const previous = this.compaction ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.compactOnce());
    this.compaction = run;
    void run.then(
      () => this.settle(run),
      () => this.settle(run),
    );
    return run;
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
    const image = this.state.capture(this.config.schemaVersion, seq);
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
      throw error;
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
    // After a failure, wait for another threshold's worth of journal before trying again.
    this.compactAt = this.journal.bytes + this.threshold();
    this.runCompaction().catch((error: unknown) => {
      this.config.log(
        `${this.files.snapshot}: background compaction failed (${
          error instanceof Error ? error.message : String(error)
        }); the journal keeps every commit`,
      );
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
  await mkdir(files.dir, { recursive: true });
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
  const handle = await open(files.journal, 'w');
  try {
    let seq = content.journalSeq;
    let lines: Buffer[] = [];
    for (const changes of content.journal ?? []) {
      seq++;
      lines.push(journalLine(seq, JSON.stringify(encodeChanges(changes))));
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
