/**
 * The CommandInvoker: one serialized queue that runs every command, undo and redo, whoever
 * asks (operator, API, scheduler), so two never interleave (rule 6). It keeps the undo and
 * redo stacks and the append-only audit log in the store, so history survives restarts.
 *
 * Every call runs for a request (requests.ts): the request's record is written with the
 * first durable record of the work (a PENDING payment or refund) and finished with its
 * answer in the commit that ends the work, so a crash can never separate the two. At
 * start-up, once reconciliation has settled every PENDING record with the gateway,
 * `recoverRequests` finishes what a crash interrupted, from the records alone: a charge or a
 * refund gets its history entry and its answer, an undo whose refunds were all made moves
 * its entry to the redo stack; an undo that refunded only part stays on the undo stack.
 *
 * Each operator undoes and redoes their own entries (history-owners.ts): the stacks are
 * shared, an undo or redo takes the caller's newest entry, and an undo of what a colleague
 * has changed since is refused naming them. The single desk's entries are all of them.
 */
import type { HistoryPreview, HistoryView, OperationName } from '../../shared/contract';
import type {
  AuditEntry,
  CommandKind,
  HistoryEntry,
  IdempotencyRecord,
  MovedMoney,
  OperatorRef,
} from '../../shared/domain';
import { DomainError, fail, ok, type Result } from '../../shared/result';
import { storedAnswerOf } from './answers';
import type {
  CommandContext,
  CommandDefinition,
  Execution,
  RecoveryContext,
} from './commands/command';
import { definitionOf, type ParamsOf, type ResultOf } from './commands/registry';
import { appErrorOf, isFinalAnswer, isStorageFailure } from './failures';
import { newId } from './ids';
import { MoneyMoved, movedBy } from './moved';
import {
  changedSince,
  changedSinceMessage,
  clearRedo,
  entriesOf,
  ownerOf,
  recordsOf,
  takeOff,
} from './history-owners';
import type { Change, Clock, Gateway, Store } from './ports';
import { deriveKey, finishedRecord, startedRecord, type Request } from './requests';

export interface InvokerDeps {
  store: Store;
  gateway: Gateway;
  clock: Clock;
  /** Told after each commit that changed history (for push events and menus). */
  onHistoryChanged?: () => void;
  onProgress?: (done: number, total: number) => void;
  /** Where recovery reports what it finished. */
  log?: (message: string) => void;
}

type AnyDefinition = CommandDefinition<unknown, unknown, unknown>;

/**
 * The command an operation runs, for finishing its request after a crash (the service's
 * handlers run the same ones). Operations that change nothing outside one commit are not
 * here: a crash leaves no unfinished request of theirs.
 */
export const COMMAND_OF: Partial<Record<OperationName, CommandKind>> = {
  'payments.process': 'ProcessPayment',
  'payments.refund': 'RefundPayment',
  'recurring.run': 'RunRecurring',
  'scheduler.run': 'RunRecurring',
  'subscriptions.chargeMissed': 'ChargeMissedPeriods',
  'subscriptions.retryFailed': 'RetryFailedPeriod',
};

/** Who an entry is written for: the request's origin and operator. */
type Who = Pick<Request, 'origin' | 'operator'>;

/** Paydesk itself (start-up recovery's own entries). */
const SYSTEM: Who = { origin: 'system', operator: null };

/** The record of one request while the invoker works on it. */
class RequestRun {
  private written: boolean;
  private done = false;
  private readonly started: IdempotencyRecord;

  constructor(
    readonly request: Request,
    targets: readonly string[],
    startedAt: string,
    /** A record already on disk (a request recovered at start-up). */
    existing?: IdempotencyRecord,
  ) {
    this.started = existing ?? startedRecord(request, targets, startedAt);
    this.written = existing !== undefined;
  }

  set targets(ids: readonly string[]) {
    this.started.targets = [...ids];
  }

  /** The record to add to a commit in the middle of the work (once: the first). */
  beforeCommit(): Change[] {
    if (this.written || this.done) return [];
    this.written = true;
    return [{ t: 'idempotency', v: this.started }];
  }

  /**
   * The record with its answer, for the commit that ends the work: none when nothing of the
   * request reached the disk and nobody can ask for it again (a key Paydesk made).
   */
  finish(result: Result<unknown>, now: string): Change[] {
    if (this.done) return [];
    this.done = true;
    if (!this.written && !this.request.clientKey) return [];
    const answer = storedAnswerOf(this.request.operation, result, this.request.clientKey);
    return [{ t: 'idempotency', v: finishedRecord(this.started, answer, now) }];
  }
}

/** Where an execution, an undo or a redo stages what ends it, and the money it moved. */
interface Staging {
  stage(...changes: Change[]): void;
  /** The money moved by what was committed so far and what is staged now. */
  moved(): MovedMoney[];
}

interface StagingContext extends CommandContext, Staging {
  discard(): void;
}

/**
 * Thrown, before anything is done, by a request whose key another instance sharing the
 * database recorded while this one's waited in the queue: the service answers it as a
 * replay of that request.
 */
export class KeyTakenMeanwhile extends Error {
  constructor(readonly key: string) {
    super(`the idempotency key ${key} was taken meanwhile`);
  }
}

export class CommandInvoker {
  private tail: Promise<unknown> = Promise.resolve();
  private depth = 0;
  private lastNow = { ms: Number.NaN, iso: '' };

  constructor(private readonly deps: InvokerDeps) {}

  /**
   * Run `task` after everything queued before it; the queue goes on if it fails. It runs as
   * the one writer of the data (Store.exclusive), on the state others committed before it.
   */
  enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.tail.then(async () => {
      this.depth += 1;
      try {
        return await this.deps.store.exclusive(task);
      } finally {
        this.depth -= 1;
      }
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Whether a command is running right now. */
  get busy(): boolean {
    return this.depth > 0;
  }

  /** Resolves when everything queued so far has finished. */
  idle(): Promise<void> {
    return this.tail.then(() => undefined);
  }

  execute<K extends CommandKind>(
    kind: K,
    params: ParamsOf<K>,
    request: Request,
  ): Promise<ResultOf<K>> {
    return this.enqueue(() =>
      this.answering(request, async (run) => {
        const def = definitionOf(kind);
        const parsed = def.params.parse(params);
        const startedAt = this.now();
        const ctx = this.context(run, null);
        let execution: Execution<unknown, unknown>;
        try {
          execution = await def.execute(ctx, parsed, null);
        } catch (error) {
          await this.recordFailure(
            ctx,
            run,
            'execute',
            kind,
            def.label(parsed, this.deps.store),
            error,
          );
          throw error;
        }
        this.stageExecuted(ctx, kind, def, parsed, execution, request, startedAt, '');
        ctx.stage(...run.finish(ok(execution.result), this.now()));
        await ctx.flush();
        this.deps.onHistoryChanged?.();
        return execution.result as ResultOf<K>;
      }),
    );
  }

  /** Undo the last command, or every command down to and including entry `toId`. */
  undo(request: Request, toId?: string, limit?: number): Promise<HistoryView> {
    return this.enqueue(() =>
      this.answering(request, async (run) => {
        const stack = this.stackOf('undo', request);
        const count = this.countTo(stack, toId, 'undo');
        const targets = stack.slice(stack.length - count).reverse();
        const barrier = targets.find((e) => e.barrier);
        if (barrier) {
          throw new DomainError(
            'conflict',
            `"${barrier.label}" cannot be undone: a refund is final. Nothing before it can be undone either.`,
          );
        }
        this.refuseChangedSince(targets);
        run.targets = targets.map((e) => e.id);
        for (const [i, entry] of targets.entries()) {
          await this.undoOne(entry, run, i === targets.length - 1);
        }
        return this.view(limit, request.operator);
      }),
    );
  }

  /** Redo the last undone command, or every undone command up to and including entry `toId`. */
  redo(request: Request, toId?: string, limit?: number): Promise<HistoryView> {
    return this.enqueue(() =>
      this.answering(request, async (run) => {
        const stack = this.stackOf('redo', request);
        const count = this.countTo(stack, toId, 'redo');
        const targets = stack.slice(stack.length - count).reverse();
        run.targets = targets.map((e) => e.id);
        for (const [i, entry] of targets.entries()) {
          await this.redoOne(entry, run, i === targets.length - 1);
        }
        return this.view(limit, request.operator);
      }),
    );
  }

  /**
   * Run `work` in the queue for `request` and commit its changes with an audit entry (`kind`,
   * the label it gives) and the request's answer: for changes that are not commands (nothing
   * to undo), such as the operator accounts. A DomainError `work` throws is the answer.
   */
  audited<T>(
    request: Request,
    kind: string,
    work: () => { changes: Change[]; label: string; result: T },
  ): Promise<T> {
    return this.enqueue(() =>
      this.answering(request, async (run) => {
        const { changes, label, result } = work();
        await this.deps.store.commit([
          ...changes,
          this.audit('execute', kind, label, request, 'ok', null, []),
          ...run.finish(ok(result), this.now()),
        ]);
        return result;
      }),
    );
  }

  /**
   * `operator`'s undo and redo stacks (null: the single desk's), newest first: at most
   * `limit` entries of each (default all).
   */
  view(limit = Infinity, operator: OperatorRef | null = null): HistoryView {
    const strip = ({ params: _p, memo: _m, ...item }: HistoryEntry) => item;
    const newest = (stack: readonly HistoryEntry[]) =>
      stack
        .slice(Math.max(0, stack.length - limit))
        .reverse()
        .map(strip);
    const undoStack = this.stackOf('undo', { operator });
    const redoStack = this.stackOf('redo', { operator });
    const undo = newest(undoStack);
    const redo = newest(redoStack);
    const top = undo[0];
    return {
      undo,
      redo,
      undoTotal: undoStack.length,
      redoTotal: redoStack.length,
      nextUndo: top && !top.barrier ? top.label : null,
      nextRedo: redo[0]?.label ?? null,
    };
  }

  /**
   * Finishes every request a crash left unfinished, oldest first, from what the store holds
   * once reconciliation has settled its PENDING records: never calls the gateway. Run it
   * through the queue, before anything else. Returns how many it finished.
   */
  async recoverRequests(): Promise<number> {
    const unfinished = this.deps.store
      .unfinishedRequests()
      .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
    for (const record of unfinished) {
      const request: Request = {
        key: record.key,
        clientKey: record.clientKey,
        fingerprint: record.fingerprint,
        // A record's operation is one the service wrote: a name of the contract.
        operation: record.operation as OperationName,
        origin: record.origin,
        operator: record.operator,
      };
      const run = new RequestRun(request, record.targets, record.createdAt, record);
      if (record.operation === 'history.undo') await this.recoverUndo(run, record);
      else if (record.operation === 'history.redo') await this.recoverRedo(run, record);
      else await this.recoverExecution(run, record);
    }
    if (unfinished.length > 0) this.deps.onHistoryChanged?.();
    return unfinished.length;
  }

  // -- one entry --------------------------------------------------------------------------

  private async undoOne(entry: HistoryEntry, run: RequestRun, last: boolean): Promise<void> {
    const def = definitionOf(entry.kind);
    const ctx = this.context(run, entry.id);
    const label = `Undo: ${entry.label}`;
    try {
      const memo = await def.undo(ctx, def.params.parse(entry.params), def.memo.parse(entry.memo));
      this.stageUndone(ctx, entry, memo, run.request, label);
      ctx.stage(...(last ? run.finish(ok(null), this.now()) : run.beforeCommit()));
      await ctx.flush();
    } catch (error) {
      await this.recordFailure(ctx, run, 'undo', entry.kind, label, error);
      throw error;
    } finally {
      this.deps.onHistoryChanged?.();
    }
  }

  private async redoOne(entry: HistoryEntry, run: RequestRun, last: boolean): Promise<void> {
    const def = definitionOf(entry.kind);
    const ctx = this.context(run, entry.id);
    try {
      const execution = await def.execute(
        ctx,
        def.params.parse(entry.params),
        def.memo.parse(entry.memo),
      );
      this.stageRedone(ctx, entry, execution, run.request, '');
      ctx.stage(...(last ? run.finish(ok(null), this.now()) : run.beforeCommit()));
      await ctx.flush();
    } catch (error) {
      await this.recordFailure(ctx, run, 'redo', entry.kind, `Redo: ${entry.label}`, error);
      throw error;
    } finally {
      this.deps.onHistoryChanged?.();
    }
  }

  // -- what an execution, an undo and a redo commit -----------------------------------------

  private stageExecuted(
    ctx: Staging,
    kind: CommandKind,
    def: AnyDefinition,
    params: unknown,
    execution: Execution<unknown, unknown>,
    who: Who,
    startedAt: string,
    note: string,
  ): void {
    const label = execution.label ?? def.label(params, this.deps.store);
    if (execution.memo !== null) {
      const entry: HistoryEntry = {
        id: newId('cmd'),
        kind,
        label,
        params,
        memo: execution.memo,
        origin: who.origin,
        createdAt: startedAt,
        barrier: def.irreversible,
        movesMoney: def.movesMoney,
        outcome: execution.summary,
        operator: who.operator,
      };
      ctx.stage(...clearRedo(this.deps.store.redoStack(), ownerOf(who.operator)));
      ctx.stage({ t: 'undo.push', v: entry });
    }
    ctx.stage(
      this.audit(
        'execute',
        kind,
        label + note,
        who,
        execution.outcome,
        execution.message ?? null,
        ctx.moved(),
      ),
    );
  }

  private stageUndone(
    ctx: Staging,
    entry: HistoryEntry,
    memo: unknown,
    who: Who,
    label: string,
  ): void {
    ctx.stage(
      takeOff('undo', this.deps.store.undoStack(), entry),
      // The redo is theirs who undid it.
      { t: 'redo.push', v: { ...entry, memo, operator: who.operator } },
      this.audit('undo', entry.kind, label, who, 'ok', null, ctx.moved()),
    );
  }

  private stageRedone(
    ctx: Staging,
    entry: HistoryEntry,
    execution: Execution<unknown, unknown>,
    who: Who,
    note: string,
  ): void {
    const label = execution.label ?? entry.label;
    ctx.stage(takeOff('redo', this.deps.store.redoStack(), entry));
    if (execution.memo !== null) {
      ctx.stage({
        t: 'undo.push',
        v: {
          ...entry,
          label,
          memo: execution.memo,
          outcome: execution.summary,
          operator: who.operator,
        },
      });
    }
    ctx.stage(
      this.audit(
        'redo',
        entry.kind,
        `Redo: ${label}${note}`,
        who,
        execution.outcome,
        execution.message ?? null,
        ctx.moved(),
      ),
    );
  }

  // -- recovery ---------------------------------------------------------------------------

  private async recoverExecution(run: RequestRun, record: IdempotencyRecord): Promise<void> {
    const kind = COMMAND_OF[run.request.operation];
    const def = kind === undefined ? undefined : definitionOf(kind);
    const { ctx, staged } = this.recoveryContext(run, null, record.createdAt);
    const recovered = def?.recover?.(ctx, null) ?? null;
    if (kind === undefined || def === undefined || recovered === null) {
      await this.finishInterrupted(
        run,
        `${run.request.operation} was interrupted by a restart before it did anything`,
      );
      return;
    }
    const { params, execution } = recovered;
    this.stageExecuted(ctx, kind, def, params, execution, run.request, record.createdAt, RECOVERED);
    staged.push(...run.finish(ok(execution.result), this.now()));
    await this.deps.store.commit(staged);
    this.deps.log?.(
      `Finished request ${run.request.key} (${run.request.operation}) after a restart`,
    );
  }

  private async recoverUndo(run: RequestRun, record: IdempotencyRecord): Promise<void> {
    for (const id of record.targets) {
      const stack = this.stackOf('undo', run.request);
      if (!stack.some((e) => e.id === id)) continue;
      const entry = stack[stack.length - 1] as HistoryEntry;
      const def = definitionOf(entry.kind);
      const { ctx, staged } = this.recoveryContext(run, entry.id, record.createdAt);
      const memo =
        entry.id === id
          ? (def.recoverUndo?.(ctx, def.params.parse(entry.params), def.memo.parse(entry.memo)) ??
            null)
          : null;
      if (memo === null) {
        await this.finishInterrupted(
          run,
          `The undo of "${entry.label}" was interrupted by a restart; what it refunded is recorded. Undo it again to finish.`,
        );
        return;
      }
      this.stageUndone(ctx, entry, memo, run.request, `Undo: ${entry.label}${RECOVERED}`);
      await this.deps.store.commit(staged);
    }
    await this.deps.store.commit(run.finish(ok(null), this.now()));
  }

  private async recoverRedo(run: RequestRun, record: IdempotencyRecord): Promise<void> {
    for (const id of record.targets) {
      const stack = this.stackOf('redo', run.request);
      if (!stack.some((e) => e.id === id)) continue;
      const entry = stack[stack.length - 1] as HistoryEntry;
      const def = definitionOf(entry.kind);
      const { ctx, staged } = this.recoveryContext(run, entry.id, record.createdAt);
      const recovered =
        entry.id === id ? (def.recover?.(ctx, def.memo.parse(entry.memo)) ?? null) : null;
      if (recovered === null) {
        await this.finishInterrupted(
          run,
          `The redo of "${entry.label}" was interrupted by a restart before it did anything. Redo it again.`,
        );
        return;
      }
      this.stageRedone(ctx, entry, recovered.execution, run.request, RECOVERED);
      await this.deps.store.commit(staged);
    }
    await this.deps.store.commit(run.finish(ok(null), this.now()));
  }

  /** Ends an interrupted request with a conflict that says what to do. */
  private async finishInterrupted(run: RequestRun, message: string): Promise<void> {
    await this.deps.store.commit([
      this.audit('reconcile', 'Request', message, SYSTEM, 'error', run.request.key, []),
      ...run.finish(fail('conflict', message), this.now()),
    ]);
    this.deps.log?.(`Request ${run.request.key}: ${message}`);
  }

  private recoveryContext(
    run: RequestRun,
    entryId: string | null,
    startedAt: string,
  ): { ctx: RecoveryContext & Staging; staged: Change[] } {
    const staged: Change[] = [];
    return {
      staged,
      ctx: {
        store: this.deps.store,
        entryId,
        startedAt,
        gatewayKey: keyScope(run.request.key, entryId),
        stage: (...changes) => void staged.push(...changes),
        // Only what the recovery's own commit settles: what start-up reconciliation settled
        // for it is in reconciliation's entries, and is not counted twice.
        moved: () => movedBy(staged),
        now: () => this.now(),
      },
    };
  }

  // -- plumbing ---------------------------------------------------------------------------

  /**
   * Runs `work` for `request`; when it fails with a final answer before its record was
   * finished, that is the request's answer (stored when the caller may ask again).
   */
  private async answering<T>(request: Request, work: (run: RequestRun) => Promise<T>): Promise<T> {
    // Another instance on the same database may have taken this key since the service looked.
    if (request.clientKey && this.deps.store.getIdempotencyRecord(request.key) !== undefined) {
      throw new KeyTakenMeanwhile(request.key);
    }
    const run = new RequestRun(request, [], this.now());
    try {
      return await work(run);
    } catch (error) {
      if (isFinalAnswer(error)) {
        const changes = run.finish({ ok: false, error: appErrorOf(error) }, this.now());
        if (changes.length > 0) await this.deps.store.commit(changes).catch(() => undefined);
      }
      throw error;
    }
  }

  /**
   * What undoing (or redoing) the next entry, or down to entry `toId`, would do: the entries
   * in the order it takes them, and the money it would move per currency (what an undo
   * refunds, what a redo charges again), read from their memos. Nothing runs: the UI shows
   * it in the confirmation.
   */
  preview(
    direction: 'undo' | 'redo',
    toId?: string,
    operator: OperatorRef | null = null,
  ): HistoryPreview {
    const stack = this.stackOf(direction, { operator });
    const targets = stack.slice(stack.length - this.countTo(stack, toId, direction)).reverse();
    const amounts = new Map<string, number>();
    let charges = 0;
    for (const entry of targets) {
      const def = definitionOf(entry.kind);
      const memo = def.memo.safeParse(entry.memo);
      if (!def.movesMoney || !def.paymentsOf || !memo.success) continue;
      for (const id of def.paymentsOf(memo.data)) {
        const payment = this.deps.store.getPayment(id);
        if (!payment) continue;
        const amount =
          direction === 'undo' ? payment.amount - payment.refundedAmount : payment.amount;
        if (amount <= 0) continue;
        charges += 1;
        amounts.set(payment.currency, (amounts.get(payment.currency) ?? 0) + amount);
      }
    }
    return {
      entries: targets.map((e) => e.id),
      charges,
      amounts: [...amounts]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([currency, amount]) => ({ currency, amount })),
    };
  }

  /** The caller's own entries of the undo or redo stack (the single desk's: its whole stack). */
  private stackOf(which: 'undo' | 'redo', who: Pick<Request, 'operator'>): readonly HistoryEntry[] {
    const stack = which === 'undo' ? this.deps.store.undoStack() : this.deps.store.redoStack();
    return entriesOf(stack, ownerOf(who.operator));
  }

  /**
   * A conflict naming the colleague and the moment, when one of `targets` changed a record
   * (a payment, a subscription) that another operator has changed since: nothing is undone.
   */
  private refuseChangedSince(targets: readonly HistoryEntry[]): void {
    const stack = this.deps.store.undoStack();
    const records = (entry: HistoryEntry): ReadonlySet<string> => {
      const def = definitionOf(entry.kind);
      const memo = def.memo.safeParse(entry.memo);
      return recordsOf(entry, memo.success ? (def.paymentsOf?.(memo.data) ?? []) : []);
    };
    for (const entry of targets) {
      const changed = changedSince(stack, entry, records);
      if (changed !== null) throw new DomainError('conflict', changedSinceMessage(entry, changed));
    }
  }

  private countTo(stack: readonly HistoryEntry[], toId: string | undefined, what: string): number {
    if (stack.length === 0) throw new DomainError('conflict', `Nothing to ${what}`);
    if (toId === undefined) return 1;
    const index = stack.findIndex((e) => e.id === toId);
    if (index < 0) {
      throw new DomainError('not_found', `No entry ${toId} in the ${what} history`, 'toId');
    }
    return stack.length - index;
  }

  /**
   * A command that failed part-way: keep what it already committed (a PENDING payment or
   * refund is reconciled later), drop what it only staged, and record the failure in the
   * audit log with the request's answer. Nothing is written when the store cannot write.
   */
  private async recordFailure(
    ctx: StagingContext,
    run: RequestRun,
    action: AuditEntry['action'],
    kind: CommandKind,
    label: string,
    error: unknown,
  ): Promise<void> {
    ctx.discard();
    if (isStorageFailure(error)) return;
    const appError = appErrorOf(error);
    await this.deps.store
      .commit([
        this.audit(action, kind, label, run.request, 'error', appError.message, ctx.moved()),
        ...(isFinalAnswer(error) ? run.finish({ ok: false, error: appError }, this.now()) : []),
      ])
      .catch(() => undefined);
  }

  private audit(
    action: AuditEntry['action'],
    kind: string,
    label: string,
    who: Who,
    outcome: AuditEntry['outcome'],
    message: string | null,
    moved: MovedMoney[],
  ): Change {
    return {
      t: 'audit',
      v: {
        id: newId('aud'),
        at: this.now(),
        origin: who.origin,
        action,
        kind,
        label,
        outcome,
        message,
        moved,
        operator: who.operator,
      },
    };
  }

  /**
   * The clock's time as ISO text. The text of the last millisecond asked is kept: a
   * recurring run asks several times per charge, within the same few milliseconds.
   */
  private now(): string {
    const ms = this.deps.clock.now().getTime();
    if (ms !== this.lastNow.ms) this.lastNow = { ms, iso: new Date(ms).toISOString() };
    return this.lastNow.iso;
  }

  private context(run: RequestRun, entryId: string | null): StagingContext {
    const { store, gateway, onProgress } = this.deps;
    let staged: Change[] = [];
    let durable: Promise<void> = Promise.resolve();
    /** The money moved by what this context committed (a run commits batch by batch). */
    const committed = new MoneyMoved();
    return {
      store,
      gateway,
      origin: run.request.origin,
      requestKey: run.request.key,
      entryId,
      gatewayKey: keyScope(run.request.key, entryId),
      now: () => this.now(),
      stage: (...changes) => {
        staged.push(...changes);
      },
      flush: () => {
        if (staged.length > 0) {
          const batch = [...run.beforeCommit(), ...staged];
          committed.addAll(staged);
          staged = [];
          const commit = store.commit(batch);
          durable = Promise.all([durable, commit]).then(() => undefined);
        }
        return durable;
      },
      discard: () => {
        staged = [];
      },
      moved: () => committed.with(staged),
      progress: (done, total) => onProgress?.(done, total),
    };
  }
}

/** Appended to the labels of what recovery finished. */
const RECOVERED = ' (finished after a restart)';

/** Gateway keys of one request, scoped to the history entry an undo or redo works on. */
function keyScope(requestKey: string, entryId: string | null): (part: string) => string {
  return (part) => deriveKey(requestKey, entryId === null ? part : `${entryId}/${part}`);
}
