/**
 * Rule 3 end to end: a payment is stored PENDING before the gateway is called, so a crash
 * mid-call leaves a PENDING payment that the next start reconciles with the gateway by its
 * idempotency key, recording each in the audit log.
 */
import { describe, expect, it } from 'vitest';
import { openMockGateway } from '../../src/main/core/gateway/mock-gateway';
import { pendingPayment } from '../../src/main/core/payment-rules';
import { must, openTestCore, openTestStore, tempDataDir } from '../helpers/core';

const NOW = '2030-01-01T00:00:00.000Z';

async function crashAfterPending(
  dataDir: string,
  id: string,
  charge: boolean,
  method = 'pm_card_visa',
) {
  const store = await openTestStore(dataDir);
  const payment = pendingPayment(
    {
      id,
      amount: 1500,
      currency: 'EUR',
      customerEmail: 'crash@example.com',
      description: null,
      paymentMethod: method,
      idempotencyKey: `charge_${id}`,
    },
    NOW,
  );
  await store.commit([{ t: 'payment', v: payment }]);
  if (charge) {
    const gateway = await openMockGateway({ dataDir, latencyMs: 0, seed: 1 });
    await gateway
      .charge({ ...payment, idempotencyKey: payment.idempotencyKey })
      .catch(() => undefined);
    await gateway.close();
  }
  // The process "dies" here: the store is closed without the result ever being recorded.
  await store.close();
}

describe('start-up reconciliation', () => {
  it('completes a PENDING payment that the gateway charged', async () => {
    const dataDir = tempDataDir();
    await crashAfterPending(dataDir, 'pay_charged', true);
    const core = await openTestCore(dataDir);
    try {
      const p = await must(core, 'payments.get', { id: 'pay_charged' });
      expect(p.status).toBe('COMPLETED');
      expect(p.transactionId).toMatch(/^txn_/);
      expect(p.events.at(-1)).toMatchObject({ type: 'reconciled', outcome: 'COMPLETED' });
      const audit = await must(core, 'audit.list', {});
      expect(audit.items[0]).toMatchObject({
        action: 'reconcile',
        origin: 'system',
        outcome: 'ok',
      });
    } finally {
      await core.close();
    }
  });

  it('completes a charge that timed out after charging', async () => {
    const dataDir = tempDataDir();
    await crashAfterPending(dataDir, 'pay_timeout', true, 'pm_card_timeoutAfterCharge');
    const core = await openTestCore(dataDir);
    try {
      expect((await must(core, 'payments.get', { id: 'pay_timeout' })).status).toBe('COMPLETED');
    } finally {
      await core.close();
    }
  });

  it('fails a PENDING payment the gateway never saw, with reason interrupted', async () => {
    const dataDir = tempDataDir();
    await crashAfterPending(dataDir, 'pay_lost', false);
    const core = await openTestCore(dataDir);
    try {
      const p = await must(core, 'payments.get', { id: 'pay_lost' });
      expect(p).toMatchObject({
        status: 'FAILED',
        failureCode: 'interrupted',
        transactionId: null,
      });
      expect((await must(core, 'audit.list', {})).items[0]).toMatchObject({
        action: 'reconcile',
        outcome: 'declined',
      });
      expect((await must(core, 'payments.list', { status: 'PENDING' })).total).toBe(0);
    } finally {
      await core.close();
    }
  });
});
