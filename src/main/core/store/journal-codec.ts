/**
 * How a commit's changes are written in a journal line, and read back. Part of the file
 * format: it changes only with the schema version (migrations.ts).
 *
 * A record whose layout says `journal: 'tuple'` (payments and subscriptions, layout/) is
 * written as a tuple of its fields in order: `{"t":"payment","v":[...]}`. They are most of
 * what a scheduler run journals (two versions of each payment and one of each subscription a
 * charge), and a tuple is about half the bytes of the object, to encode, checksum, write and
 * flush. Every other change is written as it is.
 *
 * Reading a line: its tuples are decoded with the layouts (one written before a field was
 * added is shorter, and reads with the field's default), then its records are migrated from
 * the line's version (journal.ts) to the store's. Lines written before they said their
 * version (schema 4 and older) are of the snapshot's version they follow, and may hold
 * records as objects (before schema 3) or idempotency records of before schema 4 (HTTP
 * responses, without `answer`), which are dropped as the migration to 4 dropped them.
 *
 * Decoding never throws: a malformed tuple decodes to something the record checks refuse.
 */
import type { Change } from '../ports';
import { StoreError } from './errors';
import { LAYOUTS, type Layouts, type RecordKind } from './layout';
import { make } from './layout/compile';
import { tupleCodec, type TupleCodec } from './layout/derive';
import { SUBSCRIPTION } from './layout/subscription';
import { Interner, type Pools } from './layout/encodings';
import {
  defaultsOf,
  LAST_UNVERSIONED_JOURNAL,
  migrateRecord,
  MIGRATIONS,
  SCHEMA_VERSION,
  type Migrations,
} from './migrations';

/** A subscription's fields in the order its tuple holds them. */
export const SUBSCRIPTION_TUPLE = SUBSCRIPTION.fields.map((f) => f.name);

/** The kind of record each change type carries. */
export const CHANGE_RECORD: Partial<Record<Change['t'], RecordKind>> = {
  payment: 'payment',
  subscription: 'subscription',
  refund: 'refund',
  audit: 'audit',
  'undo.push': 'history',
  'redo.push': 'history',
  idempotency: 'idempotency',
  settings: 'settings',
};

export interface JournalCodec {
  /** The changes as they are written (to be passed to JSON.stringify). */
  encodeChanges(changes: readonly Change[]): unknown[];
  /**
   * A decoder of parsed lines' changes, for a journal after a snapshot written at
   * `snapshotVersion` (one per replay: it shares equal strings among the records it
   * decodes). Records come out as objects of the current version, to check. A line of a
   * newer version throws StoreError 'newer_schema' (naming `file`).
   */
  changesDecoder(
    snapshotVersion?: number,
    file?: string,
  ): (changes: unknown[], lineVersion?: number) => unknown[];
}

export function journalCodec(
  layouts: Layouts = LAYOUTS,
  target: number = SCHEMA_VERSION,
  migrations: Migrations = MIGRATIONS,
): JournalCodec {
  const defaults = defaultsOf(target, migrations);
  const tuples = new Map<unknown, TupleCodec>();
  for (const [t, kind] of Object.entries(CHANGE_RECORD)) {
    const layout = layouts[kind];
    if (layout.journal === 'tuple') tuples.set(t, tupleCodec(layout, defaults[kind]));
  }
  // One switch over the change types written as tuples (a Map would be looked up per change).
  const written = [...tuples];
  const encodeChange: (change: Change) => unknown = make(
    written.map(([, codec]) => codec.encode),
    `return function (change) {
      switch (change.t) {
        ${written.map(([t], i) => `case ${JSON.stringify(t)}: return { t: change.t, v: f${i}(change.v) };`).join('\n')}
        default: return change;
      }
    };`,
  );
  return {
    encodeChanges(changes) {
      const out: unknown[] = new Array(changes.length);
      for (let i = 0; i < changes.length; i++) out[i] = encodeChange(changes[i] as Change);
      return out;
    },
    changesDecoder(snapshotVersion = target, file = 'the journal') {
      const pools: Pools = { common: new Interner(20_000), emails: new Interner(200_000) };
      const unversioned = Math.min(snapshotVersion, LAST_UNVERSIONED_JOURNAL);
      return (changes, lineVersion) => {
        if (lineVersion !== undefined && lineVersion > target) {
          throw new StoreError(
            'newer_schema',
            `${file} holds a commit written by a newer Paydesk (schema version ` +
              `${lineVersion}, this one knows up to ${target}); nothing was changed. Run that ` +
              `newer Paydesk version.`,
            file,
          );
        }
        const version = lineVersion ?? unversioned;
        const out: unknown[] = [];
        for (const change of changes) {
          if (lineVersion === undefined && isLegacyIdempotency(change)) continue;
          const decoded = decodeChange(change, tuples, pools);
          const migrated = version < target ? migrateChange(decoded, version) : decoded;
          if (migrated !== null) out.push(migrated);
        }
        return out;
      };
    },
  };

  /** The change with its record migrated (null when the migration drops it). */
  function migrateChange(change: unknown, version: number): unknown {
    if (typeof change !== 'object' || change === null) return change;
    const { t, v } = change as { t?: unknown; v?: unknown };
    const kind = CHANGE_RECORD[t as Change['t']];
    if (kind === undefined) return change;
    const record = migrateRecord(kind, v, version, target, migrations);
    return record === null ? null : { t, v: record };
  }
}

function decodeChange(change: unknown, tuples: Map<unknown, TupleCodec>, pools: Pools): unknown {
  if (typeof change !== 'object' || change === null) return change;
  const { t, v } = change as { t?: unknown; v?: unknown };
  const codec = tuples.get(t);
  return codec !== undefined && Array.isArray(v) ? { t, v: codec.decode(v, pools) } : change;
}

/** An idempotency record as lines before schema 4 wrote it (an HTTP response, without `answer`). */
function isLegacyIdempotency(change: unknown): boolean {
  if (typeof change !== 'object' || change === null) return false;
  const { t, v } = change as { t?: unknown; v?: unknown };
  return t === 'idempotency' && typeof v === 'object' && v !== null && !('answer' in v);
}

const CURRENT = journalCodec();

/** The current format's encodeChanges (see JournalCodec). */
export const encodeChanges = (changes: readonly Change[]): unknown[] =>
  CURRENT.encodeChanges(changes);

/** The current format's decoder (see JournalCodec). */
export const changesDecoder = (
  snapshotVersion?: number,
): ((changes: unknown[], lineVersion?: number) => unknown[]) =>
  CURRENT.changesDecoder(snapshotVersion);
