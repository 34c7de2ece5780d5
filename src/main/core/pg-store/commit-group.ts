/**
 * What one write to PostgreSQL carries: the commits of a group (their log rows) and the net
 * effect of their changes on the tables (schema.ts's `paydesk_commit` takes it as one jsonb
 * argument). Pure: the store's writer keeps the persisted history stacks and audit length
 * and passes them in.
 */
import type { AuditEntry, HistoryEntry } from '../../../shared/domain';
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
  payments: unknown[];
  refunds: unknown[];
  subscriptions: unknown[];
  idempotency: unknown[];
  auditFrom: number;
  audit: AuditEntry[];
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
  const byId = {
    payment: new Map<string, unknown>(),
    refund: new Map<string, unknown>(),
    subscription: new Map<string, unknown>(),
  };
  const idempotency = new Map<string, unknown>();
  const audit: AuditEntry[] = [];
  const meta: Record<string, unknown> = {};
  let stacks: HistoryStacks | null = null;
  for (const commit of group) {
    for (const change of commit.changes) {
      switch (change.t) {
        case 'payment':
        case 'refund':
        case 'subscription':
          // A Map keeps a key where it was first set: the record's first put fixes its order.
          byId[change.t].set(change.v.id, change.v);
          break;
        case 'idempotency':
          idempotency.set(change.v.key, change.v);
          break;
        case 'audit':
          audit.push(change.v);
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
          // The history stack changes: written as the stacks' difference below.
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
      payments: [...byId.payment.values()],
      refunds: [...byId.refund.values()],
      subscriptions: [...byId.subscription.values()],
      idempotency: [...idempotency.values()],
      auditFrom: persisted.auditLength,
      audit,
      history,
      meta,
    },
    after: {
      stacks: stacks ?? persisted.stacks,
      auditLength: persisted.auditLength + audit.length,
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
