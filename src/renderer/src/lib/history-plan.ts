/**
 * What undoing (or redoing) down to one entry involves, and whether the operator must
 * confirm it first: when money moves, or when more than one command is involved; and how
 * the confirmation words it.
 */
import type { HistoryItem, HistoryPreview } from '../../../shared/contract';
import { money } from './format';

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

/**
 * The confirmation's words: the order the commands are taken in (an undo takes the newest
 * first; a redo the oldest of those undone first, as its panel lists them) and the money
 * that will move, totalled per currency when the core could tell it.
 */
export function planMessage(
  direction: 'undo' | 'redo',
  plan: HistoryPlan,
  preview: HistoryPreview | null,
): string {
  const order =
    plan.entries.length < 2
      ? ''
      : direction === 'undo'
        ? `This will undo these commands in this order, newest first.`
        : `This will redo these commands in this order, oldest first.`;
  if (!plan.movesMoney) return order;
  const total = preview?.amounts.map((a) => money(a.amount, a.currency)).join(' and ') ?? '';
  const charges = preview ? `${preview.charges} charge${preview.charges === 1 ? '' : 's'}` : '';
  const moves =
    direction === 'undo'
      ? total
        ? `Money will move: ${charges} refunded to customers, ${total} in all.`
        : 'Money will move: charges are refunded to customers.'
      : total
        ? `Money will move: customers are charged again, ${charges}, ${total} in all.`
        : 'Money will move: customers are charged again.';
  return [order, moves].filter(Boolean).join(' ');
}
