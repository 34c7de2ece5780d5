/**
 * The PostgreSQL store writes a group's history stacks as a difference (commit-group.ts):
 * the rows from the first position that changed are deleted and the rest written again. For
 * any run of pushes, pops, clears and removals by id, in groups of any size, doing that to
 * the rows as they were gives the stacks as the last commit left them; the audit entries'
 * positions follow on; settings, clock and cursor are the group's last.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { HistoryEntry } from '../../src/shared/domain';
import {
  commitPayload,
  type CommitPayload,
  type Persisted,
  type QueuedCommit,
} from '../../src/main/core/pg-store/commit-group';
import type { Change } from '../../src/main/core/ports';
import { auditEntry, historyEntry } from '../unit/store-fixtures';

type Op =
  | { kind: 'push'; stack: 'undo' | 'redo' }
  | { kind: 'pop'; stack: 'undo' | 'redo' }
  | { kind: 'remove'; stack: 'undo' | 'redo'; at: number }
  | { kind: 'clear' }
  | { kind: 'audit' };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('push' as const), stack: fc.constantFrom('undo', 'redo') }),
  fc.record({ kind: fc.constant('pop' as const), stack: fc.constantFrom('undo', 'redo') }),
  fc.record({
    kind: fc.constant('remove' as const),
    stack: fc.constantFrom('undo', 'redo'),
    at: fc.nat(20),
  }),
  fc.constant({ kind: 'clear' as const }),
  fc.constant({ kind: 'audit' as const }),
);

/** The rows as `paydesk_commit` leaves them after a payload's history. */
function applyRows(rows: HistoryEntry[], history: CommitPayload['history'], stack: string) {
  let out = rows;
  for (const h of history) {
    if (h.stack === stack) out = [...out.slice(0, h.from), ...h.rows];
  }
  return out;
}

it('writes the stacks and audit positions a group leaves, from the rows as they were', () => {
  fc.assert(
    fc.property(
      fc.array(fc.array(op, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 30 }),
      fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 30 }),
      (commits, groupSizes) => {
        let serial = 0;
        const undo: HistoryEntry[] = [];
        const redo: HistoryEntry[] = [];
        const stacks = { undo, redo };
        let rows = { undo: [] as HistoryEntry[], redo: [] as HistoryEntry[] };
        let persisted: Persisted = { stacks: { undo: [], redo: [] }, auditLength: 0 };
        let audits = 0;
        let queue: QueuedCommit[] = [];
        let seq = 0;
        const flush = () => {
          if (queue.length === 0) return;
          const { payload, after } = commitPayload(queue, persisted, 6, 'test');
          expect(payload.auditFrom).toBe(persisted.auditLength);
          rows = {
            undo: applyRows(rows.undo, payload.history, 'undo'),
            redo: applyRows(rows.redo, payload.history, 'redo'),
          };
          persisted = after;
          queue = [];
        };
        for (const [i, ops] of commits.entries()) {
          const changes: Change[] = [];
          for (const o of ops) {
            if (o.kind === 'push') {
              const entry = historyEntry(`h${serial++}`);
              stacks[o.stack].push(entry);
              changes.push({ t: `${o.stack}.push`, v: entry });
            } else if (o.kind === 'pop' && stacks[o.stack].length > 0) {
              stacks[o.stack].pop();
              changes.push({ t: `${o.stack}.pop` });
            } else if (o.kind === 'remove' && stacks[o.stack].length > 0) {
              const [gone] = stacks[o.stack].splice(o.at % stacks[o.stack].length, 1);
              changes.push({ t: `${o.stack}.remove`, v: gone?.id ?? '' });
            } else if (o.kind === 'clear') {
              redo.length = 0;
              changes.push({ t: 'redo.clear' });
            } else if (o.kind === 'audit') {
              audits++;
              changes.push({ t: 'audit', v: auditEntry(`a${serial++}`) });
            }
          }
          const moved = changes.some((c) => c.t !== 'audit');
          queue.push({
            seq: ++seq,
            changes,
            stacks: moved ? { undo: undo.slice(), redo: redo.slice() } : null,
          });
          if (queue.length >= (groupSizes[i % groupSizes.length] ?? 1)) flush();
        }
        flush();
        expect(rows.undo.map((e) => e.id)).toEqual(undo.map((e) => e.id));
        expect(rows.redo.map((e) => e.id)).toEqual(redo.map((e) => e.id));
        expect(persisted.auditLength).toBe(audits);
      },
    ),
    { numRuns: 300 },
  );
});

it('carries the last settings, clock and cursor of the group, and its last sequence number', () => {
  const queue: QueuedCommit[] = [
    { seq: 7, changes: [{ t: 'clock', v: '2030-01-01T00:00:00.000Z' }], stacks: null },
    { seq: 8, changes: [{ t: 'gatewayCursor', v: '3' }], stacks: null },
    {
      seq: 9,
      changes: [
        { t: 'gatewayCursor', v: '4' },
        { t: 'clock', v: null },
      ],
      stacks: null,
    },
  ];
  const { payload } = commitPayload(
    queue,
    { stacks: { undo: [], redo: [] }, auditLength: 0 },
    6,
    'i',
  );
  expect(payload.meta).toEqual({ testClock: null, gatewayCursor: '4' });
  expect(payload.last).toBe(9);
  expect(payload.commits.map((c) => c.seq)).toEqual([7, 8, 9]);
  expect(payload.history).toEqual([]);
});
