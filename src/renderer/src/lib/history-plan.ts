/**
 * What undoing (or redoing) down to one entry involves, and whether the operator must
 * confirm it first: when money moves, or when more than one command is involved.
 */
import type { HistoryItem } from '../../../shared/contract';

export interface HistoryPlan {
  /** The entries that would be reversed, in the order the panel lists them. */
  entries: HistoryItem[];
  /** A barrier is among them: the core refuses, so the UI does not offer it. */
  blocked: boolean;
  needsConfirmation: boolean;
  movesMoney: boolean;
}

export function planTo(stack: readonly HistoryItem[], toId: string): HistoryPlan | null {
  const index = stack.findIndex((e) => e.id === toId);
  if (index === -1) return null;
  const entries = stack.slice(0, index + 1);
  const movesMoney = entries.some((e) => e.movesMoney);
  return {
    entries,
    blocked: entries.some((e) => e.barrier),
    movesMoney,
    needsConfirmation: movesMoney || entries.length > 1,
  };
}

/** Index of the first barrier: entries at or below it (older) cannot be reached. */
export function firstBarrier(stack: readonly HistoryItem[]): number {
  return stack.findIndex((e) => e.barrier);
}
