/** Puts every store back to its initial state (tests; a fresh session). */
import { initialAudit, useAudit } from './audit';
import { initialBackups, useBackups } from './backups';
import { initialConfirm, useConfirm } from './confirm';
import { initialCustomers, useCustomers } from './customers';
import { initialDashboard, useDashboard } from './dashboard';
import { initialHistory, useHistory } from './history';
import { initialNavigation, useNavigation } from './navigation';
import { initialOperators, useOperators } from './operators';
import { initialPayments, usePayments } from './payments';
import { initialReceipt, useReceipt } from './receipt';
import { initialScheduler, useScheduler } from './scheduler';
import { initialSearch, useSearch } from './search';
import { initialSettings, useSettings } from './settings';
import { initialShortcutsHelp, useShortcutsHelp } from './shortcuts-help';
import { initialStorage, useStorage } from './storage';
import { initialSubscriptions, useSubscriptions } from './subscriptions';
import { initialToasts, useToasts } from './toasts';

export function resetStores(): void {
  useAudit.setState(initialAudit, true);
  useBackups.setState(initialBackups, true);
  useConfirm.setState(initialConfirm, true);
  useCustomers.setState(initialCustomers, true);
  useDashboard.setState(initialDashboard, true);
  useHistory.setState(initialHistory, true);
  useNavigation.setState(initialNavigation, true);
  useOperators.setState(initialOperators, true);
  usePayments.setState(initialPayments, true);
  useReceipt.setState(initialReceipt, true);
  useScheduler.setState(initialScheduler, true);
  useSearch.setState(initialSearch, true);
  useSettings.setState(initialSettings, true);
  useShortcutsHelp.setState(initialShortcutsHelp, true);
  useStorage.setState(initialStorage, true);
  useSubscriptions.setState(initialSubscriptions, true);
  useToasts.setState(initialToasts, true);
}
