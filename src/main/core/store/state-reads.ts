/**
 * The Store port's reads, answered from a StoreState in memory: the same for the embedded
 * store (store/index.ts) and the PostgreSQL store (../pg-store), which keep the state in
 * memory the same way and differ in how commits reach the disk.
 */
import type {
  CustomerPage,
  CustomerSummary,
  Page,
  UnreadableRecord,
} from '../../../shared/contract';
import type {
  AuditEntry,
  HistoryEntry,
  IdempotencyRecord,
  Payment,
  Refund,
  Settings,
  Subscription,
} from '../../../shared/domain';
import type {
  AuditQuery,
  CustomerQuery,
  PaymentQuery,
  PeriodCharges,
  RefundMade,
  SubscriptionQuery,
} from '../ports';
import { AuditQueries } from './audit-query';
import { instantMs } from './codec';
import type { StoreState } from './state';

export abstract class StateReads {
  protected abstract readonly state: StoreState;
  private readonly auditQueries = new AuditQueries(() => this.state.audit);

  getPayment(id: string): Payment | undefined {
    return this.state.payments.get(id);
  }

  getPaymentByIdempotencyKey(key: string): Payment | undefined {
    return this.state.payments.byIdempotencyKey(key);
  }

  queryPayments(query: PaymentQuery): Page<Payment> {
    const { order, offset, limit } = query;
    return query.skipUnreadable === true
      ? this.state.payments.queryReadable(query, order, offset, limit)
      : this.state.payments.query(query, order, offset, limit);
  }

  pendingPayments(): Payment[] {
    return this.state.payments.pending();
  }

  allPayments(): Iterable<Payment> {
    return this.state.payments.values();
  }

  paymentCount(): number {
    return this.state.payments.size;
  }

  getSubscription(id: string): Subscription | undefined {
    return this.state.subscriptions.get(id);
  }

  querySubscriptions(query: SubscriptionQuery): Page<Subscription> {
    return this.state.subscriptions.query(query, query.order, query.offset, query.limit);
  }

  paymentsOfSubscription(subscriptionId: string): Payment[] {
    return this.state.payments.ofSubscription(subscriptionId);
  }

  refundsSince(instant: string, unreadable?: UnreadableRecord[]): RefundMade[] {
    return this.state.payments.refundsSince(instantMs(instant), unreadable);
  }

  periodCharges(subscriptionId: string, period: number): PeriodCharges {
    return this.state.payments.periodCharges(subscriptionId, period);
  }

  dueSubscriptions(now: string, limit: number = Infinity): Subscription[] {
    return this.state.subscriptions.dueAt(now, limit);
  }

  allSubscriptions(): Iterable<Subscription> {
    return this.state.subscriptions.values();
  }

  queryCustomers(query: CustomerQuery): CustomerPage {
    return this.state.customers().page(query);
  }

  getCustomer(email: string): CustomerSummary | undefined {
    return this.state.customers().get(email);
  }

  undoStack(): readonly HistoryEntry[] {
    return this.state.undo.slice();
  }

  redoStack(): readonly HistoryEntry[] {
    return this.state.redo.slice();
  }

  audit(offset: number, limit: number, query?: AuditQuery): Page<AuditEntry> {
    return this.auditQueries.page(offset, limit, query);
  }

  getRefund(id: string): Refund | undefined {
    return this.state.refunds.get(id);
  }

  getRefundByIdempotencyKey(key: string): Refund | undefined {
    return this.state.refunds.byIdempotencyKey(key);
  }

  refundsOfPayment(paymentId: string): Refund[] {
    return this.state.refunds.ofPayment(paymentId);
  }

  pendingRefunds(): Refund[] {
    return this.state.refunds.pending();
  }

  getIdempotencyRecord(key: string): IdempotencyRecord | undefined {
    return this.state.idempotency.get(key);
  }

  unfinishedRequests(): IdempotencyRecord[] {
    return [...this.state.idempotency.values()].filter((r) => r.answer === null);
  }

  settings(): Settings {
    return this.state.settings;
  }

  testClock(): string | null {
    return this.state.testClock;
  }

  gatewayCursor(): string | null {
    return this.state.gatewayCursor;
  }
}
