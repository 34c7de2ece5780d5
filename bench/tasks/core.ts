/**
 * Worker task: "process one payment" at a given store size, through the real core path
 * (ProcessPayment run by the CommandInvoker: a PENDING commit, the gateway call, the result
 * commit with its audit and undo entries, each commit fsynced), timed one command at a
 * time; then the same without the gateway ledger's fsync; then pages of 50 COMPLETED
 * payments, newest first, at random offsets and among the first ten pages (after as many
 * untimed pages as the commands' warm-up).
 */
import { SystemClock } from '../../src/main/core/clock';
import type { CommandInvoker } from '../../src/main/core/invoker';
import { internalRequest } from '../../src/main/core/requests';
import type { ParamsOf, ResultOf } from '../protocol';
import { collectGarbage, seededRandom, summarize } from '../stats';
import { invokerOver, openGateway, openParts } from './assemble';

const PAGE = 50;

async function processPayments(
  invoker: CommandInvoker,
  count: number,
  rnd: () => number,
): Promise<{ ms: number[]; succeeded: number }> {
  const ms: number[] = [];
  let succeeded = 0;
  for (let i = 0; i < count; i++) {
    const params = {
      amount: 100 + Math.floor(rnd() * 50_000),
      currency: 'USD',
      customerEmail: `customer${Math.floor(rnd() * 50_000)}@example.com`,
      description: 'Bench order',
      paymentMethod: null,
    };
    const start = performance.now();
    const payment = await invoker.execute(
      'ProcessPayment',
      params,
      internalRequest('payments.process', 'operator'),
    );
    ms.push(performance.now() - start);
    if (payment.status === 'COMPLETED') succeeded++;
  }
  return { ms, succeeded };
}

export async function core(p: ParamsOf<'core'>): Promise<ResultOf<'core'>> {
  const rnd = seededRandom(p.seed);
  const clock = new SystemClock();
  const parts = await openParts(p.dir, p.seed, clock, p.database);
  const { store } = parts;
  const payments = store.paymentCount();

  await processPayments(parts.invoker, p.warmup, rnd);
  collectGarbage();
  const durable = await processPayments(parts.invoker, p.commands, rnd);

  // The same path with a gateway that answers without fsyncing its ledger.
  await parts.gateway.close();
  const loose = await openGateway(p.dir, p.seed + 1, false);
  const looseRun = await processPayments(
    invokerOver(store, loose, clock),
    p.commandsWithoutLedgerFsync,
    rnd,
  );
  await loose.close();

  collectGarbage();
  const completedTotal = store.queryPayments({
    status: 'COMPLETED',
    order: 'desc',
    offset: 0,
    limit: 0,
  }).total;
  const page = (offset: number): number => {
    const start = performance.now();
    const found = store.queryPayments({ status: 'COMPLETED', order: 'desc', offset, limit: PAGE });
    const ms = performance.now() - start;
    if (found.items.length === 0 && completedTotal > 0) throw new Error('an empty page');
    return ms;
  };
  // Warm-up, untimed (as for the commands): the page path's first runs compile it, and the
  // first scavenges after the full collection above are the slow ones.
  for (let i = 0; i < p.warmup; i++) page(Math.floor(rnd() * Math.max(1, completedTotal - PAGE)));
  // Anywhere in the list (as the issue asks), then among the first ten pages (what an
  // operator mostly looks at).
  const pageMs: number[] = [];
  for (let i = 0; i < p.queries; i++) {
    pageMs.push(page(Math.floor(rnd() * Math.max(1, completedTotal - PAGE))));
  }
  const firstPagesMs: number[] = [];
  for (let i = 0; i < p.queries; i++) firstPagesMs.push(page(Math.floor(rnd() * 10) * PAGE));

  await store.close();
  return {
    payments,
    commit: summarize(durable.ms),
    commitWithoutLedgerFsync: summarize(looseRun.ms),
    succeeded: durable.succeeded,
    page: summarize(pageMs),
    firstPages: summarize(firstPagesMs),
    completedTotal,
  };
}
