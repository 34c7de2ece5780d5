/**
 * What a command is: one declaration per kind (its parameters' schema, a label for people,
 * `execute` and a compensating `undo`), read alike by the invoker, the history panels, the
 * menu and the audit log. Redo is `execute` again, given what the undo left in the memo.
 */
import type { z } from 'zod';
import type { CommandKind, Origin } from '../../../shared/domain';
import type { Change, Gateway, Store } from '../ports';

/** What a running command may touch. Changes are staged and committed together. */
export interface CommandContext {
  readonly store: Store;
  readonly gateway: Gateway;
  readonly origin: Origin;
  /** The key of the request the command runs for (stored with its first durable record). */
  readonly requestKey: string;
  /** The history entry being undone or redone; null for a first execution. */
  readonly entryId: string | null;
  /**
   * The gateway idempotency key of one call of this command ("charge", "refund/<payment>"),
   * derived from the request key (and the entry, for an undo or redo): the same call of the
   * same request always gets the same key.
   */
  gatewayKey(part: string): string;
  /** The clock's current time as an ISO string. */
  now(): string;
  /** Stage changes for the command's next commit. */
  stage(...changes: Change[]): void;
  /**
   * Commit what is staged now and wait until it, and everything committed before it, is
   * durable (persist before calling out). Concurrent callers each wait for their own changes.
   */
  flush(): Promise<void>;
  /** Report progress of a long run (a recurring run over many subscriptions). */
  progress(done: number, total: number): void;
}

export interface Execution<R, M> {
  result: R;
  /** What undo needs; null when nothing reversible happened (then no history entry). */
  memo: M | null;
  outcome: 'ok' | 'declined';
  /** A label that can only be told after the run ("Recurring run: 3 charges"). */
  label?: string;
  /** A note for the audit log (a decline reason). */
  message?: string;
  /** How it went, for the history panels ("Completed", "Paused", "3 charged, 1 failed"). */
  summary: string;
}

export interface CommandDefinition<P, R, M> {
  readonly kind: CommandKind;
  /** Validates parameters, also when a history entry is read back from disk. */
  readonly params: z.ZodType<P>;
  readonly memo: z.ZodType<M>;
  /** Irreversible commands (an explicit refund) become barriers: undo and redo never cross them. */
  readonly irreversible: boolean;
  /** Whether undoing or redoing it moves money (the UI confirms first). */
  readonly movesMoney: boolean;
  /**
   * The payments whose money its undo refunds or its redo charges again, from its memo: what
   * the confirmation of an undo or a redo totals before anything is done.
   */
  paymentsOf?(memo: M): readonly string[];
  label(params: P, store: Store): string;
  /** Run the command; `previous` is the memo left by an undo when this is a redo. */
  execute(ctx: CommandContext, params: P, previous: M | null): Promise<Execution<R, M>>;
  /**
   * Compensate what the last execution did. Checks everything first and throws a conflict,
   * changing nothing, when what it would compensate has changed since. Run again after an
   * interruption, it skips what it already compensated.
   */
  undo(ctx: CommandContext, params: P, memo: M): Promise<M>;
  /**
   * After a crash, once reconciliation has settled every record with the gateway: what an
   * execution (a redo when `previous` is given) under `ctx`'s keys did, read from the store
   * without calling out; null when it made nothing. Commands that change nothing outside one
   * commit have nothing to recover (a crash keeps all of their commit or none of it).
   */
  recover?(
    ctx: RecoveryContext,
    previous: M | null,
  ): { params: P; execution: Execution<R, M> } | null;
  /**
   * After a crash: the memo the undo under `ctx`'s keys returns when it had compensated
   * everything, else null (the entry stays on the undo stack, to be undone again).
   */
  recoverUndo?(ctx: RecoveryContext, params: P, memo: M): M | null;
}

/**
 * What recovery reads and writes: the store, the keys of the interrupted request, its start,
 * and the commit that finishes it (`stage`; recovery never calls the gateway).
 */
export interface RecoveryContext extends Pick<
  CommandContext,
  'store' | 'gatewayKey' | 'entryId' | 'stage' | 'now'
> {
  /** When the interrupted request started. */
  readonly startedAt: string;
}

/** Identity, to keep each declaration's type parameters inferred. */
export function defineCommand<P, R, M>(
  def: CommandDefinition<P, R, M>,
): CommandDefinition<P, R, M> {
  return def;
}
