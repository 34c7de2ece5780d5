/** Which screen is shown. The Dashboard is the start page. */
import { create } from 'zustand';

export const SCREENS = [
  'dashboard',
  'payments',
  'customers',
  'subscriptions',
  'scheduler',
  'history',
  'audit',
  'settings',
] as const;
export type Screen = (typeof SCREENS)[number];

export const SCREEN_NAMES: Record<Screen, string> = {
  dashboard: 'Dashboard',
  payments: 'Payments',
  customers: 'Customers',
  subscriptions: 'Subscriptions',
  scheduler: 'Scheduler',
  history: 'History',
  audit: 'Audit log',
  settings: 'Settings',
};

/** A form to show with a customer's e-mail filled in (see `openForm`). */
export interface Prefill {
  form: 'payment' | 'subscription';
  customerEmail: string;
}

export interface NavigationState {
  screen: Screen;
  /** Waiting for its form to take it (`takePrefill`). */
  prefill: Prefill | null;
}

export const initialNavigation: NavigationState = { screen: 'dashboard', prefill: null };
export const useNavigation = create<NavigationState>()(() => initialNavigation);

export function goTo(screen: Screen): void {
  useNavigation.setState({ screen });
}

const FORM_SCREENS: Record<Prefill['form'], Screen> = {
  payment: 'payments',
  subscription: 'subscriptions',
};

/**
 * Shows the screen of the New payment or New subscription form with `customerEmail` filled
 * in (a customer's page opens them): the form takes it when it shows (`takePrefill`).
 */
export function openForm(form: Prefill['form'], customerEmail: string): void {
  useNavigation.setState({ screen: FORM_SCREENS[form], prefill: { form, customerEmail } });
}

/** The e-mail waiting for `form`, taken (null when none waits for it). */
export function takePrefill(form: Prefill['form']): string | null {
  const prefill = useNavigation.getState().prefill;
  if (prefill?.form !== form) return null;
  useNavigation.setState({ prefill: null });
  return prefill.customerEmail;
}
