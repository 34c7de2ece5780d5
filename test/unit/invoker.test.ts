/** The invoker's queue: one command at a time, whoever asks, and the queue survives failures. */
import { describe, expect, it } from 'vitest';
import { TestClock } from '../../src/main/core/clock';
import { openMockGateway } from '../../src/main/core/gateway/mock-gateway';
import { commands } from '../../src/main/core/commands/registry';
import { COMMAND_OF, CommandInvoker } from '../../src/main/core/invoker';
import type { Gateway } from '../../src/main/core/ports';
import { internalRequest } from '../../src/main/core/requests';
import { openStore } from '../../src/main/core/store';
import { tempDataDir } from '../helpers/core';

/** A gateway that counts how many charges are in flight at once. */
function counting(inner: Gateway) {
  const stats = { inFlight: 0, max: 0 };
  const gateway: Gateway = {
    ...inner,
    charge: async (request) => {
      stats.inFlight += 1;
      stats.max = Math.max(stats.max, stats.inFlight);
      try {
        return await inner.charge(request);
      } finally {
        stats.inFlight -= 1;
      }
    },
    refund: (r) => inner.refund(r),
    lookup: (k) => inner.lookup(k),
    close: () => inner.close(),
  };
  return { gateway, stats };
}

async function setup() {
  const dataDir = tempDataDir();
  const store = await openStore(dataDir);
  const mock = await openMockGateway({ dataDir, latencyMs: 3, seed: 9, successRate: 1 });
  const { gateway, stats } = counting(mock);
  const invoker = new CommandInvoker({
    store,
    gateway,
    clock: new TestClock(new Date('2030-01-01T00:00:00Z')),
  });
  const close = async () => {
    await mock.close();
    await store.close();
  };
  return { store, invoker, stats, close };
}

const charge = (amount: number) => ({
  amount,
  currency: 'USD',
  customerEmail: 'q@example.com',
  description: null,
  paymentMethod: null,
});

describe('CommandInvoker', () => {
  it('never runs two commands at once, whatever their origin', async () => {
    const { invoker, store, stats, close } = await setup();
    try {
      const origins = ['operator', 'api', 'scheduler'] as const;
      await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          invoker.execute(
            'ProcessPayment',
            charge(100 + i),
            internalRequest('payments.process', origins[i % 3]!),
          ),
        ),
      );
      expect(stats.max).toBe(1);
      expect(store.paymentCount()).toBe(30);
      // The stack holds them in the order they were asked for.
      expect(store.undoStack().map((e) => (e.params as { amount: number }).amount)).toEqual(
        Array.from({ length: 30 }, (_, i) => 100 + i),
      );
    } finally {
      await close();
    }
  });

  it('goes on with the queue after a command fails, and audits the failure', async () => {
    const { invoker, store, close } = await setup();
    try {
      const failing = invoker.execute(
        'RefundPayment',
        { paymentId: 'pay_missing', amount: null },
        internalRequest('payments.refund', 'api'),
      );
      const next = invoker.execute(
        'ProcessPayment',
        charge(500),
        internalRequest('payments.process', 'operator'),
      );
      await expect(failing).rejects.toThrow(/No payment/);
      await expect(next).resolves.toMatchObject({ status: 'COMPLETED' });
      const audit = store.audit(0, 10).items;
      expect(audit.map((a) => [a.kind, a.outcome])).toEqual([
        ['ProcessPayment', 'ok'],
        ['RefundPayment', 'error'],
      ]);
    } finally {
      await close();
    }
  });

  it('tells the labels of the next undo and redo', async () => {
    const { invoker, close } = await setup();
    try {
      expect(invoker.view()).toMatchObject({ nextUndo: null, nextRedo: null });
      await invoker.execute(
        'ProcessPayment',
        charge(1234),
        internalRequest('payments.process', 'operator'),
      );
      expect(invoker.view().nextUndo).toBe('Charge $12.34 to q@example.com');
      await invoker.undo(internalRequest('history.undo', 'operator'));
      expect(invoker.view()).toMatchObject({
        nextUndo: null,
        nextRedo: 'Charge $12.34 to q@example.com',
      });
    } finally {
      await close();
    }
  });

  it('gives at most `limit` entries of each stack, newest first, with the totals', async () => {
    const { invoker, close } = await setup();
    try {
      for (const amount of [101, 102, 103, 104, 105]) {
        await invoker.execute(
          'ProcessPayment',
          charge(amount),
          internalRequest('payments.process', 'operator'),
        );
      }
      const redone = await invoker.undo(internalRequest('history.undo', 'operator'), undefined, 1);
      expect(redone.redo.map((e) => e.label)).toEqual(['Charge $1.05 to q@example.com']);
      const view = invoker.view(2);
      expect(view.undo.map((e) => e.label)).toEqual([
        'Charge $1.04 to q@example.com',
        'Charge $1.03 to q@example.com',
      ]);
      expect(view).toMatchObject({ undoTotal: 4, redoTotal: 1 });
      expect(view.nextUndo).toBe('Charge $1.04 to q@example.com');
      expect(invoker.view().undo).toHaveLength(4);
    } finally {
      await close();
    }
  });
});

describe('recovery after a crash', () => {
  it('knows the operation of every command that can be interrupted after moving money', () => {
    // A command that flushes before calling out can leave an unfinished request: start-up
    // recovery finds its command through COMMAND_OF, or answers "interrupted" without it.
    const recoverable = Object.entries(commands)
      .filter(([, def]) => 'recover' in def && def.recover !== undefined)
      .map(([kind]) => kind)
      .sort();
    const mapped = [...new Set(Object.values(COMMAND_OF))].sort();
    expect(mapped).toEqual(recoverable);
  });
});
