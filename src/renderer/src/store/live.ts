/**
 * Push events → the stores: `changed` refetches what the current screen shows for those
 * topics (batched over a few milliseconds; the UI never polls), `notice` becomes a toast,
 * `progress` feeds the scheduler's in-flight bar.
 */
import type { ChangeTopic, PushEvent } from '../../../shared/contract';
import { refreshCustomers } from './customers';
import { loadDashboard } from './dashboard';
import { loadHistory } from './history';
import { useNavigation, type Screen } from './navigation';
import { markPaymentsStale, refreshPayments } from './payments';
import { loadScheduler, setProgress } from './scheduler';
import { refreshAudit } from './audit';
import { loadBackups } from './backups';
import { loadOperators } from './operators';
import { loadSettings } from './settings';
import { refreshSubscriptions } from './subscriptions';
import { loadStorage } from './storage';
import { showToast } from './toasts';

const BATCH_MS = 30;

/** Which topics each screen shows, and how it refetches. */
const SCREEN_TOPICS: Record<Screen, { topics: ChangeTopic[]; refetch: () => void }> = {
  dashboard: {
    topics: ['payments', 'subscriptions', 'clock'],
    refetch: () => void loadDashboard(),
  },
  payments: { topics: ['payments'], refetch: refreshPayments },
  customers: { topics: ['payments', 'subscriptions'], refetch: refreshCustomers },
  subscriptions: { topics: ['subscriptions', 'payments'], refetch: refreshSubscriptions },
  scheduler: { topics: ['scheduler', 'clock'], refetch: () => void loadScheduler() },
  history: { topics: ['history'], refetch: () => void loadHistory() },
  // Every command, undo, redo and reconciliation changes the history topic.
  audit: { topics: ['history'], refetch: refreshAudit },
  settings: {
    topics: ['settings', 'scheduler', 'backups'],
    refetch: () => {
      void loadSettings();
      void loadBackups();
      void loadOperators();
    },
  },
};

let pendingTopics = new Set<ChangeTopic>();
let timer: ReturnType<typeof setTimeout> | null = null;

function flush(): void {
  timer = null;
  const topics = pendingTopics;
  pendingTopics = new Set();
  // Every screen shows whether the store takes changes (StorageBanner).
  if (topics.has('storage')) void loadStorage();
  const screen = useNavigation.getState().screen;
  const shown = SCREEN_TOPICS[screen];
  if (shown.topics.some((t) => topics.has(t))) shown.refetch();
  // The payments table keeps its pages across screens: have it refetch when shown again.
  if (screen !== 'payments' && topics.has('payments')) markPaymentsStale();
}

export function handlePush(event: PushEvent): void {
  switch (event.type) {
    case 'notice':
      showToast(event.message, { level: event.level });
      return;
    case 'progress':
      setProgress(event.done, event.total);
      return;
    case 'changed':
      for (const topic of event.topics) pendingTopics.add(topic);
      timer ??= setTimeout(flush, BATCH_MS);
      return;
  }
}
