/**
 * Operators, for the Settings screen: who this session is (`operators.me`) and, for an
 * admin, the accounts (`operators.list`, refetched on the `settings` topic); adding one
 * (`operators.create`: its token is kept here until the admin dismisses it, never stored)
 * and revoking one after a confirmation.
 */
import { create } from 'zustand';
import type { OperatorSession, OperatorView } from '../../../shared/contract';
import type { OperatorRole } from '../../../shared/domain';
import type { Result } from '../../../shared/result';
import { intent, type IntentOptions } from '../lib/intent';
import { confirm } from './confirm';
import { api } from './connection';
import { showToast } from './toasts';

export interface OperatorsState {
  session: OperatorSession | null;
  /** The accounts, oldest first; null until loaded (and for whoever is not an admin). */
  list: OperatorView[] | null;
  loading: boolean;
  error: string | null;
  /** The token of the account just added: shown once, until dismissed. */
  created: { name: string; token: string } | null;
}

export const initialOperators: OperatorsState = {
  session: null,
  list: null,
  loading: false,
  error: null,
  created: null,
};
export const useOperators = create<OperatorsState>()(() => initialOperators);

const set = useOperators.setState;
let loadSeq = 0;

export async function loadOperators(): Promise<void> {
  const seq = ++loadSeq;
  set((s) => ({ loading: s.session === null, error: null }));
  const me = await api()['operators.me']({});
  if (seq !== loadSeq) return;
  if (!me.ok) {
    set({ loading: false, error: me.error.message });
    return;
  }
  if (me.data.role !== 'admin') {
    set({ loading: false, session: me.data, list: null });
    return;
  }
  const list = await api()['operators.list']({});
  if (seq !== loadSeq) return;
  if (!list.ok) {
    set({ loading: false, session: me.data, error: list.error.message });
    return;
  }
  set({ loading: false, session: me.data, list: list.data });
}

export async function addOperator(
  input: { name: string; role: OperatorRole },
  call: IntentOptions,
): Promise<Result<unknown>> {
  const res = await api()['operators.create'](input, call);
  if (!res.ok) return res;
  const { operator, token } = res.data;
  if (token !== null) set({ created: { name: operator.name, token } });
  showToast(`Added ${operator.name} (${operator.role})`);
  await loadOperators();
  return res;
}

export function dismissToken(): void {
  set({ created: null });
}

const revocations = intent<string>();

export async function revokeOperator(operator: OperatorView): Promise<void> {
  const ok = await confirm({
    title: `Revoke ${operator.name}?`,
    message: `${operator.name}'s token stops working at once. The account stays in the list and in the audit log; it cannot be used again.`,
    confirmLabel: 'Revoke',
    cancelLabel: 'Keep',
    danger: true,
  });
  if (!ok) return;
  const attempt = revocations.start(operator.id);
  const res = attempt.settle(await api()['operators.revoke']({ id: operator.id }, attempt.options));
  if (!res.ok) {
    showToast(`Could not revoke ${operator.name}: ${res.error.message}`, { level: 'error' });
    return;
  }
  showToast(`Revoked ${operator.name}`);
  await loadOperators();
}
