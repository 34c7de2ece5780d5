/**
 * The Customers screen's figures (bench/tasks/customers.ts): pages of 50 sorted by net and
 * by the other columns, searches, the first page (which builds the index), what keeping the
 * index costs a commit, and memory; the target of the issue checked on them. As results.json
 * keeps them, and as the table printed at the end of a run. Pure.
 */
import type { ResultOf } from './protocol';
import type { TargetCheck } from './report';

type Result = ResultOf<'customers'>;

export interface CustomersFigures {
  measured_at: string;
  payments: number;
  customers: number;
  /** The currency amounts were sorted in (the most used). */
  currency: string | null;
  /** A page of 50 sorted by net, at a random offset. */
  page_ms_p50: number;
  page_ms_p99: number;
  page_samples: number;
  /** The same, by each of the other columns in turn. */
  other_sorts_page_ms_p50: number;
  other_sorts_page_ms_p99: number;
  /** A page of the customers whose e-mail contains a fragment. */
  search_ms_p50: number;
  search_ms_p99: number;
  search_samples: number;
  /** By net again, after commits moved customers in every sorted list. */
  page_after_commits_ms_p99: number;
  /** The first page: builds the index (a pass over the payments' columns) and its list. */
  first_page_ms: number;
  /** The first page of each other column (each builds its sorted list), the slowest. */
  list_build_ms_max: number;
  /** The synchronous part of a commit of one payment, without the index and with it. */
  commit_sync_ms_p50_without_index: number;
  commit_sync_ms_p50_with_index: number;
  commit_sync_ms_p99_without_index: number;
  commit_sync_ms_p99_with_index: number;
  open_ms: number;
  rss_mb_open: number;
  /** With the index and every sorted list built. */
  rss_mb_with_index: number;
  targets: TargetCheck[];
}

const round = (value: number, digits = 3): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

export function customersFiguresOf(r: Result, date: string): CustomersFigures {
  const figures: Omit<CustomersFigures, 'targets'> = {
    measured_at: date,
    payments: r.payments,
    customers: r.customers,
    currency: r.currency,
    page_ms_p50: round(r.page.p50, 4),
    page_ms_p99: round(r.page.p99, 4),
    page_samples: r.page.n,
    other_sorts_page_ms_p50: round(r.pageOtherSorts.p50, 4),
    other_sorts_page_ms_p99: round(r.pageOtherSorts.p99, 4),
    search_ms_p50: round(r.search.p50),
    search_ms_p99: round(r.search.p99),
    search_samples: r.search.n,
    page_after_commits_ms_p99: round(r.pageAfterPuts.p99, 4),
    first_page_ms: round(r.firstPageMs, 1),
    list_build_ms_max: round(r.listBuild.max, 1),
    commit_sync_ms_p50_without_index: round(r.putWithout.p50),
    commit_sync_ms_p50_with_index: round(r.putWith.p50),
    commit_sync_ms_p99_without_index: round(r.putWithout.p99),
    commit_sync_ms_p99_with_index: round(r.putWith.p99),
    open_ms: round(r.openMs, 1),
    rss_mb_open: round(r.rssOpenMb, 1),
    rss_mb_with_index: round(r.rssIndexMb, 1),
  };
  return { ...figures, targets: checkCustomersTargets(figures) };
}

/** The target: a page of 50 customers sorted by net, p99 ≤ 5 ms (at 1M payments). */
export function checkCustomersTargets(f: Pick<CustomersFigures, 'page_ms_p99'>): TargetCheck[] {
  return [{ name: 'page_ms_p99', value: f.page_ms_p99, target: '<= 5', met: f.page_ms_p99 <= 5 }];
}

const ms = (v: number, digits = 2): string =>
  v.toLocaleString('en-US', { maximumFractionDigits: digits });

export function customersTable(f: CustomersFigures): string {
  const met = f.targets[0]?.met === true ? '✓' : '✗';
  return [
    `Customers: ${f.customers.toLocaleString('en-US')} customers over ` +
      `${f.payments.toLocaleString('en-US')} payments, amounts sorted in ${f.currency ?? '-'}`,
    '| query | p50 ms | p99 ms | target |',
    '| ----- | -----: | -----: | ------ |',
    `| page of 50 by net | ${ms(f.page_ms_p50, 3)} | ${ms(f.page_ms_p99, 3)} | ${met} <= 5 |`,
    `| page of 50, other columns | ${ms(f.other_sorts_page_ms_p50, 3)} | ${ms(f.other_sorts_page_ms_p99, 3)} | |`,
    `| search (part of the e-mail) | ${ms(f.search_ms_p50)} | ${ms(f.search_ms_p99)} | |`,
    `| page by net after commits | | ${ms(f.page_after_commits_ms_p99, 3)} | |`,
    `| commit, synchronous part, without / with the index | ` +
      `${ms(f.commit_sync_ms_p50_without_index, 3)} / ${ms(f.commit_sync_ms_p50_with_index, 3)} | ` +
      `${ms(f.commit_sync_ms_p99_without_index, 3)} / ${ms(f.commit_sync_ms_p99_with_index, 3)} | |`,
    `First page (builds the index) ${ms(f.first_page_ms, 0)} ms; each other column's first ` +
      `page at most ${ms(f.list_build_ms_max, 0)} ms. RSS ${ms(f.rss_mb_open, 0)} MB open, ` +
      `${ms(f.rss_mb_with_index, 0)} MB with the index and every list.`,
  ].join('\n');
}
