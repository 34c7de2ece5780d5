/**
 * Worker task: the Customers screen's queries on a generated store (50,000 customers): the
 * first page (which builds the customers index from the payments' columns), then pages of
 * 50 sorted by net at random offsets, pages of every other sort, searches by a part of the
 * e-mail, and the same pages again after commits have moved customers in the sorted lists.
 * Commits are timed for their synchronous part (checks, encoding, applying to memory, the
 * index included) before the index exists and after every list is built, to show what
 * keeping it up to date costs a put.
 */
import { CUSTOMER_SORTS, type CustomerSort } from '../../src/shared/contract';
import type { Payment } from '../../src/shared/domain';
import type { Store } from '../../src/main/core/ports';
import { openStore } from '../../src/main/core/store';
import type { ParamsOf, ResultOf } from '../protocol';
import { collectGarbage, megabytes, seededRandom, summarize } from '../stats';

const PAGE = 50;
/** As bench/fixtures.ts makes them. */
const CUSTOMERS = 50_000;

let serial = 0;

/** A charge of a random fixture customer, as ProcessPayment would store it once completed. */
function charge(rnd: () => number): Payment {
  const at = new Date().toISOString();
  const id = `pay_bench_customers_${serial++}`;
  return {
    id,
    amount: 100 + Math.floor(rnd() * 50_000),
    currency: 'USD',
    customerEmail: `customer${Math.floor(rnd() * CUSTOMERS)}@example.com`,
    description: 'Bench order',
    paymentMethod: null,
    status: 'COMPLETED',
    transactionId: `txn_${id}`,
    failureCode: null,
    failureMessage: null,
    refundedAmount: 0,
    idempotencyKey: `charge_${id}`,
    subscriptionId: null,
    period: null,
    redoOf: null,
    createdAt: at,
    updatedAt: at,
    events: [
      { type: 'created', at },
      { type: 'succeeded', at, transactionId: `txn_${id}` },
    ],
  };
}

/** `count` commits of one charge each: the milliseconds of each commit's synchronous part. */
async function puts(store: Store, count: number, rnd: () => number): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    const durable = store.commit([{ t: 'payment', v: charge(rnd) }]);
    ms.push(performance.now() - start);
    await durable;
  }
  return ms;
}

/** A part of a fixture e-mail: a prefix of a customer's number, a fragment, or no match. */
function fragment(rnd: () => number): string {
  const n = String(Math.floor(rnd() * CUSTOMERS));
  switch (Math.floor(rnd() * 4)) {
    case 0:
      return `customer${n.slice(0, 1 + Math.floor(rnd() * n.length))}`;
    case 1:
      return `${n}@`;
    case 2:
      return n.slice(0, 2);
    default:
      return 'nobody';
  }
}

export async function customers(p: ParamsOf<'customers'>): Promise<ResultOf<'customers'>> {
  const rnd = seededRandom(p.seed);
  collectGarbage();
  const opening = performance.now();
  const store = await openStore(p.dir);
  const openMs = performance.now() - opening;
  const payments = store.paymentCount();
  const putWithout = await puts(store, p.commits, rnd);

  const page = (sort: CustomerSort, offset: number, search?: string): number => {
    const start = performance.now();
    const found = store.queryCustomers({ sort, order: 'desc', offset, limit: PAGE, search });
    const ms = performance.now() - start;
    if (search === undefined && found.items.length === 0) throw new Error('an empty page');
    return ms;
  };
  collectGarbage();
  const rssOpen = megabytes(process.memoryUsage().rss);
  const firstPageMs = page('net', 0);
  const first = store.queryCustomers({ sort: 'net', order: 'desc', offset: 0, limit: 1 });
  const total = first.total;
  const anywhere = (): number => Math.floor(rnd() * Math.max(1, total - PAGE));

  // Each other sort's first page builds its list.
  const listBuild = CUSTOMER_SORTS.filter((s) => s !== 'net').map((sort) => page(sort, 0));
  collectGarbage();
  const memory = process.memoryUsage();

  // Warm-up, untimed: the first runs compile the page path.
  for (let i = 0; i < 200; i++) page('net', anywhere());
  const net: number[] = [];
  for (let i = 0; i < p.queries; i++) net.push(page('net', anywhere()));
  const others: number[] = [];
  for (let i = 0; i < p.queries; i++) {
    const sort = CUSTOMER_SORTS[i % CUSTOMER_SORTS.length] as CustomerSort;
    others.push(page(sort, anywhere()));
  }
  const searches: number[] = [];
  for (let i = 0; i < 20; i++) page('net', 0, fragment(rnd));
  for (let i = 0; i < p.searches; i++) searches.push(page('net', 0, fragment(rnd)));

  const putWith = await puts(store, p.commits, rnd);
  const after: number[] = [];
  for (let i = 0; i < p.queries; i++) after.push(page('net', anywhere()));

  await store.close();
  return {
    payments,
    customers: total,
    currency: first.currency,
    openMs,
    rssOpenMb: rssOpen,
    rssIndexMb: megabytes(memory.rss),
    heapUsedIndexMb: megabytes(memory.heapUsed),
    firstPageMs,
    listBuild: summarize(listBuild),
    page: summarize(net),
    pageOtherSorts: summarize(others),
    search: summarize(searches),
    pageAfterPuts: summarize(after),
    putWithout: summarize(putWithout),
    putWith: summarize(putWith),
  };
}
