/** Reading the records a command works on, as domain errors when they are missing. */
import type { Payment, Subscription } from '../../../shared/domain';
import { DomainError } from '../../../shared/result';
import type { Store } from '../ports';

export function requirePayment(store: Store, id: string): Payment {
  const payment = store.getPayment(id);
  if (!payment) throw new DomainError('not_found', `No payment with id ${id}`, 'id');
  return payment;
}

export function requireSubscription(store: Store, id: string): Subscription {
  const sub = store.getSubscription(id);
  if (!sub) throw new DomainError('not_found', `No subscription with id ${id}`, 'id');
  return sub;
}

/** "PARTIALLY_REFUNDED" → "Partially refunded". */
export function statusWords(status: string): string {
  const words = status.toLowerCase().replace('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
