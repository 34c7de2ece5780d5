/**
 * A mock payment provider with Stripe's idempotency semantics, kept apart from the app's
 * store as a remote provider would be: its own append-only ledger in the data directory,
 * restored when reopened, so crash recovery can look charges up by key after a restart.
 * Outcomes derive from (seed, idempotency key) (./outcome); test payment methods force them.
 */
import { randomInt } from 'node:crypto';
import type { z } from 'zod';
import {
  GatewayError,
  type ChargeRequest,
  type ChargeResult,
  type Gateway,
  type GatewayRecord,
  type GatewayRecordsPage,
  type RefundRequest,
  type RefundResult,
} from '../ports';
import type { ChargeEntry, LedgerBook, LedgerEntry, RefundEntry } from './ledger-book';
import { LedgerWriter, ledgerPathOf, readLedger } from './ledger-file';
import { chargeRequest, refundRequest } from './protocol';
import {
  UnknownPaymentMethodError,
  decideCharge,
  refundIdFor,
  type ChargeDecision,
} from './outcome';

export { ledgerEntries, ledgerPathOf } from './ledger-file';
export type { LedgerEntry } from './ledger-book';

export interface MockGatewayOptions {
  /** Where `gateway-ledger.jsonl` lives. */
  dataDir: string;
  /** Probability that an ordinary charge succeeds, 0..1 (default 0.9). */
  successRate?: number;
  /** Seed of the outcomes and ids (default random). */
  seed?: number;
  /** Mean latency of a call in ms, ±50% jitter (default 300); 0 answers with no timer. */
  latencyMs?: number;
  /** fsync the ledger before answering (default true); false for benchmarks. */
  durable?: boolean;
}

export interface MockGateway extends Gateway {
  readonly ledgerPath: string;
  readonly seed: number;
  /** Every charge (successful or declined) and refund recorded so far, oldest first. */
  entries(): LedgerEntry[];
  /**
   * How many bytes of the ledger file hold the calls answered or being answered with a
   * durable record: what a backup copies, read at the instant the store's state is captured.
   */
  ledgerBytes(): number;
  /** How it behaves now: the success rate of ordinary charges and the mean latency. */
  behaviour(): MockBehaviour;
  /**
   * Change it for the calls that start from now on (calls in flight keep theirs). Throws a
   * RangeError for a value out of range, as opening does.
   */
  configure(change: Partial<MockBehaviour>): MockBehaviour;
}

export interface MockBehaviour {
  successRate: number;
  latencyMs: number;
}

/** Parse a request or refuse it as the provider would: 'invalid_request' naming the field. */
function parseRequest<T>(schema: z.ZodType<T>, request: unknown, what: string): T {
  const parsed = schema.safeParse(request);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue === undefined ? 'request' : issue.path.join('.') || 'request';
  throw new GatewayError('invalid_request', `Invalid ${what}: ${field} ${issue?.message ?? ''}`);
}

/** The parameters that a replay must repeat exactly (Stripe compares them too). */
function chargeMismatches(entry: ChargeEntry, request: ChargeRequest): string[] {
  const fields = ['amount', 'currency', 'customerEmail', 'paymentMethod'] as const;
  return fields.filter((field) => entry[field] !== request[field]);
}

function refundMismatches(entry: RefundEntry, request: RefundRequest): string[] {
  const fields = ['transactionId', 'amount'] as const;
  return fields.filter((field) => entry[field] !== request[field]);
}

function mismatch(key: string, detail: string): GatewayError {
  return new GatewayError(
    'idempotency_mismatch',
    `Idempotency key "${key}" was used before with other parameters (${detail})`,
  );
}

function copyResult(result: ChargeResult): ChargeResult {
  return { ...result };
}

class MockGatewayImpl implements MockGateway {
  /** Per idempotency key, the call running now; a later call with that key waits for it. */
  private readonly inFlight = new Map<string, Promise<void>>();
  /** Calls accepted and not yet answered: close() waits until there are none. */
  private active = 0;
  private whenIdle: (() => void) | null = null;
  private closing: Promise<void> | null = null;

  constructor(
    readonly ledgerPath: string,
    readonly seed: number,
    private successRate: number,
    private latencyMs: number,
    private readonly book: LedgerBook,
    private readonly writer: LedgerWriter,
  ) {}

  behaviour(): MockBehaviour {
    return { successRate: this.successRate, latencyMs: this.latencyMs };
  }

  configure(change: Partial<MockBehaviour>): MockBehaviour {
    checkOptions({ dataDir: '', ...change });
    if (change.successRate !== undefined) this.successRate = change.successRate;
    if (change.latencyMs !== undefined) this.latencyMs = change.latencyMs;
    return this.behaviour();
  }

  charge(request: ChargeRequest): Promise<ChargeResult> {
    return this.accept(() => {
      const valid = parseRequest(chargeRequest, request, 'charge');
      return this.exclusive(valid.idempotencyKey, () => this.chargeOnce(valid));
    });
  }

  refund(request: RefundRequest): Promise<RefundResult> {
    return this.accept(() => {
      const valid = parseRequest(refundRequest, request, 'refund');
      return this.exclusive(valid.idempotencyKey, () => this.refundOnce(valid));
    });
  }

  lookup(key: string): Promise<ChargeResult | null> {
    return this.accept(async () => {
      const entry = await this.entryOnceSettled(key);
      return entry?.type === 'charge' ? copyResult(entry.result) : null;
    });
  }

  findCharge(transactionId: string): Promise<{ idempotencyKey: string } | null> {
    return this.accept(async () => {
      const charge = this.book.successfulCharge(transactionId);
      await this.delay();
      return charge === undefined ? null : { idempotencyKey: charge.idempotencyKey };
    });
  }

  lookupRefund(key: string): Promise<RefundResult | null> {
    return this.accept(async () => {
      const entry = await this.entryOnceSettled(key);
      return entry?.type === 'refund' ? { refundId: entry.refundId } : null;
    });
  }

  records(after: string | null, limit: number): Promise<GatewayRecordsPage> {
    return this.accept(async () => {
      const from = after === null ? 0 : Number(after);
      if (!Number.isSafeInteger(from) || from < 0) {
        throw new GatewayError(
          'invalid_request',
          `Invalid records cursor ${JSON.stringify(after)}`,
        );
      }
      // Taken before the delay, as a provider answers with what it had when asked.
      const all = this.book.entries();
      const to = Math.min(all.length, from + Math.max(1, limit));
      const records = all.slice(from, to).map((entry) => this.asRecord(entry));
      await this.delay();
      return { records, cursor: String(to), more: to < all.length };
    });
  }

  entries(): LedgerEntry[] {
    return this.book.entries().map((entry) => structuredClone(entry));
  }

  ledgerBytes(): number {
    return this.writer.bytes;
  }

  /** The entry of `key` once a call in flight with it has answered (after the latency). */
  private async entryOnceSettled(key: string): Promise<LedgerEntry | undefined> {
    // A call in flight is answered first: the provider then knows its outcome.
    for (let running = this.inFlight.get(key); running; running = this.inFlight.get(key)) {
      await running;
    }
    const entry = this.book.byIdempotencyKey(key);
    await this.delay();
    return entry;
  }

  private asRecord(entry: LedgerEntry): GatewayRecord {
    if (entry.type === 'charge') {
      const { timedOut: _timedOut, result, ...charge } = entry;
      return { ...charge, result: copyResult(result) };
    }
    const charge = this.book.successfulCharge(entry.transactionId);
    return {
      type: 'refund',
      idempotencyKey: entry.idempotencyKey,
      transactionId: entry.transactionId,
      // The book refuses a refund of an unknown transaction: the charge is there.
      chargeIdempotencyKey: charge?.idempotencyKey ?? '',
      amount: entry.amount,
      refundId: entry.refundId,
      at: entry.at,
    };
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.active > 0) await new Promise<void>((resolve) => (this.whenIdle = resolve));
      await this.writer.close();
    })();
    return this.closing;
  }

  /**
   * Run a call unless the gateway is closing, and let close() wait for it. A call that
   * throws at once (an invalid request) rejects like any other.
   */
  private accept<T>(call: () => Promise<T>): Promise<T> {
    if (this.closing !== null) return Promise.reject(new Error('The mock gateway is closed'));
    let answer: Promise<T>;
    try {
      answer = call();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    this.active++;
    answer.then(this.answered, this.answered);
    return answer;
  }

  private readonly answered = (): void => {
    if (--this.active === 0) this.whenIdle?.();
  };

  /** Run `work` once no other call with `key` is running: concurrent replays wait. */
  private exclusive<T>(key: string, work: () => Promise<T>): Promise<T> {
    const running = this.inFlight.get(key);
    if (running !== undefined) return running.then(() => this.exclusive(key, work));
    const answer = work();
    // Inline callbacks: a named closure per call costs a name each under tsx's keepNames.
    const settled: Promise<void> = answer.then(
      () => this.release(key, settled),
      () => this.release(key, settled),
    );
    this.inFlight.set(key, settled);
    return answer;
  }

  private release(key: string, settled: Promise<void>): void {
    if (this.inFlight.get(key) === settled) this.inFlight.delete(key);
  }

  private async chargeOnce(request: ChargeRequest): Promise<ChargeResult> {
    const key = request.idempotencyKey;
    const existing = this.book.byIdempotencyKey(key);
    if (existing !== undefined) {
      if (existing.type !== 'charge') throw mismatch(key, 'it was used for a refund');
      const differ = chargeMismatches(existing, request);
      if (differ.length > 0) throw mismatch(key, differ.join(', '));
      await this.delay();
      return copyResult(existing.result);
    }

    const decision = this.decide(request);
    const entry: ChargeEntry = {
      type: 'charge',
      idempotencyKey: key,
      amount: request.amount,
      currency: request.currency,
      customerEmail: request.customerEmail,
      paymentMethod: request.paymentMethod,
      description: request.description,
      result: decision.result,
      timedOut: decision.timesOut,
      at: new Date().toISOString(),
    };
    // Recorded before the first await: a concurrent refund or lookup sees it at once.
    this.book.add(entry);
    await this.answerAfter(this.writer.append(entry));
    if (decision.timesOut) {
      throw new GatewayError('timeout', `The charge "${key}" timed out: its outcome is unknown`);
    }
    return copyResult(entry.result);
  }

  private decide(request: ChargeRequest): ChargeDecision {
    try {
      return decideCharge(
        this.seed,
        request.idempotencyKey,
        request.paymentMethod,
        this.successRate,
      );
    } catch (error) {
      if (error instanceof UnknownPaymentMethodError) {
        throw new GatewayError('invalid_request', error.message);
      }
      throw error;
    }
  }

  private async refundOnce(request: RefundRequest): Promise<RefundResult> {
    const key = request.idempotencyKey;
    const existing = this.book.byIdempotencyKey(key);
    if (existing !== undefined) {
      if (existing.type !== 'refund') throw mismatch(key, 'it was used for a charge');
      const differ = refundMismatches(existing, request);
      if (differ.length > 0) throw mismatch(key, differ.join(', '));
      await this.delay();
      return { refundId: existing.refundId };
    }

    if (this.book.successfulCharge(request.transactionId) === undefined) {
      throw new GatewayError(
        'invalid_request',
        `No successful charge has transaction id "${request.transactionId}"`,
      );
    }
    const left = this.book.unrefunded(request.transactionId);
    if (request.amount > left) {
      throw new GatewayError(
        'invalid_request',
        `Cannot refund ${request.amount}: only ${left} of ${request.transactionId} is left unrefunded`,
      );
    }
    const entry: RefundEntry = {
      type: 'refund',
      idempotencyKey: key,
      transactionId: request.transactionId,
      amount: request.amount,
      refundId: refundIdFor(this.seed, key),
      at: new Date().toISOString(),
    };
    // Recorded before the first await, so concurrent refunds never exceed the charge.
    this.book.add(entry);
    await this.answerAfter(this.writer.append(entry));
    return { refundId: entry.refundId };
  }

  /** Wait for the simulated network and for the entry to be on disk. */
  private answerAfter(written: Promise<void>): Promise<unknown> {
    return this.latencyMs === 0 ? written : Promise.all([this.delay(), written]);
  }

  private delay(): Promise<void> {
    if (this.latencyMs === 0) return Promise.resolve();
    const ms = this.latencyMs * (0.5 + Math.random());
    return new Promise((resolve) => setTimeout(resolve, ms));
  }
}

function checkOptions(options: MockGatewayOptions): void {
  const { successRate, latencyMs, seed } = options;
  if (successRate !== undefined && !(successRate >= 0 && successRate <= 1)) {
    throw new RangeError(`successRate must be between 0 and 1, not ${successRate}`);
  }
  if (latencyMs !== undefined && !(Number.isFinite(latencyMs) && latencyMs >= 0)) {
    throw new RangeError(`latencyMs must be a finite number >= 0, not ${latencyMs}`);
  }
  if (seed !== undefined && !Number.isFinite(seed)) {
    throw new RangeError(`seed must be a finite number, not ${seed}`);
  }
}

/**
 * Open the mock gateway on `dataDir`, restoring every charge and refund from its ledger.
 * Throws an Error naming the ledger file when it is corrupt (a torn last line is ignored).
 */
export async function openMockGateway(options: MockGatewayOptions): Promise<MockGateway> {
  checkOptions(options);
  const ledgerPath = ledgerPathOf(options.dataDir);
  const parsed = await readLedger(ledgerPath);
  const writer = await LedgerWriter.open(ledgerPath, parsed, options.durable ?? true);
  return new MockGatewayImpl(
    ledgerPath,
    options.seed ?? randomInt(0, 2 ** 31),
    options.successRate ?? 0.9,
    options.latencyMs ?? 300,
    parsed.book,
    writer,
  );
}
