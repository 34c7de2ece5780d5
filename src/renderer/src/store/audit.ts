/**
 * The audit log: a window onto a list that may hold a million entries, fetched a page at a
 * time as rows scroll into view (never the whole list), and its filters: origin, outcome
 * and a range of the operator's local days, sent to the core as `audit.list`'s filters.
 */
import { create } from 'zustand';
import type { AuditFilters, OperationInput } from '../../../shared/contract';
import type { AuditEntry } from '../../../shared/domain';
import { api } from './connection';

export const AUDIT_PAGE_SIZE = 100;
/** Pages kept in memory; the ones farthest from view are dropped first. */
const MAX_CACHED_PAGES = 20;

export interface AuditFilterValues {
  origin: NonNullable<AuditFilters['origin']> | '';
  outcome: NonNullable<AuditFilters['outcome']> | '';
  /** yyyy-mm-dd from a date input (a local day), or '' for no bound. */
  from: string;
  to: string;
}

export interface AuditState {
  filters: AuditFilterValues;
  /** Entries matching the filters; null until the first page answers. */
  total: number | null;
  pages: Record<number, AuditEntry[]>;
  /** Pages fetched since the last change: others are shown but refetched. */
  fresh: Record<number, true>;
  loading: Record<number, true>;
  error: string | null;
  /** A filter the core (or the dates' order) refused, shown next to its field. */
  filterError: { field: 'from' | 'to' | 'origin' | 'outcome'; message: string } | null;
  /** Bumped whenever the list changes under us: older answers are dropped. */
  generation: number;
  visible: { first: number; last: number };
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

export function entryAt(pages: AuditState['pages'], index: number): AuditEntry | undefined {
  return pages[Math.floor(index / AUDIT_PAGE_SIZE)]?.[index % AUDIT_PAGE_SIZE];
}

function without<T>(record: Record<number, T>, key: number): Record<number, T> {
  const copy = { ...record };
  delete copy[key];
  return copy;
}

function evictFarPages(
  pages: Record<number, AuditEntry[]>,
  center: number,
): Record<number, AuditEntry[]> {
  const keys = Object.keys(pages).map(Number);
  if (keys.length <= MAX_CACHED_PAGES) return pages;
  const keep = keys
    .sort((a, b) => Math.abs(a - center) - Math.abs(b - center))
    .slice(0, MAX_CACHED_PAGES);
  return Object.fromEntries(keep.map((k) => [k, pages[k] as AuditEntry[]]));
}

const FILTER_FIELDS = ['origin', 'outcome', 'from', 'to'] as const;
const isFilterField = (f: string | undefined): f is (typeof FILTER_FIELDS)[number] =>
  (FILTER_FIELDS as readonly string[]).includes(f ?? '');

async function fetchPage(page: number): Promise<void> {
  const { generation, filters } = get();
  const filtered = auditInput(filters);
  if (!filtered.ok) return;
  set((s) => ({ loading: { ...s.loading, [page]: true } }));
  const input: OperationInput<'audit.list'> = {
    ...filtered.input,
    offset: page * AUDIT_PAGE_SIZE,
    limit: AUDIT_PAGE_SIZE,
  };
  const res = await api()['audit.list'](input);
  if (get().generation !== generation) return;
  if (!res.ok) {
    const field = res.error.field;
    set((s) => ({
      loading: without(s.loading, page),
      ...(isFilterField(field)
        ? { filterError: { field, message: res.error.message.replace(/^\w+: /, '') }, total: 0 }
        : { error: res.error.message }),
    }));
    return;
  }
  set((s) => ({
    loading: without(s.loading, page),
    fresh: { ...s.fresh, [page]: true },
    pages: evictFarPages(
      { ...s.pages, [page]: res.data.items },
      Math.floor(s.visible.first / AUDIT_PAGE_SIZE),
    ),
    total: res.data.total,
    error: null,
  }));
  // The total may have grown into pages that are now visible but not yet fetched.
  showAuditRange(get().visible.first, get().visible.last);
}

/** Called by the list with the rows in view (overscan included): fetch missing pages. */
export function showAuditRange(first: number, last: number): void {
  const state = get();
  if (state.visible.first !== first || state.visible.last !== last) {
    set({ visible: { first, last } });
  }
  if (state.error || state.filterError) return;
  // Page 0 is always wanted, even when the list was empty, so that a refresh finds new rows.
  const lastRow = state.total === null ? 0 : Math.max(0, Math.min(last, state.total - 1));
  const lastPage = Math.floor(lastRow / AUDIT_PAGE_SIZE);
  for (let page = Math.floor(first / AUDIT_PAGE_SIZE); page <= lastPage; page++) {
    const s = get();
    if (!s.fresh[page] && !s.loading[page]) void fetchPage(page);
  }
}

/** New entries were written (a push event): refetch what is in view, keep showing the old rows. */
export function refreshAudit(): void {
  set((s) => ({ generation: s.generation + 1, fresh: {}, loading: {}, error: null }));
  const { visible } = get();
  showAuditRange(visible.first, visible.last);
}

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
