/**
 * The payments table, virtualized: only the rows in view exist in the DOM, and their pages
 * (100 rows) are fetched as they scroll into view, so 100,000 payments scroll smoothly.
 *
 * A WAI-ARIA grid with one Tab stop: the grid keeps the focus and points at the active row
 * or column header (aria-activedescendant: rows come and go as they scroll, so focus cannot
 * live in them). Arrows move (up from the first row reaches the column headers, left and
 * right move between them), Home/End and Page Up/Down jump, Enter or Space opens the row or
 * sorts by the header's column, Escape closes the open payment. Every column header sorts:
 * a first click by that column, the next one the other way.
 */
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { PaymentSort, UnreadableRecord } from '../../../../shared/contract';
import { dateTime, money } from '../../lib/format';
import { ROW_HEIGHT, usePagedRows } from '../../lib/use-paged-rows';
import { rowAt } from '../../store/paged-list';
import {
  refreshPayments,
  selectPayment,
  showRange,
  sortPayments,
  usePayments,
} from '../../store/payments';
import { Empty, ErrorState, Loading, RowPlaceholder } from '../States';
import { StatusBadge } from '../StatusBadge';

const COLUMNS: ReadonlyArray<{ sort: PaymentSort; label: string; className: string }> = [
  { sort: 'createdAt', label: 'Date', className: 'cell-date' },
  { sort: 'customerEmail', label: 'Customer', className: 'cell-customer' },
  { sort: 'amount', label: 'Amount', className: 'cell-amount' },
  { sort: 'currency', label: 'Currency', className: 'cell-currency' },
  { sort: 'status', label: 'Status', className: 'cell-status' },
];

/** Where the keyboard is: a data row, or a column header. */
type Active = { row: number } | { column: number };

/** The grid's id: the detail pane gives it the focus back when Escape closes it. */
export const PAYMENTS_GRID_ID = 'payments-grid';

const rowId = (index: number): string => `payment-row-${index}`;
const headerId = (column: number): string => `payment-col-${COLUMNS[column]?.sort ?? column}`;

/** A row whose stored payment cannot be read: its id and the error, which names the file and line. */
function UnreadableCell({ record }: { record: UnreadableRecord }) {
  const text = `Payment ${record.id} cannot be read: ${record.error}`;
  return (
    <div
      role="gridcell"
      aria-colspan={COLUMNS.length}
      className="cell cell-unreadable"
      title={text}
    >
      {text}
    </div>
  );
}

export function PaymentsTable() {
  const state = usePayments(
    useShallow((s) => ({
      total: s.total,
      pages: s.pages,
      unreadableRows: s.unreadableRows,
      error: s.error,
      filters: s.filters,
      selectedId: s.selectedId,
    })),
  );
  const gridRef = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState<Active>({ row: 0 });
  const count = state.total ?? 0;
  const { virtualizer, items } = usePagedRows({
    count,
    // The grid itself scrolls (one focusable scroll area), its header row sticking on top.
    scrollRef: gridRef,
    scrollMargin: ROW_HEIGHT,
    showRange,
    filters: state.filters,
  });

  useEffect(() => {
    setActive((a) => ('row' in a ? { row: 0 } : a));
  }, [state.filters]);

  const moveToRow = (index: number): void => {
    const next = Math.max(0, Math.min(count - 1, index));
    setActive({ row: next });
    virtualizer.scrollToIndex(next, { align: 'auto' });
  };

  const open = (index: number): void => {
    const payment = rowAt(usePayments.getState().pages, index);
    if (payment) selectPayment(payment.id);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === 'Escape') {
      if (usePayments.getState().selectedId === null) return;
      e.preventDefault();
      selectPayment(null);
      return;
    }
    if ('column' in active) {
      const moves: Record<string, number> = {
        ArrowLeft: active.column - 1,
        ArrowRight: active.column + 1,
        Home: 0,
        End: COLUMNS.length - 1,
      };
      const target = moves[e.key];
      if (target !== undefined) {
        e.preventDefault();
        setActive({ column: Math.max(0, Math.min(COLUMNS.length - 1, target)) });
      } else if (e.key === 'ArrowDown' || e.key === 'PageDown') {
        e.preventDefault();
        if (count > 0) moveToRow(0);
      } else if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        sortPayments((COLUMNS[active.column] as (typeof COLUMNS)[number]).sort);
      }
      return;
    }
    if (count === 0) {
      if (e.key === 'ArrowUp') {
        e.preventDefault();
        setActive({ column: 0 });
      }
      return;
    }
    const row = active.row;
    const page = Math.max(1, Math.floor((gridRef.current?.clientHeight ?? 400) / ROW_HEIGHT) - 1);
    if (e.key === 'ArrowUp' && row === 0) {
      e.preventDefault();
      setActive({ column: 0 });
      return;
    }
    const moves: Record<string, number> = {
      ArrowDown: row + 1,
      ArrowUp: row - 1,
      PageDown: row + page,
      PageUp: row - page,
      Home: 0,
      End: count - 1,
    };
    const target = moves[e.key];
    if (target !== undefined) {
      e.preventDefault();
      moveToRow(target);
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      open(row);
    }
  };

  const { sort, order } = state.filters;
  const filtered =
    state.filters.status !== '' ||
    state.filters.customer.trim() !== '' ||
    state.filters.currency !== '' ||
    state.filters.minAmount !== '' ||
    state.filters.maxAmount !== '' ||
    state.filters.from !== '' ||
    state.filters.to !== '';
  const activeId =
    'column' in active ? headerId(active.column) : count > 0 ? rowId(active.row) : undefined;

  return (
    <div
      ref={gridRef}
      id={PAYMENTS_GRID_ID}
      role="grid"
      aria-label="Payments"
      aria-rowcount={count + 1}
      aria-colcount={COLUMNS.length}
      aria-activedescendant={activeId}
      aria-busy={state.total === null && !state.error}
      tabIndex={0}
      className="ptable"
      onKeyDown={onKeyDown}
    >
      <div role="rowgroup" className="ptable-head">
        <div role="row" aria-rowindex={1} className="ptable-row">
          {COLUMNS.map((c, i) => {
            const sorted = c.sort === sort;
            const direction = order === 'desc' ? 'descending' : 'ascending';
            return (
              <div
                key={c.sort}
                id={headerId(i)}
                role="columnheader"
                aria-colindex={i + 1}
                aria-sort={sorted ? direction : 'none'}
                className={`cell ${c.className}${'column' in active && active.column === i ? ' is-active' : ''}`}
              >
                <button
                  type="button"
                  tabIndex={-1}
                  className="sort-button"
                  title={`Sort by ${c.label.toLowerCase()}`}
                  // The grid keeps the focus (one Tab stop): a click must not take it.
                  onMouseDown={(e) => e.preventDefault()}
                  onClick={() => {
                    setActive({ column: i });
                    sortPayments(c.sort);
                    gridRef.current?.focus({ preventScroll: true });
                  }}
                >
                  {c.label}{' '}
                  <span aria-hidden="true" className={sorted ? '' : 'sort-idle'}>
                    {sorted ? (order === 'desc' ? '↓' : '↑') : '↕'}
                  </span>
                </button>
              </div>
            );
          })}
        </div>
      </div>
      {/* Not a Tab stop of its own (Chromium makes a scrolling box one): the grid is. */}
      <div className="ptable-body" role="rowgroup">
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
              const payment = rowAt(state.pages, item.index);
              const selected = payment !== undefined && payment.id === state.selectedId;
              const isActive = 'row' in active && item.index === active.row;
              return (
                <div
                  key={item.key}
                  id={rowId(item.index)}
                  role="row"
                  aria-rowindex={item.index + 2}
                  aria-selected={selected}
                  className={`ptable-row${selected ? ' is-selected' : ''}${isActive ? ' is-active' : ''}`}
                  style={{
                    transform: `translateY(${item.start - ROW_HEIGHT}px)`,
                    height: ROW_HEIGHT,
                  }}
                  onMouseDown={(e) => {
                    // Keep the focus on the grid, where the keys work.
                    e.preventDefault();
                    gridRef.current?.focus({ preventScroll: true });
                  }}
                  onClick={() => {
                    setActive({ row: item.index });
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
                      <div role="gridcell" className="cell cell-currency">
                        {payment.currency}
                      </div>
                      <div role="gridcell" className="cell cell-status">
                        <StatusBadge status={payment.status} />
                      </div>
                    </>
                  ) : state.unreadableRows?.[item.index] !== undefined ? (
                    <UnreadableCell record={state.unreadableRows[item.index] as UnreadableRecord} />
                  ) : (
                    <RowPlaceholder role="gridcell" columns={COLUMNS.length} index={item.index} />
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
