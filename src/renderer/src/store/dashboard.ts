/** The dashboard's figures (dashboard.get), refetched when payments or subscriptions change. */
import { create } from 'zustand';
import type { Dashboard } from '../../../shared/contract';
import { api } from './connection';

export interface DashboardState {
  data: Dashboard | null;
  loading: boolean;
  error: string | null;
}

export const initialDashboard: DashboardState = { data: null, loading: false, error: null };
export const useDashboard = create<DashboardState>()(() => initialDashboard);

let loadSeq = 0;

export async function loadDashboard(): Promise<void> {
  const seq = ++loadSeq;
  useDashboard.setState((s) => ({ loading: s.data === null, error: null }));
  const res = await api()['dashboard.get']({});
  if (seq !== loadSeq) return;
  if (res.ok) useDashboard.setState({ data: res.data, loading: false });
  else useDashboard.setState({ loading: false, error: res.error.message });
}
