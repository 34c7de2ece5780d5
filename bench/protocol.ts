/**
 * What bench/run.ts and its worker processes (bench/worker.ts) say to each other: each task's
 * parameters (passed as JSON on the command line) and its result (written as JSON to a file),
 * both validated with zod where they cross the process boundary.
 */
import { z } from 'zod';

const count = z.number().int().nonnegative();
const ms = z.number();
/**
 * A PostgreSQL database's URL: the task's store is then the PostgreSQL store on it (`dir`
 * holds what else the task writes: the mock gateway's ledger). Absent: the embedded store.
 */
const database = z.string().optional();

export const summary = z.object({
  n: count,
  p50: ms,
  p90: ms,
  p99: ms,
  mean: ms,
  max: ms,
});

export const tasks = {
  /** Write a data directory with bench/fixtures.ts (or the database with bench/pg-fixtures.ts). */
  generate: {
    params: z.object({
      dir: z.string(),
      database,
      payments: count,
      subscriptions: count.optional(),
      dueSubscriptions: count.optional(),
      seed: z.number().int(),
    }),
    result: z.object({ ms }),
  },
  /** Open the store in this fresh process: how long, and the memory it then holds. */
  open: {
    params: z.object({ dir: z.string(), database }),
    result: z.object({
      openMs: ms,
      payments: count,
      rssMb: z.number(),
      heapUsedMb: z.number(),
      peakRssMb: z.number(),
    }),
  },
  /** ProcessPayment through the invoker, then page queries, on the real store and gateway. */
  core: {
    params: z.object({
      dir: z.string(),
      database,
      warmup: count,
      commands: count,
      /** Commands run again with a gateway that does not fsync its ledger. */
      commandsWithoutLedgerFsync: count,
      queries: count,
      seed: z.number().int(),
    }),
    result: z.object({
      payments: count,
      commit: summary,
      commitWithoutLedgerFsync: summary,
      succeeded: count,
      page: summary,
      firstPages: summary,
      completedTotal: count,
    }),
  },
  /** The payments list's filters and sorts on a generated store (bench/tasks/lists.ts). */
  lists: {
    params: z.object({ dir: z.string(), warmup: count, queries: count, seed: z.number().int() }),
    result: z.object({
      payments: count,
      queries: z.array(
        z.object({
          name: z.string(),
          total: count,
          /** The first query of the kind (building a sort list, if it is the first). */
          firstMs: ms,
          page: summary,
          firstPages: summary,
          /** A page anywhere just after a put (the matches made again). */
          afterPut: summary,
        }),
      ),
      /** The heap the four sort lists hold (grown once built, after a full collection). */
      sortListsMb: z.number(),
    }),
  },
  /** The Customers screen's queries on a generated store, and what the index costs a put. */
  customers: {
    params: z.object({
      dir: z.string(),
      /** Pages timed per kind (by net, by the other sorts, after the commits). */
      queries: count,
      searches: count,
      /** Commits timed before the index is built, and as many after. */
      commits: count,
      seed: z.number().int(),
    }),
    result: z.object({
      payments: count,
      customers: count,
      /** The currency the amounts were sorted in (the most used). */
      currency: z.string().nullable(),
      openMs: ms,
      rssOpenMb: z.number(),
      /** With the index and every sorted list built. */
      rssIndexMb: z.number(),
      heapUsedIndexMb: z.number(),
      /** The first page sorted by net: builds the index and that list. */
      firstPageMs: ms,
      /** The first page of each other sort (each builds its list). */
      listBuild: summary,
      /** Pages of 50 sorted by net, at random offsets. */
      page: summary,
      pageOtherSorts: summary,
      /** A page of the customers whose e-mail contains a fragment. */
      search: summary,
      /** Pages by net after the commits moved customers in the lists. */
      pageAfterPuts: summary,
      /** The synchronous part of a commit of one payment, before the index exists... */
      putWithout: summary,
      /** ...and with the index and every list built. */
      putWith: summary,
    }),
  },
  /**
   * A CSV export of every payment through one door (bench/tasks/export.ts): the REST
   * endpoint read by a client in the same process, or the desktop's file write.
   */
  export: {
    params: z.object({
      dir: z.string(),
      door: z.enum(['rest', 'file']),
      /** Where the file door writes (removed after). */
      out: z.string(),
    }),
    result: z.object({
      payments: count,
      rows: count,
      bytes: count,
      /** From asking to the first byte of CSV (the first page read and written). */
      firstByteMs: ms,
      ms,
      /** Resident memory with the core open, before the export (after a full GC). */
      rssBeforeMb: z.number(),
      /** The largest resident memory seen during the export (sampled every 10 ms). */
      rssPeakMb: z.number(),
      /** The process's own peak (the kernel's maxRSS: the open included). */
      maxRssMb: z.number(),
    }),
  },
  /** One RunRecurring over the due subscriptions of a generated store. */
  recurring: {
    params: z.object({ dir: z.string(), database, seed: z.number().int() }),
    result: z.object({
      payments: count,
      due: count,
      charged: count,
      succeeded: count,
      failed: count,
      ms,
      chargesPerSecond: z.number(),
      /** How late the event loop ran timers during the run (what other work waited). */
      loopDelayMsP99: ms,
      loopDelayMsMax: ms,
      /** The store's last commit when the run returned, and when that was (epoch ms). */
      lastSeq: count.optional(),
      endedAt: z.number().optional(),
    }),
  },
  /**
   * A second instance on the database of a recurring run (bench/tasks/follow.ts): it opens,
   * says "ready" on stdout, follows the leader's commits while reading pages, and once told
   * on stdin the leader's last commit (`{"lastSeq":N,"endedAt":ms}`), waits to have it.
   */
  follow: {
    params: z.object({
      dir: z.string(),
      database: z.string(),
      /** Pause between two page reads while following. */
      readEveryMs: count,
      seed: z.number().int(),
    }),
    result: z.object({
      openMs: ms,
      /** Commits of the others applied here, and the catch-ups that applied them. */
      followedCommits: count,
      catchUps: count,
      /** From the leader's run returning to this instance holding its last commit. */
      lagMs: ms,
      /** Pages of 50 read here while the leader ran (the call alone). */
      page: summary,
      loopDelayMsP99: ms,
      loopDelayMsMax: ms,
      rssMb: z.number(),
    }),
  },
  /** The two baselines, on the payments of a generated store. */
  baselines: {
    params: z.object({
      /** The generated store whose payments the baselines start from. */
      dir: z.string(),
      /** Where the baselines keep their own files. */
      workDir: z.string(),
      lowdbSamples: count,
      sqliteSamples: count,
      seed: z.number().int(),
    }),
    result: z.object({
      payments: count,
      lowdb: z.union([
        z.object({ ok: z.literal(true), fileMb: z.number(), process: summary }),
        z.object({ ok: z.literal(false), error: z.string() }),
      ]),
      sqlite: z.object({ fileMb: z.number(), loadMs: ms, process: summary }),
    }),
  },
  /**
   * Start-up availability after a kill: the real server killed with a recurring run's
   * charges in flight, then started again on the same data directory (times since its spawn).
   */
  restart: {
    params: z.object({
      /** A fresh data directory. */
      dir: z.string(),
      /** Subscriptions created, hence payments in flight at the kill. */
      payments: count,
      latencyMs: count,
      seed: z.number().int(),
      /** Pause between two health requests. */
      pollMs: count,
    }),
    result: z.object({
      pendingAtKill: count,
      /** From asking for the run to seeing all its payments PENDING. */
      killAfterMs: ms,
      ledgerChargesAtKill: count,
      /** When the restarted server printed its READY line. */
      readyMs: ms,
      /** The first 200 of GET health/. */
      healthMs: ms,
      /** The first health answer with reconciling: false. */
      reconciledMs: ms,
      pendingAfter: count,
      completedAfter: count,
      failedAfter: count,
      ledgerCharges: count,
      ledgerRefunds: count,
      /** What the server said of its reconciliation, if anything. */
      reconcileLog: z.string().nullable(),
    }),
  },
  /** Undo of a recurring run through openCore, with reads timed meanwhile. */
  undo: {
    params: z.object({
      /** A fresh data directory. */
      dir: z.string(),
      /** Subscriptions created, hence charges made and refunded. */
      subscriptions: count,
      latencyMs: count,
      seed: z.number().int(),
      /** Pause between two reads during the undo. */
      queryEveryMs: count,
    }),
    result: z.object({
      charged: count,
      undoMs: ms,
      ledgerCharges: count,
      ledgerRefunds: count,
      refundedPayments: count,
      /** `payments.list` of 50 asked while the undo ran: from when it was due to its answer. */
      queryFromDue: summary,
      /** The same reads, the call alone. */
      queryCall: summary,
      /** A small append and its fdatasync in the same directory, just before the undo. */
      flush: summary,
    }),
  },
  /**
   * A backup of a generated store (bench/tasks/backup.ts): its time alone, the commands'
   * latency without a backup and while backups run back to back, and the check a restore
   * makes (every checksum, the store opened read-only).
   */
  backup: {
    params: z.object({
      dir: z.string(),
      /** Where the backups go (removed after). */
      folder: z.string(),
      warmup: count,
      /** ProcessPayment commands timed without a backup, and at least as many during backups. */
      commands: count,
      seed: z.number().int(),
    }),
    result: z.object({
      payments: count,
      /** The backup of the idle store: capture, snapshot, ledger copy, checksums, verification. */
      backupMs: ms,
      /** Its files' size. */
      bytes: count,
      /** The check before a restore: every checksum, the store opened read-only. */
      verifyMs: ms,
      /** Commands (each a PENDING commit, the gateway call, the result commit) without... */
      commit: summary,
      /** ...and while backups run. */
      commitDuringBackup: summary,
      /** The backups made while those commands ran, and their mean time. */
      backupsDuring: count,
      backupDuringMsMean: ms,
      /** How late the event loop ran timers while a backup ran. */
      loopDelayMsP99: ms,
      loopDelayMsMax: ms,
    }),
  },
} as const;

export type TaskName = keyof typeof tasks;
export type ParamsOf<T extends TaskName> = z.infer<(typeof tasks)[T]['params']>;
export type ResultOf<T extends TaskName> = z.infer<(typeof tasks)[T]['result']>;

export function isTaskName(name: string): name is TaskName {
  return Object.hasOwn(tasks, name);
}
