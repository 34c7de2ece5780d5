/**
 * The audit log as a virtualized table: only the rows in view exist in the DOM, and their
 * pages (100 entries) are fetched as they scroll into view, so a million entries scroll as
 * smoothly as ten. Read-only: the scrolling body takes the focus, so arrows and Page Up/Down
 * scroll it from the keyboard.
 */
import { useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { AuditEntry, MovedMoney } from '../../../../shared/domain';
import { dateTimeSeconds, money, originText } from '../../lib/format';
import { ROW_HEIGHT, usePagedRows } from '../../lib/use-paged-rows';
import { refreshAudit, showAuditRange, useAudit } from '../../store/audit';
import { rowAt } from '../../store/paged-list';
import { Empty, ErrorState, Loading, RowPlaceholder } from '../States';

const OUTCOME_TEXT: Record<AuditEntry['outcome'], string> = {
  ok: 'Done',
  declined: 'Declined',
  error: 'Error',
};
const OUTCOME_BADGE: Record<AuditEntry['outcome'], string> = {
  ok: 'badge-completed',
  declined: 'badge-failed',
  error: 'badge-pending',
};
export const outcomeText = (outcome: AuditEntry['outcome']): string => OUTCOME_TEXT[outcome];

/**
 * "Charged $25.50", "Refunded €10.00", several currencies side by side; "None" when nothing
 * moved; "Not recorded" for entries older than the record of amounts.
 */
export function movedText(moved: readonly MovedMoney[] | undefined): string {
  if (moved === undefined) return 'Not recorded';
  const parts: string[] = [];
  for (const m of moved) {
    if (m.charged > 0) parts.push(`Charged ${money(m.charged, m.currency)}`);
    if (m.refunded > 0) parts.push(`Refunded ${money(m.refunded, m.currency)}`);
  }
  return parts.length === 0 ? 'None' : parts.join(', ');
}

/** A state (loading, empty, an error) as the table's one row, so the table stays a table. */
function StateRow({ children }: { children: React.ReactNode }) {
  return (
    <div role="row" aria-rowindex={2}>
      <div role="cell" aria-colspan={5}>
        {children}
      </div>
    </div>
  );
}

export function AuditTable() {
  const state = useAudit(
    useShallow((s) => ({
      total: s.total,
      pages: s.pages,
      error: s.error,
      filters: s.filters,
      filterError: s.filterError,
    })),
  );
  const scrollRef = useRef<HTMLDivElement>(null);
  const count = state.total ?? 0;
  const { virtualizer, items } = usePagedRows({
    count,
    scrollRef,
    showRange: showAuditRange,
    filters: state.filters,
  });

  const filtered = Object.values(state.filters).some((v) => v !== '');

  return (
    <div
      role="table"
      aria-label="Audit log"
      aria-rowcount={count + 1}
      aria-colcount={5}
      aria-busy={state.total === null && !state.error}
      className="ptable atable"
    >
      <div role="rowgroup" className="ptable-head">
        <div role="row" aria-rowindex={1} className="ptable-row">
          <div role="columnheader" className="cell cell-date">
            Time
          </div>
          <div role="columnheader" className="cell cell-origin">
            Origin
          </div>
          <div role="columnheader" className="cell cell-customer">
            Action
          </div>
          <div role="columnheader" className="cell cell-outcome">
            Outcome
          </div>
          <div role="columnheader" className="cell cell-moved">
            Amount moved
          </div>
        </div>
      </div>
      <div
        ref={scrollRef}
        className="ptable-body"
        role="rowgroup"
        // Focusable, so that the keyboard can scroll it (nothing in it takes the focus).
        tabIndex={0}
        aria-label="Audit entries"
      >
        {state.error ? (
          <StateRow>
            <ErrorState message={state.error} onRetry={refreshAudit} />
          </StateRow>
        ) : state.filterError ? (
          <StateRow>
            <Empty>Correct the filters to see entries.</Empty>
          </StateRow>
        ) : state.total === null ? (
          <StateRow>
            <Loading>Loading the audit log…</Loading>
          </StateRow>
        ) : count === 0 ? (
          <StateRow>
            <Empty>
              {filtered ? 'No entries match these filters.' : 'Nothing has been done yet.'}
            </Empty>
          </StateRow>
        ) : (
          <div className="ptable-canvas" style={{ height: virtualizer.getTotalSize() }}>
            {items.map((item) => {
              const entry = rowAt(state.pages, item.index);
              return (
                <div
                  key={item.key}
                  role="row"
                  aria-rowindex={item.index + 2}
                  className="ptable-row"
                  style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
                >
                  {entry ? (
                    <>
                      <div role="cell" className="cell cell-date">
                        {dateTimeSeconds(entry.at)}
                      </div>
                      <div role="cell" className="cell cell-origin">
                        {originText(entry.origin)}
                        {entry.operator && ` · ${entry.operator.name}`}
                      </div>
                      <div
                        role="cell"
                        className="cell cell-customer"
                        title={entry.message ? `${entry.label} — ${entry.message}` : entry.label}
                      >
                        {entry.label}
                        {entry.message && entry.outcome !== 'ok' && (
                          <span className="muted"> — {entry.message}</span>
                        )}
                      </div>
                      <div role="cell" className="cell cell-outcome">
                        <span className={`badge ${OUTCOME_BADGE[entry.outcome]}`}>
                          {OUTCOME_TEXT[entry.outcome]}
                        </span>
                      </div>
                      <div role="cell" className="cell cell-moved">
                        {movedText(entry.moved)}
                      </div>
                    </>
                  ) : (
                    <RowPlaceholder role="cell" columns={5} index={item.index} />
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
