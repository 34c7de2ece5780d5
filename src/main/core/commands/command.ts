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
  /** The clock's current time as an ISO string. */
  now(): string;
  /** Stage changes for the command's next commit. */
  stage(...changes: Change[]): void;
  /** Commit what is staged now and wait until it is durable (persist before calling out). */
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
  label(params: P, store: Store): string;
  /** Run the command; `previous` is the memo left by an undo when this is a redo. */
  execute(ctx: CommandContext, params: P, previous: M | null): Promise<Execution<R, M>>;
  /**
   * Compensate what the last execution did. Checks everything first and throws a conflict,
   * changing nothing, when what it would compensate has changed since.
   */
  undo(ctx: CommandContext, params: P, memo: M): Promise<M>;
}

/** Identity, to keep each declaration's type parameters inferred. */
export function defineCommand<P, R, M>(
  def: CommandDefinition<P, R, M>,
): CommandDefinition<P, R, M> {
  return def;
}
