/**
 * The customers index on files: the money columns it is built from (written with every
 * snapshot, checked at open and against each body read), and files written before them,
 * whose money is read from the bodies once, when the customers are first asked for.
 * (That the totals equal their plain computation after any commits, reopens and
 * compactions is the store's property test.)
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { pageOfCustomers, summarizeCustomers } from '../../src/main/core/customer-rules';
import type { Store } from '../../src/main/core/ports';
import { openStore, StoreError } from '../../src/main/core/store/index';
import type { Payment } from '../../src/shared/domain';
import { at, payment, removeTempDirs, subscription, tempDir } from './store-fixtures';
import { resealed, withoutChecksum } from '../helpers/snapshot-checksum';

const open: Store[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close().catch(() => undefined)));
});
afterAll(removeTempDirs);

async function opened(dir: string): Promise<Store> {
  const store = await openStore(dir);
  open.push(store);
  return store;
}

async function close(store: Store): Promise<void> {
  open.splice(open.indexOf(store), 1);
  await store.close();
}

const PAYMENTS: Payment[] = [
  payment('p1', { createdAt: at(1), amount: 2500 }),
  payment('p2', {
    createdAt: at(2),
    customerEmail: 'Ada@Example.com',
    amount: 1000,
    refundedAmount: 400,
    status: 'PARTIALLY_REFUNDED',
  }),
  payment('p3', { createdAt: at(3), customerEmail: 'bob@example.com', currency: 'EUR' }),
  payment('p4', { createdAt: at(4), customerEmail: 'bob@example.com', status: 'FAILED' }),
];

const BOB_SUB = subscription('s1', { customerEmail: 'bob@example.com', unpaidPeriods: [] });

/** A closed store with PAYMENTS and a subscription in its snapshot; its snapshot's path. */
async function closedStore(): Promise<{ dir: string; path: string }> {
  const dir = await tempDir();
  const store = await opened(dir);
  await store.commit([
    ...PAYMENTS.map((v) => ({ t: 'payment' as const, v })),
    { t: 'subscription', v: BOB_SUB },
  ]);
  await close(store);
  return { dir, path: join(dir, 'paydesk.json') };
}

const MONEY_LINE = /^"(amount|refundedAmount|currency|currencies)":\[.*\],$/;

/** The snapshot as a Paydesk before the money columns wrote it. */
/** A snapshot as written before the money columns (and before checksums). */
const withoutMoney = (text: string): string =>
  withoutChecksum(text)
    .split('\n')
    .filter((line) => !MONEY_LINE.test(line))
    .join('\n');

const page = (store: Store) =>
  store.queryCustomers({ sort: 'net', order: 'desc', offset: 0, limit: 10 });

const expected = () =>
  pageOfCustomers(PAYMENTS, [BOB_SUB], {
    sort: 'net',
    order: 'desc',
    offset: 0,
    limit: 10,
  });

describe('the money columns', () => {
  it('are written with every snapshot, and the customers are built from them', async () => {
    const { dir, path } = await closedStore();
    const text = await readFile(path, 'utf8');
    expect(text).toContain('\n"amount":[2500,1000,1250,1250],\n');
    expect(text).toContain('\n"refundedAmount":[0,400,0,0],\n');
    expect(text).toContain('\n"currencies":["USD","EUR"],\n');
    const store = await opened(dir);
    expect(page(store)).toEqual(expected());
    expect(store.getCustomer('ADA@example.com')).toEqual(
      summarizeCustomers(PAYMENTS, []).get('ada@example.com'),
    );
  });

  it('refuses a file with some of them only, naming the one missing', async () => {
    const { dir, path } = await closedStore();
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace(/\n"refundedAmount":\[.*\],\n/, '\n'));
    const error = await openStore(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('corrupt');
    expect((error as StoreError).message).toContain('paymentColumns.refundedAmount is missing');
  });

  it('must agree with the bodies: a payment whose body says otherwise is refused when read', async () => {
    const { dir, path } = await closedStore();
    const text = await readFile(path, 'utf8');
    // Written so (the checksum made for it): a writer's bug, not the disk's.
    await writeFile(path, resealed(text.replace('"amount":[2500,', '"amount":[2600,')));
    const store = await opened(dir);
    expect(() => store.getPayment('p1')).toThrow(/not what the money columns say/);
    expect(store.getPayment('p2')?.amount).toBe(1000);
  });
});

describe('a snapshot written before the money columns', () => {
  it('opens without reading its payments, reads them once for the customers, and gains the columns at the next compaction', async () => {
    const { dir, path } = await closedStore();
    await writeFile(path, withoutMoney(await readFile(path, 'utf8')));
    const store = await opened(dir);
    expect(page(store)).toEqual(expected());
    // Commits after the index is built move it as usual.
    const p5 = payment('p5', { createdAt: at(5), customerEmail: 'cy@example.com', amount: 99 });
    await store.commit([{ t: 'payment', v: p5 }]);
    await store.compact();
    const text = await readFile(path, 'utf8');
    expect(text).toContain('\n"amount":[2500,1000,1250,1250,99],\n');
    await close(store);
    const again = await opened(dir);
    expect(page(again)).toEqual(
      pageOfCustomers([...PAYMENTS, p5], [BOB_SUB], {
        sort: 'net',
        order: 'desc',
        offset: 0,
        limit: 10,
      }),
    );
  });

  it('with a damaged body: every other query answers, the customers are refused', async () => {
    const { dir, path } = await closedStore();
    const text = withoutMoney(await readFile(path, 'utf8'));
    // The body of p3 (bodies come last; same size: only reading it finds it).
    const at3 = text.lastIndexOf('"EUR"');
    await writeFile(path, `${text.slice(0, at3)}"eur"${text.slice(at3 + 5)}`);
    const store = await opened(dir);
    expect(store.getPayment('p1')?.amount).toBe(2500);
    expect(() => page(store)).toThrow(StoreError);
    expect(() => page(store)).toThrow(/currency/);
    expect(store.queryPayments({ order: 'asc', offset: 0, limit: 2 }).total).toBe(4);
    // Compaction keeps the file as it was: no money columns it does not know.
    await store.compact();
    expect(await readFile(path, 'utf8')).not.toContain('"amount":[');
  });
});
