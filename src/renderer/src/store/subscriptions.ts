/**
 * Subscriptions: the list (in pages of 100, "Show more" for the next), the selected one with
 * its charges, and the commands on them (create, pause, resume, cancel, and the decision on
 * missed periods a run held for review).
 */
import { create } from 'zustand';
import type {
  ExportFilters,
  OperationInput,
  SubscriptionDetail,
  SubscriptionSort,
} from '../../../shared/contract';
import type { Subscription, SubscriptionStatus } from '../../../shared/domain';
import type { Result } from '../../../shared/result';
import { runCountsText } from '../../../shared/wording';
import { intervalText, money } from '../lib/format';
import { intent, type IntentOptions } from '../lib/intent';
import { runCommand } from './commands';
import { api } from './connection';
import { showToast } from './toasts';

const PAGE = 100;

/** The list's filters: a status (or those held for review), any part of the e-mail, the sort. */
export interface SubscriptionFilters {
  status: SubscriptionStatus | 'REVIEW' | '';
  search: string;
  sort: SubscriptionSort;
  order: 'asc' | 'desc';
}

export const NO_SUBSCRIPTION_FILTERS: SubscriptionFilters = {
  status: '',
  search: '',
  sort: 'createdAt',
  order: 'desc',
};

export interface SubscriptionsState {
  filters: SubscriptionFilters;
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
  filters: NO_SUBSCRIPTION_FILTERS,
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

/**
 * What the list shows as `subscriptions.list` takes it, paging aside: "Export CSV" exports
 * exactly this, so a filter of the list belongs here.
 */
export function subscriptionListFilters(
  filters: SubscriptionFilters = get().filters,
): ExportFilters<'subscriptions'> {
  const input: ExportFilters<'subscriptions'> = { order: filters.order };
  if (filters.sort !== 'createdAt') input.sort = filters.sort;
  if (filters.status === 'REVIEW') input.review = true;
  else if (filters.status) input.status = filters.status;
  if (filters.search.trim()) input.search = filters.search.trim();
  return input;
}

/** Changes the list's filters (and reloads it from the top). */
export function setSubscriptionFilters(change: Partial<SubscriptionFilters>): void {
  set((s) => ({ filters: { ...s.filters, ...change }, items: [], total: null }));
  void loadSubscriptions();
}

/** The list with only `change` as filters (the Dashboard's "Past due"). */
export function showSubscriptions(change: Partial<SubscriptionFilters>): void {
  setSubscriptionFilters({ ...NO_SUBSCRIPTION_FILTERS, ...change });
}

/** Sort by `column`: the other way when it is the sort already (dates newest first). */
export function sortSubscriptions(column: SubscriptionSort): void {
  const { sort, order } = get().filters;
  if (sort === column) setSubscriptionFilters({ order: order === 'desc' ? 'asc' : 'desc' });
  else setSubscriptionFilters({ sort: column, order: column === 'createdAt' ? 'desc' : 'asc' });
}

/** Load (or reload) the first rows, as many as are shown now; `more` appends the next page. */
export async function loadSubscriptions(more = false): Promise<void> {
  const seq = ++listSeq;
  const { items } = get();
  const offset = more ? items.length : 0;
  const limit = more ? PAGE : Math.min(Math.max(PAGE, items.length), 500);
  set({ loading: true, error: null });
  const res = await api()['subscriptions.list']({ ...subscriptionListFilters(), offset, limit });
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
              describe: (run) => `Missed periods of ${sub.customerEmail}: ${runCountsText(run)}`,
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

const failedPeriods = intent<{ decision: 'retry' | 'forgive'; id: string; period: number }>();

/**
 * The operator's decision on an unpaid period (a failed period a resume left behind): charge
 * it now ("Retry now"), or give it up ("Forgive"). Both can be undone from the history.
 */
export async function decideFailedPeriod(
  decision: 'retry' | 'forgive',
  sub: Subscription,
  period: number,
): Promise<boolean> {
  const id = sub.id;
  const attempt = failedPeriods.start({ decision, id, period });
  const what = `Period ${period + 1} of ${sub.customerEmail}`;
  const res = await whileBusy(id, async () =>
    decision === 'retry'
      ? attempt.settle(
          await runCommand(
            'subscriptions.retryFailed',
            { id, period },
            {
              ...attempt.options,
              kind: 'RetryFailedPeriod',
              describe: (p) =>
                p.status === 'COMPLETED'
                  ? `${what} paid: ${money(p.amount, p.currency)} charged`
                  : p.status === 'FAILED'
                    ? `${what} is still unpaid: the charge failed (${p.failureCode ?? 'declined'})`
                    : `${what}: the charge's outcome is not known yet`,
              level: (p) => (p.status === 'FAILED' ? 'error' : 'info'),
            },
          ),
        )
      : attempt.settle(
          await runCommand(
            'subscriptions.forgiveFailed',
            { id, period },
            {
              ...attempt.options,
              kind: 'ForgiveFailedPeriod',
              describe: () => `${what} forgiven: it will not be charged`,
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
