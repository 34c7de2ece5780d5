/**
 * The figures of the PostgreSQL part of a run (bench/postgres.ts), side by side with the
 * embedded store measured in the same run, the issue's targets at 1M checked against them,
 * and the table printed at the end. Pure.
 */
import type { ResultOf } from './protocol';
import { median, round } from './report';

/** What was measured of one store at one size. */
export interface StoreMeasurements {
  generateMs: number;
  open: ResultOf<'open'>[];
  core: ResultOf<'core'>;
  /** Runs of RunRecurring with this instance alone, each on a fresh copy. */
  recurring: ResultOf<'recurring'>[];
}

/** PostgreSQL's: also the runs with a second instance attached, and what it saw. */
export interface PgMeasurements extends StoreMeasurements {
  twoInstances: Array<{ leader: ResultOf<'recurring'>; follower: ResultOf<'follow'> }>;
}

export interface StoreFigures {
  store_payments: number;
  commit_ms_p50: number;
  commit_ms_p99: number;
  commit_samples: number;
  commit_no_ledger_fsync_ms_p50: number;
  commit_no_ledger_fsync_ms_p99: number;
  page_query_ms_p50: number;
  page_query_ms_p99: number;
  page_query_first_pages_ms_p99: number;
  /** One instance: the median run's charges per second. */
  recurring_charges_per_s: number;
  recurring_runs_charges_per_s: number[];
  recurring_charges: number;
  recurring_loop_delay_ms_p99: number;
  open_ms: number;
  open_runs_ms: number[];
  rss_mb: number;
  peak_rss_mb: number;
  generate_ms: number;
}

export interface PgFigures extends StoreFigures {
  /**
   * Two instances: the leader's run (it alone charges) while a second instance, in a
   * process of its own on the same database, follows its commits and reads pages.
   */
  recurring_two_instances_charges_per_s: number;
  recurring_two_instances_runs_charges_per_s: number[];
  /** From the leader's run returning to the second instance holding its last commit. */
  follower_lag_ms: number;
  follower_catch_ups: number;
  follower_commits: number;
  /** Pages of 50 read on the second instance during the runs (the call alone). */
  follower_page_ms_p99: number;
  follower_loop_delay_ms_max: number;
  follower_open_ms: number;
  follower_rss_mb: number;
}

export interface PgSizeFigures {
  payments: number;
  embedded: StoreFigures;
  postgres: PgFigures;
}

export function storeFiguresOf(m: StoreMeasurements): StoreFigures {
  const rates = m.recurring.map((r) => r.chargesPerSecond);
  const run = m.recurring.find((r) => r.chargesPerSecond === median(rates)) ?? m.recurring[0];
  if (run === undefined) throw new Error('no recurring run');
  return {
    store_payments: m.core.payments,
    commit_ms_p50: round(m.core.commit.p50),
    commit_ms_p99: round(m.core.commit.p99),
    commit_samples: m.core.commit.n,
    commit_no_ledger_fsync_ms_p50: round(m.core.commitWithoutLedgerFsync.p50),
    commit_no_ledger_fsync_ms_p99: round(m.core.commitWithoutLedgerFsync.p99),
    page_query_ms_p50: round(m.core.page.p50, 4),
    page_query_ms_p99: round(m.core.page.p99, 4),
    page_query_first_pages_ms_p99: round(m.core.firstPages.p99, 4),
    recurring_charges_per_s: Math.round(run.chargesPerSecond),
    recurring_runs_charges_per_s: rates.map((r) => Math.round(r)),
    recurring_charges: run.charged,
    recurring_loop_delay_ms_p99: round(Math.max(...m.recurring.map((r) => r.loopDelayMsP99)), 1),
    open_ms: round(median(m.open.map((o) => o.openMs)), 1),
    open_runs_ms: m.open.map((o) => round(o.openMs, 1)),
    rss_mb: round(Math.max(...m.open.map((o) => o.rssMb)), 1),
    peak_rss_mb: round(Math.max(...m.open.map((o) => o.peakRssMb)), 1),
    generate_ms: Math.round(m.generateMs),
  };
}

export function pgFiguresOf(m: PgMeasurements): PgFigures {
  const rates = m.twoInstances.map((r) => r.leader.chargesPerSecond);
  const followers = m.twoInstances.map((r) => r.follower);
  return {
    ...storeFiguresOf(m),
    recurring_two_instances_charges_per_s: Math.round(median(rates)),
    recurring_two_instances_runs_charges_per_s: rates.map((r) => Math.round(r)),
    follower_lag_ms: round(median(followers.map((f) => f.lagMs)), 1),
    follower_catch_ups: Math.round(median(followers.map((f) => f.catchUps))),
    follower_commits: Math.round(median(followers.map((f) => f.followedCommits))),
    follower_page_ms_p99: round(Math.max(...followers.map((f) => f.page.p99)), 3),
    follower_loop_delay_ms_max: round(Math.max(...followers.map((f) => f.loopDelayMsMax)), 1),
    follower_open_ms: round(median(followers.map((f) => f.openMs)), 1),
    follower_rss_mb: round(Math.max(...followers.map((f) => f.rssMb)), 1),
  };
}

/** The issue's targets for the PostgreSQL store at 1M payments. */
export const PG_TARGETS = {
  commitP50Ms: 3,
  pageP99Ms: 5,
  twoInstancesChargesPerS: 5000,
} as const;

export function checkPgTargets(f: PgFigures) {
  return {
    commit_p50: { target_ms: PG_TARGETS.commitP50Ms, measured: f.commit_ms_p50 },
    page_query_p99: { target_ms: PG_TARGETS.pageP99Ms, measured: f.page_query_ms_p99 },
    recurring_two_instances: {
      target_per_s: PG_TARGETS.twoInstancesChargesPerS,
      measured: f.recurring_two_instances_charges_per_s,
    },
    met: {
      commit_p50: f.commit_ms_p50 <= PG_TARGETS.commitP50Ms,
      page_query_p99: f.page_query_ms_p99 <= PG_TARGETS.pageP99Ms,
      recurring_two_instances:
        f.recurring_two_instances_charges_per_s >= PG_TARGETS.twoInstancesChargesPerS,
    },
  };
}

const label = (n: number): string =>
  n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1000 ? `${n / 1000}k` : String(n);

const num = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** The table of the PostgreSQL part: a row per size and store. */
export function pgTable(sizes: readonly PgSizeFigures[]): string {
  const head = [
    'size',
    'store',
    'commit p50 ms',
    'commit p99 ms',
    'page p99 ms',
    'charges/s, 1 instance',
    'charges/s, 2 instances',
    'open ms',
    'RSS MB',
  ];
  const rows = sizes.flatMap((s) => [
    [
      label(s.payments),
      'embedded',
      num(s.embedded.commit_ms_p50, 3),
      num(s.embedded.commit_ms_p99, 3),
      num(s.embedded.page_query_ms_p99, 3),
      num(s.embedded.recurring_charges_per_s),
      '-',
      num(s.embedded.open_ms),
      num(s.embedded.rss_mb),
    ],
    [
      label(s.payments),
      'PostgreSQL',
      num(s.postgres.commit_ms_p50, 3),
      num(s.postgres.commit_ms_p99, 3),
      num(s.postgres.page_query_ms_p99, 3),
      num(s.postgres.recurring_charges_per_s),
      num(s.postgres.recurring_two_instances_charges_per_s),
      num(s.postgres.open_ms),
      num(s.postgres.rss_mb),
    ],
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (i < 2 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  const notes = sizes.map(
    (s) =>
      `${label(s.payments)}: the second instance held the leader's last commit ` +
      `${num(s.postgres.follower_lag_ms)} ms after the run returned; its pages p99 ` +
      `${num(s.postgres.follower_page_ms_p99, 3)} ms during the runs; generated in ` +
      `${num(s.embedded.generate_ms / 1000, 1)} s (embedded) and ${num(s.postgres.generate_ms / 1000, 1)} s (PostgreSQL)`,
  );
  return [line(head), rule, ...rows.map(line), '', ...notes].join('\n');
}
