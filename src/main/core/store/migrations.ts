/**
 * Schema versions and the migrations between them. MIGRATIONS[n] takes version n to n + 1:
 *  - the fields version n + 1 added, with the value a record written before them holds
 *    (`added`): a tuple or body written before them is shorter, and reads with it (the
 *    layouts' codecs, layout/derive.ts), and so does an older object;
 *  - what else changes in a record of a kind (`records`; null drops the record);
 *  - what changes in the raw snapshot document (`doc`: its header and sections).
 * The store runs them in a row at open on the snapshot's raw document (plain JSON values,
 * not yet validated), validates the result, and rewrites the snapshot in the current
 * version at once. Journal lines carry the version they were written with (journal.ts);
 * `added` and `records` run on their records too before they are replayed (journal-codec.ts):
 * a crash between a version's last commit and the next version's first open loses nothing.
 * A snapshot newer than SCHEMA_VERSION is refused, never touched.
 */
import type { RecordKind } from './layout';

export const SCHEMA_VERSION = 6;

/** The last version whose journal lines did not say their version (journal.ts). */
export const LAST_UNVERSIONED_JOURNAL = 4;

export type RawDoc = Record<string, unknown>;
export type RawRecord = Record<string, unknown>;
export type DocMigration = (doc: RawDoc) => RawDoc;

export interface MigrationStep {
  /** Fields added, by kind: their value in records written before them. */
  readonly added?: Partial<Record<RecordKind, RawRecord>>;
  /** A record of a kind (an object, not yet validated) made into the next version's, or null. */
  readonly records?: Partial<Record<RecordKind, (record: RawRecord) => RawRecord | null>>;
  /** The raw document; it has no `payments` when they are not read (leavingPayments). */
  readonly doc?: DocMigration;
}

/** A step, or a function of the raw document alone (which needs the payments read). */
export type Migration = MigrationStep | DocMigration;
export type Migrations = Readonly<Record<number, Migration>>;

/** Document migrations that leave payments alone: a streamed snapshot's payments are not read for them. */
const LEAVES_PAYMENTS = new WeakSet<DocMigration>();

/**
 * A migration of the other sections only: the snapshot's payments are copied byte for byte,
 * never read (the raw document it gets may hold no payments at all).
 */
export function leavingPayments(migration: DocMigration): DocMigration {
  LEAVES_PAYMENTS.add(migration);
  return migration;
}

/**
 * The migration of a version that changed only how the journal is written: the snapshot is
 * rewritten as it is (its payments copied byte for byte, never read), only its version moves.
 */
export const journalOnly: DocMigration = leavingPayments((doc) => doc);

/** The migration of a version that added fields (see ARCHITECTURE.md, "Adding a field"). */
export const addFields = (added: Partial<Record<RecordKind, RawRecord>>): MigrationStep => ({
  added,
});

/**
 * Version 2 changed only how payments are laid out in the file (a raw document holds them as
 * objects either way); version 3 only how the journal writes payments and subscriptions
 * (tuples): an older Paydesk refuses the directory as newer instead of taking its journal
 * for damage. Version 4 added refunds as records of their own (none before: a refund was
 * only an event of its payment), a subscription's `review` (null before) and
 * `unpaidPeriods` (none before), the gateway cursor of reconciliation, and idempotency
 * records that are requests (their key bound before the work, their answer a Result): the
 * older records, HTTP responses fingerprinted another way, cannot be carried over and are
 * dropped (a repeat of such a key runs as a new request). Version 5 only made each journal
 * line say its version. Version 6 added operator accounts (the settings' `operators`, none
 * before) and who did what (`operator` of audit entries, history entries and requests: null
 * before, as for the single desk).
 */
export const MIGRATIONS: Migrations = {
  1: (doc) => doc,
  2: journalOnly,
  3: {
    added: { subscription: { review: null, unpaidPeriods: [] } },
    records: { idempotency: () => null },
    doc: leavingPayments((doc) => ({ ...doc, refunds: [], gatewayCursor: null })),
  },
  4: journalOnly,
  5: addFields({
    settings: { operators: [] },
    audit: { operator: null },
    history: { operator: null },
    idempotency: { operator: null },
  }),
};

const stepOf = (m: Migration): MigrationStep => (typeof m === 'function' ? { doc: m } : m);

/** Whether migrating a snapshot from `version` to `target` needs its payments as objects. */
export function readsPayments(
  version: number,
  target: number,
  migrations: Migrations = MIGRATIONS,
): boolean {
  for (let v = version; v < target; v++) {
    const m = migrations[v];
    if (m === undefined) return true;
    const step = stepOf(m);
    if (step.records?.payment !== undefined) return true;
    if (step.doc !== undefined && !LEAVES_PAYMENTS.has(step.doc)) return true;
  }
  return false;
}

/**
 * The fields every migration up to `target` added, by kind, with their defaults: what a
 * record written before them reads as.
 */
export function defaultsOf(
  target: number,
  migrations: Migrations = MIGRATIONS,
): Partial<Record<RecordKind, RawRecord>> {
  const out: Partial<Record<RecordKind, RawRecord>> = {};
  for (const [v, m] of Object.entries(migrations)) {
    if (Number(v) >= target || typeof m === 'function') continue;
    for (const [kind, fields] of Object.entries(m.added ?? {}) as [RecordKind, RawRecord][]) {
      out[kind] = { ...out[kind], ...fields };
    }
  }
  return out;
}

/** `record` with the fields it lacks among `added`. */
function withAdded(record: RawRecord, added: RawRecord): RawRecord {
  let out = record;
  for (const name in added) {
    if (Object.hasOwn(record, name)) continue;
    if (out === record) out = { ...record };
    out[name] = added[name];
  }
  return out;
}

/**
 * A record of `kind` written at `version`, migrated to `target` (null: dropped). What is
 * not an object is left as it is, for validation to refuse.
 */
export function migrateRecord(
  kind: RecordKind,
  record: unknown,
  version: number,
  target: number,
  migrations: Migrations = MIGRATIONS,
): unknown {
  let current = record;
  for (let v = version; v < target; v++) {
    const m = migrations[v];
    if (m === undefined || typeof m === 'function') continue;
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return current;
    const added = m.added?.[kind];
    if (added !== undefined) current = withAdded(current as RawRecord, added);
    const change = m.records?.[kind];
    if (change !== undefined) {
      const next = change(current as RawRecord);
      if (next === null) return null;
      current = next;
    }
  }
  return current;
}

/** The kind of the records of each section of a raw snapshot document. */
export const SECTION_KINDS = {
  payments: 'payment',
  subscriptions: 'subscription',
  refunds: 'refund',
  undo: 'history',
  redo: 'history',
  audit: 'audit',
  idempotency: 'idempotency',
} as const satisfies Record<string, RecordKind>;

function migrateSections(doc: RawDoc, step: MigrationStep, version: number): RawDoc {
  if (step.added === undefined && step.records === undefined) return doc;
  const out: RawDoc = { ...doc };
  const one: Migrations = { [version]: { added: step.added, records: step.records } };
  for (const [section, kind] of Object.entries(SECTION_KINDS)) {
    const records = doc[section];
    if (!Array.isArray(records)) continue;
    out[section] = records
      .map((r: unknown) => migrateRecord(kind, r, version, version + 1, one))
      .filter((r) => r !== null);
  }
  if (doc.settings !== undefined && doc.settings !== null) {
    out.settings = migrateRecord('settings', doc.settings, version, version + 1, one);
  }
  return out;
}

export type MigrationResult =
  | { ok: true; doc: RawDoc; migrated: boolean }
  | { ok: false; reason: 'newer' | 'unknown'; version: unknown };

export function migrate(
  doc: RawDoc,
  target: number = SCHEMA_VERSION,
  migrations: Migrations = MIGRATIONS,
): MigrationResult {
  const version = doc.schemaVersion;
  if (!Number.isSafeInteger(version) || (version as number) < 0) {
    return { ok: false, reason: 'unknown', version };
  }
  if ((version as number) > target) return { ok: false, reason: 'newer', version };
  let current = doc;
  for (let v = version as number; v < target; v++) {
    const m = migrations[v];
    if (m === undefined) return { ok: false, reason: 'unknown', version };
    const step = stepOf(m);
    current = migrateSections(current, step, v);
    if (step.doc !== undefined) current = step.doc(current);
    current = { ...current, schemaVersion: v + 1 };
  }
  return { ok: true, doc: current, migrated: current !== doc };
}
