/**
 * Turning the workers' measurements into the figures of bench/results.json, the targets of
 * the issues checked against them, and the tables printed at the end of a run: one row per
 * store size, and the exactly-once measurements (measured once a run). Pure.
 */
import type { ResultOf } from './protocol';

/** What was measured at one store size. */
export interface SizeMeasurements {
  payments: number;
  open: ResultOf<'open'>[];
  core: ResultOf<'core'>;
  /** Runs of the same RunRecurring, each on a fresh copy of the same store. */
  recurring: ResultOf<'recurring'>[];
  baselines: ResultOf<'baselines'>;
}

/** One size's figures: the issue's fields first, then the ones that explain them. */
export interface SizeFigures {
  /** Payments in the generated store (the size, plus the fixture's journal commits). */
  store_payments: number;
  commit_ms_p50: number;
  commit_ms_p99: number;
  naive_lowdb_commit_ms_p50: number | null;
  sqlite_commit_ms_p50: number;
  recurring_charges_per_s: number;
  open_ms: number;
  rss_mb: number;
  page_query_ms_p99: number;
  commit_samples: number;
  commit_ms_p90: number;
  commit_ms_max: number;
  commit_no_ledger_fsync_ms_p50: number;
  commit_no_ledger_fsync_ms_p99: number;
  speedup_vs_naive_lowdb: number | null;
  naive_lowdb_samples: number;
  naive_lowdb_file_mb: number | null;
  /** Why lowdb could not run at this size, if it could not. */
  naive_lowdb_error: string | null;
  /** When lowdb could not run: its p50 at the largest size it ran, scaled linearly (a floor). */
  naive_lowdb_commit_ms_p50_linear_floor: number | null;
  sqlite_commit_ms_p99: number;
  sqlite_samples: number;
  sqlite_file_mb: number;
  recurring_charges: number;
  recurring_succeeded: number;
  /** The run whose rate is the median. */
  recurring_ms: number;
  recurring_runs_charges_per_s: number[];
  recurring_loop_delay_ms_p99: number;
  recurring_loop_delay_ms_max: number;
  recurring_store_payments: number;
  open_runs_ms: number[];
  peak_rss_mb: number;
  heap_used_mb: number;
  page_query_ms_p50: number;
  /** Among the first ten pages (newest first), the pages an operator mostly reads. */
  page_query_first_pages_ms_p99: number;
  page_queries: number;
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
};

export const round = (value: number, digits = 3): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

/** The figures of each size; `previous` is the smaller sizes' figures (for the lowdb floor). */
export function figuresOf(m: SizeMeasurements, previous: readonly SizeFigures[]): SizeFigures {
  const { core, baselines } = m;
  const rates = m.recurring.map((r) => r.chargesPerSecond);
  const recurring = m.recurring.find((r) => r.chargesPerSecond === median(rates)) ?? m.recurring[0];
  if (recurring === undefined) throw new Error('no recurring run');
  const lowdb = baselines.lowdb;
  const lowdbP50 = lowdb.ok ? lowdb.process.p50 : null;
  let floor: number | null = null;
  if (!lowdb.ok) {
    const measured = previous.filter((f) => f.naive_lowdb_commit_ms_p50 !== null);
    const largest = measured[measured.length - 1];
    if (largest?.naive_lowdb_commit_ms_p50 != null) {
      const scale = baselines.payments / largest.store_payments;
      floor = round(largest.naive_lowdb_commit_ms_p50 * scale, 1);
    }
  }
  const lowdbReference = lowdbP50 ?? floor;
  return {
    store_payments: baselines.payments,
    commit_ms_p50: round(core.commit.p50),
    commit_ms_p99: round(core.commit.p99),
    naive_lowdb_commit_ms_p50: lowdbP50 === null ? null : round(lowdbP50, 1),
    sqlite_commit_ms_p50: round(baselines.sqlite.process.p50),
    recurring_charges_per_s: Math.round(recurring.chargesPerSecond),
    open_ms: round(median(m.open.map((o) => o.openMs)), 1),
    rss_mb: round(Math.max(...m.open.map((o) => o.rssMb)), 1),
    page_query_ms_p99: round(core.page.p99, 4),
    commit_samples: core.commit.n,
    commit_ms_p90: round(core.commit.p90),
    commit_ms_max: round(core.commit.max),
    commit_no_ledger_fsync_ms_p50: round(core.commitWithoutLedgerFsync.p50),
    commit_no_ledger_fsync_ms_p99: round(core.commitWithoutLedgerFsync.p99),
    speedup_vs_naive_lowdb:
      lowdbReference === null ? null : Math.round(lowdbReference / core.commit.p50),
    naive_lowdb_samples: lowdb.ok ? lowdb.process.n : 0,
    naive_lowdb_file_mb: lowdb.ok ? round(lowdb.fileMb, 1) : null,
    naive_lowdb_error: lowdb.ok ? null : lowdb.error,
    naive_lowdb_commit_ms_p50_linear_floor: floor,
    sqlite_commit_ms_p99: round(baselines.sqlite.process.p99),
    sqlite_samples: baselines.sqlite.process.n,
    sqlite_file_mb: round(baselines.sqlite.fileMb, 1),
    recurring_charges: recurring.charged,
    recurring_succeeded: recurring.succeeded,
    recurring_ms: round(recurring.ms, 1),
    recurring_runs_charges_per_s: rates.map((r) => Math.round(r)),
    recurring_loop_delay_ms_p99: round(Math.max(...m.recurring.map((r) => r.loopDelayMsP99)), 1),
    recurring_loop_delay_ms_max: round(Math.max(...m.recurring.map((r) => r.loopDelayMsMax)), 1),
    recurring_store_payments: recurring.payments,
    open_runs_ms: m.open.map((o) => round(o.openMs, 1)),
    peak_rss_mb: round(Math.max(...m.open.map((o) => o.peakRssMb)), 1),
    heap_used_mb: round(Math.max(...m.open.map((o) => o.heapUsedMb)), 1),
    page_query_ms_p50: round(core.page.p50, 4),
    page_query_first_pages_ms_p99: round(core.firstPages.p99, 4),
    page_queries: core.page.n,
  };
}

export interface TargetCheck {
  name: string;
  value: number | null;
  /** The bound, with its direction. */
  target: string;
  met: boolean;
  note?: string;
}

/** The issue's targets, checked against one size's figures (they are set at 1,000,000). */
export function checkTargets(f: SizeFigures): TargetCheck[] {
  const atMost = (name: string, value: number, bound: number): TargetCheck => ({
    name,
    value,
    target: `<= ${bound}`,
    met: value <= bound,
  });
  const atLeast = (name: string, value: number | null, bound: number): TargetCheck => ({
    name,
    value,
    target: `>= ${bound}`,
    met: value !== null && value >= bound,
  });
  const speedup = atLeast('speedup_vs_naive_lowdb', f.speedup_vs_naive_lowdb, 1000);
  if (f.naive_lowdb_error !== null) {
    speedup.note =
      'lowdb cannot write this many payments at all; the speed-up is against a linear floor of its time';
  }
  return [
    atMost('commit_ms_p50', f.commit_ms_p50, 1.5),
    atMost('commit_ms_p99', f.commit_ms_p99, 10),
    speedup,
    atLeast('recurring_charges_per_s', f.recurring_charges_per_s, 20_000),
    atMost('open_ms', f.open_ms, 1500),
    atMost('rss_mb', f.rss_mb, 1024),
    atMost('page_query_ms_p99', f.page_query_ms_p99, 2),
  ];
}

const sizeLabel = (n: number): string =>
  n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1000 ? `${n / 1000}k` : String(n);

const fmt = (value: number | null, digits = 2): string =>
  value === null ? '-' : value.toLocaleString('en-US', { maximumFractionDigits: digits });

const lowdbCell = (f: SizeFigures): string => {
  if (f.naive_lowdb_commit_ms_p50 !== null) return fmt(f.naive_lowdb_commit_ms_p50, 0);
  if (f.naive_lowdb_commit_ms_p50_linear_floor !== null) {
    return `fails (≥${fmt(f.naive_lowdb_commit_ms_p50_linear_floor, 0)})`;
  }
  return 'fails';
};

/** The table printed at the end of a run; targets are marked on the 1,000,000 row. */
export function table(sizes: ReadonlyArray<{ payments: number; figures: SizeFigures }>): string {
  const header = [
    'size',
    'commit p50 ms',
    'commit p99 ms',
    'lowdb p50 ms',
    'sqlite p50 ms',
    '× lowdb',
    'charges/s',
    'open ms',
    'RSS MB',
    'page p99 ms',
  ];
  const rows: string[][] = [header];
  for (const { payments, figures: f } of sizes) {
    rows.push([
      sizeLabel(payments),
      fmt(f.commit_ms_p50, 3),
      fmt(f.commit_ms_p99, 3),
      lowdbCell(f),
      fmt(f.sqlite_commit_ms_p50, 3),
      f.speedup_vs_naive_lowdb === null
        ? '-'
        : `${f.naive_lowdb_error !== null ? '≥' : ''}${fmt(f.speedup_vs_naive_lowdb, 0)}`,
      fmt(f.recurring_charges_per_s, 0),
      fmt(f.open_ms, 0),
      fmt(f.rss_mb, 0),
      fmt(f.page_query_ms_p99, 4),
    ]);
    if (payments === 1_000_000) {
      const checks = checkTargets(f);
      const mark = (name: string): string => {
        const check = checks.find((c) => c.name === name);
        return check === undefined ? '' : `${check.met ? '✓' : '✗'} ${check.target}`;
      };
      rows.push([
        'target',
        mark('commit_ms_p50'),
        mark('commit_ms_p99'),
        '',
        '',
        mark('speedup_vs_naive_lowdb'),
        mark('recurring_charges_per_s'),
        mark('open_ms'),
        mark('rss_mb'),
        mark('page_query_ms_p99'),
      ]);
    }
  }
  return drawTable(rows);
}

/** A markdown table of `rows` (the first is the header), cells right-aligned. */
function drawTable(rows: readonly string[][]): string {
  const header = rows[0] ?? [];
  const widths = header.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padStart(widths[i] ?? 0)).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(header), rule, ...rows.slice(1).map(line)].join('\n');
}

// ---------------------------------------------------------------------------------------
// The exactly-once measurements

/** How the exactly-once measurements were set up (the issue's conditions). */
export interface ExactlyOnceSetup {
  restartPayments: number;
  restartLatencyMs: number;
  undoCharges: number;
  undoLatencyMs: number;
}

/** Repetitions of each, every one in a worker and a data directory of its own. */
export interface ExactlyOnceMeasurements extends ExactlyOnceSetup {
  restart: ResultOf<'restart'>[];
  undo: ResultOf<'undo'>[];
}

/** One kill-and-restart, as results.json records it. */
export interface RestartRun {
  ready_ms: number;
  health_ms: number;
  reconciled_ms: number;
  pending_at_kill: number;
  /** Charges in the gateway's ledger right after the kill. */
  ledger_charges_at_kill: number;
  completed_after: number;
  failed_after: number;
  pending_after: number;
  ledger_charges: number;
  /** From asking for the run to seeing all its payments PENDING (when the kill came). */
  kill_after_ms: number;
  reconcile_log: string | null;
}

/** The exactly-once figures: medians first (the targets' fields), then every run. */
export interface ExactlyOnceFigures {
  /** When they were measured (a run with --only keeps the other figures of results.json). */
  date: string;
  restart_payments_in_flight: number;
  restart_gateway_latency_ms: number;
  /** From the restart's spawn to the first 200 of GET health/ (median). */
  restart_health_ms: number;
  /** From the restart's spawn to the first health answer with reconciling: false (median). */
  restart_reconciled_ms: number;
  /** From the restart's spawn to its READY line (median). */
  restart_ready_ms: number;
  restart_runs: RestartRun[];
  undo_charges: number;
  undo_gateway_latency_ms: number;
  /** history.undo of the run, from the call to its answer (median). */
  undo_ms: number;
  undo_runs_ms: number[];
  undo_ledger_refunds: number[];
  /** Reads during the undo, from when each was due to its answer: median of the runs' p50. */
  undo_read_ms_p50: number;
  /** The largest of the runs' p99 and max. */
  undo_read_ms_p99: number;
  undo_read_ms_max: number;
  /** The call alone (without the wait for the event loop before it). */
  undo_read_call_ms_p50: number;
  undo_read_call_ms_max: number;
  undo_read_samples: number;
  /** A small append and its fdatasync just before each undo: the disk's speed at the time. */
  undo_flush_ms_p50: number[];
  undo_flush_ms_p90: number[];
  targets: TargetCheck[];
}

export function exactlyOnceFiguresOf(m: ExactlyOnceMeasurements, date: string): ExactlyOnceFigures {
  const ms = (v: number) => round(v, 1);
  const figures: Omit<ExactlyOnceFigures, 'targets'> = {
    date,
    restart_payments_in_flight: m.restartPayments,
    restart_gateway_latency_ms: m.restartLatencyMs,
    restart_health_ms: ms(median(m.restart.map((r) => r.healthMs))),
    restart_reconciled_ms: ms(median(m.restart.map((r) => r.reconciledMs))),
    restart_ready_ms: ms(median(m.restart.map((r) => r.readyMs))),
    restart_runs: m.restart.map((r) => ({
      ready_ms: ms(r.readyMs),
      health_ms: ms(r.healthMs),
      reconciled_ms: ms(r.reconciledMs),
      pending_at_kill: r.pendingAtKill,
      ledger_charges_at_kill: r.ledgerChargesAtKill,
      completed_after: r.completedAfter,
      failed_after: r.failedAfter,
      pending_after: r.pendingAfter,
      ledger_charges: r.ledgerCharges,
      kill_after_ms: ms(r.killAfterMs),
      reconcile_log: r.reconcileLog,
    })),
    undo_charges: m.undoCharges,
    undo_gateway_latency_ms: m.undoLatencyMs,
    undo_ms: ms(median(m.undo.map((u) => u.undoMs))),
    undo_runs_ms: m.undo.map((u) => ms(u.undoMs)),
    undo_ledger_refunds: m.undo.map((u) => u.ledgerRefunds),
    undo_read_ms_p50: round(median(m.undo.map((u) => u.queryFromDue.p50))),
    undo_read_ms_p99: round(Math.max(...m.undo.map((u) => u.queryFromDue.p99))),
    undo_read_ms_max: round(Math.max(...m.undo.map((u) => u.queryFromDue.max))),
    undo_read_call_ms_p50: round(median(m.undo.map((u) => u.queryCall.p50))),
    undo_read_call_ms_max: round(Math.max(...m.undo.map((u) => u.queryCall.max))),
    undo_read_samples: m.undo.reduce((n, u) => n + u.queryFromDue.n, 0),
    undo_flush_ms_p50: m.undo.map((u) => round(u.flush.p50)),
    undo_flush_ms_p90: m.undo.map((u) => round(u.flush.p90)),
  };
  return { ...figures, targets: checkExactlyOnceTargets(figures) };
}

/** The targets of the exactly-once issue, on the medians. */
export function checkExactlyOnceTargets(
  f: Pick<ExactlyOnceFigures, 'restart_health_ms' | 'restart_reconciled_ms' | 'undo_ms'>,
): TargetCheck[] {
  const atMost = (name: string, value: number, bound: number): TargetCheck => ({
    name,
    value,
    target: `<= ${bound}`,
    met: value <= bound,
  });
  return [
    atMost('restart_health_ms', f.restart_health_ms, 1000),
    atMost('restart_reconciled_ms', f.restart_reconciled_ms, 3000),
    atMost('undo_ms', f.undo_ms, 3000),
  ];
}

/** The exactly-once table: one row per measurement, its median, every run, its target. */
export function exactlyOnceTable(f: ExactlyOnceFigures): string {
  const mark = (name: string): string => {
    const check = f.targets.find((c) => c.name === name);
    return check === undefined ? '' : `${check.met ? '✓' : '✗'} ${check.target}`;
  };
  const runs = (values: readonly number[]) => values.map((v) => fmt(v, 0)).join(', ');
  const restarts = f.restart_runs;
  const title =
    `Exactly-once: a restart after a kill with ${fmt(f.restart_payments_in_flight, 0)} payments ` +
    `in flight (gateway ${f.restart_gateway_latency_ms} ms), times from its spawn; the undo of ` +
    `a run of ${fmt(f.undo_charges, 0)} charges (gateway ${f.undo_gateway_latency_ms} ms).`;
  const rows = drawTable([
    ['measure', 'median ms', 'runs ms', 'target'],
    [
      'restart: READY printed',
      fmt(f.restart_ready_ms, 0),
      runs(restarts.map((r) => r.ready_ms)),
      '',
    ],
    [
      'restart: health answers',
      fmt(f.restart_health_ms, 0),
      runs(restarts.map((r) => r.health_ms)),
      mark('restart_health_ms'),
    ],
    [
      'restart: reconciled',
      fmt(f.restart_reconciled_ms, 0),
      runs(restarts.map((r) => r.reconciled_ms)),
      mark('restart_reconciled_ms'),
    ],
    ['undo: history.undo', fmt(f.undo_ms, 0), runs(f.undo_runs_ms), mark('undo_ms')],
    [
      'undo: a read meanwhile',
      fmt(f.undo_read_ms_p50, 1),
      `p99 ${fmt(f.undo_read_ms_p99, 1)}, max ${fmt(f.undo_read_ms_max, 1)}`,
      '',
    ],
  ]);
  const outcome =
    `PENDING at each kill: ${restarts.map((r) => r.pending_at_kill).join(', ')}; after the ` +
    `restart: ${restarts.map((r) => `${r.completed_after} COMPLETED + ${r.failed_after} FAILED`).join(', ')}; ` +
    `gateway charges: ${restarts.map((r) => r.ledger_charges).join(', ')}; refunds after the ` +
    `undo: ${f.undo_ledger_refunds.join(', ')}.`;
  return `${title}\n${rows}\n${outcome}`;
}
