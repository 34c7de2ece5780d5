/** Subscriptions: the list with its actions, the selected one's charges, the New form. */
import { useEffect, useMemo } from 'react';
import { ExportCsvButton } from '../components/ExportCsvButton';
import { SubscriptionDetail } from '../components/subscriptions/SubscriptionDetail';
import { SubscriptionFilters } from '../components/subscriptions/SubscriptionFilters';
import { SubscriptionForm } from '../components/subscriptions/SubscriptionForm';
import { SubscriptionList } from '../components/subscriptions/SubscriptionList';
import {
  refreshSubscriptions,
  subscriptionListFilters,
  useSubscriptions,
} from '../store/subscriptions';

export function SubscriptionsScreen() {
  useEffect(() => refreshSubscriptions(), []);
  const filters = useSubscriptions((s) => s.filters);
  const exportFilters = useMemo(() => subscriptionListFilters(filters), [filters]);
  return (
    <>
      <h1 tabIndex={-1}>Subscriptions</h1>
      <div className="split">
        <section className="split-main" aria-label="Subscription list">
          <SubscriptionFilters />
          <div className="list-actions">
            <ExportCsvButton kind="subscriptions" filters={exportFilters} noun="subscriptions" />
          </div>
          <SubscriptionList />
        </section>
        <div className="split-side">
          <SubscriptionDetail />
          <SubscriptionForm />
        </div>
      </div>
    </>
  );
}
