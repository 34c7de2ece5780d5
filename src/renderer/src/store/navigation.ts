/** Which screen is shown. The Dashboard is the start page. */
import { create } from 'zustand';

export const SCREENS = ['dashboard', 'payments', 'subscriptions', 'scheduler', 'history'] as const;
export type Screen = (typeof SCREENS)[number];

export const SCREEN_NAMES: Record<Screen, string> = {
  dashboard: 'Dashboard',
  payments: 'Payments',
  subscriptions: 'Subscriptions',
  scheduler: 'Scheduler',
  history: 'History',
};

export interface NavigationState {
  screen: Screen;
}

export const initialNavigation: NavigationState = { screen: 'dashboard' };
export const useNavigation = create<NavigationState>()(() => initialNavigation);

export function goTo(screen: Screen): void {
  useNavigation.setState({ screen });
}
