/**
 * `node --import tsx bench/codecs.ts`: the store's record codecs and checks, in nanoseconds
 * per payment (200,000 payments of the fixtures' kinds, each operation the best of 15 runs):
 * a commit's journal encoding and record check, a replay's decoding, a snapshot body's
 * encoding and decoding. Only the functions every version of the store has are used, so that
 * the same file run in two checkouts (a `git worktree` of the previous commit) compares them.
 */
import type { Change } from '../src/main/core/ports';
import { decodeBody, encodeBody, Interner } from '../src/main/core/store/codec';
import { changesDecoder, encodeChanges } from '../src/main/core/store/journal-codec';
import { checkChange, checkRecord } from '../src/main/core/store/records';
import type { Payment } from '../src/shared/domain';

const N = 200_000;
const RUNS = 15;

function payments(): Payment[] {
  const out: Payment[] = [];
  for (let i = 0; i < N; i++) {
    const createdAt = new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString();
    const updatedAt = i % 3 ? createdAt : new Date(Date.UTC(2025, 0, 2) + i * 1000).toISOString();
    const failed = i % 7 === 0;
    const sub = i % 2 === 0;
    out.push({
      id: `pay_${i}`,
      amount: 1000 + i,
      currency: i % 5 ? 'USD' : 'EUR',
      customerEmail: `customer${i % 5000}@example.com`,
      description: i % 4 ? null : `Order ${i}`,
      paymentMethod: 'pm_card_visa',
      status: failed ? 'FAILED' : 'COMPLETED',
      transactionId: failed ? null : `txn_${i}`,
      failureCode: failed ? 'card_declined' : null,
      failureMessage: failed ? 'Your card was declined.' : null,
      refundedAmount: 0,
      idempotencyKey: sub ? `sub_s${i % 100}_p${i % 12}_a0` : `charge_pay_${i}`,
      subscriptionId: sub ? `s${i % 100}` : null,
      period: sub ? i % 12 : null,
      redoOf: null,
      createdAt,
      updatedAt,
      events: failed
        ? [
            { type: 'created', at: createdAt },
            { type: 'failed', at: updatedAt, code: 'card_declined', message: 'Declined.' },
          ]
        : [
            { type: 'created', at: createdAt },
            { type: 'succeeded', at: updatedAt, transactionId: `txn_${i}` },
          ],
    });
  }
  return out;
}

let sink: unknown;

function time(name: string, each: () => void): void {
  let best = Infinity;
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now();
    each();
    best = Math.min(best, performance.now() - start);
  }
  process.stdout.write(`${name.padEnd(24)} ${((best / N) * 1e6).toFixed(0).padStart(5)} ns\n`);
}

const all = payments();
const changes: Change[][] = all.map((v) => [{ t: 'payment', v }]);
const lines = changes.map((c) => JSON.parse(JSON.stringify(encodeChanges(c))) as unknown[]);
const bodies = all.map((p) => JSON.parse(encodeBody(p)) as unknown);
const common = new Interner(20_000);

time('journal: encode', () => {
  for (const c of changes) sink = encodeChanges(c);
});
time('commit: check', () => {
  for (const c of changes) sink = checkChange(c[0]);
});
time('replay: decode', () => {
  const decode = changesDecoder();
  for (const line of lines) sink = decode(line);
});
time('read: check', () => {
  for (const p of all) sink = checkRecord('payment', p);
});
time('snapshot: encode body', () => {
  for (const p of all) sink = encodeBody(p);
});
time('snapshot: decode body', () => {
  for (let i = 0; i < N; i++) {
    const p = all[i] as Payment;
    // The fields a payment's columns give (as PaymentBase reads them).
    const columns = {
      id: p.id,
      status: p.status,
      createdAt: p.createdAt,
      customerEmail: p.customerEmail,
      subscriptionId: p.subscriptionId,
      period: p.period,
      idempotencyKey: p.idempotencyKey,
    };
    sink = decodeBody(bodies[i], columns, common);
  }
});
void sink;
