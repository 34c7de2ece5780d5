/**
 * Reads the whole state from PostgreSQL at open, in one read-only snapshot of the database
 * (so the tables and the log's last sequence number agree), into the StoreState the reads
 * are answered from. Each record is migrated from the schema version its row says and
 * checked against its layout, as the embedded store checks its snapshot: a row that fails
 * stops the open, naming its table and id, and nothing is changed.
 */
import type { PoolClient } from 'pg';
import { DEFAULT_SETTINGS, type Payment, type Settings } from '../../../shared/domain';
import { StoreError } from '../store/errors';
import type { StoreFormat } from '../store/format';
import type { RecordKind } from '../store/layout';
import { migrateRecord } from '../store/migrations';
import { DuplicateRecord, StoreState, type SnapshotDoc } from '../store/state';

/** Rows read at a time from the payments' cursor. */
const FETCH = 20_000;

export async function loadState(
  client: PoolClient,
  format: StoreFormat,
): Promise<{ state: StoreState; seq: number }> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const record = recordReader(format);
    const meta = new Map(
      (
        await client.query<{ key: string; value: unknown }>('SELECT key, value FROM paydesk_meta')
      ).rows.map((row) => [row.key, row.value]),
    );
    const seqRow = await client.query<{ seq: string | null }>(
      'SELECT max(seq) AS seq FROM paydesk_commits',
    );
    const rows = async (kind: RecordKind, sql: string) =>
      (await client.query<Row>(sql)).rows.map((row) => record(kind, row));
    const payments: Payment[] = [];
    await client.query(
      'DECLARE paydesk_load CURSOR FOR SELECT id, v, body FROM paydesk_payments ORDER BY ord',
    );
    for (;;) {
      const batch = await client.query<Row>(`FETCH ${FETCH} FROM paydesk_load`);
      for (const row of batch.rows) payments.push(record('payment', row) as Payment);
      if (batch.rows.length < FETCH) break;
    }
    const history = await client.query<Row & { stack: string }>(
      'SELECT stack, pos::text AS id, v, body FROM paydesk_history ORDER BY stack, pos',
    );
    const stack = (name: string) =>
      history.rows.filter((row) => row.stack === name).map((row) => record('history', row));
    const settings = meta.has('settings')
      ? record('settings', {
          id: 'settings',
          v: metaVersion(meta, format.version),
          body: meta.get('settings'),
        })
      : DEFAULT_SETTINGS;
    const doc: SnapshotDoc = {
      schemaVersion: format.version,
      journalSeq: Number(seqRow.rows[0]?.seq ?? 0),
      settings: settings as Settings,
      testClock: (meta.get('testClock') as string | null | undefined) ?? null,
      gatewayCursor: (meta.get('gatewayCursor') as string | null | undefined) ?? null,
      payments,
      subscriptions: (await rows(
        'subscription',
        'SELECT id, v, body FROM paydesk_subscriptions ORDER BY ord',
      )) as SnapshotDoc['subscriptions'],
      refunds: (await rows(
        'refund',
        'SELECT id, v, body FROM paydesk_refunds ORDER BY ord',
      )) as SnapshotDoc['refunds'],
      undo: stack('undo') as SnapshotDoc['undo'],
      redo: stack('redo') as SnapshotDoc['redo'],
      audit: (await rows(
        'audit',
        'SELECT pos::text AS id, v, body FROM paydesk_audit ORDER BY pos',
      )) as SnapshotDoc['audit'],
      idempotency: (await rows(
        'idempotency',
        'SELECT key AS id, v, body FROM paydesk_idempotency',
      )) as SnapshotDoc['idempotency'],
    };
    await client.query('COMMIT');
    try {
      return { state: StoreState.fromSnapshot(doc, format), seq: doc.journalSeq };
    } catch (error) {
      if (error instanceof DuplicateRecord) throw damaged(error.section, error.id, error.message);
      throw error;
    }
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

interface Row {
  id: string;
  v: number;
  body: unknown;
}

/** The settings row has no version of its own: the meta table keeps the one of its last write. */
function metaVersion(meta: Map<string, unknown>, current: number): number {
  const v = meta.get('settingsVersion');
  return typeof v === 'number' ? v : current;
}

/** Migrates and checks one row's record, or throws naming it. */
function recordReader(format: StoreFormat) {
  return (kind: RecordKind, row: Row): unknown => {
    if (row.v > format.version) {
      throw new StoreError(
        'newer_schema',
        `PostgreSQL: ${kind} ${row.id} was written by a newer Paydesk (schema version ${row.v}, ` +
          `this one knows up to ${format.version}); nothing was changed. Run that newer version.`,
      );
    }
    const value =
      row.v < format.version
        ? migrateRecord(kind, row.body, row.v, format.version, format.migrations)
        : row.body;
    const problem = format.checkRecord(kind, value);
    if (problem !== null) throw damaged(kind, row.id, problem);
    return value;
  };
}

function damaged(kind: string, id: string, problem: string): StoreError {
  return new StoreError(
    'corrupt',
    `PostgreSQL: the ${kind} ${id} cannot be read (${problem}); nothing was changed. Restore ` +
      `the database from a pg_dump, or correct the row.`,
  );
}
