/**
 * Backups, for the Settings screen: the backup folder, its settings and the backups in it
 * (`backup.list`, refetched on the `backups` topic), and "Back up now" (`backup.create`),
 * busy while it runs. A click whose answer was lost is retried with the same key: one backup.
 */
import { create } from 'zustand';
import type { BackupsView } from '../../../shared/contract';
import { intent } from '../lib/intent';
import { api } from './connection';
import { showToast } from './toasts';

export interface BackupsState {
  view: BackupsView | null;
  loading: boolean;
  error: string | null;
  /** A backup is being made (the button says so and takes no second click). */
  busy: boolean;
}

export const initialBackups: BackupsState = {
  view: null,
  loading: false,
  error: null,
  busy: false,
};
export const useBackups = create<BackupsState>()(() => initialBackups);

const get = useBackups.getState;
const set = useBackups.setState;
let loadSeq = 0;

export async function loadBackups(): Promise<void> {
  const seq = ++loadSeq;
  set((s) => ({ loading: s.view === null, error: null }));
  const res = await api()['backup.list']({});
  if (seq !== loadSeq) return;
  if (!res.ok) {
    set({ loading: false, error: res.error.message });
    return;
  }
  set({ loading: false, view: res.data });
}

const backups = intent<'backup'>();

export async function backUpNow(): Promise<void> {
  if (get().busy) return;
  set({ busy: true });
  try {
    const attempt = backups.start('backup');
    const res = attempt.settle(await api()['backup.create']({}, attempt.options));
    if (!res.ok) {
      showToast(`The backup failed: ${res.error.message}`, { level: 'error' });
      return;
    }
    showToast(`Backed up into ${res.data.path}`);
    await loadBackups();
  } finally {
    set({ busy: false });
  }
}
