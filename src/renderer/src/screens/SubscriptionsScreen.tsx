/** Subscriptions: the list with its actions, the selected one's charges, the New form. */
import { useEffect } from 'react';
import { SubscriptionDetail } from '../components/subscriptions/SubscriptionDetail';
import { SubscriptionForm } from '../components/subscriptions/SubscriptionForm';
import { SubscriptionList } from '../components/subscriptions/SubscriptionList';
import { refreshSubscriptions } from '../store/subscriptions';

export function SubscriptionsScreen() {
  useEffect(() => refreshSubscriptions(), []);
  return (
    <>
      <h1 tabIndex={-1}>Subscriptions</h1>
      <div className="split">
        <section className="split-main" aria-label="Subscription list">
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
