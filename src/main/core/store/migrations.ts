/**
 * Snapshot schema versions and the migrations between them. A migration takes the raw
 * snapshot document of version n (plain JSON values, not yet validated) and returns that of
 * version n + 1; the store runs them in a row at open, validates the result, and rewrites
 * the snapshot in the current version at once, so the journal never mixes versions.
 * A snapshot newer than SCHEMA_VERSION is refused, never touched.
 */
export const SCHEMA_VERSION = 4;

export type RawDoc = Record<string, unknown>;
export type Migration = (doc: RawDoc) => RawDoc;

/** Migrations that leave payments alone: a streamed snapshot's payments are not read for them. */
const LEAVES_PAYMENTS = new WeakSet<Migration>();

/**
 * A migration of the other sections only: the snapshot's payments are copied byte for byte,
 * never read (the raw document it gets may hold no payments at all).
 */
export function leavingPayments(migration: Migration): Migration {
  LEAVES_PAYMENTS.add(migration);
  return migration;
}

/**
 * The migration of a version that changed only how the journal is written: the snapshot is
 * rewritten as it is (its payments copied byte for byte, never read), only its version moves.
 */
export const journalOnly: Migration = leavingPayments((doc) => doc);

/**
 * MIGRATIONS[n] migrates version n to n + 1. Version 2 changed only how payments are laid
 * out in the file (a raw document holds them as objects either way); version 3 only how the
 * journal writes payments and subscriptions (journal-codec.ts reads the older lines too): an
 * older Paydesk refuses the directory as newer instead of taking its journal for damage.
 * Version 4 added refunds as records of their own (none before: a refund was only an event
 * of its payment), a subscription's `review` (null before) and `unpaidPeriods` (none
 * before), the gateway cursor of
 * reconciliation, and idempotency records that are
 * requests (their key bound before the work, their answer a Result): the older records, HTTP
 * responses fingerprinted another way, cannot be carried over and are dropped (a repeat of
 * such a key runs as a new request).
 */
export const MIGRATIONS: Readonly<Record<number, Migration>> = {
  1: (doc) => doc,
  2: journalOnly,
  3: leavingPayments((doc) => ({
    ...doc,
    subscriptions: Array.isArray(doc.subscriptions)
      ? doc.subscriptions.map((s: unknown) =>
          typeof s === 'object' && s !== null ? { review: null, unpaidPeriods: [], ...s } : s,
        )
      : doc.subscriptions,
    refunds: [],
    idempotency: [],
    gatewayCursor: null,
  })),
};

/** Whether migrating a snapshot from `version` to `target` needs its payments as objects. */
export function readsPayments(
  version: number,
  target: number,
  migrations: Readonly<Record<number, Migration>> = MIGRATIONS,
): boolean {
  for (let v = version; v < target; v++) {
    const step = migrations[v];
    if (step === undefined || !LEAVES_PAYMENTS.has(step)) return true;
  }
  return false;
}

export type MigrationResult =
  | { ok: true; doc: RawDoc; migrated: boolean }
  | { ok: false; reason: 'newer' | 'unknown'; version: unknown };

export function migrate(
  doc: RawDoc,
  target: number = SCHEMA_VERSION,
  migrations: Readonly<Record<number, Migration>> = MIGRATIONS,
): MigrationResult {
  const version = doc.schemaVersion;
  if (!Number.isSafeInteger(version) || (version as number) < 0) {
    return { ok: false, reason: 'unknown', version };
  }
  if ((version as number) > target) return { ok: false, reason: 'newer', version };
  let current = doc;
  for (let v = version as number; v < target; v++) {
    const step = migrations[v];
    if (step === undefined) return { ok: false, reason: 'unknown', version };
    current = { ...step(current), schemaVersion: v + 1 };
  }
  return { ok: true, doc: current, migrated: current !== doc };
}
