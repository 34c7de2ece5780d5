/**
 * How the core's store stands (system.info's `storage`): whether it takes changes, and what it
 * repaired at its last start. Loaded when the App starts and again whenever the core says the
 * `storage` topic changed (writes stopped, a repair reported) or comes back after an outage;
 * the StorageBanner shows it on every screen.
 */
import { create } from 'zustand';
import type { StorageStatus } from '../../../shared/contract';
import { api } from './connection';

export interface StorageState {
  status: StorageStatus | null;
  /** The repair report the operator closed (it stays closed until another one). */
  dismissedRepair: string | null;
}

export const initialStorage: StorageState = { status: null, dismissedRepair: null };
export const useStorage = create<StorageState>()(() => initialStorage);

let loadSeq = 0;

export async function loadStorage(): Promise<void> {
  const seq = ++loadSeq;
  const info = await api()['system.info']({});
  if (seq !== loadSeq || !info.ok) return;
  // A core older than this status says nothing of it: it takes changes as far as we know.
  useStorage.setState({ status: info.data.storage ?? null });
}

export function dismissRepair(): void {
  useStorage.setState((s) => ({ dismissedRepair: s.status?.repaired ?? null }));
}
