/**
 * What a request's record keeps of its answer, and what a replay of its key gets back. The
 * answer is kept, not a copy of the state: a recurring run's payments by id (a run may make
 * thousands); answers that are views of a state (the history, tens of thousands of entries
 * deep after a year; the scheduler's status) as nothing: a replay reads the view as it is
 * now. Keys Paydesk made itself are never sent again, so their records keep only whether
 * the request succeeded. A new operator's token is never kept: a replay answers the account
 * without it; nor are the operator accounts, which a settings change's answer leaves out.
 */
import type { CreatedOperator, OperationName, RecurringRunSummary } from '../../shared/contract';
import type { Payment, StoredAnswer } from '../../shared/domain';
import type { Result } from '../../shared/result';
import type { Store } from './ports';

/** Operations whose answer is a view of the state, read again when replayed. */
export const VIEW_ANSWERS: ReadonlySet<OperationName> = new Set([
  'history.undo',
  'history.redo',
  'scheduler.start',
  'scheduler.stop',
]);
const RUNS: ReadonlySet<OperationName> = new Set(['recurring.run', 'scheduler.run']);

interface StoredRun extends Omit<RecurringRunSummary, 'payments'> {
  paymentIds: string[];
}

/** The stored form of `result`, the answer of a request for `operation`. */
export function storedAnswerOf(
  operation: OperationName,
  result: Result<unknown>,
  clientKey: boolean,
): StoredAnswer {
  if (!result.ok) return { ok: false, error: result.error };
  if (!clientKey || VIEW_ANSWERS.has(operation)) return { ok: true, data: null };
  if (operation === 'operators.create') {
    const created: CreatedOperator = {
      operator: (result.data as CreatedOperator).operator,
      token: null,
    };
    return { ok: true, data: created };
  }
  if (RUNS.has(operation)) {
    const { payments, ...counts } = result.data as RecurringRunSummary;
    const stored: StoredRun = { ...counts, paymentIds: payments.map((p) => p.id) };
    return { ok: true, data: stored };
  }
  return { ok: true, data: result.data };
}

/**
 * The answer a replay gets from a stored one. `view` reads the view a VIEW_ANSWERS operation
 * answers, as it is now.
 */
export function replayedAnswer(
  operation: OperationName,
  stored: StoredAnswer,
  store: Store,
  view: () => unknown,
): Result<unknown> {
  if (!stored.ok) return stored;
  if (VIEW_ANSWERS.has(operation)) return { ok: true, data: view() };
  if (operation === 'settings.set' && isObject(stored.data) && 'operators' in stored.data) {
    // Kept by a Paydesk before 2026-12-01 (records live a week): never answer the accounts.
    const { operators: _operators, ...view } = stored.data;
    return { ok: true, data: view };
  }
  if (RUNS.has(operation)) {
    const { paymentIds, ...counts } = stored.data as StoredRun;
    const payments = paymentIds
      .map((id) => store.getPayment(id))
      .filter((p): p is Payment => p !== undefined);
    return { ok: true, data: { ...counts, payments } };
  }
  return { ok: true, data: stored.data };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;
