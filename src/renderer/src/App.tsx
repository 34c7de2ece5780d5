/**
 * The operator UI: navigation, the current screen, toasts and the confirmation dialog.
 * It listens to the core's push events and installs the undo/redo shortcuts and menu hook.
 * Call setTransport() before rendering it.
 */
import { useEffect } from 'react';
import { ConfirmDialog } from './components/ConfirmDialog';
import { CurrencyList } from './components/CurrencyInput';
import { Nav } from './components/Nav';
import { Toasts } from './components/Toasts';
import { installUndoShortcuts } from './lib/shortcuts';
import { DashboardScreen } from './screens/DashboardScreen';
import { HistoryScreen } from './screens/HistoryScreen';
import { PaymentsScreen } from './screens/PaymentsScreen';
import { SchedulerScreen } from './screens/SchedulerScreen';
import { SubscriptionsScreen } from './screens/SubscriptionsScreen';
import { isConfirmOpen, useConfirm } from './store/confirm';
import { currentTransport } from './store/connection';
import { performRedo, performUndo } from './store/history';
import { handlePush } from './store/live';
import { useNavigation, type Screen } from './store/navigation';

const SCREENS: Record<Screen, () => React.JSX.Element> = {
  dashboard: DashboardScreen,
  payments: PaymentsScreen,
  subscriptions: SubscriptionsScreen,
  scheduler: SchedulerScreen,
  history: HistoryScreen,
};

export function App() {
  const screen = useNavigation((s) => s.screen);
  const dialogOpen = useConfirm((s) => s.request !== null);
  useEffect(() => currentTransport().subscribe(handlePush), []);
  useEffect(
    () =>
      installUndoShortcuts(window, {
        run: (action) => void (action === 'undo' ? performUndo() : performRedo()),
        blocked: isConfirmOpen,
      }),
    [],
  );
  const ScreenView = SCREENS[screen];
  return (
    <>
      <div className="app" aria-hidden={dialogOpen || undefined}>
        <header className="topbar">
          <span className="brand">Paydesk</span>
          <Nav />
        </header>
        <main className="main">
          <ScreenView />
        </main>
        <Toasts />
        <CurrencyList />
      </div>
      <ConfirmDialog />
    </>
  );
}
