/**
 * A window onto a list that may be huge (the payments, the audit log), kept in that list's
 * store: pages of PAGE_SIZE rows are fetched as rows scroll into view (never the whole
 * list), the pages farthest from view are dropped past a limit, and an answer to a list that
 * has changed since it was asked for (an older generation) is dropped. The store keeps its
 * own filters and says how to ask for a page and what a refusal means.
 */
import type { StoreApi } from 'zustand';
import type { Page, UnreadableRecord } from '../../../shared/contract';
import type { AppError, Result } from '../../../shared/result';

export const PAGE_SIZE = 100;

/** The part of a list's state that the window keeps. */
export interface PagedRows<T> {
  /** Rows matching the filters; null until the first page answers. */
  total: number | null;
  pages: Record<number, T[]>;
  /** Pages fetched since the last change: others are shown but refetched. */
  fresh: Record<number, true>;
  loading: Record<number, true>;
  error: string | null;
  /** Bumped whenever the list changes under us: older answers are dropped. */
  generation: number;
  visible: { first: number; last: number };
  /**
   * Rows whose record could not be read (a damaged stored body), by row index: the page
   * holds a hole there, and the list says what is wrong in its place.
   */
  unreadableRows?: Record<number, UnreadableRecord>;
}

export interface PagedSource<T, S extends PagedRows<T>, Q> {
  /** Pages kept in memory; the ones farthest from view are dropped first. */
  maxCachedPages: number;
  /** The list's filters as its operation takes them; null: nothing can be asked for now. */
  query: (state: S) => Q | null;
  list: (input: Q & { offset: number; limit: number }) => Promise<Result<Page<T>>>;
  /** What a refused page shows instead of rows. */
  refused: (error: AppError) => Partial<S>;
  /** Whether something other than an error stops the fetching (it shows instead of rows). */
  halted?: (state: S) => boolean;
}

export interface PagedList {
  /** Called by the list with the rows in view (overscan included): fetch missing pages. */
  showRange(first: number, last: number): void;
  /** The list changed (a push event): refetch what is in view, keep showing the old rows. */
  refresh(): void;
}

export function rowAt<T>(pages: Record<number, T[]>, index: number): T | undefined {
  return pages[Math.floor(index / PAGE_SIZE)]?.[index % PAGE_SIZE];
}

function without<T>(record: Record<number, T>, key: number): Record<number, T> {
  const copy = { ...record };
  delete copy[key];
  return copy;
}

function evictFarPages<T>(
  pages: Record<number, T[]>,
  center: number,
  max: number,
): Record<number, T[]> {
  const keys = Object.keys(pages).map(Number);
  if (keys.length <= max) return pages;
  const keep = keys.sort((a, b) => Math.abs(a - center) - Math.abs(b - center)).slice(0, max);
  return Object.fromEntries(keep.map((k) => [k, pages[k] as T[]]));
}

/**
 * A page's rows with a hole where each unreadable record would be (so that the rows after it
 * keep their places), and the list's unreadable rows with this page's.
 */
function withHoles<T>(
  data: Page<T>,
  first: number,
  known: Record<number, UnreadableRecord> = {},
): { items: T[]; unreadable: Record<number, UnreadableRecord> } {
  const unreadable = Object.fromEntries(
    Object.entries(known).filter(
      ([row]) => Number(row) < first || Number(row) >= first + PAGE_SIZE,
    ),
  );
  const missing = (data.unreadable ?? []).filter((r) => r.index !== undefined);
  if (missing.length === 0) return { items: data.items, unreadable };
  const at = new Map(missing.map((r) => [r.index as number, r]));
  const items: T[] = [];
  let next = 0;
  for (let i = 0; next < data.items.length; i++) {
    const record = at.get(i);
    if (record === undefined) items[i] = data.items[next++] as T;
    else unreadable[first + i] = record;
  }
  for (const [i, record] of at) unreadable[first + i] = record;
  return { items, unreadable };
}

export function pagedList<T, S extends PagedRows<T>, Q>(
  store: StoreApi<S>,
  source: PagedSource<T, S, Q>,
): PagedList {
  const get = store.getState;
  const set = (change: Partial<PagedRows<T>>): void => store.setState(change as Partial<S>);

  async function fetchPage(page: number): Promise<void> {
    const { generation } = get();
    const query = source.query(get());
    if (query === null) return;
    set({ loading: { ...get().loading, [page]: true } });
    const res = await source.list({ ...query, offset: page * PAGE_SIZE, limit: PAGE_SIZE });
    if (get().generation !== generation) return;
    if (!res.ok) {
      store.setState({ loading: without(get().loading, page), ...source.refused(res.error) });
      return;
    }
    const s = get();
    const { items, unreadable } = withHoles(res.data, page * PAGE_SIZE, s.unreadableRows);
    set({
      loading: without(s.loading, page),
      fresh: { ...s.fresh, [page]: true },
      unreadableRows: unreadable,
      pages: evictFarPages(
        { ...s.pages, [page]: items },
        Math.floor(s.visible.first / PAGE_SIZE),
        source.maxCachedPages,
      ),
      total: res.data.total,
      error: null,
    });
    // The total may have grown into pages that are now visible but not yet fetched.
    showRange(get().visible.first, get().visible.last);
  }

  function showRange(first: number, last: number): void {
    const state = get();
    if (state.visible.first !== first || state.visible.last !== last) {
      set({ visible: { first, last } });
    }
    if (state.error || source.halted?.(state)) return;
    // Page 0 is always wanted, even when the list was empty: else a refresh of an empty list
    // would fetch nothing and the first row would never appear.
    const lastRow = state.total === null ? 0 : Math.max(0, Math.min(last, state.total - 1));
    for (
      let page = Math.floor(first / PAGE_SIZE);
      page <= Math.floor(lastRow / PAGE_SIZE);
      page++
    ) {
      const s = get();
      if (!s.fresh[page] && !s.loading[page]) void fetchPage(page);
    }
  }

  function refresh(): void {
    const s = get();
    set({ generation: s.generation + 1, fresh: {}, loading: {}, error: null });
    showRange(get().visible.first, get().visible.last);
  }

  return { showRange, refresh };
}
