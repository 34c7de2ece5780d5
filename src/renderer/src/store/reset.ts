/** Puts every store back to its initial state (tests; a fresh session). */
import { initialConfirm, useConfirm } from './confirm';
import { initialDashboard, useDashboard } from './dashboard';
import { initialHistory, useHistory } from './history';
import { initialNavigation, useNavigation } from './navigation';
import { initialPayments, usePayments } from './payments';
import { initialScheduler, useScheduler } from './scheduler';
import { initialSubscriptions, useSubscriptions } from './subscriptions';
import { initialToasts, useToasts } from './toasts';

export function resetStores(): void {
  useConfirm.setState(initialConfirm, true);
  useDashboard.setState(initialDashboard, true);
  useHistory.setState(initialHistory, true);
  useNavigation.setState(initialNavigation, true);
  usePayments.setState(initialPayments, true);
  useScheduler.setState(initialScheduler, true);
  useSubscriptions.setState(initialSubscriptions, true);
  useToasts.setState(initialToasts, true);
}
