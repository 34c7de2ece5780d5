/**
 * The undo and redo history: loading it, and undoing/redoing the last command or everything
 * down to a chosen entry. performUndo/performRedo are what Ctrl+Z, the menu and toasts call.
 */
import { create } from 'zustand';
import type { HistoryView } from '../../../shared/contract';
import type { Result } from '../../../shared/result';
import { planMessage, planTo } from '../lib/history-plan';
import { intent } from '../lib/intent';
import { confirm } from './confirm';
import { api } from './connection';
import { showToast } from './toasts';

export interface HistoryState {
  view: HistoryView | null;
  /** Entries of each stack loaded and shown, newest first ("Show older" raises it). */
  limit: number;
  loading: boolean;
  error: string | null;
}

/** Entries of each stack shown at first, and added by each "Show older". */
export const HISTORY_PAGE = 100;

export const initialHistory: HistoryState = {
  view: null,
  limit: HISTORY_PAGE,
  loading: false,
  error: null,
};
export const useHistory = create<HistoryState>()(() => initialHistory);

let loadSeq = 0;

const shownLimit = () => useHistory.getState().limit;

export async function loadHistory(): Promise<void> {
  const seq = ++loadSeq;
  useHistory.setState((s) => ({ loading: s.view === null, error: null }));
  const res = await api()['history.get']({ limit: shownLimit() });
  if (seq !== loadSeq) return;
  if (res.ok) useHistory.setState({ view: res.data, loading: false, error: null });
  else useHistory.setState({ loading: false, error: res.error.message });
}

function commandsText(count: number): string {
  return count === 1 ? '1 command' : `${count} commands`;
}

/** Show HISTORY_PAGE older entries of each stack. */
export function showOlderHistory(): Promise<void> {
  useHistory.setState((s) => ({ limit: s.limit + HISTORY_PAGE }));
  return loadHistory();
}

interface Travel {
  direction: 'undo' | 'redo';
  input: { toId?: string; limit: number };
}

/**
 * Each Undo or Redo (shortcut, menu, toolbar, panel, toast) is one intent. After a lost
 * answer, the next request for the same direction and target is its retry: it sends what the
 * first try sent, with its key, so that the core undoes at most once.
 */
const travels = intent<Travel>(
  (a, b) => a.direction === b.direction && a.input.toId === b.input.toId,
);

async function travel(
  direction: Travel['direction'],
  toId: string | undefined,
): Promise<Result<HistoryView>> {
  const attempt = travels.start({
    direction,
    input: { ...(toId && { toId }), limit: shownLimit() },
  });
  const { input } = attempt.request;
  const res =
    direction === 'undo'
      ? await api()['history.undo'](input, attempt.options)
      : await api()['history.redo'](input, attempt.options);
  return attempt.settle(res);
}

/** Undo the last command (no toId) or everything down to and including entry toId. */
export async function undo(toId?: string): Promise<boolean> {
  const before = useHistory.getState().view;
  const res = await travel('undo', toId);
  if (!res.ok) {
    showToast(res.error.message, { level: 'error' });
    return false;
  }
  loadSeq++; // An answer to an earlier load is older than this one.
  useHistory.setState({ view: res.data, loading: false, error: null });
  const count = toId && before ? before.undo.findIndex((e) => e.id === toId) + 1 : 1;
  const label = res.data.redo[0]?.label ?? 'the last command';
  showToast(count > 1 ? `Undid ${commandsText(count)}, down to: ${label}` : `Undid: ${label}`, {
    action: { label: 'Redo', run: () => void redo() },
  });
  return true;
}

/** Redo the next undone command (no toId) or everything up to and including entry toId. */
export async function redo(toId?: string): Promise<boolean> {
  const before = useHistory.getState().view;
  const res = await travel('redo', toId);
  if (!res.ok) {
    showToast(res.error.message, { level: 'error' });
    return false;
  }
  loadSeq++;
  useHistory.setState({ view: res.data, loading: false, error: null });
  const count = toId && before ? before.redo.findIndex((e) => e.id === toId) + 1 : 1;
  const label = res.data.undo[0]?.label ?? 'the last command';
  showToast(count > 1 ? `Redid ${commandsText(count)}, up to: ${label}` : `Redid: ${label}`, {
    action: { label: 'Undo', run: () => void undo() },
  });
  return true;
}

/**
 * What Ctrl+Z, the menu and the toolbar do: undo the last command, after a confirmation
 * when money moves (the newest entry is read fresh: a scheduled run may have just added it).
 */
export async function performUndo(): Promise<boolean> {
  const next = await nextEntry('undo');
  return next?.movesMoney ? travelTo('undo', next.id) : undo();
}

export async function performRedo(): Promise<boolean> {
  const next = await nextEntry('redo');
  return next?.movesMoney ? travelTo('redo', next.id) : redo();
}

/** The entry an undo (or redo) would take now; null when unknown (then the core says). */
async function nextEntry(direction: 'undo' | 'redo') {
  const res = await api()['history.get']({ limit: 1 });
  return res.ok ? (res.data[direction][0] ?? null) : null;
}

/**
 * Undo or redo down to an entry chosen in a panel, a toast or by Ctrl+Z, asking first when
 * money moves (with the total) or several commands are involved. The stacks are read fresh
 * first, so that what is confirmed is what the core would do now.
 */
export async function travelTo(direction: 'undo' | 'redo', toId: string): Promise<boolean> {
  await loadHistory();
  const view = useHistory.getState().view;
  const plan = view ? planTo(view[direction], toId) : null;
  if (!plan) {
    showToast(`That command is no longer in the ${direction} history.`, { level: 'error' });
    return false;
  }
  if (plan.blocked) {
    const barrier = plan.entries.find((e) => e.barrier);
    showToast(`"${barrier?.label ?? 'A refund'}" cannot be undone, so nothing before it can be.`, {
      level: 'error',
    });
    return false;
  }
  if (plan.needsConfirmation) {
    const verb = direction === 'undo' ? 'Undo' : 'Redo';
    const preview = plan.movesMoney ? await api()['history.preview']({ direction, toId }) : null;
    const ok = await confirm({
      title: `${verb} ${commandsText(plan.entries.length)}?`,
      message: planMessage(direction, plan, preview?.ok ? preview.data : null),
      details: plan.entries.map((e) => e.label),
      confirmLabel: verb,
      danger: plan.movesMoney,
      enterConfirms: true,
    });
    if (!ok) return false;
  }
  return direction === 'undo' ? undo(toId) : redo(toId);
}
