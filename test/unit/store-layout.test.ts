/**
 * The record layouts (src/main/core/store/layout/): every codec derived from them gives back
 * exactly what it was given, for any valid record of each kind (generated from the layouts'
 * own encodings); a field added to a copy of a layout reads as its default in data written
 * before it, and round-trips in data written after; and a data directory written by schema
 * 4 (test/unit/fixtures/store-v4, made by that version's code, left as a crash leaves it:
 * snapshot and journal) opens with every record.
 */
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { Change, Store } from '../../src/main/core/ports';
import { CURRENT_FORMAT, newPools, storeFormat } from '../../src/main/core/store/format';
import { openStore, type StoreError } from '../../src/main/core/store/index';
import { journalLine } from '../../src/main/core/store/journal';
import { LAYOUTS, layoutOf, type Layout, type RecordKind } from '../../src/main/core/store/layout';
import type { Encoding, Member } from '../../src/main/core/store/layout/encodings';
import { TEXT } from '../../src/main/core/store/layout/encodings';
import { migrateRecord, SCHEMA_VERSION } from '../../src/main/core/store/migrations';
import { FAST } from '../../src/main/core/store/records';
import type { Payment } from '../../src/shared/domain';
import { at, auditEntry, payment, removeTempDirs, subscription, tempDir } from './store-fixtures';
import {
  NEXT_LAYOUTS,
  NEXT_MIGRATIONS,
  NEXT_VERSION,
  nextAudit,
  nextPayment,
  nextVersion,
  type NextAudit,
  type NextPayment,
} from './store-next-version';

const open: Store[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close().catch(() => undefined)));
  await removeTempDirs();
});

async function tracked(dir: string, options: Parameters<typeof openStore>[1] = {}) {
  const store = await openStore(dir, options);
  open.push(store);
  return store;
}

// ---------------------------------------------------------------------------------------
// Records generated from a layout's encodings

/** Stands for "the value of field `fields[i]` of the record" until the record is made. */
class Same {
  constructor(readonly field: string) {}
}

const instant = fc.oneof(
  fc
    .integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 })
    .map((ms) => new Date(ms).toISOString()),
  fc.constantFrom('2025-01-01T00:00:00Z', '2024-02-29T23:59:59.123456Z'),
);
const text = (max = 12) =>
  fc.oneof(
    fc.string({ maxLength: max }),
    fc.constantFrom('', 'a"b', 'new\nline', 'é', '😀', '\u2028').filter((s) => s.length <= max),
  );

/** Valid values of `enc` (what the domain's schema accepts), as far as the test goes. */
function arbitrary(enc: Encoding): fc.Arbitrary<unknown> {
  const e = enc as Encoding & Record<string, unknown>;
  switch (enc.kind) {
    case 'text':
      return text((e.max as number | undefined) ?? 12);
    case 'int':
      return fc.oneof(
        fc.integer({
          min: e.min as number,
          max: (e.max as number | undefined) ?? Number.MAX_SAFE_INTEGER,
        }),
        fc.constant(e.min as number),
      );
    case 'instant':
      return instant;
    case 'currency':
      return fc.constantFrom('USD', 'EUR', 'JPY');
    case 'bool':
      return fc.boolean();
    case 'any':
      return fc.jsonValue({ maxDepth: 2 });
    case 'oneOf':
      return fc.constantFrom(...(e.values as string[]));
    case 'nullable':
      return fc.option(arbitrary(e.of as Encoding), { nil: null });
    case 'optional':
      return fc.option(arbitrary(e.of as Encoding), { nil: undefined });
    case 'list':
      return fc.array(arbitrary(e.of as Encoding), { maxLength: 3 });
    case 'object':
      return members(e.members as Member[]);
    case 'variants':
      return fc.oneof(
        ...(e.cases as { tag: string | boolean; members: Member[] }[]).map((c) =>
          members(c.members).map((v) => ({ [e.tag as string]: c.tag, ...v })),
        ),
      );
    case 'sameAs':
      return fc.oneof(
        arbitrary(e.of as Encoding),
        ...(e.fields as string[]).map((f) => fc.constant(new Same(f))),
      );
    case 'rule':
      return fc.constantFrom(...(e.examples as unknown[]));
    default:
      throw new Error(`no generator for encoding ${enc.kind}`);
  }
}

function members(list: readonly Member[]): fc.Arbitrary<Record<string, unknown>> {
  return fc.record(Object.fromEntries(list.map((m) => [m.name, arbitrary(m.enc)])));
}

/** `value` with every Same replaced by the record's field. */
function resolve(value: unknown, record: Record<string, unknown>): unknown {
  if (value instanceof Same) {
    // A repeat of text only (sameAs is for text): another value would not be a valid one.
    const repeated = record[value.field];
    return typeof repeated === 'string' ? repeated : 'not a repeat';
  }
  if (Array.isArray(value)) return value.map((v) => resolve(v, record));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, record)]));
  }
  return value;
}

/** Valid records of `layout`. */
function records(layout: Layout): fc.Arbitrary<Record<string, unknown>> {
  return members(layout.fields).map((raw) => {
    const out: Record<string, unknown> = {};
    // In field order: a field repeats one before it.
    for (const f of layout.fields) out[f.name] = resolve(raw[f.name], out);
    return out;
  });
}

const CHANGE_OF: Record<RecordKind, Change['t']> = {
  payment: 'payment',
  subscription: 'subscription',
  refund: 'refund',
  audit: 'audit',
  history: 'undo.push',
  idempotency: 'idempotency',
  settings: 'settings',
};

/** JSON's view of a value (an absent key and an undefined one are the same to it). */
const json = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

describe('every kind, any valid record', () => {
  it.each(Object.keys(LAYOUTS) as RecordKind[])('%s: the check accepts it, as zod does', (kind) => {
    const layout = LAYOUTS[kind];
    fc.assert(
      fc.property(records(layout), (r) => {
        expect(layout.schema.safeParse(r).success).toBe(true);
        expect(FAST[kind](r)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it.each(Object.keys(LAYOUTS) as RecordKind[])(
    '%s: the check refuses what zod refuses (a field given a wrong value)',
    (kind) => {
      const layout = LAYOUTS[kind];
      const names = layout.fields.map((f) => f.name);
      const weird = fc.oneof(
        fc.constantFrom<unknown>(undefined, null, -1, 1.5, 2 ** 53, NaN, true, '', 'x', 'USD'),
        fc.constantFrom<unknown>({}, [], [1], ['x'], [{}], '2025-02-30T00:00:00Z', 'a'.repeat(201)),
        fc.constantFrom<unknown>({ type: 'failed', at: at(0), code: 1 }, { ok: true }),
      );
      fc.assert(
        fc.property(
          records(layout),
          fc.constantFrom(...names),
          weird,
          fc.boolean(),
          (r, name, value, drop) => {
            const bad: Record<string, unknown> = { ...r, [name]: value };
            if (drop) delete bad[name];
            expect(FAST[kind](bad)).toBe(layout.schema.safeParse(bad).success);
          },
        ),
        { numRuns: 600 },
      );
    },
  );

  it.each(Object.keys(LAYOUTS) as RecordKind[])(
    '%s: the journal writes it and reads it back',
    (kind) => {
      fc.assert(
        fc.property(records(LAYOUTS[kind]), (r) => {
          const change = { t: CHANGE_OF[kind], v: r } as unknown as Change; // a generated record
          const line = json(CURRENT_FORMAT.encodeChanges([change])) as unknown[];
          const back = CURRENT_FORMAT.changesDecoder()(line, SCHEMA_VERSION);
          expect(back).toEqual([json(change)]);
          expect(CURRENT_FORMAT.checkChange(back[0])).toBeNull();
        }),
        { numRuns: 300 },
      );
    },
  );

  it('payment: its snapshot body and columns give it back', () => {
    const body = CURRENT_FORMAT.paymentBody;
    fc.assert(
      fc.property(records(LAYOUTS.payment), (p) => {
        const columns = Object.fromEntries(body.indexed.map((name) => [name, p[name]]));
        const raw: unknown = JSON.parse(body.encode(p));
        expect(raw).toHaveLength(body.size);
        expect(body.decode(raw, columns, newPools())).toEqual(json(p));
      }),
      { numRuns: 500 },
    );
  });
});

// ---------------------------------------------------------------------------------------
// A field added

const next = storeFormat({
  version: NEXT_VERSION,
  layouts: NEXT_LAYOUTS,
  migrations: NEXT_MIGRATIONS,
});

describe('a nullable field added to a copy of a layout', () => {
  const old = payment('p1', { description: 'Café ☕', updatedAt: at(3) });
  const fresh: NextPayment = { ...payment('p2'), note: 'called back' };

  it('reads as its default in bodies and journal lines written before it', () => {
    const body = next.paymentBody;
    expect(body.size).toBe(CURRENT_FORMAT.paymentBody.size + 1);
    const columns = Object.fromEntries(
      body.indexed.map((name) => [name, old[name as keyof Payment]]),
    );
    const fromBody = body.decode(
      JSON.parse(CURRENT_FORMAT.paymentBody.encode(old)),
      columns,
      newPools(),
    );
    expect(fromBody).toEqual({ ...old, note: null });
    expect(next.checkRecord('payment', fromBody)).toBeNull();

    const line = json(CURRENT_FORMAT.encodeChanges([{ t: 'payment', v: old }])) as unknown[];
    expect(next.changesDecoder()(line, SCHEMA_VERSION)).toEqual([
      { t: 'payment', v: { ...old, note: null } },
    ]);
    const audit = json([{ t: 'audit', v: auditEntry('a1') }]) as unknown[];
    expect(next.changesDecoder()(audit, SCHEMA_VERSION)).toEqual([
      { t: 'audit', v: { ...auditEntry('a1'), reviewedBy: null } },
    ]);
  });

  it('round-trips in data written after it, and is checked', () => {
    const body = next.paymentBody;
    const columns = Object.fromEntries(
      body.indexed.map((name) => [name, fresh[name as keyof NextPayment]]),
    );
    expect(body.decode(JSON.parse(body.encode(fresh)), columns, newPools())).toEqual(fresh);
    const line = json(next.encodeChanges([{ t: 'payment', v: fresh }])) as unknown[];
    expect(next.changesDecoder()(line, NEXT_VERSION)).toEqual([{ t: 'payment', v: fresh }]);
    expect(next.checkRecord('payment', fresh)).toBeNull();
    expect(next.checkRecord('payment', { ...fresh, note: 7 })).toMatch(/^note: /);
    // Left out, it is not a record of the next version (its migration gives it to old ones).
    expect(next.checkRecord('payment', old)).toMatch(/^note: /);
  });

  it('any record of the new layout round-trips', () => {
    fc.assert(
      fc.property(records(NEXT_LAYOUTS.payment), (p) => {
        expect(nextPayment.safeParse(p).success).toBe(true);
        const line = json(next.encodeChanges([{ t: 'payment', v: p as NextPayment }])) as unknown[];
        expect(next.changesDecoder()(line, NEXT_VERSION)).toEqual([{ t: 'payment', v: json(p) }]);
      }),
      { numRuns: 300 },
    );
  });

  it('a store of today opens in the next version with the default, keeps new values, and is refused by today after', async () => {
    const dir = await tempDir();
    const today = await tracked(dir);
    await today.commit([
      { t: 'payment', v: old },
      { t: 'subscription', v: subscription('s1') },
      { t: 'audit', v: auditEntry('a1') },
    ]);
    await today.compact(); // p1 in the snapshot's bodies...
    await today.commit([
      { t: 'payment', v: payment('p3', { createdAt: at(5) }) },
      { t: 'audit', v: auditEntry('a2') },
    ]); // ...p3 in the journal
    await today.close();

    const store = await tracked(dir, { testing: nextVersion() });
    expect(store.getPayment('p1')).toEqual({ ...old, note: null });
    expect(store.getPayment('p3')).toEqual({ ...payment('p3', { createdAt: at(5) }), note: null });
    expect(store.audit(0, 10).items).toEqual([
      { ...auditEntry('a2'), reviewedBy: null },
      { ...auditEntry('a1'), reviewedBy: null },
    ]);
    expect(store.getSubscription('s1')).toEqual(subscription('s1'));
    const noted: NextAudit = { ...auditEntry('a3'), reviewedBy: 'ada' };
    await store.commit([
      { t: 'payment', v: fresh },
      { t: 'audit', v: noted },
    ]);
    expect(nextAudit.safeParse(noted).success).toBe(true);
    await store.close();
    expect(await readFile(join(dir, 'paydesk.json'), 'utf8')).toContain(
      `"schemaVersion":${NEXT_VERSION},`,
    );

    const again = await tracked(dir, { testing: nextVersion() });
    expect(again.getPayment('p2')).toEqual(fresh);
    expect(again.getPayment('p1')).toEqual({ ...old, note: null });
    expect(again.audit(0, 1).items).toEqual([noted]);
    await again.close();

    const refused = await openStore(dir).then(
      () => null,
      (e: unknown) => e,
    );
    expect((refused as StoreError).code).toBe('newer_schema');
  });
});

it('refuses a journal line of a newer version, and leaves the files as they were', async () => {
  const dir = await tempDir();
  const store = await tracked(dir);
  await store.commit([{ t: 'audit', v: auditEntry('a1') }]);
  await store.close(); // the snapshot holds commit 1, the journal nothing
  const line = journalLine(2, JSON.stringify([{ t: 'audit', v: auditEntry('a2') }]), NEXT_VERSION);
  await writeFile(join(dir, 'paydesk.journal'), line);
  const error = await openStore(dir).then(
    () => null,
    (e: unknown) => e as StoreError,
  );
  expect(error?.code).toBe('newer_schema');
  expect(error?.message).toContain(join(dir, 'paydesk.journal'));
  expect((await readFile(join(dir, 'paydesk.journal'))).equals(line)).toBe(true);
  // The version is inside the checksum: changed, the line is damage, not an older line.
  await writeFile(
    join(dir, 'paydesk.journal'),
    line.toString().replace(`"v":${NEXT_VERSION}`, `"v":${SCHEMA_VERSION}`) + 'x\n',
  );
  const damaged = await openStore(dir).then(
    () => null,
    (e: unknown) => e as StoreError,
  );
  expect(damaged?.code).toBe('corrupt');
});

it('a layout must name every field of its record, and nothing else (else it does not compile)', () => {
  const fields = LAYOUTS.refund.fields;
  // @ts-expect-error: `updatedAt` is missing.
  layoutOf<{ id: string; updatedAt: string }>()({ ...LAYOUTS.refund, fields: [fields[0]] });
  layoutOf<{ id: string }>()({
    ...LAYOUTS.refund,
    // @ts-expect-error: the record has no `x`.
    fields: [fields[0], { name: 'x', enc: TEXT }],
  });
  expect(fields[0]?.name).toBe('id');
});

// ---------------------------------------------------------------------------------------
// A data directory of schema 4

const FIXTURE = join(__dirname, 'fixtures', 'store-v4');

describe('a data directory written by schema 4 (snapshot and journal, as a crash left them)', () => {
  it('opens with every record, and is rewritten in the current version', async () => {
    const expected = JSON.parse(await readFile(join(FIXTURE, 'expected.json'), 'utf8')) as {
      payments: { id: string }[];
      subscriptions: { id: string }[];
      refunds: { id: string }[];
      undo: unknown[];
      redo: unknown[];
      audit: unknown[];
      idempotency: { key: string }[];
      settings: unknown;
      testClock: unknown;
      gatewayCursor: unknown;
    };
    // What schema 4 wrote reads with the fields later versions added, at their defaults.
    const later = <T>(kind: RecordKind, record: T): T =>
      migrateRecord(kind, record, 4, SCHEMA_VERSION) as T;
    expected.undo = expected.undo.map((e) => later('history', e));
    expected.redo = expected.redo.map((e) => later('history', e));
    expected.audit = expected.audit.map((e) => later('audit', e));
    expected.idempotency = expected.idempotency.map((r) => later('idempotency', r));
    expected.settings = later('settings', expected.settings);
    const dir = await tempDir();
    for (const f of ['paydesk.json', 'paydesk.journal']) {
      await copyFile(join(FIXTURE, f), join(dir, f));
    }
    const journal = await readFile(join(dir, 'paydesk.journal'), 'utf8');
    // Five lines, none saying its version (written before lines did).
    const lines = journal.trim().split('\n');
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(line).toMatch(/^\{"seq":\d+,"crc":\d+,"changes":/);
    // The clock of the day the fixture was made: its requests are not expired at compaction.
    const options = { clockNow: () => new Date(at(30)) };
    for (let round = 0; round < 2; round++) {
      const store = await tracked(dir, options);
      expect(store.paymentCount()).toBe(expected.payments.length);
      for (const p of expected.payments) expect(store.getPayment(p.id)).toEqual(p);
      for (const s of expected.subscriptions) expect(store.getSubscription(s.id)).toEqual(s);
      for (const r of expected.refunds) expect(store.getRefund(r.id)).toEqual(r);
      for (const r of expected.idempotency) expect(store.getIdempotencyRecord(r.key)).toEqual(r);
      expect(store.undoStack()).toEqual(expected.undo);
      expect(store.redoStack()).toEqual(expected.redo);
      expect(store.audit(0, 100).items).toEqual(expected.audit);
      expect(store.settings()).toEqual(expected.settings);
      expect(store.testClock()).toEqual(expected.testClock);
      expect(store.gatewayCursor()).toEqual(expected.gatewayCursor);
      expect(await readFile(join(dir, 'paydesk.json'), 'utf8')).toContain(
        `"schemaVersion":${SCHEMA_VERSION},`,
      );
      await store.commit([{ t: 'audit', v: auditEntry(`late${round}`) }]);
      expect(await readFile(join(dir, 'paydesk.journal'), 'utf8')).toMatch(
        new RegExp(`^\\{"seq":\\d+,"crc":\\d+,"v":${SCHEMA_VERSION},"changes":`),
      );
      await store.close();
      expected.audit.unshift(auditEntry(`late${round}`));
    }
  });
});
