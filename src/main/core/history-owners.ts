/**
 * Undo and redo per operator. The store keeps one undo stack and one redo stack, each entry
 * naming its operator (null: the single desk, and Paydesk itself); each operator's own
 * stacks are their entries in those, in the same order. Ctrl/Cmd+Z undoes the caller's last
 * entry wherever it lies: taken off the stack by a pop when it is on top (always so for the
 * single desk, whose stacks are everything), else by its id (`undo.remove`, `redo.remove`).
 * A new command clears only its operator's redo entries.
 *
 * An undo is refused when a colleague has since changed a record the entry changed (the
 * same payment or subscription): an entry of another operator above it on the undo stack
 * (pushed later) that names one of its records. Pure functions over the stacks.
 */
import type { HistoryEntry, OperatorRef } from '../../shared/domain';
import type { Change } from './ports';

/** Whose stacks: an operator's id, or null for the single desk. */
export type Owner = string | null;

export const ownerOf = (operator: OperatorRef | null): Owner => operator?.id ?? null;

const owns = (owner: Owner) => (e: HistoryEntry) => (e.operator?.id ?? null) === owner;

/** `owner`'s entries of `stack`, oldest first (the stack itself when they are all theirs). */
export function entriesOf(stack: readonly HistoryEntry[], owner: Owner): readonly HistoryEntry[] {
  const mine = owns(owner);
  return stack.every(mine) ? stack : stack.filter(mine);
}

/** The change that takes `entry` off the `which` stack: a pop when it is on top, else by id. */
export function takeOff(
  which: 'undo' | 'redo',
  stack: readonly HistoryEntry[],
  entry: HistoryEntry,
): Change {
  if (stack[stack.length - 1]?.id === entry.id) return { t: `${which}.pop` };
  return { t: `${which}.remove`, v: entry.id };
}

/** The changes that empty `owner`'s redo entries (none when they have none). */
export function clearRedo(stack: readonly HistoryEntry[], owner: Owner): Change[] {
  const mine = stack.filter(owns(owner));
  if (mine.length === 0) return [];
  if (mine.length === stack.length) return [{ t: 'redo.clear' }];
  return mine.map((e) => ({ t: 'redo.remove', v: e.id }));
}

/** The ids of the payments and subscriptions an entry names (params and memo, two levels). */
export function recordsOf(entry: HistoryEntry, payments: readonly string[] = []): Set<string> {
  const ids = new Set<string>(payments);
  const visit = (value: unknown, depth: number): void => {
    if (depth > 2 || typeof value !== 'object' || value === null) return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
      return;
    }
    for (const [key, v] of Object.entries(value)) {
      if ((key === 'paymentId' || key === 'subscriptionId') && typeof v === 'string') ids.add(v);
      else visit(v, depth + 1);
    }
  };
  visit(entry.params, 0);
  visit(entry.memo, 0);
  return ids;
}

/** A colleague's change to a record of an entry, made after it. */
export interface ChangedSince {
  /** Their entry. */
  by: HistoryEntry & { operator: OperatorRef };
  /** The record both name. */
  record: string;
}

/**
 * The newest entry of another operator above `entry` on the undo stack that names one of
 * its records (`records` gives an entry's), or null.
 */
export function changedSince(
  stack: readonly HistoryEntry[],
  entry: HistoryEntry,
  records: (e: HistoryEntry) => ReadonlySet<string>,
): ChangedSince | null {
  const index = stack.findIndex((e) => e.id === entry.id);
  if (index < 0) return null;
  const owner = ownerOf(entry.operator);
  let mine: ReadonlySet<string> | null = null;
  for (let i = stack.length - 1; i > index; i--) {
    const other = stack[i] as HistoryEntry;
    if (other.operator === null || other.operator.id === owner) continue;
    mine ??= records(entry);
    for (const id of records(other)) {
      if (mine.has(id)) return { by: other as ChangedSince['by'], record: id };
    }
  }
  return null;
}

/** "pay_…" or "sub_…" for people. */
const recordWords = (id: string): string =>
  id.startsWith('sub_') ? `subscription ${id}` : `payment ${id}`;

/** "2026-03-10 12:01 UTC". */
const when = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

/** Why an undo is refused: who changed what, and when. */
export function changedSinceMessage(entry: HistoryEntry, changed: ChangedSince): string {
  return (
    `Cannot undo "${entry.label}": ${changed.by.operator.name} changed ` +
    `${recordWords(changed.record)} since ("${changed.by.label}", ${when(changed.by.createdAt)}). ` +
    'Nothing was changed.'
  );
}
