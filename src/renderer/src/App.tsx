/**
 * The operator UI: navigation, the current screen, toasts and the confirmation dialog.
 * It listens to the core's push events, installs the undo/redo shortcuts and menu hook, `?`
 * for the "Keyboard shortcuts" dialog, and keeps the screen in the URL (lib/route.ts).
 * Call setTransport() before rendering it.
 */
import { useEffect } from 'react';
import { ConfirmDialog } from './components/ConfirmDialog';
import { ConnectionBanner } from './components/ConnectionBanner';
import { StorageBanner } from './components/StorageBanner';
import { CurrencyList } from './components/CurrencyInput';
import { Nav } from './components/Nav';
import { ReceiptDialog } from './components/receipts/ReceiptDialog';
import { SkipLink } from './components/SkipLink';
import { Toasts } from './components/Toasts';
import { ShortcutsDialog } from './components/ShortcutsDialog';
import { installRouting } from './lib/route';
import { SearchDialog } from './components/SearchDialog';
import { installHelpShortcut, installSearchShortcut, installUndoShortcuts } from './lib/shortcuts';
import { isSearchOpen, openSearch, useSearch } from './store/search';
import { AuditScreen } from './screens/AuditScreen';
import { CustomersScreen } from './screens/CustomersScreen';
import { DashboardScreen } from './screens/DashboardScreen';
import { HistoryScreen } from './screens/HistoryScreen';
import { PaymentsScreen } from './screens/PaymentsScreen';
import { SchedulerScreen } from './screens/SchedulerScreen';
import { SettingsScreen } from './screens/SettingsScreen';
import { SubscriptionsScreen } from './screens/SubscriptionsScreen';
import { isConfirmOpen, useConfirm } from './store/confirm';
import { currentTransport } from './store/connection';
import { performRedo, performUndo } from './store/history';
import { handlePush } from './store/live';
import { isReceiptOpen, useReceipt } from './store/receipt';
import { useNavigation, type Screen } from './store/navigation';
import { isShortcutsHelpOpen, openShortcutsHelp, useShortcutsHelp } from './store/shortcuts-help';

const SCREENS: Record<Screen, () => React.JSX.Element> = {
  dashboard: DashboardScreen,
  payments: PaymentsScreen,
  customers: CustomersScreen,
  subscriptions: SubscriptionsScreen,
  scheduler: SchedulerScreen,
  history: HistoryScreen,
  audit: AuditScreen,
  settings: SettingsScreen,
};

export function App() {
  const screen = useNavigation((s) => s.screen);
  const confirmOpen = useConfirm((s) => s.request !== null);
  const receiptOpen = useReceipt((s) => s.request !== null);
  const shortcutsOpen = useShortcutsHelp((s) => s.open);
  const searchOpen = useSearch((s) => s.open);
  const dialogOpen = confirmOpen || receiptOpen || shortcutsOpen || searchOpen;
  useEffect(() => currentTransport().subscribe(handlePush), []);
  useEffect(
    () =>
      installUndoShortcuts(window, {
        run: (action) => void (action === 'undo' ? performUndo() : performRedo()),
        // Not behind a dialog: the operator cannot see what the keys would undo.
        blocked: () =>
          isConfirmOpen() || isReceiptOpen() || isShortcutsHelpOpen() || isSearchOpen(),
      }),
    [],
  );
  useEffect(
    () =>
      installHelpShortcut(window, {
        open: openShortcutsHelp,
        blocked: () =>
          isConfirmOpen() || isReceiptOpen() || isShortcutsHelpOpen() || isSearchOpen(),
      }),
    [],
  );
  useEffect(
    () =>
      installSearchShortcut(window, {
        open: openSearch,
        blocked: () =>
          isConfirmOpen() || isReceiptOpen() || isShortcutsHelpOpen() || isSearchOpen(),
      }),
    [],
  );
  useEffect(() => installRouting(window), []);
  const ScreenView = SCREENS[screen];
  return (
    <>
      <div className="app" aria-hidden={dialogOpen || undefined}>
        <SkipLink />
        <header className="topbar">
          <span className="brand">Paydesk</span>
          <Nav />
          <button
            type="button"
            className="search-button"
            aria-keyshortcuts="Control+K Meta+K"
            onClick={openSearch}
          >
            Search <kbd aria-hidden="true">Ctrl K</kbd>
          </button>
        </header>
        <ConnectionBanner />
        <StorageBanner />
        <main className="main" id="main">
          <ScreenView />
        </main>
        <Toasts />
        <CurrencyList />
      </div>
      <ReceiptDialog />
      <ShortcutsDialog />
      <SearchDialog />
      <ConfirmDialog />
    </>
  );
}
