/**
 * One suite of gateway behaviour run against both providers a desk can call: the mock in
 * this process, and the HTTP adapter (http-gateway.ts) calling a real gateway service child
 * process (`npm run gateway`'s code) with the same options. What the core sees must not
 * depend on which it calls: seeded outcomes, test payment methods, idempotency (replays,
 * mismatches, concurrent calls with one key), time-outs after charging, look-ups, refunds,
 * refusals, the records reconciliation reads, and a restart that keeps the ledger.
 *
 * Then what only the adapter does: a charge whose service is SIGKILLed mid-call is sent
 * again with the same key to the restarted service and charged once; a service that cannot
 * be reached is an unknown outcome ('timeout', a look-up that throws rather than "never
 * seen"); the token; the service's 400s name the field.
 *
 * Services are shared by the tests that ask for the same options (a few child processes in
 * all): every test uses idempotency keys of its own.
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  checkGatewayService,
  openHttpGateway,
  type HttpGateway,
} from '../../src/main/core/gateway/http-gateway';
import {
  ledgerEntries,
  openMockGateway,
  type LedgerEntry,
  type MockGateway,
} from '../../src/main/core/gateway/mock-gateway';
import { parseGatewayCli } from '../../src/gateway-service/cli-options';
import { openCore } from '../../src/main/core/index';
import { decideCharge } from '../../src/main/core/gateway/outcome';
import type {
  ChargeRequest,
  Gateway,
  GatewayError,
  GatewayRecord,
} from '../../src/main/core/ports';
import { DECLINE_CODES } from '../../src/shared/domain';
import {
  restartGatewayService,
  startGatewayService,
  type RunningGatewayService,
} from './helpers/gateway-service';
import { chargeRequest as aCharge, expectCode, gatewayError } from '../helpers/gateway-calls';

const SEED = 42;
/** The latency of the providers whose calls must overlap. */
const SLOW_MS = 300;

interface Behaviour {
  successRate?: number;
  latencyMs?: number;
}

interface Provider {
  gateway: Gateway;
  /** Its ledger, as its file holds it. */
  entries(): Promise<LedgerEntry[]>;
}

interface OwnProvider extends Provider {
  /** Stopped hard (the service SIGKILLed, the mock closed) and opened again on its ledger. */
  restart(): Promise<void>;
}

interface Variant {
  name: string;
  /** A provider with these options, shared with the other tests that ask for them. */
  shared(options?: Behaviour): Promise<Provider>;
  /** A provider of its own, on a new data directory. */
  own(options?: Behaviour): Promise<OwnProvider>;
  closeAll(): Promise<void>;
}

const work = mkdtempSync(path.join(tmpdir(), 'paydesk-gateway-service-'));
let dirs = 0;
const newDataDir = () => path.join(work, `data-${++dirs}`);

const withDefaults = (options: Behaviour = {}) => ({ latencyMs: 0, ...options });

function mockVariant(): Variant {
  const shared = new Map<string, Promise<Provider>>();
  const opened: MockGateway[] = [];
  async function open(dataDir: string, options: Behaviour): Promise<MockGateway> {
    const mock = await openMockGateway({ dataDir, seed: SEED, ...withDefaults(options) });
    opened.push(mock);
    return mock;
  }
  return {
    name: 'the mock in this process',
    shared(options = {}) {
      const id = JSON.stringify(withDefaults(options));
      let provider = shared.get(id);
      if (provider === undefined) {
        const dataDir = newDataDir();
        provider = open(dataDir, options).then((gateway) => ({
          gateway,
          entries: () => ledgerEntries(dataDir),
        }));
        shared.set(id, provider);
      }
      return provider;
    },
    async own(options = {}) {
      const dataDir = newDataDir();
      let current = await open(dataDir, options);
      const provider: OwnProvider = {
        gateway: current,
        entries: () => ledgerEntries(dataDir),
        restart: async () => {
          await current.close();
          current = await open(dataDir, options);
          provider.gateway = current;
        },
      };
      return provider;
    },
    async closeAll() {
      await Promise.all(opened.map((mock) => mock.close()));
    },
  };
}

function serviceVariant(): Variant {
  const shared = new Map<string, Promise<Provider>>();
  const services: RunningGatewayService[] = [];
  const adapters: HttpGateway[] = [];
  async function start(dataDir: string, options: Behaviour) {
    const service = await startGatewayService({ dataDir, seed: SEED, ...withDefaults(options) });
    services.push(service);
    const gateway = openHttpGateway({ url: service.url });
    adapters.push(gateway);
    return { service, gateway };
  }
  return {
    name: 'the gateway service over HTTP',
    shared(options = {}) {
      const id = JSON.stringify(withDefaults(options));
      let provider = shared.get(id);
      if (provider === undefined) {
        const dataDir = newDataDir();
        provider = start(dataDir, options).then(({ gateway }) => ({
          gateway,
          entries: () => ledgerEntries(dataDir),
        }));
        shared.set(id, provider);
      }
      return provider;
    },
    async own(options = {}) {
      const dataDir = newDataDir();
      const started = await start(dataDir, options);
      let service = started.service;
      return {
        gateway: started.gateway,
        entries: () => ledgerEntries(dataDir),
        restart: async () => {
          await service.kill();
          service = await restartGatewayService(service);
          services.push(service);
        },
      };
    },
    async closeAll() {
      await Promise.all(adapters.map((adapter) => adapter.close()));
      await Promise.all(services.map((service) => service.stop()));
    },
  };
}

const variants = [mockVariant(), serviceVariant()];

afterAll(async () => {
  await Promise.all(variants.map((variant) => variant.closeAll()));
  await rm(work, { recursive: true, force: true });
}, 60_000);

/** Keys of the test running now: tests share providers, never keys. */
let testNo = 0;
let prefix = '';
beforeEach(() => {
  prefix = `t${++testNo}`;
});
const key = (name: string) => `${prefix}-${name}`;

function chargeRequest(overrides: Partial<ChargeRequest> = {}): ChargeRequest {
  return aCharge(overrides, key('charge'));
}

async function entriesOf(provider: Provider, idempotencyKey: string) {
  return (await provider.entries()).filter((entry) => entry.idempotencyKey === idempotencyKey);
}

async function charged(gateway: Gateway, name = 'charge'): Promise<string> {
  const result = await gateway.charge(chargeRequest({ idempotencyKey: key(name) }));
  if (result.status !== 'succeeded') throw new Error('expected a success');
  return result.transactionId;
}

/** Every record after `cursor` (null: from the first), page by page. */
async function readRecords(gateway: Gateway, cursor: string | null, pageSize = 1000) {
  const records: GatewayRecord[] = [];
  for (;;) {
    const page = await gateway.records(cursor, pageSize);
    records.push(...page.records);
    cursor = page.cursor;
    if (!page.more) return { records, cursor };
  }
}

describe.each(variants)('gateway behaviour: $name', (variant) => {
  describe('outcomes', () => {
    it('charges pm_card_visa successfully with a txn_ transaction id', async () => {
      const { gateway } = await variant.shared({ successRate: 0 });
      expect(await gateway.charge(chargeRequest())).toEqual({
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
      const { gateway } = await variant.shared({ successRate: 1 });
      const result = await gateway.charge(chargeRequest({ paymentMethod }));
      expect(result).toEqual({ status: 'failed', code, message: expect.any(String) });
    });

    it('answers an ordinary charge with the seeded outcome of (seed, key)', async () => {
      const { gateway } = await variant.shared();
      for (let i = 0; i < 20; i++) {
        const request = chargeRequest({ idempotencyKey: key(`seeded-${i}`), paymentMethod: null });
        const expected = decideCharge(SEED, request.idempotencyKey, null, 0.9).result;
        expect(await gateway.charge(request)).toEqual(expected);
      }
    });

    it('follows its success rate for charges with no test method', async () => {
      const always = (await variant.shared({ successRate: 1 })).gateway;
      const never = (await variant.shared({ successRate: 0 })).gateway;
      for (const paymentMethod of [null, 'card_4242', 'tok_visa']) {
        const request = chargeRequest({ idempotencyKey: key(`m-${paymentMethod}`), paymentMethod });
        expect((await always.charge(request)).status).toBe('succeeded');
        const declined = await never.charge(request);
        expect(declined.status).toBe('failed');
        if (declined.status === 'failed') expect(DECLINE_CODES).toContain(declined.code);
      }
    });

    it('refuses an unknown pm_ payment method as an invalid request and records nothing', async () => {
      const provider = await variant.shared();
      const request = chargeRequest({ paymentMethod: 'pm_card_bogus' });
      await expectCode(provider.gateway.charge(request), 'invalid_request');
      expect(await entriesOf(provider, request.idempotencyKey)).toEqual([]);
    });
  });

  describe('idempotency', () => {
    it('replays the first result for the same key and parameters, charging once', async () => {
      const provider = await variant.shared();
      const first = await provider.gateway.charge(chargeRequest());
      expect(await provider.gateway.charge(chargeRequest())).toEqual(first);
      // The description is not part of a charge's identity.
      expect(await provider.gateway.charge(chargeRequest({ description: 'edited' }))).toEqual(
        first,
      );
      expect(await entriesOf(provider, key('charge'))).toHaveLength(1);
    });

    it('replays a decline too, without charging again', async () => {
      const provider = await variant.shared();
      const request = chargeRequest({ paymentMethod: 'pm_card_chargeDeclined' });
      const first = await provider.gateway.charge(request);
      expect(await provider.gateway.charge(request)).toEqual(first);
      expect(await entriesOf(provider, request.idempotencyKey)).toHaveLength(1);
    });

    it.each<[string, Partial<ChargeRequest>]>([
      ['amount', { amount: 2501 }],
      ['currency', { currency: 'EUR' }],
      ['customerEmail', { customerEmail: 'bob@example.com' }],
      ['paymentMethod', { paymentMethod: 'pm_card_chargeDeclined' }],
    ])('refuses the same key with another %s as an idempotency mismatch', async (field, change) => {
      const provider = await variant.shared();
      await provider.gateway.charge(chargeRequest());
      const error = await gatewayError(provider.gateway.charge(chargeRequest(change)));
      expect(error.code).toBe('idempotency_mismatch');
      expect(error.message).toContain(field);
      expect(await entriesOf(provider, key('charge'))).toHaveLength(1);
    });

    it('makes concurrent calls with one key wait for the first: one charge, one answer', async () => {
      const provider = await variant.shared({ latencyMs: SLOW_MS });
      const results = await Promise.all(
        Array.from({ length: 5 }, () =>
          provider.gateway.charge(chargeRequest({ paymentMethod: null })),
        ),
      );
      for (const result of results) expect(result).toEqual(results[0]);
      expect(await entriesOf(provider, key('charge'))).toHaveLength(1);
    });

    it('does not let a charge reuse a refund’s key, nor a refund a charge’s', async () => {
      const { gateway } = await variant.shared();
      const txn = await charged(gateway);
      const refund = { idempotencyKey: key('refund'), transactionId: txn, amount: 100 };
      await gateway.refund(refund);
      await expectCode(
        gateway.charge(chargeRequest({ idempotencyKey: key('refund') })),
        'idempotency_mismatch',
      );
      await expectCode(
        gateway.refund({ ...refund, idempotencyKey: key('charge') }),
        'idempotency_mismatch',
      );
    });
  });

  describe('a time-out after charging', () => {
    it('records the charge, rejects with timeout, and the look-up tells the success', async () => {
      const provider = await variant.shared();
      const request = chargeRequest({ paymentMethod: 'pm_card_timeoutAfterCharge' });
      await expectCode(provider.gateway.charge(request), 'timeout');
      const known = await provider.gateway.lookup(request.idempotencyKey);
      expect(known).toEqual({ status: 'succeeded', transactionId: expect.stringMatching(/^txn_/) });
      expect(await provider.gateway.charge(request)).toEqual(known);
      expect(await entriesOf(provider, request.idempotencyKey)).toHaveLength(1);
    });

    it('is still known after a restart, and its replay charges nothing more', async () => {
      const provider = await variant.own();
      const request = chargeRequest({ paymentMethod: 'pm_card_timeoutAfterCharge' });
      await expectCode(provider.gateway.charge(request), 'timeout');
      await provider.restart();
      expect((await provider.gateway.lookup(request.idempotencyKey))?.status).toBe('succeeded');
      expect((await provider.gateway.charge(request)).status).toBe('succeeded');
      expect(await entriesOf(provider, request.idempotencyKey)).toHaveLength(1);
    }, 60_000);
  });

  describe('look-ups', () => {
    it('answers null for a key it never saw, and for a refund’s key', async () => {
      const { gateway } = await variant.shared();
      expect(await gateway.lookup(key('never-seen'))).toBeNull();
      expect(await gateway.lookupRefund(key('never-seen'))).toBeNull();
      const txn = await charged(gateway);
      const refund = await gateway.refund({
        idempotencyKey: key('r'),
        transactionId: txn,
        amount: 1,
      });
      expect(await gateway.lookup(key('r'))).toBeNull();
      expect(await gateway.lookupRefund(key('r'))).toEqual(refund);
      expect(await gateway.lookupRefund(key('charge'))).toBeNull();
    });

    it('answers the result of a charge, success or decline', async () => {
      const { gateway } = await variant.shared();
      const declined = await gateway.charge(
        chargeRequest({
          idempotencyKey: key('d'),
          paymentMethod: 'pm_card_chargeDeclinedExpiredCard',
        }),
      );
      const succeeded = await gateway.charge(chargeRequest({ idempotencyKey: key('s') }));
      expect(await gateway.lookup(key('d'))).toEqual(declined);
      expect(await gateway.lookup(key('s'))).toEqual(succeeded);
    });

    it('waits for a charge in flight with that key', async () => {
      const provider = await variant.shared({ latencyMs: SLOW_MS });
      const charging = provider.gateway.charge(chargeRequest());
      // Asked once the provider has recorded the charge, while its answer is on the way.
      await until(async () => (await entriesOf(provider, key('charge'))).length === 1);
      expect(await provider.gateway.lookup(key('charge'))).toEqual(await charging);
    });

    it('finds a successful charge by its transaction id, and nothing else', async () => {
      const { gateway } = await variant.shared({ successRate: 1 });
      const txn = await charged(gateway);
      expect(await gateway.findCharge(txn)).toEqual({ idempotencyKey: key('charge') });
      expect(await gateway.findCharge('txn_0000')).toBeNull();
    });
  });

  describe('refunds', () => {
    it('refunds in parts up to the charged amount, with re_ ids, and refuses more', async () => {
      const { gateway } = await variant.shared();
      const txn = await charged(gateway);
      const a = await gateway.refund({
        idempotencyKey: key('r1'),
        transactionId: txn,
        amount: 1000,
      });
      const b = await gateway.refund({
        idempotencyKey: key('r2'),
        transactionId: txn,
        amount: 1500,
      });
      expect(a.refundId).toMatch(/^re_[0-9a-f]+$/);
      expect(b.refundId).not.toBe(a.refundId);
      const error = await gatewayError(
        gateway.refund({ idempotencyKey: key('r3'), transactionId: txn, amount: 1 }),
      );
      expect(error.code).toBe('invalid_request');
      expect(error.message).toMatch(/left/);
    });

    it('refuses an unknown transaction', async () => {
      const { gateway } = await variant.shared();
      await expectCode(
        gateway.refund({ idempotencyKey: key('r'), transactionId: 'txn_nope', amount: 1 }),
        'invalid_request',
      );
    });

    it('replays a refund by key and refuses the key with other parameters', async () => {
      const provider = await variant.shared();
      const { gateway } = provider;
      const txn = await charged(gateway);
      const refund = { idempotencyKey: key('r'), transactionId: txn, amount: 2000 };
      const first = await gateway.refund(refund);
      // A replay is answered from the record, even though only 500 is left now.
      expect(await gateway.refund(refund)).toEqual(first);
      await expectCode(gateway.refund({ ...refund, amount: 500 }), 'idempotency_mismatch');
      expect(await entriesOf(provider, key('r'))).toHaveLength(1);
    });

    it('never lets concurrent refunds together exceed the charge', async () => {
      const { gateway } = await variant.shared({ latencyMs: SLOW_MS });
      const txn = await charged(gateway);
      const outcomes = await Promise.allSettled(
        [1000, 1000, 1000].map((amount, i) =>
          gateway.refund({ idempotencyKey: key(`r${i}`), transactionId: txn, amount }),
        ),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(2);
      const refused = outcomes.find((o) => o.status === 'rejected');
      expect(refused?.status === 'rejected' && (refused.reason as GatewayError).code).toBe(
        'invalid_request',
      );
    });
  });

  describe('refusals', () => {
    it.each<[string, Partial<ChargeRequest>]>([
      ['a zero amount', { amount: 0 }],
      ['a fractional amount', { amount: 12.5 }],
      ['a negative amount', { amount: -5 }],
      ['an unknown currency', { currency: 'usd' }],
      ['an empty customer e-mail', { customerEmail: '' }],
    ])('refuses a charge with %s and records nothing', async (_what, change) => {
      const provider = await variant.shared();
      await expectCode(provider.gateway.charge(chargeRequest(change)), 'invalid_request');
      expect(await entriesOf(provider, key('charge'))).toEqual([]);
    });

    it('refuses a refund of a non-positive amount, and a cursor it never gave', async () => {
      const { gateway } = await variant.shared();
      await expectCode(
        gateway.refund({ idempotencyKey: key('r'), transactionId: 'txn_x', amount: 0 }),
        'invalid_request',
      );
      await expectCode(gateway.records('not-a-cursor', 10), 'invalid_request');
    });
  });

  describe('records', () => {
    it('lists what it recorded after a cursor, page by page, refunds naming their charge', async () => {
      const { gateway } = await variant.shared();
      const { cursor: before } = await readRecords(gateway, null);
      const txn = await charged(gateway);
      await gateway.refund({ idempotencyKey: key('r'), transactionId: txn, amount: 700 });
      const first = await gateway.records(before, 1);
      expect(first.more).toBe(true);
      expect(first.records).toEqual([
        expect.objectContaining({
          type: 'charge',
          idempotencyKey: key('charge'),
          amount: 2500,
          result: { status: 'succeeded', transactionId: txn },
        }),
      ]);
      const rest = await readRecords(gateway, first.cursor, 10);
      expect(rest.records).toEqual([
        expect.objectContaining({
          type: 'refund',
          idempotencyKey: key('r'),
          transactionId: txn,
          chargeIdempotencyKey: key('charge'),
          amount: 700,
        }),
      ]);
      expect((await gateway.records(rest.cursor, 10)).records).toEqual([]);
    });
  });
});

describe('the HTTP adapter', () => {
  it('sends a charge cut off by a killed service again to the restarted one: one charge', async () => {
    const dataDir = newDataDir();
    const first = await startGatewayService({ dataDir, seed: SEED, latencyMs: 1500 });
    const gateway = openHttpGateway({ url: first.url, retryForMs: 60_000 });
    try {
      const request = chargeRequest({ paymentMethod: null });
      const charging = gateway.charge(request);
      // The service has recorded the charge (its latency holds the answer back): kill it.
      await until(async () => (await ledgerEntries(dataDir)).length === 1);
      await first.kill();
      const second = await restartGatewayService(first);
      try {
        const result = await charging;
        expect(result).toEqual(decideCharge(SEED, request.idempotencyKey, null, 0.9).result);
        expect(await ledgerEntries(dataDir)).toHaveLength(1);
      } finally {
        await second.stop();
      }
    } finally {
      await gateway.close();
    }
  }, 90_000);

  it('makes an unreachable service an unknown outcome, never a decline or "never seen"', async () => {
    // A port nothing listens on: the one of a service just stopped.
    const service = await startGatewayService({ dataDir: newDataDir(), latencyMs: 0 });
    await service.stop();
    const gateway = openHttpGateway({ url: service.url, retryForMs: 300 });
    const error = await gatewayError(gateway.charge(chargeRequest()));
    expect(error.code).toBe('timeout');
    expect(error.message).toMatch(/no answer after \d+ tries/);
    await expectCode(gateway.lookup(key('charge')), 'timeout');
    await expectCode(gateway.records(null, 10), 'timeout');
    expect(await checkGatewayService({ url: service.url })).toMatchObject({
      ok: false,
      reachable: false,
    });
    await gateway.close();
  }, 60_000);

  it("is what openCore calls with a gatewayService, which refuses the mock's options", async () => {
    const dataDir = newDataDir();
    await expect(
      openCore({ dataDir, gatewayService: { url: 'http://127.0.0.1:9' }, gateway: { seed: 1 } }),
    ).rejects.toThrow(/seed: the gateway service's own options/);
    // Refused before anything was left open: the directory opens again at once.
    const core = await openCore({
      dataDir,
      // Nothing answers there: start-up reconciliation gives up on the records quickly.
      gatewayService: { url: 'http://127.0.0.1:9', retryForMs: 100 },
    });
    const info = await core.call('system.info', {}, 'operator');
    expect(info).toMatchObject({
      ok: true,
      data: { gateway: { kind: 'service', url: 'http://127.0.0.1:9', configurable: false } },
    });
    await core.close();
  });

  describe('with a token', () => {
    const token = 'gateway-test-token-0123456789';
    const dataDir = newDataDir();
    let service: RunningGatewayService;
    beforeAll(async () => {
      service = await startGatewayService({ dataDir, latencyMs: 0, token });
    });
    afterAll(() => service.stop());

    it('asks every call for it: without it the outcome is unknown, not a refusal of the charge', async () => {
      const without = openHttpGateway({ url: service.url, retryForMs: 300 });
      const error = await gatewayError(without.charge(chargeRequest()));
      expect(error.code).toBe('timeout');
      expect(error.message).toContain('401');
      expect(await checkGatewayService({ url: service.url })).toMatchObject({
        ok: false,
        reachable: true,
      });
      const withIt = openHttpGateway({ url: service.url, token });
      expect((await withIt.charge(chargeRequest())).status).toBe('succeeded');
      expect(await checkGatewayService({ url: service.url, token })).toEqual({
        ok: true,
        info: {
          service: 'paydesk-mock-gateway',
          successRate: 0.9,
          latencyMs: 0,
          seed: expect.any(Number),
        },
      });
    });

    it('answers a body that is not a valid call with 400 naming the field', async () => {
      const post = (operation: string, body: string) =>
        fetch(`${service.url}/v1/${operation}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body,
        }).then(async (res) => ({ status: res.status, body: (await res.json()) as unknown }));
      expect(await post('charge', JSON.stringify({ ...chargeRequest(), amount: '25.00' }))).toEqual(
        {
          status: 400,
          body: { error: { code: 'validation', field: 'amount', message: expect.any(String) } },
        },
      );
      expect(await post('records', JSON.stringify({ after: null, limit: 0 }))).toMatchObject({
        status: 400,
        body: { error: { field: 'limit' } },
      });
      expect(await post('charge', '{')).toMatchObject({ status: 400 });
      expect(await post('nothing', '{}')).toMatchObject({ status: 404 });
    });

    it('keeps its data directory to itself: a second service there is refused', async () => {
      await expect(startGatewayService({ dataDir, latencyMs: 0 })).rejects.toThrow(
        /exited before it was ready[\s\S]*cannot take the data directory/,
      );
    });
  });
});

describe('the options of npm run gateway', () => {
  const token = 'gateway-test-token-0123456789';

  it('has the documented defaults and reads every option', () => {
    expect(parseGatewayCli(['--data-dir', 'g'], {})).toEqual({
      ok: true,
      value: {
        kind: 'serve',
        options: { port: 8100, host: '127.0.0.1', dataDir: path.resolve('g'), token: null },
      },
    });
    const argv = ['--data-dir=g', '--port', '0', '--seed', '3', '--success-rate', '0.5'];
    expect(
      parseGatewayCli([...argv, '--latency-ms', '20'], { PAYDESK_GATEWAY_TOKEN: token }),
    ).toEqual({
      ok: true,
      value: {
        kind: 'serve',
        options: {
          port: 0,
          host: '127.0.0.1',
          dataDir: path.resolve('g'),
          seed: 3,
          successRate: 0.5,
          latencyMs: 20,
          token,
        },
      },
    });
  });

  it('names the option that is wrong', () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /--data-dir is required/],
      [['--data-dir', 'g', '--success-rate', '2'], /--success-rate/],
      [['--data-dir', 'g', '--latency-ms', '-1'], /--latency-ms/],
      [['--data-dir', 'g', '--token', 'short'], /--token is not a usable token/],
      [['--data-dir', 'g', '--host', '0.0.0.0'], /--allow-remote/],
      [['--data-dir', 'g', '--host', '0.0.0.0', '--allow-remote'], /needs a --token/],
      [['--data-dir', 'g', '--seed', 'x'], /--seed/],
    ];
    for (const [argv, message] of cases) {
      const parsed = parseGatewayCli(argv, {});
      expect(parsed.ok, argv.join(' ')).toBe(false);
      if (!parsed.ok) expect(parsed.message, argv.join(' ')).toMatch(message);
    }
  });
});

async function until(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}
