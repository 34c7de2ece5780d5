/**
 * The payments table, virtualized: only the rows in view exist in the DOM, and their pages
 * (100 rows) are fetched as they scroll into view, so 100,000 payments scroll smoothly.
 * Keyboard: focus the table, then arrows, Page Up/Down, Home/End move; Enter opens a row.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { dateTime, money } from '../../lib/format';
import {
  paymentAt,
  refreshPayments,
  selectPayment,
  setFilters,
  showRange,
  usePayments,
} from '../../store/payments';
import { Empty, ErrorState, Loading } from '../States';
import { StatusBadge } from '../StatusBadge';

const ROW_HEIGHT = 40;
/** Wait for scrolling to pause this long before fetching the pages in view. */
const FETCH_DELAY_MS = 40;

export function PaymentsTable() {
  const state = usePayments(
    useShallow((s) => ({
      total: s.total,
      pages: s.pages,
      error: s.error,
      filters: s.filters,
      selectedId: s.selectedId,
    })),
  );
  const scrollRef = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(0);
  const count = state.total ?? 0;
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;

  useEffect(() => {
    const timer = setTimeout(() => showRange(first, last), FETCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [first, last]);

  useEffect(() => {
    virtualizer.scrollToOffset(0);
    setActive(0);
  }, [state.filters, virtualizer]);

  const moveTo = (index: number): void => {
    const next = Math.max(0, Math.min(count - 1, index));
    setActive(next);
    virtualizer.scrollToIndex(next, { align: 'auto' });
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    if (e.target !== e.currentTarget || count === 0) return;
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 400) / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = {
      ArrowDown: active + 1,
      ArrowUp: active - 1,
      PageDown: active + page,
      PageUp: active - page,
      Home: 0,
      End: count - 1,
    };
    const target = moves[e.key];
    if (target !== undefined) {
      e.preventDefault();
      moveTo(target);
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      const payment = paymentAt(usePayments.getState().pages, active);
      if (payment) selectPayment(payment.id);
    }
  };

  const order = state.filters.order;
  const filtered = state.filters.status !== '' || state.filters.customer.trim() !== '';

  return (
    <div
      role="grid"
      aria-label="Payments"
      aria-rowcount={count + 1}
      aria-colcount={4}
      aria-activedescendant={count > 0 ? `payment-row-${active}` : undefined}
      aria-busy={state.total === null && !state.error}
      tabIndex={0}
      className="ptable"
      onKeyDown={onKeyDown}
    >
      <div role="rowgroup" className="ptable-head">
        <div role="row" aria-rowindex={1} className="ptable-row">
          <div
            role="columnheader"
            aria-sort={order === 'desc' ? 'descending' : 'ascending'}
            className="cell cell-date"
          >
            <button
              type="button"
              className="sort-button"
              title={
                order === 'desc'
                  ? 'Newest first: show oldest first'
                  : 'Oldest first: show newest first'
              }
              onClick={() => setFilters({ order: order === 'desc' ? 'asc' : 'desc' })}
            >
              Date <span aria-hidden="true">{order === 'desc' ? '↓' : '↑'}</span>
            </button>
          </div>
          <div role="columnheader" className="cell cell-customer">
            Customer
          </div>
          <div role="columnheader" className="cell cell-amount">
            Amount
          </div>
          <div role="columnheader" className="cell cell-status">
            Status
          </div>
        </div>
      </div>
      <div ref={scrollRef} className="ptable-body" role="rowgroup">
        {state.error ? (
          <ErrorState message={state.error} onRetry={refreshPayments} />
        ) : state.total === null ? (
          <Loading>Loading payments…</Loading>
        ) : count === 0 ? (
          <Empty>
            {filtered
              ? 'No payments match these filters.'
              : 'No payments yet. Process the first one with the New payment form.'}
          </Empty>
        ) : (
          <div className="ptable-canvas" style={{ height: virtualizer.getTotalSize() }}>
            {items.map((item) => {
              const payment = paymentAt(state.pages, item.index);
              const selected = payment !== undefined && payment.id === state.selectedId;
              return (
                <div
                  key={item.key}
                  id={`payment-row-${item.index}`}
                  role="row"
                  aria-rowindex={item.index + 2}
                  aria-selected={selected}
                  className={`ptable-row${selected ? ' is-selected' : ''}${item.index === active ? ' is-active' : ''}`}
                  style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
                  onClick={() => {
                    setActive(item.index);
                    if (payment) selectPayment(payment.id);
                  }}
                >
                  {payment ? (
                    <>
                      <div role="gridcell" className="cell cell-date">
                        {dateTime(payment.createdAt)}
                      </div>
                      <div role="gridcell" className="cell cell-customer">
                        {payment.customerEmail}
                      </div>
                      <div role="gridcell" className="cell cell-amount">
                        {money(payment.amount, payment.currency)}
                      </div>
                      <div role="gridcell" className="cell cell-status">
                        <StatusBadge status={payment.status} />
                      </div>
                    </>
                  ) : (
                    <div role="gridcell" aria-colspan={4} className="cell cell-placeholder">
                      <span className="skeleton" aria-hidden="true" />
                      <span className="visually-hidden">Loading row {item.index + 1}</span>
                    </div>
                  )}
                </div>
              );
            })}
          </div>
        )}
      </div>
    </div>
  );
}
