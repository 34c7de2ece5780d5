/**
 * Turning the workers' measurements into the figures of bench/results.json, the targets of
 * the issue checked against them, and the table printed at the end of a run. Pure.
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

/** One size's figures: the fields first, then the ones that explain them. */
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

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
};

const round = (value: number, digits = 3): number => {
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

/** The targets, checked against one size's figures (they are set at 1,000,000). */
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
  const widths = header.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padStart(widths[i] ?? 0)).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(header), rule, ...rows.slice(1).map(line)].join('\n');
}
