import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ledgerEntries,
  openMockGateway,
  type MockGateway,
  type MockGatewayOptions,
} from '../../src/main/core/gateway/mock-gateway';
import type { ChargeRequest, GatewayError } from '../../src/main/core/ports';
import { chargeRequest, expectCode, gatewayError } from '../helpers/gateway-calls';
import { DECLINE_CODES } from '../../src/shared/domain';

let dataDir: string;
const opened: MockGateway[] = [];

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'paydesk-gateway-'));
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((gateway) => gateway.close()));
  await rm(dataDir, { recursive: true, force: true });
});

async function open(options: Partial<MockGatewayOptions> = {}): Promise<MockGateway> {
  const gateway = await openMockGateway({ dataDir, seed: 42, latencyMs: 0, ...options });
  opened.push(gateway);
  return gateway;
}

const chargesOf = (gateway: MockGateway, key: string) =>
  gateway.entries().filter((entry) => entry.type === 'charge' && entry.idempotencyKey === key);

describe('mock gateway: outcomes', () => {
  it('charges pm_card_visa successfully with a txn_ transaction id', async () => {
    const gateway = await open({ successRate: 0 });
    const result = await gateway.charge(chargeRequest());
    expect(result).toEqual({
      status: 'succeeded',
      transactionId: expect.stringMatching(/^txn_[0-9a-f]+$/),
    });
  });

  it.each([
    ['pm_card_chargeDeclined', 'card_declined'],
    ['pm_card_chargeDeclinedInsufficientFunds', 'insufficient_funds'],
    ['pm_card_chargeDeclinedExpiredCard', 'expired_card'],
    ['pm_card_chargeDeclinedProcessingError', 'processing_error'],
  ])('declines %s with %s and a message for people', async (paymentMethod, code) => {
    const gateway = await open({ successRate: 1 });
    const result = await gateway.charge(chargeRequest({ paymentMethod }));
    expect(result).toEqual({ status: 'failed', code, message: expect.any(String) });
    expect(result.status === 'failed' && result.message.length).toBeGreaterThan(10);
  });

  it('gives ordinary charges (no method, or one not starting with pm_) the seeded outcome', async () => {
    const always = await open({ successRate: 1, dataDir: path.join(dataDir, 'always') });
    for (const paymentMethod of [null, 'card_4242', 'tok_visa']) {
      const result = await always.charge(
        chargeRequest({ idempotencyKey: `k-${paymentMethod}`, paymentMethod }),
      );
      expect(result.status).toBe('succeeded');
    }
    const never = await open({ successRate: 0, dataDir: path.join(dataDir, 'never') });
    for (let i = 0; i < 20; i += 1) {
      const result = await never.charge(
        chargeRequest({ idempotencyKey: `n-${i}`, paymentMethod: null }),
      );
      expect(result.status).toBe('failed');
      if (result.status === 'failed') expect(DECLINE_CODES).toContain(result.code);
    }
  });

  it('refuses an unknown pm_ payment method as an invalid request and records nothing', async () => {
    const gateway = await open();
    await expectCode(
      gateway.charge(chargeRequest({ paymentMethod: 'pm_card_bogus' })),
      'invalid_request',
    );
    expect(gateway.entries()).toEqual([]);
  });

  it('succeeds about successRate of the time and uses every decline code', async () => {
    const gateway = await open({ seed: 7, successRate: 0.9, durable: false });
    const results = await Promise.all(
      Array.from({ length: 2000 }, (_, i) =>
        gateway.charge(chargeRequest({ idempotencyKey: `rate-${i}`, paymentMethod: null })),
      ),
    );
    const succeeded = results.filter((result) => result.status === 'succeeded').length;
    expect(succeeded).toBeGreaterThan(1700);
    expect(succeeded).toBeLessThan(1900);
    const codes = new Set(results.flatMap((r) => (r.status === 'failed' ? [r.code] : [])));
    expect([...codes].sort()).toEqual([...DECLINE_CODES].sort());
    const ids = results.flatMap((r) => (r.status === 'succeeded' ? [r.transactionId] : []));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('gives the same outcomes and ids for the same seed, whatever the order of calls', async () => {
    const keys = Array.from({ length: 60 }, (_, i) => `order-${i}`);
    const run = async (dir: string, seed: number, order: string[]) => {
      const gateway = await openMockGateway({ dataDir: dir, seed, latencyMs: 0, successRate: 0.5 });
      opened.push(gateway);
      const byKey = new Map<string, unknown>();
      for (const key of order) {
        byKey.set(
          key,
          await gateway.charge(chargeRequest({ idempotencyKey: key, paymentMethod: null })),
        );
      }
      return keys.map((key) => byKey.get(key));
    };
    const forward = await run(path.join(dataDir, 'a'), 3, keys);
    const backward = await run(path.join(dataDir, 'b'), 3, [...keys].reverse());
    const otherSeed = await run(path.join(dataDir, 'c'), 4, keys);
    expect(backward).toEqual(forward);
    expect(otherSeed).not.toEqual(forward);
  });
});

describe('mock gateway: idempotency', () => {
  it('replays the first result for the same key and parameters, charging once', async () => {
    const gateway = await open();
    const first = await gateway.charge(chargeRequest());
    const again = await gateway.charge(chargeRequest());
    // The description is not part of a charge's identity.
    const third = await gateway.charge(chargeRequest({ description: 'edited' }));
    expect(again).toEqual(first);
    expect(third).toEqual(first);
    expect(chargesOf(gateway, 'key-1')).toHaveLength(1);
  });

  it('replays a decline too, without charging again', async () => {
    const gateway = await open();
    const request = chargeRequest({ paymentMethod: 'pm_card_chargeDeclined' });
    const first = await gateway.charge(request);
    expect(await gateway.charge(request)).toEqual(first);
    expect(chargesOf(gateway, 'key-1')).toHaveLength(1);
  });

  it.each<[string, Partial<ChargeRequest>]>([
    ['amount', { amount: 2501 }],
    ['currency', { currency: 'EUR' }],
    ['customerEmail', { customerEmail: 'bob@example.com' }],
    ['paymentMethod', { paymentMethod: 'pm_card_chargeDeclined' }],
  ])('refuses the same key with another %s as an idempotency mismatch', async (field, change) => {
    const gateway = await open();
    await gateway.charge(chargeRequest());
    const error = await gatewayError(gateway.charge(chargeRequest(change)));
    expect(error.code).toBe('idempotency_mismatch');
    expect(error.message).toContain(field);
    expect(chargesOf(gateway, 'key-1')).toHaveLength(1);
  });

  it.each([0, 20])(
    'makes a concurrent call with the same key wait for the first (latency %i ms)',
    async (latencyMs) => {
      const gateway = await open({ latencyMs });
      const calls = Array.from({ length: 5 }, () =>
        gateway.charge(chargeRequest({ paymentMethod: null })),
      );
      const results = await Promise.all(calls);
      for (const result of results) expect(result).toEqual(results[0]);
      expect(chargesOf(gateway, 'key-1')).toHaveLength(1);
    },
  );

  it('answers a concurrent replay only after the first call has answered', async () => {
    const gateway = await open();
    const settled: string[] = [];
    const first = gateway.charge(chargeRequest()).then(() => settled.push('first'));
    const replay = gateway.charge(chargeRequest()).then(() => settled.push('replay'));
    await Promise.all([first, replay]);
    expect(settled).toEqual(['first', 'replay']);
  });

  it('refuses a concurrent call with the same key and another amount once the first is done', async () => {
    const gateway = await open({ latencyMs: 10 });
    const first = gateway.charge(chargeRequest());
    const second = gateway.charge(chargeRequest({ amount: 1 }));
    expect((await first).status).toBe('succeeded');
    await expectCode(second, 'idempotency_mismatch');
  });

  it('does not let a charge reuse a refund’s key, nor a refund a charge’s', async () => {
    const gateway = await open();
    const charged = await gateway.charge(chargeRequest());
    if (charged.status !== 'succeeded') throw new Error('expected a success');
    await gateway.refund({
      idempotencyKey: 're-key',
      transactionId: charged.transactionId,
      amount: 100,
    });
    await expectCode(
      gateway.charge(chargeRequest({ idempotencyKey: 're-key' })),
      'idempotency_mismatch',
    );
    await expectCode(
      gateway.refund({
        idempotencyKey: 'key-1',
        transactionId: charged.transactionId,
        amount: 100,
      }),
      'idempotency_mismatch',
    );
  });
});

describe('mock gateway: time-out after charging', () => {
  it('records the charge as succeeded, rejects with timeout, and lookup tells the success', async () => {
    const gateway = await open();
    const request = chargeRequest({ paymentMethod: 'pm_card_timeoutAfterCharge' });
    await expectCode(gateway.charge(request), 'timeout');
    const known = await gateway.lookup('key-1');
    expect(known).toEqual({ status: 'succeeded', transactionId: expect.stringMatching(/^txn_/) });
    expect(await gateway.charge(request)).toEqual(known);
    expect(chargesOf(gateway, 'key-1')).toHaveLength(1);
  });

  it('still knows the charge after a restart', async () => {
    const first = await open();
    await expectCode(
      first.charge(chargeRequest({ paymentMethod: 'pm_card_timeoutAfterCharge' })),
      'timeout',
    );
    await first.close();
    const reopened = await open();
    expect((await reopened.lookup('key-1'))?.status).toBe('succeeded');
  });
});

describe('mock gateway: lookup', () => {
  it('returns null for a key it never saw', async () => {
    const gateway = await open();
    expect(await gateway.lookup('never-seen')).toBeNull();
  });

  it('returns the result of a charge, success or decline', async () => {
    const gateway = await open();
    const declined = await gateway.charge(
      chargeRequest({ idempotencyKey: 'd', paymentMethod: 'pm_card_chargeDeclinedExpiredCard' }),
    );
    const charged = await gateway.charge(chargeRequest({ idempotencyKey: 's' }));
    expect(await gateway.lookup('d')).toEqual(declined);
    expect(await gateway.lookup('s')).toEqual(charged);
  });

  it('waits for a charge in flight with that key', async () => {
    const gateway = await open({ latencyMs: 20 });
    const charging = gateway.charge(chargeRequest());
    const looked = await gateway.lookup('key-1');
    expect(looked).toEqual(await charging);
  });

  it('returns null for a refund’s key', async () => {
    const gateway = await open();
    const charged = await gateway.charge(chargeRequest());
    if (charged.status !== 'succeeded') throw new Error('expected a success');
    await gateway.refund({ idempotencyKey: 'r', transactionId: charged.transactionId, amount: 1 });
    expect(await gateway.lookup('r')).toBeNull();
  });
});

describe('mock gateway: refunds', () => {
  async function charged(gateway: MockGateway, key = 'key-1'): Promise<string> {
    const result = await gateway.charge(chargeRequest({ idempotencyKey: key }));
    if (result.status !== 'succeeded') throw new Error('expected a success');
    return result.transactionId;
  }

  it('refunds in parts up to the charged amount, with re_ ids', async () => {
    const gateway = await open();
    const txn = await charged(gateway);
    const a = await gateway.refund({ idempotencyKey: 'r1', transactionId: txn, amount: 1000 });
    const b = await gateway.refund({ idempotencyKey: 'r2', transactionId: txn, amount: 1500 });
    expect(a.refundId).toMatch(/^re_[0-9a-f]+$/);
    expect(b.refundId).toMatch(/^re_[0-9a-f]+$/);
    expect(a.refundId).not.toBe(b.refundId);
    const error = await gatewayError(
      gateway.refund({ idempotencyKey: 'r3', transactionId: txn, amount: 1 }),
    );
    expect(error.code).toBe('invalid_request');
    expect(error.message).toMatch(/left/);
  });

  it('refuses more than is left unrefunded', async () => {
    const gateway = await open();
    const txn = await charged(gateway);
    await expectCode(
      gateway.refund({ idempotencyKey: 'r', transactionId: txn, amount: 2501 }),
      'invalid_request',
    );
    expect(gateway.entries().filter((e) => e.type === 'refund')).toEqual([]);
  });

  it('refuses an unknown transaction', async () => {
    const gateway = await open();
    await expectCode(
      gateway.refund({ idempotencyKey: 'r', transactionId: 'txn_nope', amount: 1 }),
      'invalid_request',
    );
  });

  it('refuses the transaction id a declined charge would have had', async () => {
    const gateway = await open({ successRate: 1 });
    const declined = await gateway.charge(
      chargeRequest({ paymentMethod: 'pm_card_chargeDeclined' }),
    );
    expect(declined.status).toBe('failed');
    // The same seed and key on a succeeding gateway reveal the id the decline never got.
    const twin = await openMockGateway({
      dataDir: path.join(dataDir, 'twin'),
      seed: 42,
      latencyMs: 0,
    });
    opened.push(twin);
    const wouldBe = await twin.charge(chargeRequest());
    if (wouldBe.status !== 'succeeded') throw new Error('expected a success');
    await expectCode(
      gateway.refund({ idempotencyKey: 'r', transactionId: wouldBe.transactionId, amount: 1 }),
      'invalid_request',
    );
  });

  it('replays a refund by key and refuses the key with other parameters', async () => {
    const gateway = await open();
    const txn = await charged(gateway);
    const first = await gateway.refund({ idempotencyKey: 'r', transactionId: txn, amount: 2000 });
    // A replay is answered from the record, even though only 500 is left now.
    expect(await gateway.refund({ idempotencyKey: 'r', transactionId: txn, amount: 2000 })).toEqual(
      first,
    );
    await expectCode(
      gateway.refund({ idempotencyKey: 'r', transactionId: txn, amount: 500 }),
      'idempotency_mismatch',
    );
    const other = await charged(gateway, 'key-2');
    await expectCode(
      gateway.refund({ idempotencyKey: 'r', transactionId: other, amount: 2000 }),
      'idempotency_mismatch',
    );
    expect(gateway.entries().filter((e) => e.type === 'refund')).toHaveLength(1);
  });

  it('never lets concurrent refunds together exceed the charge', async () => {
    const gateway = await open({ latencyMs: 10 });
    const txn = await charged(gateway);
    const outcomes = await Promise.allSettled(
      [1000, 1000, 1000].map((amount, i) =>
        gateway.refund({ idempotencyKey: `r${i}`, transactionId: txn, amount }),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(2);
    const refused = outcomes.find((o) => o.status === 'rejected');
    expect(refused?.status === 'rejected' && (refused.reason as GatewayError).code).toBe(
      'invalid_request',
    );
  });
});

describe('mock gateway: request validation', () => {
  it.each<[string, Partial<ChargeRequest>]>([
    ['a zero amount', { amount: 0 }],
    ['a fractional amount', { amount: 12.5 }],
    ['a negative amount', { amount: -5 }],
    ['an unknown currency', { currency: 'usd' }],
    ['an empty idempotency key', { idempotencyKey: '' }],
  ])('refuses a charge with %s and records nothing', async (_what, change) => {
    const gateway = await open();
    await expectCode(gateway.charge(chargeRequest(change)), 'invalid_request');
    expect(gateway.entries()).toEqual([]);
  });

  it('refuses a refund of a non-positive amount', async () => {
    const gateway = await open();
    await expectCode(
      gateway.refund({ idempotencyKey: 'r', transactionId: 'txn_x', amount: 0 }),
      'invalid_request',
    );
  });

  it('refuses impossible options', async () => {
    await expect(openMockGateway({ dataDir, successRate: 1.5 })).rejects.toThrow(RangeError);
    await expect(openMockGateway({ dataDir, latencyMs: -1 })).rejects.toThrow(RangeError);
  });
});

describe('mock gateway: lifecycle', () => {
  it('finishes the calls in flight before closing, then refuses new ones', async () => {
    const gateway = await open({ latencyMs: 20 });
    const order: string[] = [];
    const charging = gateway.charge(chargeRequest());
    void charging.then(() => order.push('answered'));
    await gateway.close();
    order.push('closed');
    expect(order).toEqual(['answered', 'closed']);
    expect((await charging).status).toBe('succeeded');
    await expect(gateway.charge(chargeRequest({ idempotencyKey: 'late' }))).rejects.toThrow(
      /closed/,
    );
    expect(await ledgerEntries(dataDir)).toHaveLength(1);
  });

  it('chooses a random seed when none is given and reports it', async () => {
    const gateway = await openMockGateway({ dataDir, latencyMs: 0 });
    opened.push(gateway);
    expect(Number.isInteger(gateway.seed)).toBe(true);
    expect(gateway.ledgerPath).toBe(path.join(dataDir, 'gateway-ledger.jsonl'));
  });
});
