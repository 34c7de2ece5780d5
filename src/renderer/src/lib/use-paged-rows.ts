/**
 * The virtualizer of a table over a paged list (the payments, the audit log): only the rows
 * in view exist in the DOM, and once scrolling pauses the list's store is told which rows
 * are in view, so that it fetches their pages. New filters scroll back to the first row.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, type RefObject } from 'react';

/** The height of every row of these tables (app.css lays them out on it). */
export const ROW_HEIGHT = 40;
/** Wait for scrolling to pause this long before fetching the pages in view. */
const FETCH_DELAY_MS = 40;

export interface PagedRowsOptions {
  /** Rows in the list (0 until its total is known). */
  count: number;
  scrollRef: RefObject<HTMLElement | null>;
  /** What the scrolling element holds above the rows (a sticky header row), in pixels. */
  scrollMargin?: number;
  /** The store's: fetch the pages of these rows. */
  showRange: (first: number, last: number) => void;
  /** The list's filters: another value scrolls back to the top. */
  filters: unknown;
}

export function usePagedRows({
  count,
  scrollRef,
  scrollMargin = 0,
  showRange,
  filters,
}: PagedRowsOptions) {
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    scrollMargin,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;

  useEffect(() => {
    const timer = setTimeout(() => showRange(first, last), FETCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [first, last, showRange]);

  useEffect(() => {
    virtualizer.scrollToOffset(0);
  }, [filters, virtualizer]);

  return { virtualizer, items };
}
