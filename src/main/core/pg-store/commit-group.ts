/**
 * What one write to PostgreSQL carries: the commits of a group (their log rows, from whose
 * changes schema.ts's `paydesk_commit` also reads the records they put, each once, as put
 * last) and what the changes alone do not say: where the group's audit entries start, the
 * history stacks' difference, the settings, clock and cursor as the group left them. Pure:
 * the store's writer keeps the persisted history stacks and audit length and passes them in.
 */
import type { HistoryEntry } from '../../../shared/domain';
import type { Change } from '../ports';

/** A commit waiting for its write: its sequence number, changes, and stacks after it. */
export interface QueuedCommit {
  seq: number;
  changes: readonly Change[];
  /** The history stacks as the commit left them, when it changed them. */
  stacks: HistoryStacks | null;
}

export interface HistoryStacks {
  undo: readonly HistoryEntry[];
  redo: readonly HistoryEntry[];
}

/** The argument of `paydesk_commit` (see schema.ts). */
export interface CommitPayload {
  v: number;
  instance: string;
  last: number;
  commits: { seq: number; changes: readonly Change[] }[];
  /** The position of the group's first audit entry (they follow in the commits' order). */
  auditFrom: number;
  history: { stack: 'undo' | 'redo'; from: number; rows: HistoryEntry[] }[];
  meta: Record<string, unknown>;
}

/** What the database holds of the stacks and the audit log before the group. */
export interface Persisted {
  stacks: HistoryStacks;
  auditLength: number;
}

/**
 * The payload of `group` (in order), given what is `persisted`; also what is persisted once
 * it is written.
 */
export function commitPayload(
  group: readonly QueuedCommit[],
  persisted: Persisted,
  v: number,
  instance: string,
): { payload: CommitPayload; after: Persisted } {
  let audits = 0;
  const meta: Record<string, unknown> = {};
  let stacks: HistoryStacks | null = null;
  for (const commit of group) {
    for (const change of commit.changes) {
      switch (change.t) {
        case 'audit':
          audits++;
          break;
        case 'settings':
          // The meta table's rows have no version column: this one is the settings'.
          meta.settings = change.v;
          meta.settingsVersion = v;
          break;
        case 'gatewayCursor':
          meta.gatewayCursor = change.v;
          break;
        case 'clock':
          meta.testClock = change.v;
          break;
        default:
          // Records: read from the changes by the commit function. The history stacks'
          // changes: written as the stacks' difference below.
          break;
      }
    }
    if (commit.stacks !== null) stacks = commit.stacks;
  }
  const history: CommitPayload['history'] = [];
  if (stacks !== null) {
    for (const stack of ['undo', 'redo'] as const) {
      const from = commonPrefix(persisted.stacks[stack], stacks[stack]);
      if (from === persisted.stacks[stack].length && from === stacks[stack].length) continue;
      history.push({ stack, from, rows: stacks[stack].slice(from) });
    }
  }
  const last = group[group.length - 1]?.seq ?? 0;
  return {
    payload: {
      v,
      instance,
      last,
      commits: group.map(({ seq, changes }) => ({ seq, changes })),
      auditFrom: persisted.auditLength,
      history,
      meta,
    },
    after: {
      stacks: stacks ?? persisted.stacks,
      auditLength: persisted.auditLength + audits,
    },
  };
}

/** How many entries two stacks share from the bottom (the same entry objects). */
export function commonPrefix<T>(a: readonly T[], b: readonly T[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

/** Whether `changes` move a history stack. */
export function movesHistory(changes: readonly Change[]): boolean {
  return changes.some((c) => c.t.startsWith('undo.') || c.t.startsWith('redo.'));
}
