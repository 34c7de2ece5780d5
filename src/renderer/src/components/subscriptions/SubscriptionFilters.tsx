/**
 * Filters of the subscriptions list: a status (or those held for review) and any part of the
 * customer's e-mail or of the id (applied after a pause in typing).
 */
import { useEffect, useState } from 'react';
import { SUBSCRIPTION_STATUSES } from '../../../../shared/domain';
import { statusText } from '../../lib/format';
import {
  setSubscriptionFilters,
  useSubscriptions,
  type SubscriptionFilters as Filters,
} from '../../store/subscriptions';

const TYPING_PAUSE_MS = 300;

export function SubscriptionFilters() {
  const status = useSubscriptions((s) => s.filters.status);
  const applied = useSubscriptions((s) => s.filters.search);
  const total = useSubscriptions((s) => s.total);
  const [search, setSearch] = useState(applied);
  // A search set elsewhere (the Dashboard's link clears it) shows in the field.
  useEffect(() => setSearch((typed) => (typed.trim() === applied ? typed : applied)), [applied]);
  useEffect(() => {
    if (search.trim() === useSubscriptions.getState().filters.search) return;
    const timer = setTimeout(
      () => setSubscriptionFilters({ search: search.trim() }),
      TYPING_PAUSE_MS,
    );
    return () => clearTimeout(timer);
  }, [search]);
  return (
    <div className="filters" role="search" aria-label="Filter subscriptions">
      <div className="field field-inline">
        <label htmlFor="subscriptions-status">Status</label>
        <select
          id="subscriptions-status"
          value={status}
          onChange={(e) => setSubscriptionFilters({ status: e.target.value as Filters['status'] })}
        >
          <option value="">All</option>
          {SUBSCRIPTION_STATUSES.map((s) => (
            <option key={s} value={s}>
              {statusText(s)}
            </option>
          ))}
          <option value="REVIEW">Held for review</option>
        </select>
      </div>
      <div className="field field-inline">
        <label htmlFor="subscriptions-search">Customer</label>
        <input
          id="subscriptions-search"
          type="search"
          value={search}
          placeholder="Any part of the e-mail, or an id"
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => setSearch(e.target.value)}
        />
      </div>
      <p className="filters-count" aria-live="polite">
        {total === null ? '' : `${total.toLocaleString()} subscription${total === 1 ? '' : 's'}`}
      </p>
    </div>
  );
}
