/**
 * Subscriptions: the list (in pages of 100, "Show more" for the next), the selected one with
 * its charges, and the commands on them (create, pause, resume, cancel, and the decision on
 * missed periods a run held for review).
 */
import { create } from 'zustand';
import type { OperationInput, SubscriptionDetail } from '../../../shared/contract';
import type { Subscription } from '../../../shared/domain';
import type { Result } from '../../../shared/result';
import { intervalText, money } from '../lib/format';
import { intent, type IntentOptions } from '../lib/intent';
import { runCommand } from './commands';
import { api } from './connection';
import { showToast } from './toasts';

const PAGE = 100;

export interface SubscriptionsState {
  items: Subscription[];
  total: number | null;
  loading: boolean;
  error: string | null;
  selectedId: string | null;
  detail: SubscriptionDetail | null;
  detailError: string | null;
  /** Subscriptions with a command in flight (their buttons are disabled). */
  busy: Record<string, true>;
}

export const initialSubscriptions: SubscriptionsState = {
  items: [],
  total: null,
  loading: false,
  error: null,
  selectedId: null,
  detail: null,
  detailError: null,
  busy: {},
};
export const useSubscriptions = create<SubscriptionsState>()(() => initialSubscriptions);

const get = useSubscriptions.getState;
const set = useSubscriptions.setState;
let listSeq = 0;

/** Load (or reload) the first rows, as many as are shown now; `more` appends the next page. */
export async function loadSubscriptions(more = false): Promise<void> {
  const seq = ++listSeq;
  const { items } = get();
  const offset = more ? items.length : 0;
  const limit = more ? PAGE : Math.min(Math.max(PAGE, items.length), 500);
  set({ loading: true, error: null });
  const res = await api()['subscriptions.list']({ offset, limit, order: 'desc' });
  if (seq !== listSeq) return;
  if (!res.ok) {
    set({ loading: false, error: res.error.message });
    return;
  }
  set((s) => ({
    loading: false,
    total: res.data.total,
    items: more ? [...s.items, ...res.data.items] : res.data.items,
  }));
}

async function loadDetail(id: string): Promise<void> {
  const res = await api()['subscriptions.get']({ id });
  if (get().selectedId !== id) return;
  if (res.ok) set({ detail: res.data, detailError: null });
  else set({ detailError: res.error.message });
}

export function selectSubscription(id: string | null): void {
  if (id === get().selectedId) return;
  set({ selectedId: id, detail: null, detailError: null });
  if (id) void loadDetail(id);
}

export function refreshSubscriptions(): void {
  void loadSubscriptions();
  const { selectedId } = get();
  if (selectedId) void loadDetail(selectedId);
}

function describe(s: Subscription): string {
  return `${s.customerEmail}, ${money(s.amount, s.currency)} ${intervalText(s.interval, s.intervalCount).toLowerCase()}`;
}

/** `call` names the operator's intent (the same key when the form retries). */
export async function createSubscription(
  input: OperationInput<'subscriptions.create'>,
  call: IntentOptions,
): Promise<Result<Subscription>> {
  const res = await runCommand('subscriptions.create', input, {
    ...call,
    kind: 'CreateSubscription',
    describe: (s) => `Subscription created: ${describe(s)}`,
  });
  if (res.ok) {
    refreshSubscriptions();
    selectSubscription(res.data.id);
  }
  return res;
}

/** Runs `work` with the subscription's buttons disabled. */
async function whileBusy<T>(id: string, work: () => Promise<T>): Promise<T> {
  set((s) => ({ busy: { ...s.busy, [id]: true } }));
  try {
    return await work();
  } finally {
    set((s) => {
      const busy = { ...s.busy };
      delete busy[id];
      return { busy };
    });
  }
}

const ACTIONS = {
  pause: { op: 'subscriptions.pause', kind: 'PauseSubscription', done: 'paused' },
  resume: { op: 'subscriptions.resume', kind: 'ResumeSubscription', done: 'resumed' },
  cancel: { op: 'subscriptions.cancel', kind: 'CancelSubscription', done: 'cancelled' },
} as const;

/** Pause, resume or cancel clicks: a retry of the same one after a lost answer keeps its key. */
const changes = intent<{ action: keyof typeof ACTIONS; id: string }>();

export async function changeSubscription(
  action: keyof typeof ACTIONS,
  id: string,
): Promise<boolean> {
  const { op, kind, done } = ACTIONS[action];
  const attempt = changes.start({ action, id });
  const res = await whileBusy(id, async () =>
    attempt.settle(
      await runCommand(
        op,
        { id },
        {
          ...attempt.options,
          kind,
          describe: (s) => `Subscription ${done}: ${describe(s)}`,
        },
      ),
    ),
  );
  if (!res.ok) {
    showToast(res.error.message, { level: 'error' });
    return false;
  }
  set((s) => ({ items: s.items.map((item) => (item.id === id ? res.data : item)) }));
  refreshSubscriptions();
  return true;
}

/** The number of periods a subscription held for review missed. */
export function missedCount(s: Subscription): number {
  return s.review === null ? 0 : s.review.toPeriod - s.review.fromPeriod + 1;
}

const decisions = intent<{ decision: 'charge' | 'skip'; id: string }>();

/**
 * The operator's decision on the missed periods of a subscription held for review: charge
 * each of them, or skip them (billing goes on from the next period to come).
 */
export async function decideMissedPeriods(
  decision: 'charge' | 'skip',
  sub: Subscription,
): Promise<boolean> {
  const id = sub.id;
  const attempt = decisions.start({ decision, id });
  const res = await whileBusy(id, async () =>
    decision === 'charge'
      ? attempt.settle(
          await runCommand(
            'subscriptions.chargeMissed',
            { id },
            {
              ...attempt.options,
              kind: 'ChargeMissedPeriods',
              describe: (run) =>
                `Missed periods of ${sub.customerEmail}: ${run.succeeded} charged${
                  run.failed > 0 ? `, ${run.failed} failed` : ''
                }`,
              level: (run) => (run.failed > 0 ? 'error' : 'info'),
            },
          ),
        )
      : attempt.settle(
          await runCommand(
            'subscriptions.skipMissed',
            { id },
            {
              ...attempt.options,
              kind: 'SkipMissedPeriods',
              describe: (s) => `Missed periods skipped: ${describe(s)}`,
            },
          ),
        ),
  );
  if (!res.ok) {
    showToast(res.error.message, { level: 'error' });
    return false;
  }
  refreshSubscriptions();
  return true;
}
