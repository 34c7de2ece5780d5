import fs from 'node:fs';
import { appendFile, mkdtemp, open as openFile, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ledgerEntries,
  openMockGateway,
  type MockGateway,
  type MockGatewayOptions,
} from '../../src/main/core/gateway/mock-gateway';
import type { ChargeRequest } from '../../src/main/core/ports';

let dataDir: string;
let ledgerFile: string;
const opened: MockGateway[] = [];

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'paydesk-ledger-'));
  ledgerFile = path.join(dataDir, 'gateway-ledger.jsonl');
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((gateway) => gateway.close()));
  await rm(dataDir, { recursive: true, force: true });
});

async function open(options: Partial<MockGatewayOptions> = {}): Promise<MockGateway> {
  const gateway = await openMockGateway({ dataDir, seed: 9, latencyMs: 0, ...options });
  opened.push(gateway);
  return gateway;
}

const request = (key: string, paymentMethod: string | null = 'pm_card_visa'): ChargeRequest => ({
  idempotencyKey: key,
  amount: 1000,
  currency: 'EUR',
  customerEmail: 'grace@example.com',
  paymentMethod,
  description: null,
});

async function chargeAndRefund(gateway: MockGateway): Promise<string> {
  const result = await gateway.charge(request('c1'));
  if (result.status !== 'succeeded') throw new Error('expected a success');
  await gateway.refund({ idempotencyKey: 'r1', transactionId: result.transactionId, amount: 400 });
  await gateway.charge(request('c2', 'pm_card_chargeDeclinedInsufficientFunds'));
  return result.transactionId;
}

const lines = async (): Promise<string[]> =>
  (await readFile(ledgerFile, 'utf8')).split('\n').filter((line) => line !== '');

describe('gateway ledger on disk', () => {
  it('writes one JSON line per charge and refund, declines included', async () => {
    const gateway = await open();
    await chargeAndRefund(gateway);
    await gateway.charge(request('c1')); // a replay adds nothing
    const written = (await lines()).map(
      (line) => JSON.parse(line) as { type: string; idempotencyKey: string },
    );
    expect(written.map((e) => [e.type, e.idempotencyKey])).toEqual([
      ['charge', 'c1'],
      ['refund', 'r1'],
      ['charge', 'c2'],
    ]);
    expect(await ledgerEntries(dataDir)).toEqual(gateway.entries());
  });

  it.each([true, false])(
    'restores every charge and refund when reopened (durable: %s)',
    async (durable) => {
      const before = await open({ durable });
      const txn = await chargeAndRefund(before);
      const results = [await before.lookup('c1'), await before.lookup('c2')];
      await before.close();

      const after = await open({ durable });
      expect(after.entries()).toEqual(before.entries());
      expect([await after.lookup('c1'), await after.lookup('c2')]).toEqual(results);
      // Replays answer from the restored books, and only 600 is left to refund.
      expect(await after.charge(request('c1'))).toEqual(results[0]);
      await expect(
        after.refund({ idempotencyKey: 'r2', transactionId: txn, amount: 601 }),
      ).rejects.toMatchObject({
        code: 'invalid_request',
      });
      await after.refund({ idempotencyKey: 'r2', transactionId: txn, amount: 600 });
      expect(after.entries().filter((e) => e.type === 'charge')).toHaveLength(2);
    },
  );

  it('keeps every one of many concurrent charges', async () => {
    const gateway = await open();
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => gateway.charge(request(`many-${i}`, null))),
    );
    await gateway.close();
    const reopened = await open();
    expect(reopened.entries()).toHaveLength(50);
    expect(new Set(reopened.entries().map((e) => e.idempotencyKey)).size).toBe(50);
  });

  describe('fsync', () => {
    /**
     * Count fsyncs (either kind) made while `run` runs, through any FileHandle (large
     * appends) or synchronously (small ones: src/main/core/durable-append.ts).
     */
    async function countSyncs(run: () => Promise<void>): Promise<number> {
      const probe = await openFile(path.join(dataDir, 'probe'), 'w');
      const fileHandle = Object.getPrototypeOf(probe) as {
        sync(): Promise<void>;
        datasync(): Promise<void>;
      };
      await probe.close();
      const spies = [
        vi.spyOn(fileHandle, 'sync'),
        vi.spyOn(fileHandle, 'datasync'),
        vi.spyOn(fs, 'fsyncSync'),
        vi.spyOn(fs, 'fdatasyncSync'),
      ];
      try {
        await run();
        return spies.reduce((n, spy) => n + spy.mock.calls.length, 0);
      } finally {
        for (const spy of spies) spy.mockRestore();
      }
    }

    it('syncs before each answer; the calls made in one tick share one sync', async () => {
      const gateway = await open();
      const concurrent = await countSyncs(async () => {
        await Promise.all(
          Array.from({ length: 100 }, (_, i) => gateway.charge(request(`g-${i}`, null))),
        );
      });
      expect(concurrent).toBe(1);
      const sequential = await countSyncs(async () => {
        for (let i = 0; i < 3; i += 1) await gateway.charge(request(`s-${i}`, null));
      });
      expect(sequential).toBe(3);
    });

    it('fails every call of a write that failed, then refuses more', async () => {
      const gateway = await open();
      const failing = vi.spyOn(fs, 'fdatasyncSync').mockImplementationOnce(() => {
        throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
      });
      try {
        const tick = await Promise.allSettled([
          gateway.charge(request('w-1', null)),
          gateway.charge(request('w-2', null)),
        ]);
        expect(tick.map((r) => r.status)).toEqual(['rejected', 'rejected']);
        // The file's end is unknown after a failed write: no later call is answered either.
        await expect(gateway.charge(request('w-3', null))).rejects.toThrow(/EIO/);
      } finally {
        failing.mockRestore();
      }
    });

    it('never syncs when not durable', async () => {
      const gateway = await open({ durable: false });
      const syncs = await countSyncs(async () => {
        await chargeAndRefund(gateway);
      });
      expect(syncs).toBe(0);
    });
  });

  it('ignores a torn last line, cuts it off, and appends cleanly after it', async () => {
    const first = await open();
    await chargeAndRefund(first);
    await first.close();
    await appendFile(ledgerFile, '{"type":"charge","idempotencyKey":"c3","amou');

    const second = await open();
    expect(second.entries()).toHaveLength(3);
    expect(await second.lookup('c3')).toBeNull();
    await second.charge(request('c4'));
    await second.close();

    const third = await open();
    expect(third.entries().map((e) => e.idempotencyKey)).toEqual(['c1', 'r1', 'c2', 'c4']);
    expect(await lines()).toHaveLength(4);
  });

  it('keeps a whole last entry that only lacks its newline', async () => {
    const first = await open();
    await chargeAndRefund(first);
    await first.close();
    const content = await readFile(ledgerFile, 'utf8');
    await writeFile(ledgerFile, content.slice(0, -1));

    const second = await open();
    expect(second.entries()).toHaveLength(3);
    await second.charge(request('c4'));
    await second.close();
    expect(
      (await lines()).map(
        (line) => (JSON.parse(line) as { idempotencyKey: string }).idempotencyKey,
      ),
    ).toEqual(['c1', 'r1', 'c2', 'c4']);
  });

  it('opens an empty ledger file as empty books', async () => {
    await writeFile(ledgerFile, '');
    const gateway = await open();
    expect(gateway.entries()).toEqual([]);
  });

  describe('refuses to open a damaged ledger, naming the file', () => {
    async function damaged(edit: (entries: string[]) => string[]): Promise<void> {
      const gateway = await open();
      await chargeAndRefund(gateway);
      await gateway.close();
      await writeFile(ledgerFile, `${edit(await lines()).join('\n')}\n`);
    }

    it('a line that is not JSON', async () => {
      await damaged(([a, b, c]) => [a ?? '', 'garbage', b ?? '', c ?? '']);
      await expect(open()).rejects.toThrow(`${ledgerFile} is corrupt at line 2: not valid JSON`);
    });

    it('a line that is not an entry', async () => {
      await damaged((entries) => [...entries, '{"type":"charge","idempotencyKey":"x"}']);
      await expect(open()).rejects.toThrow(`${ledgerFile} is corrupt at line 4`);
    });

    it('an entry with a fractional amount', async () => {
      await damaged((entries) =>
        entries.map((line, i) => (i === 0 ? line.replace('"amount":1000', '"amount":10.5') : line)),
      );
      await expect(open()).rejects.toThrow(/corrupt at line 1: amount/);
    });

    it('a key recorded twice', async () => {
      await damaged((entries) => [...entries, entries[0] ?? '']);
      await expect(open()).rejects.toThrow(/line 4: idempotency key "c1" is recorded twice/);
    });

    it('a refund before its charge', async () => {
      await damaged(([charge, refund, other]) => [refund ?? '', charge ?? '', other ?? '']);
      await expect(open()).rejects.toThrow(/line 1: refund re_\w+ is of unknown transaction/);
    });

    it('a blank line in the middle', async () => {
      await damaged(([a, ...rest]) => [a ?? '', '', ...rest]);
      await expect(open()).rejects.toThrow(/corrupt at line 2/);
    });

    it('a complete last line that is not an entry, even without its newline', async () => {
      await damaged((entries) => entries);
      await appendFile(ledgerFile, '{"type":"refund"}');
      await expect(open()).rejects.toThrow(/corrupt at line 4/);
    });
  });

  it('ledgerEntries reads a directory without a ledger as empty', async () => {
    expect(await ledgerEntries(path.join(dataDir, 'nothing-here'))).toEqual([]);
  });
});
