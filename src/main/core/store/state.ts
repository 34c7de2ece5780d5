/**
 * The store's whole state in memory: the tables, the history stacks, the audit log, the
 * idempotency cache, the settings and the test clock, the customers index; how a commit's changes are checked
 * and applied; and the capture of a snapshot image at one journal sequence number.
 */
import {
  DEFAULT_SETTINGS,
  type AuditEntry,
  type HistoryEntry,
  type IdempotencyRecord,
  type Payment,
  type Refund,
  type Settings,
  type Subscription,
} from '../../../shared/domain';
import type { Change } from '../ports';
import { CustomerIndex } from './customers';
import { CURRENT_FORMAT, type StoreFormat } from './format';
import type { PaymentBase } from './payment-base';
import { PaymentTable, type PaymentsCapture } from './payment-table';
import { RefundTable } from './refund-table';
import type { Section, SnapshotImage } from './snapshot';
import { SubscriptionTable } from './tables';

/** A snapshot's content (paydesk.json) as read and validated. */
export interface SnapshotDoc {
  schemaVersion: number;
  journalSeq: number;
  settings: Settings;
  testClock: string | null;
  gatewayCursor: string | null;
  /** Objects when read from an older layout; else the columns, bodies left in the file. */
  payments: Payment[] | PaymentBase;
  subscriptions: Subscription[];
  refunds: Refund[];
  undo: HistoryEntry[];
  redo: HistoryEntry[];
  audit: AuditEntry[];
  idempotency: IdempotencyRecord[];
}

/**
 * Idempotency records are kept this long for replays (at least the 24 hours promised):
 * compaction drops finished ones older than this, and at once those of keys Paydesk made
 * (nobody can send those again). Unfinished ones stay until start-up finishes them.
 */
export const IDEMPOTENCY_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export class DuplicateRecord extends Error {
  constructor(
    readonly section: Section,
    readonly id: string,
  ) {
    super(`${section}: the id ${JSON.stringify(id)} appears twice`);
  }
}

export class StoreState {
  readonly payments: PaymentTable;
  readonly subscriptions = new SubscriptionTable();
  readonly refunds = new RefundTable();
  undo: HistoryEntry[] = [];
  redo: HistoryEntry[] = [];
  audit: AuditEntry[] = [];
  readonly idempotency = new Map<string, IdempotencyRecord>();
  settings: Settings = DEFAULT_SETTINGS;
  testClock: string | null = null;
  gatewayCursor: string | null = null;
  private customerIndex: CustomerIndex | null = null;

  /** `format`: what the records are checked against (and how payments are written). */
  constructor(private readonly format: StoreFormat = CURRENT_FORMAT) {
    this.payments = new PaymentTable(format);
  }

  /** Builds the state from a validated snapshot; throws when an id appears twice. */
  static fromSnapshot(doc: SnapshotDoc, format: StoreFormat = CURRENT_FORMAT): StoreState {
    const state = new StoreState(format);
    const payment = Array.isArray(doc.payments)
      ? state.payments.loadObjects(doc.payments)
      : state.payments.loadBase(doc.payments);
    if (payment !== null) throw new DuplicateRecord('payments', payment);
    const subscription = state.subscriptions.load(doc.subscriptions);
    if (subscription !== null) throw new DuplicateRecord('subscriptions', subscription);
    const refund = state.refunds.load(doc.refunds);
    if (refund !== null) throw new DuplicateRecord('refunds', refund);
    state.undo = doc.undo;
    state.redo = doc.redo;
    state.audit = doc.audit;
    for (const r of doc.idempotency) state.idempotency.set(r.key, r);
    state.settings = doc.settings;
    state.testClock = doc.testClock;
    state.gatewayCursor = doc.gatewayCursor;
    return state;
  }

  /**
   * The customers index (customers.ts): built from the tables the first time it is asked
   * for, then kept up to date by their puts.
   */
  customers(): CustomerIndex {
    if (this.customerIndex === null) {
      const index = new CustomerIndex((key) => this.payments.newestChargedMs(key));
      this.payments.watch(index);
      this.subscriptions.watch(index);
      this.customerIndex = index;
    }
    return this.customerIndex;
  }

  /**
   * null when `changes` can be applied as a whole (every record valid, no pop of an empty
   * stack), else what is wrong. Nothing is applied either way.
   */
  check(changes: readonly unknown[]): string | null {
    if (!Array.isArray(changes)) return 'changes must be an array';
    let undo = this.undo.length;
    let redo = this.redo.length;
    for (let i = 0; i < changes.length; i++) {
      const change = changes[i] as Change;
      const problem = this.format.checkChange(change);
      if (problem !== null) return `change ${i}: ${problem}`;
      switch (change.t) {
        case 'undo.push':
          undo++;
          break;
        case 'undo.pop':
          if (undo-- === 0) return `change ${i}: undo.pop on an empty undo stack`;
          break;
        case 'redo.push':
          redo++;
          break;
        case 'redo.pop':
          if (redo-- === 0) return `change ${i}: redo.pop on an empty redo stack`;
          break;
        case 'redo.clear':
          redo = 0;
          break;
        case 'undo.remove':
        case 'redo.remove': {
          // On the stack before this commit, or pushed by it.
          const stack = change.t === 'undo.remove' ? this.undo : this.redo;
          const push = change.t === 'undo.remove' ? 'undo.push' : 'redo.push';
          const known =
            stack.some((e) => e.id === change.v) ||
            changes
              .slice(0, i)
              .some(
                (c) => (c as Change).t === push && (c as { v: { id: string } }).v.id === change.v,
              );
          if (!known) return `change ${i}: ${change.t} of ${change.v}, which is not on the stack`;
          if (change.t === 'undo.remove') undo--;
          else redo--;
          break;
        }
        case 'refund': {
          const conflict = this.refunds.conflict(change.v);
          if (conflict !== null) return `change ${i}: ${conflict}`;
          break;
        }
        default:
          break;
      }
    }
    return null;
  }

  /** Applies checked changes (see `check`). */
  apply(changes: readonly Change[]): void {
    for (const change of changes) {
      switch (change.t) {
        case 'payment':
          this.payments.put(change.v);
          break;
        case 'subscription':
          this.subscriptions.put(change.v);
          break;
        case 'audit':
          this.audit.push(change.v);
          break;
        case 'undo.push':
          this.undo.push(change.v);
          break;
        case 'undo.pop':
          this.undo.pop();
          break;
        case 'redo.push':
          this.redo.push(change.v);
          break;
        case 'redo.pop':
          this.redo.pop();
          break;
        case 'redo.clear':
          this.redo = [];
          break;
        case 'undo.remove':
          removeEntry(this.undo, change.v);
          break;
        case 'redo.remove':
          removeEntry(this.redo, change.v);
          break;
        case 'refund':
          this.refunds.put(change.v);
          break;
        case 'idempotency':
          this.idempotency.set(change.v.key, change.v);
          break;
        case 'gatewayCursor':
          this.gatewayCursor = change.v;
          break;
        case 'settings':
          this.settings = change.v;
          break;
        case 'clock':
          this.testClock = change.v;
          break;
      }
    }
  }

  /**
   * Drops finished idempotency records created more than IDEMPOTENCY_TTL_MS before `now`,
   * and finished ones of keys Paydesk made. Returns their keys.
   */
  dropExpiredIdempotency(now: Date): string[] {
    const cutoff = now.getTime() - IDEMPOTENCY_TTL_MS;
    const dropped: string[] = [];
    for (const [key, record] of this.idempotency) {
      if (record.answer === null) continue;
      if (!record.clientKey || Date.parse(record.createdAt) < cutoff) {
        this.idempotency.delete(key);
        dropped.push(key);
      }
    }
    return dropped;
  }

  /**
   * The image of the state as it is now, at journal sequence `journalSeq`, to write while
   * commits go on: shallow copies of the lists, sharing the (immutable) records.
   */
  capture(
    schemaVersion: number,
    journalSeq: number,
  ): SnapshotImage & { payments: PaymentsCapture } {
    return {
      schemaVersion,
      journalSeq,
      settings: this.settings,
      testClock: this.testClock,
      gatewayCursor: this.gatewayCursor,
      payments: this.payments.capture(),
      subscriptions: this.subscriptions.snapshot(),
      refunds: this.refunds.values(),
      undo: this.undo.slice(),
      redo: this.redo.slice(),
      audit: this.audit.slice(),
      idempotency: [...this.idempotency.values()],
    };
  }
}

export function emptySnapshot(schemaVersion: number): SnapshotDoc {
  return {
    schemaVersion,
    journalSeq: 0,
    settings: DEFAULT_SETTINGS,
    testClock: null,
    gatewayCursor: null,
    payments: [],
    subscriptions: [],
    refunds: [],
    undo: [],
    redo: [],
    audit: [],
    idempotency: [],
  };
}

/** Takes the entry `id` off `stack` (looked for from the top, where it usually is). */
function removeEntry(stack: HistoryEntry[], id: string): void {
  for (let i = stack.length - 1; i >= 0; i--) {
    if ((stack[i] as HistoryEntry).id === id) {
      stack.splice(i, 1);
      return;
    }
  }
}
