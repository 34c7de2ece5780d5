/**
 * The audit log: a window onto a list that may hold a million entries, fetched a page at a
 * time as rows scroll into view (never the whole list), and its filters: origin, outcome
 * and a range of the operator's local days, sent to the core as `audit.list`'s filters.
 */
import { create } from 'zustand';
import type { AuditFilters } from '../../../shared/contract';
import type { AuditEntry } from '../../../shared/domain';
import { api } from './connection';
import { pagedList, type PagedRows } from './paged-list';

export interface AuditFilterValues {
  origin: NonNullable<AuditFilters['origin']> | '';
  outcome: NonNullable<AuditFilters['outcome']> | '';
  /** yyyy-mm-dd from a date input (a local day), or '' for no bound. */
  from: string;
  to: string;
}

export interface AuditState extends PagedRows<AuditEntry> {
  filters: AuditFilterValues;
  /** A filter the core (or the dates' order) refused, shown next to its field. */
  filterError: { field: 'from' | 'to' | 'origin' | 'outcome'; message: string } | null;
}

export const initialAudit: AuditState = {
  filters: { origin: '', outcome: '', from: '', to: '' },
  total: null,
  pages: {},
  fresh: {},
  loading: {},
  error: null,
  filterError: null,
  generation: 0,
  visible: { first: 0, last: 0 },
};
export const useAudit = create<AuditState>()(() => initialAudit);

const get = useAudit.getState;
const set = useAudit.setState;

/** The instant a local day starts (yyyy-mm-dd), as the core takes it; null if not a date. */
function localDayStart(day: string, plusDays = 0): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return null;
  const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + plusDays);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/**
 * The filters of `audit.list` for what the operator chose: days are the operator's own, so
 * "to 10 March" ends at the start of the 11th, local time. An error names the field.
 */
export function auditInput(
  values: AuditFilterValues,
): { ok: true; input: AuditFilters } | { ok: false; field: 'from' | 'to'; message: string } {
  const input: AuditFilters = {};
  if (values.origin) input.origin = values.origin;
  if (values.outcome) input.outcome = values.outcome;
  if (values.from) {
    const from = localDayStart(values.from);
    if (from === null) return { ok: false, field: 'from', message: 'Pick a date' };
    input.from = from;
  }
  if (values.to) {
    const to = localDayStart(values.to, 1);
    if (to === null) return { ok: false, field: 'to', message: 'Pick a date' };
    input.to = to;
  }
  if (input.from && input.to && input.to <= input.from) {
    return { ok: false, field: 'to', message: 'The end must be on or after the start' };
  }
  return { ok: true, input };
}

const FILTER_FIELDS = ['origin', 'outcome', 'from', 'to'] as const;
const isFilterField = (f: string | undefined): f is (typeof FILTER_FIELDS)[number] =>
  (FILTER_FIELDS as readonly string[]).includes(f ?? '');

const entries = pagedList<AuditEntry, AuditState, AuditFilters>(useAudit, {
  maxCachedPages: 20,
  query: (s) => {
    const filtered = auditInput(s.filters);
    return filtered.ok ? filtered.input : null;
  },
  list: (input) => api()['audit.list'](input),
  refused: (error) => {
    const field = error.field;
    return isFilterField(field)
      ? { filterError: { field, message: error.message.replace(/^\w+: /, '') }, total: 0 }
      : { error: error.message };
  },
  halted: (s) => s.filterError !== null,
});

/** Called by the list with the rows in view (overscan included): fetch missing pages. */
export const showAuditRange = entries.showRange;

/** New entries were written (a push event): refetch what is in view, keep showing the old rows. */
export const refreshAudit = entries.refresh;

/** The screen opens: show the newest entries again. */
export function loadAudit(): void {
  set((s) => ({ visible: { first: 0, last: 0 }, generation: s.generation + 1 }));
  refreshAudit();
}

/** Change the filters: the list starts again from its first row. */
export function setAuditFilters(change: Partial<AuditFilterValues>): void {
  const filters = { ...get().filters, ...change };
  const checked = auditInput(filters);
  set((s) => ({
    filters,
    filterError: checked.ok ? null : { field: checked.field, message: checked.message },
    generation: s.generation + 1,
    total: checked.ok ? null : 0,
    pages: {},
    fresh: {},
    loading: {},
    error: null,
    visible: { first: 0, last: 0 },
  }));
  if (checked.ok) showAuditRange(0, 0);
}
