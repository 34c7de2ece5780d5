/**
 * Running a command the operator asked for: call the core, then toast what happened with an
 * Undo button for exactly that command (found by comparing the undo history before and
 * after, so an unrelated entry is never undone by mistake).
 */
import type {
  CallOptions,
  OperationInput,
  OperationName,
  OperationOutput,
} from '../../../shared/contract';
import type { CommandKind } from '../../../shared/domain';
import type { Result } from '../../../shared/result';
import type { IntentOptions } from '../lib/intent';
import { api } from './connection';
import { travelTo } from './history';
import { showToast, type ToastLevel } from './toasts';

/** `idempotencyKey`: the key of the operator's intent (lib/intent.ts), the same on a retry. */
export interface CommandOptions<K extends OperationName> extends IntentOptions {
  /** The history entry kind the command records, when it can be undone. */
  kind?: CommandKind;
  describe: (data: OperationOutput<K>) => string;
  level?: (data: OperationOutput<K>) => ToastLevel;
}

/**
 * Entries looked at on top of the undo stack to find the one a command added: more than the
 * other commands (API, scheduler) can add meanwhile, far fewer than a year of history.
 */
const NEWEST = 50;

async function undoIds(): Promise<Set<string> | null> {
  const res = await api()['history.get']({ limit: NEWEST });
  return res.ok ? new Set(res.data.undo.map((e) => e.id)) : null;
}

async function newEntryId(kind: CommandKind, before: Set<string>): Promise<string | null> {
  const res = await api()['history.get']({ limit: NEWEST });
  if (!res.ok) return null;
  const entry = res.data.undo.find((e) => e.kind === kind && !before.has(e.id));
  return entry && !entry.barrier ? entry.id : null;
}

/** Errors are returned, not toasted: the caller shows them next to the field concerned. */
export async function runCommand<K extends OperationName>(
  name: K,
  input: OperationInput<K>,
  options: CommandOptions<K>,
): Promise<Result<OperationOutput<K>>> {
  const before = options.kind ? await undoIds() : null;
  const call = api()[name] as (
    input: OperationInput<K>,
    options: CallOptions,
  ) => Promise<Result<OperationOutput<K>>>;
  const res = await call(input, { idempotencyKey: options.idempotencyKey });
  if (!res.ok) return res;
  const entryId = options.kind && before ? await newEntryId(options.kind, before) : null;
  showToast(options.describe(res.data), {
    level: options.level?.(res.data) ?? 'info',
    ...(entryId
      ? {
          action: {
            label: 'Undo',
            run: () => void travelTo('undo', entryId),
          },
        }
      : {}),
  });
  return res;
}
