/**
 * Settings: the stored settings (business details for receipts, the scheduler's interval
 * and on/off), what the core tells of itself (the data directory, the clock, the mock
 * gateway's behaviour and whether it may change), and the saves of the screen's forms.
 */
import { create } from 'zustand';
import type { GatewaySettings, OperationInput, SystemInfo } from '../../../shared/contract';
import type { SettingsView } from '../../../shared/domain';
import type { Result } from '../../../shared/result';
import type { IntentOptions } from '../lib/intent';
import { api } from './connection';
import { loadScheduler } from './scheduler';
import { showToast } from './toasts';

export interface SettingsState {
  settings: SettingsView | null;
  info: SystemInfo | null;
  loading: boolean;
  error: string | null;
}

export const initialSettings: SettingsState = {
  settings: null,
  info: null,
  loading: false,
  error: null,
};
export const useSettings = create<SettingsState>()(() => initialSettings);

const set = useSettings.setState;
let loadSeq = 0;

export async function loadSettings(): Promise<void> {
  const seq = ++loadSeq;
  set((s) => ({ loading: s.settings === null, error: null }));
  const [settings, info] = await Promise.all([api()['settings.get']({}), api()['system.info']({})]);
  if (seq !== loadSeq) return;
  if (!settings.ok || !info.ok) {
    const failed = !settings.ok ? settings : info.ok ? null : info;
    set({ loading: false, error: failed?.error.message ?? 'Could not load the settings' });
    return;
  }
  set({ loading: false, settings: settings.data, info: info.data });
}

/** The screen opens: forget what an earlier visit read, so the forms start from fresh values. */
export function openSettings(): Promise<void> {
  set({ settings: null, info: null });
  return loadSettings();
}

/** Saves a change of the stored settings; the scheduler's status follows. */
export async function saveSettings(
  input: OperationInput<'settings.set'>,
  options: IntentOptions,
  done: string,
): Promise<Result<SettingsView>> {
  const res = await api()['settings.set'](input, options);
  if (res.ok) {
    set({ settings: res.data });
    showToast(done);
    void loadScheduler();
  }
  return res;
}

/** Changes the mock gateway's behaviour (test clock only; until the next start). */
export async function configureGateway(
  input: OperationInput<'gateway.configure'>,
  options: IntentOptions,
): Promise<Result<GatewaySettings>> {
  const res = await api()['gateway.configure'](input, options);
  if (res.ok) {
    set((s) => ({
      info: s.info && { ...s.info, gateway: { ...s.info.gateway, ...res.data } },
    }));
    showToast('Mock gateway updated until the next start');
  }
  return res;
}
