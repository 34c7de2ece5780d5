/**
 * The recurring-charge scheduler and the clock: status, progress of a run in flight (from
 * push events), starting, stopping, running now, and advancing the test clock.
 */
import { create } from 'zustand';
import type { ClockView, OperationInput, SchedulerStatus } from '../../../shared/contract';
import { runCountsText } from '../../../shared/wording';
import { dateTime } from '../lib/format';
import { intent } from '../lib/intent';
import { addOneMonthUtc } from '../lib/month';
import { runCommand } from './commands';
import { api } from './connection';
import { showToast } from './toasts';

export type SchedulerBusy = 'run' | 'start' | 'stop' | 'advance' | null;

export interface SchedulerState {
  status: SchedulerStatus | null;
  clock: ClockView | null;
  progress: { done: number; total: number } | null;
  loading: boolean;
  error: string | null;
  busy: SchedulerBusy;
}

export const initialScheduler: SchedulerState = {
  status: null,
  clock: null,
  progress: null,
  loading: false,
  error: null,
  busy: null,
};
export const useScheduler = create<SchedulerState>()(() => initialScheduler);

const get = useScheduler.getState;
const set = useScheduler.setState;
let loadSeq = 0;

export async function loadScheduler(): Promise<void> {
  const seq = ++loadSeq;
  set((s) => ({ loading: s.status === null, error: null }));
  const [status, clock] = await Promise.all([
    api()['scheduler.status']({}),
    api()['clock.get']({}),
  ]);
  if (seq !== loadSeq) return;
  if (!status.ok) {
    set({ loading: false, error: status.error.message });
    return;
  }
  set({
    loading: false,
    status: status.data,
    progress: status.data.inFlight,
    clock: clock.ok ? clock.data : null,
  });
}

/** The core's clock alone (the New subscription form tells what is past by it). */
export async function loadClock(): Promise<void> {
  const clock = await api()['clock.get']({});
  if (clock.ok) set({ clock: clock.data });
}

/** The core's time now: the test clock's when it runs on one, else this machine's. */
export function coreNow(clock: ClockView | null): Date {
  return clock?.mode === 'test' ? new Date(clock.now) : new Date();
}

export function setProgress(done: number, total: number): void {
  set({ progress: { done, total } });
}

/** Start, Stop and "Run recurring now" clicks: a retry after a lost answer keeps its key. */
const controls = intent<'start' | 'stop' | 'run'>();

async function withBusy(busy: SchedulerBusy, work: () => Promise<void>): Promise<void> {
  if (get().busy) return;
  set({ busy });
  try {
    await work();
  } finally {
    set({ busy: null });
  }
}

export function startScheduler(): Promise<void> {
  return withBusy('start', async () => {
    const attempt = controls.start('start');
    const res = attempt.settle(await api()['scheduler.start']({}, attempt.options));
    if (!res.ok) return void showToast(res.error.message, { level: 'error' });
    set({ status: res.data });
    showToast('Scheduler started');
  });
}

export function stopScheduler(): Promise<void> {
  return withBusy('stop', async () => {
    const attempt = controls.start('stop');
    const res = attempt.settle(await api()['scheduler.stop']({}, attempt.options));
    if (!res.ok) return void showToast(res.error.message, { level: 'error' });
    set({ status: res.data });
    showToast('Scheduler stopped');
  });
}

export function runRecurringNow(): Promise<void> {
  return withBusy('run', async () => {
    const attempt = controls.start('run');
    const res = attempt.settle(
      await runCommand(
        'scheduler.run',
        {},
        {
          ...attempt.options,
          kind: 'RunRecurring',
          describe: (s) => `Recurring run: ${runCountsText(s)}`,
          level: (s) => (s.failed > 0 ? 'error' : 'info'),
        },
      ),
    );
    if (!res.ok) showToast(res.error.message, { level: 'error' });
    await loadScheduler();
  });
}

export type Advance = 'hour' | 'day' | 'month';

/**
 * A retry of the same step after a lost answer sends what the first try sent, with its key:
 * "Advance 1 month" computes its target from the clock shown, which the first try may have
 * moved already.
 */
const advances = intent<{ step: Advance; input: OperationInput<'clock.advance'> }>(
  (a, b) => a.step === b.step,
);

export function advanceClock(step: Advance): Promise<void> {
  return withBusy('advance', async () => {
    const now = get().clock?.now;
    const input =
      step === 'month'
        ? { to: addOneMonthUtc(now ?? new Date().toISOString()) }
        : { seconds: step === 'hour' ? 3600 : 86_400 };
    const attempt = advances.start({ step, input });
    const res = attempt.settle(
      await api()['clock.advance'](attempt.request.input, attempt.options),
    );
    if (!res.ok) return void showToast(res.error.message, { level: 'error' });
    set({ clock: res.data });
    showToast(`Test clock advanced to ${dateTime(res.data.now)}`);
  });
}
