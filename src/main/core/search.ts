/**
 * Finding things: the contract's payment filters as a store query (amount bounds as values
 * on one scale for every currency), and search.find, the Search dialog's question, answered
 * from the store's indexes and, for a transaction id, by the provider (the store keeps no
 * index of transaction ids: a million of them would cost about 100 MB of memory, and the
 * provider retrieves a charge by its id as Stripe does).
 */
import type { OperationOutput, ParsedInput, SearchResults } from '../../shared/contract';
import type { Payment } from '../../shared/domain';
import { parseAmountValue } from '../../shared/money';
import { DomainError } from '../../shared/result';
import type { Gateway, PaymentQuery, Store } from './ports';

/** The store query of a payments.list input: bounds parsed, an empty search dropped. */
export function paymentQueryOf(input: ParsedInput<'payments.list'>): PaymentQuery {
  const { minAmount, maxAmount, search, ...rest } = input;
  const query: PaymentQuery = { ...rest };
  if (search) query.search = search;
  if (minAmount !== undefined) query.minAmount = parseAmountValue(minAmount, 'minAmount');
  if (maxAmount !== undefined) query.maxAmount = parseAmountValue(maxAmount, 'maxAmount');
  if (
    query.minAmount !== undefined &&
    query.maxAmount !== undefined &&
    query.minAmount > query.maxAmount
  ) {
    throw new DomainError('validation', 'maxAmount: must not be below minAmount', 'maxAmount');
  }
  if (query.from !== undefined && query.to !== undefined && query.from > query.to) {
    throw new DomainError('validation', 'to: must not be before from', 'to');
  }
  return query;
}

/** Text that may be a provider's transaction id (`txn_…`, `ch_…`): worth asking it. */
const TRANSACTION_ID = /^[A-Za-z]{2,8}_[A-Za-z0-9]{6,64}$/;
/** Text that may be an amount. */
const AMOUNT = /^\d{1,12}(\.\d{1,4})?$/;

/**
 * How many of the newest payments a search reads the descriptions of. Descriptions live only
 * in the payments' bodies on disk (no index holds them: most are unique), so a search reads
 * the newest ones, page by page, until it has enough hits: the payments an operator looks
 * for by a note are recent ones, and a million bodies would take seconds to read.
 */
export const DESCRIPTION_SCAN = 20_000;

/**
 * What `text` names: the payment with that id or transaction id, payments whose e-mail
 * contains it or whose amount it is (in any currency), customers whose e-mail contains it,
 * subscriptions with that id or whose e-mail or id contains it; at most `limit` of each.
 */
export async function searchEverywhere(
  store: Store,
  gateway: Pick<Gateway, 'findCharge'>,
  text: string,
  limit: number,
): Promise<OperationOutput<'search.find'>> {
  const payments: Payment[] = [];
  const add = (p: Payment | undefined): void => {
    if (p !== undefined && payments.length < limit && !payments.some((q) => q.id === p.id)) {
      payments.push(p);
    }
  };
  add(store.getPayment(text));
  if (payments.length === 0 && TRANSACTION_ID.test(text))
    add(await byTransaction(store, gateway, text));
  const byEmail = store.queryPayments({ search: text, order: 'desc', offset: 0, limit });
  if (AMOUNT.test(text)) {
    const value = parseAmountValue(text);
    const query = { minAmount: value, maxAmount: value, order: 'desc', offset: 0, limit } as const;
    for (const p of store.queryPayments(query).items) add(p);
  }
  for (const p of byEmail.items) add(p);
  if (text.length >= 3) for (const p of byDescription(store, text, limit)) add(p);

  const subscriptions = store.querySubscriptions({ search: text, order: 'desc', offset: 0, limit });
  const exact = store.getSubscription(text);
  const customers = store.queryCustomers({
    search: text,
    sort: 'net',
    order: 'desc',
    offset: 0,
    limit,
  });
  const results: SearchResults = {
    payments,
    paymentsTotal: byEmail.total,
    customers: customers.items,
    subscriptions:
      exact === undefined
        ? subscriptions.items
        : [exact, ...subscriptions.items.filter((s) => s.id !== exact.id)].slice(0, limit),
  };
  return results;
}

/** The newest payments (of DESCRIPTION_SCAN) whose description contains `text`, any case. */
function byDescription(store: Store, text: string, limit: number): Payment[] {
  const wanted = text.toLowerCase();
  const found: Payment[] = [];
  const PAGE = 500;
  for (let offset = 0; offset < DESCRIPTION_SCAN && found.length < limit; offset += PAGE) {
    const page = store.queryPayments({ order: 'desc', offset, limit: PAGE });
    for (const p of page.items) {
      if (found.length < limit && p.description?.toLowerCase().includes(wanted)) found.push(p);
    }
    if (page.items.length < PAGE) break;
  }
  return found;
}

async function byTransaction(
  store: Store,
  gateway: Pick<Gateway, 'findCharge'>,
  transactionId: string,
): Promise<Payment | undefined> {
  const charge = await gateway.findCharge(transactionId);
  if (charge === null) return undefined;
  const payment = store.getPaymentByIdempotencyKey(charge.idempotencyKey);
  return payment?.transactionId === transactionId ? payment : undefined;
}
