/**
 * The payments list's figures (bench/tasks/lists.ts): per kind of query (a filter, a sort,
 * both), how many payments match, the first query (which builds the sort column's list the
 * first time), and pages of 50 at random offsets and among the first ten pages; the memory
 * the sort lists hold. As results.json keeps them, and as the table printed at the end of a
 * run. Pure.
 */
import type { ResultOf } from './protocol';

type Result = ResultOf<'lists'>;

export interface ListsFigures {
  measured_at: string;
  payments: number;
  /** The heap the four sort lists hold once built. */
  sort_lists_mb: number;
  queries: Array<{
    name: string;
    matches: number;
    first_ms: number;
    page_ms_p50: number;
    page_ms_p99: number;
    first_pages_ms_p99: number;
    samples: number;
    /** A page anywhere just after a put, which makes the table forget the matches. */
    after_put_ms_p50: number;
    after_put_ms_max: number;
  }>;
}

const round = (value: number, digits = 3): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

export function listsFiguresOf(r: Result, date: string): ListsFigures {
  return {
    measured_at: date,
    payments: r.payments,
    sort_lists_mb: round(r.sortListsMb, 1),
    queries: r.queries.map((q) => ({
      name: q.name,
      matches: q.total,
      first_ms: round(q.firstMs, 1),
      page_ms_p50: round(q.page.p50),
      page_ms_p99: round(q.page.p99),
      first_pages_ms_p99: round(q.firstPages.p99),
      samples: q.page.n,
      after_put_ms_p50: round(q.afterPut.p50),
      after_put_ms_max: round(q.afterPut.max),
    })),
  };
}

export function listsTable(f: ListsFigures): string {
  const head = [
    'query',
    'matches',
    'first ms',
    'page p50',
    'page p99',
    'first 10 p99',
    'after put p50',
    'after put max',
  ];
  const rows = f.queries.map((q) => [
    q.name,
    q.matches.toLocaleString('en-US'),
    q.first_ms.toFixed(1),
    q.page_ms_p50.toFixed(3),
    q.page_ms_p99.toFixed(3),
    q.first_pages_ms_p99.toFixed(3),
    q.after_put_ms_p50.toFixed(2),
    q.after_put_ms_max.toFixed(2),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ');
  return [
    `payments list at ${f.payments.toLocaleString('en-US')} payments ` +
      `(the four sort lists: ${f.sort_lists_mb} MB of heap)`,
    line(head),
    ...rows.map(line),
  ].join('\n');
}
