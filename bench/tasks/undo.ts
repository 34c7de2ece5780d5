/**
 * Worker task: the undo of a large recurring run, through the core as the doors call it
 * (`openCore`, `core.call`), with the mock gateway at the given latency. Subscriptions are
 * created, all due at the test clock's now; one `recurring.run` charges each once; then
 * `history.undo` is timed: it refunds every charge through the gateway, a bounded number at
 * once, each refund stored PENDING before its call and settled after. Meanwhile a page of
 * payments is asked for again and again, to show how long a read waits while the undo runs.
 * The outcome is checked against the gateway's ledger: one refund per charge.
 *
 * Each refund is flushed to disk three times (stored PENDING, the gateway's ledger, settled),
 * so the disk's speed at the moment weighs on the figure: the speed of a small synchronous
 * append and flush in the same directory is measured just before the undo, to read it by.
 */
import { closeSync, fdatasyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { openCore } from '../../src/main/core/index';
import { ledgerEntries } from '../../src/main/core/gateway/mock-gateway';
import type { ParamsOf, ResultOf } from '../protocol';
import { collectGarbage, summarize, type Summary } from '../stats';

/** The flush probe: appends of about a journal line each, written and flushed synchronously. */
const PROBE_APPENDS = 200;
const PROBE_BYTES = 400;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Milliseconds of an append and its fdatasync, as the store makes them, in `dir`. */
function flushProbe(dir: string): Summary {
  const file = join(dir, 'flush-probe.bin');
  const fd = openSync(file, 'a');
  const line = Buffer.alloc(PROBE_BYTES, 0x61);
  const ms: number[] = [];
  try {
    for (let i = 0; i < PROBE_APPENDS; i++) {
      const start = performance.now();
      writeSync(fd, line);
      fdatasyncSync(fd);
      ms.push(performance.now() - start);
    }
  } finally {
    closeSync(fd);
    rmSync(file);
  }
  return summarize(ms);
}

export async function undo(p: ParamsOf<'undo'>): Promise<ResultOf<'undo'>> {
  const core = await openCore({
    dataDir: p.dir,
    clock: 'test',
    scheduler: false,
    gateway: { latencyMs: p.latencyMs, successRate: 1, seed: p.seed },
  });
  try {
    await core.reconciled;
    for (let i = 0; i < p.subscriptions; i++) {
      const created = await core.call(
        'subscriptions.create',
        {
          customerEmail: `undo-${i}@example.com`,
          amount: '10.00',
          currency: 'USD',
          interval: 'MONTHLY',
        },
        'operator',
      );
      if (!created.ok) throw new Error(`subscriptions.create: ${created.error.message}`);
    }
    const run = await core.call('recurring.run', {}, 'operator');
    if (!run.ok) throw new Error(`recurring.run: ${run.error.message}`);
    if (run.data.charged !== p.subscriptions || run.data.succeeded !== p.subscriptions) {
      throw new Error(
        `recurring.run charged ${run.data.charged} (${run.data.succeeded} succeeded), ` +
          `not ${p.subscriptions}`,
      );
    }
    const flush = flushProbe(p.dir);
    collectGarbage();

    // Reads while the undo runs, one after another at a steady pace, as a client polling a
    // page: each is timed from when it was due (its timer may fire late while the event
    // loop is held by the undo's commits) and by itself (the call).
    const fromDueMs: number[] = [];
    const callMs: number[] = [];
    let undoing = true;
    const reads = (async () => {
      let due = performance.now();
      while (undoing) {
        await sleep(Math.max(0, due - performance.now()));
        if (!undoing) break;
        const asked = performance.now();
        const page = await core.call('payments.list', { limit: 50 }, 'operator');
        const answered = performance.now();
        if (!page.ok) throw new Error(`payments.list: ${page.error.message}`);
        fromDueMs.push(answered - due);
        callMs.push(answered - asked);
        due = Math.max(due + p.queryEveryMs, answered);
      }
    })();
    // A failed read is reported once the undo is over.
    reads.catch(() => undefined);
    const start = performance.now();
    const undone = await core.call('history.undo', {}, 'operator');
    const undoMs = performance.now() - start;
    undoing = false;
    await reads;
    if (!undone.ok) throw new Error(`history.undo: ${undone.error.code} ${undone.error.message}`);

    const refunded = await core.call('payments.list', { status: 'REFUNDED', limit: 1 }, 'operator');
    if (!refunded.ok) throw new Error(`payments.list: ${refunded.error.message}`);
    const entries = await ledgerEntries(p.dir);
    const charges = entries.filter((e) => e.type === 'charge').length;
    const refunds = entries.length - charges;
    if (refunds !== p.subscriptions || refunded.data.total !== p.subscriptions) {
      throw new Error(
        `after the undo the gateway's ledger holds ${refunds} refunds and the store ` +
          `${refunded.data.total} REFUNDED payments, not ${p.subscriptions}`,
      );
    }
    return {
      charged: run.data.charged,
      undoMs,
      ledgerCharges: charges,
      ledgerRefunds: refunds,
      refundedPayments: refunded.data.total,
      queryFromDue: summarize(fromDueMs),
      queryCall: summarize(callMs),
      flush,
    };
  } finally {
    await core.close();
  }
}
