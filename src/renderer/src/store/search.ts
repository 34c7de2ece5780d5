/**
 * The Search dialog (Ctrl/Cmd+K): whether it is open, what is typed, and what the core found
 * for it (search.find). Typing asks again after a short pause; an answer to older text is
 * dropped.
 */
import { create } from 'zustand';
import type { SearchResults } from '../../../shared/contract';
import { api } from './connection';

export interface SearchState {
  open: boolean;
  text: string;
  /** What the core found for `foundFor`; null before the first answer. */
  results: SearchResults | null;
  foundFor: string;
  searching: boolean;
  error: string | null;
}

export const initialSearch: SearchState = {
  open: false,
  text: '',
  results: null,
  foundFor: '',
  searching: false,
  error: null,
};
export const useSearch = create<SearchState>()(() => initialSearch);

const get = useSearch.getState;
const set = useSearch.setState;

/** Hits of each kind asked for. */
export const SEARCH_LIMIT = 5;

export const openSearch = (): void => set({ ...initialSearch, open: true });
export const closeSearch = (): void => set({ open: false });
export const isSearchOpen = (): boolean => get().open;

export function setSearchText(text: string): void {
  set({ text });
  if (text.trim() === '') set({ results: null, foundFor: '', searching: false, error: null });
}

/** Asks the core what the current text names (the dialog calls it after a pause). */
export async function findText(): Promise<void> {
  const text = get().text.trim();
  if (text === '' || text === get().foundFor) return;
  set({ searching: true });
  const res = await api()['search.find']({ text, limit: SEARCH_LIMIT });
  if (get().text.trim() !== text) return;
  if (res.ok) set({ results: res.data, foundFor: text, searching: false, error: null });
  else set({ results: null, foundFor: text, searching: false, error: res.error.message });
}
