/**
 * The CommandInvoker: one serialized queue that runs every command, undo and redo, whoever
 * asks (operator, API, scheduler), so two never interleave (rule 5). It keeps the undo and
 * redo stacks and the append-only audit log in the store, so history survives restarts.
 */
import type { HistoryView } from '../../shared/contract';
import type { AuditEntry, CommandKind, HistoryEntry, Origin } from '../../shared/domain';
import { DomainError } from '../../shared/result';
import type { CommandContext, Execution } from './commands/command';
import { definitionOf, type ParamsOf, type ResultOf } from './commands/registry';
import { newId } from './ids';
import type { Change, Clock, Gateway, Store } from './ports';

export interface InvokerDeps {
  store: Store;
  gateway: Gateway;
  clock: Clock;
  /** Told after each commit that changed history (for push events and menus). */
  onHistoryChanged?: () => void;
  onProgress?: (done: number, total: number) => void;
}

/** Extra changes committed atomically with a command's final commit (an HTTP idempotency record). */
export type Finalizer = (result: unknown) => Change[];

export class CommandInvoker {
  private tail: Promise<unknown> = Promise.resolve();
  private depth = 0;
  private lastNow = { ms: Number.NaN, iso: '' };

  constructor(private readonly deps: InvokerDeps) {}

  /** Run `task` after everything queued before it; the queue goes on if it fails. */
  enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.tail.then(async () => {
      this.depth += 1;
      try {
        return await task();
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
    origin: Origin,
    finalize?: Finalizer,
  ): Promise<ResultOf<K>> {
    return this.enqueue(async () => {
      const def = definitionOf(kind);
      const parsed = def.params.parse(params);
      const startedAt = this.now();
      const ctx = this.context(origin);
      let execution: Execution<unknown, unknown>;
      try {
        execution = await def.execute(ctx, parsed, null);
      } catch (error) {
        await this.recordFailure(
          ctx,
          'execute',
          kind,
          def.label(parsed, this.deps.store),
          origin,
          error,
        );
        throw error;
      }
      const label = execution.label ?? def.label(parsed, this.deps.store);
      if (execution.memo !== null) {
        const entry: HistoryEntry = {
          id: newId('cmd'),
          kind,
          label,
          params: parsed,
          memo: execution.memo,
          origin,
          createdAt: startedAt,
          barrier: def.irreversible,
          movesMoney: def.movesMoney,
          outcome: execution.summary,
        };
        if (this.deps.store.redoStack().length > 0) ctx.stage({ t: 'redo.clear' });
        ctx.stage({ t: 'undo.push', v: entry });
      }
      ctx.stage(
        this.audit('execute', kind, label, origin, execution.outcome, execution.message ?? null),
      );
      if (finalize) ctx.stage(...finalize(execution.result));
      await ctx.flush();
      this.deps.onHistoryChanged?.();
      return execution.result as ResultOf<K>;
    });
  }

  /** Undo the last command, or every command down to and including entry `toId`. */
  undo(origin: Origin, toId?: string, limit?: number): Promise<HistoryView> {
    return this.enqueue(async () => {
      const stack = this.deps.store.undoStack();
      const count = this.countTo(stack, toId, 'undo');
      const targets = stack.slice(stack.length - count).reverse();
      const barrier = targets.find((e) => e.barrier);
      if (barrier) {
        throw new DomainError(
          'conflict',
          `"${barrier.label}" cannot be undone: a refund is final. Nothing before it can be undone either.`,
        );
      }
      for (const entry of targets) await this.undoOne(entry, origin);
      return this.view(limit);
    });
  }

  /** Redo the last undone command, or every undone command up to and including entry `toId`. */
  redo(origin: Origin, toId?: string, limit?: number): Promise<HistoryView> {
    return this.enqueue(async () => {
      const stack = this.deps.store.redoStack();
      const count = this.countTo(stack, toId, 'redo');
      const targets = stack.slice(stack.length - count).reverse();
      for (const entry of targets) await this.redoOne(entry, origin);
      return this.view(limit);
    });
  }

  /** The undo and redo stacks, newest first: at most `limit` entries of each (default all). */
  view(limit = Infinity): HistoryView {
    const strip = ({ params: _p, memo: _m, ...item }: HistoryEntry) => item;
    const newest = (stack: readonly HistoryEntry[]) =>
      stack
        .slice(Math.max(0, stack.length - limit))
        .reverse()
        .map(strip);
    const undoStack = this.deps.store.undoStack();
    const redoStack = this.deps.store.redoStack();
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

  private countTo(stack: readonly HistoryEntry[], toId: string | undefined, what: string): number {
    if (stack.length === 0) throw new DomainError('conflict', `Nothing to ${what}`);
    if (toId === undefined) return 1;
    const index = stack.findIndex((e) => e.id === toId);
    if (index < 0) {
      throw new DomainError('not_found', `No entry ${toId} in the ${what} history`, 'toId');
    }
    return stack.length - index;
  }

  private async undoOne(entry: HistoryEntry, origin: Origin): Promise<void> {
    const def = definitionOf(entry.kind);
    const ctx = this.context(origin);
    try {
      const memo = await def.undo(ctx, def.params.parse(entry.params), def.memo.parse(entry.memo));
      ctx.stage(
        { t: 'undo.pop' },
        { t: 'redo.push', v: { ...entry, memo } },
        this.audit('undo', entry.kind, `Undo: ${entry.label}`, origin, 'ok', null),
      );
      await ctx.flush();
    } catch (error) {
      await this.recordFailure(ctx, 'undo', entry.kind, `Undo: ${entry.label}`, origin, error);
      throw error;
    } finally {
      this.deps.onHistoryChanged?.();
    }
  }

  private async redoOne(entry: HistoryEntry, origin: Origin): Promise<void> {
    const def = definitionOf(entry.kind);
    const ctx = this.context(origin);
    try {
      const execution = await def.execute(
        ctx,
        def.params.parse(entry.params),
        def.memo.parse(entry.memo),
      );
      const label = execution.label ?? entry.label;
      ctx.stage({ t: 'redo.pop' });
      if (execution.memo !== null)
        ctx.stage({
          t: 'undo.push',
          v: { ...entry, label, memo: execution.memo, outcome: execution.summary },
        });
      ctx.stage(
        this.audit(
          'redo',
          entry.kind,
          `Redo: ${label}`,
          origin,
          execution.outcome,
          execution.message ?? null,
        ),
      );
      await ctx.flush();
    } catch (error) {
      await this.recordFailure(ctx, 'redo', entry.kind, `Redo: ${entry.label}`, origin, error);
      throw error;
    } finally {
      this.deps.onHistoryChanged?.();
    }
  }

  /**
   * A command that failed part-way: keep what it already committed (a PENDING payment is
   * reconciled later), drop what it only staged, and record the failure in the audit log.
   */
  private async recordFailure(
    ctx: StagingContext,
    action: AuditEntry['action'],
    kind: CommandKind,
    label: string,
    origin: Origin,
    error: unknown,
  ): Promise<void> {
    ctx.discard();
    const message = error instanceof Error ? error.message : String(error);
    await this.deps.store.commit([this.audit(action, kind, label, origin, 'error', message)]);
  }

  private audit(
    action: AuditEntry['action'],
    kind: string,
    label: string,
    origin: Origin,
    outcome: AuditEntry['outcome'],
    message: string | null,
  ): Change {
    return {
      t: 'audit',
      v: { id: newId('aud'), at: this.now(), origin, action, kind, label, outcome, message },
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

  private context(origin: Origin): StagingContext {
    const { store, gateway, onProgress } = this.deps;
    let staged: Change[] = [];
    return {
      store,
      gateway,
      origin,
      now: () => this.now(),
      stage: (...changes) => {
        staged.push(...changes);
      },
      flush: async () => {
        if (staged.length === 0) return;
        const batch = staged;
        staged = [];
        await store.commit(batch);
      },
      discard: () => {
        staged = [];
      },
      progress: (done, total) => onProgress?.(done, total),
    };
  }
}

interface StagingContext extends CommandContext {
  discard(): void;
}
