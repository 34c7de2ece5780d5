/**
 * Worker task: the payments list's filters and sorts (store/query.ts) on a generated store,
 * opened fresh: for each kind of query, the first call (which builds the sort column's list
 * when it is the first sort by that column, or reads the money from the bodies of a file
 * written without money columns), then pages of 50 at random offsets anywhere in the
 * matches and among the first ten pages (the table remembers a query's matches until the
 * next put: those pages are read from them), then pages anywhere each just after a put (the
 * walk or sort that makes the matches again); and the heap the four sort lists hold.
 */
import type { PaymentSort } from '../../src/shared/contract';
import type { Payment } from '../../src/shared/domain';
import { parseAmountValue } from '../../src/shared/money';
import type { PaymentQuery } from '../../src/main/core/ports';
import { openStore } from '../../src/main/core/store';
import type { ParamsOf, ResultOf } from '../protocol';
import { collectGarbage, megabytes, seededRandom, summarize } from '../stats';
import { FIXTURE_NOW } from '../fixtures';

const PAGE = 50;
/** The last kind that builds a sort list (the heap then holds all four). */
const LAST_SORT = 'all, by currency';
/** Puts timed, each followed by a page anywhere in the matches. */
const AFTER_PUTS = 10;
const DAY_MS = 86_400_000;

type Filters = Omit<PaymentQuery, 'order' | 'offset' | 'limit'>;

/** The kinds of query timed, by name. */
function kinds(): Record<string, Filters> {
  const now = Date.parse(FIXTURE_NOW);
  const month = {
    from: new Date(now - 60 * DAY_MS).toISOString(),
    to: new Date(now - 30 * DAY_MS).toISOString(),
  };
  const sort = (s: PaymentSort): Filters => ({ sort: s });
  return {
    'status COMPLETED, by date': { status: 'COMPLETED' },
    'all, by amount': sort('amount'),
    'all, by customer': sort('customerEmail'),
    'all, by status': sort('status'),
    'all, by currency': sort('currency'),
    'status COMPLETED, by amount': { status: 'COMPLETED', sort: 'amount' },
    'currency EUR, by date': { currency: 'EUR' },
    'e-mail part "customer123", by date': { search: 'customer123' },
    'e-mail part "customer123", by amount': { search: 'customer123', sort: 'amount' },
    'e-mail part "example.com" (all), by date': { search: 'example.com' },
    'amount 100.00 to 200.00, by date': {
      minAmount: parseAmountValue('100'),
      maxAmount: parseAmountValue('200'),
    },
    'amount 100.00 to 200.00, by amount': {
      minAmount: parseAmountValue('100'),
      maxAmount: parseAmountValue('200'),
      sort: 'amount',
    },
    'exact amount 25.00 (the Search dialog)': {
      minAmount: parseAmountValue('25'),
      maxAmount: parseAmountValue('25'),
    },
    'one month, by date': month,
    'one month and FAILED, by amount': { ...month, status: 'FAILED', sort: 'amount' },
  };
}

export async function lists(p: ParamsOf<'lists'>): Promise<ResultOf<'lists'>> {
  const rnd = seededRandom(p.seed);
  const store = await openStore(p.dir);
  collectGarbage();
  const before = process.memoryUsage().heapUsed;
  let sortListsMb = 0;
  const results: ResultOf<'lists'>['queries'] = [];
  // New payments put between pages: FAILED ones, matching none of the kinds but one.
  const first = store.queryPayments({ order: 'desc', offset: 0, limit: 1 }).items[0];
  if (first === undefined) throw new Error('an empty store');
  const template: Payment = { ...first, status: 'FAILED' };
  try {
    for (const [name, filters] of Object.entries(kinds())) {
      const query = (offset: number, limit = PAGE) =>
        store.queryPayments({ ...filters, order: 'desc', offset, limit });
      const start = performance.now();
      const total = query(0).total;
      const firstMs = performance.now() - start;
      const page = (offset: number): number => {
        const t = performance.now();
        query(offset);
        return performance.now() - t;
      };
      const anywhere = () => Math.floor(rnd() * Math.max(1, total - PAGE));
      for (let i = 0; i < p.warmup; i++) page(anywhere());
      const anywhereMs: number[] = [];
      for (let i = 0; i < p.queries; i++) anywhereMs.push(page(anywhere()));
      const firstPagesMs: number[] = [];
      for (let i = 0; i < p.queries; i++) firstPagesMs.push(page(Math.floor(rnd() * 10) * PAGE));
      // A put makes the table forget the matches it remembered: the next page anywhere.
      const afterPutMs: number[] = [];
      for (let i = 0; i < AFTER_PUTS; i++) {
        const id = `pay_bench_${results.length}_${i}`;
        await store.commit([{ t: 'payment', v: { ...template, id, idempotencyKey: id } }]);
        afterPutMs.push(page(anywhere()));
      }
      results.push({
        name,
        total,
        firstMs,
        page: summarize(anywhereMs),
        firstPages: summarize(firstPagesMs),
        afterPut: summarize(afterPutMs),
      });
      if (name === LAST_SORT) {
        // Every sort list is built by now (and the matches remembered are plain sorts'):
        collectGarbage();
        sortListsMb = megabytes(process.memoryUsage().heapUsed - before);
      }
    }
    return { payments: store.paymentCount(), queries: results, sortListsMb };
  } finally {
    await store.close();
  }
}
