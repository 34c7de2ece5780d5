/**
 * The Gateway port over HTTP: the shared gateway service (`npm run gateway`,
 * src/gateway-service) that several desks call, one `POST /v1/<operation>` per method
 * (./protocol), with `fetch` (the core imports no node:http).
 *
 * A call that gets no answer (the connection refused or cut, no answer within the attempt's
 * time, a 5xx, a body that is not the protocol's) is sent again, the same body with the same
 * idempotency key, until `retryForMs` has passed: safe, since the service answers a key it
 * has seen with its first outcome, so an answer lost on the way charges nothing twice. When
 * it still has no answer the outcome is unknown: GatewayError 'timeout', which the core
 * already handles (a charge stays PENDING, looked up again and settled by reconciliation).
 * The provider's own refusals are its answer and are not retried: `invalid_request` (and the
 * service's `validation`: nothing was charged), `idempotency_mismatch`, and `timeout` (the
 * mock's pm_card_timeoutAfterCharge). Any other refusal (a token refused, a path the service
 * does not know) is not an answer about money either: 'timeout' too, never a FAILED that
 * might not be true, with the service's words in the message.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  GatewayError,
  type ChargeRequest,
  type ChargeResult,
  type Gateway,
  type GatewayRecordsPage,
  type RefundRequest,
  type RefundResult,
} from '../ports';
import {
  GATEWAY_OPERATIONS,
  answerBody,
  failureBody,
  pathOf,
  type GatewayOperation,
  type GatewayServiceInfo,
  type OperationAnswer,
  type OperationInput,
} from './protocol';

export interface HttpGatewayOptions {
  /** Where the service answers, e.g. http://127.0.0.1:8100 (a path prefix is kept). */
  url: string;
  /** Sent as `Authorization: Bearer <token>` when the service asks for one. */
  token?: string | null;
  /** How long one attempt may take before it is given up and sent again (default 10 s). */
  attemptTimeoutMs?: number;
  /** How long a call keeps sending its request while it gets no answer (default 15 s). */
  retryForMs?: number;
}

export const DEFAULT_ATTEMPT_TIMEOUT_MS = 10_000;
export const DEFAULT_RETRY_FOR_MS = 15_000;
const FIRST_BACKOFF_MS = 50;
const MAX_BACKOFF_MS = 1_000;

export interface HttpGateway extends Gateway {
  /** The service's URL as given (what Settings shows). */
  readonly url: string;
  /** What the service says of itself (its mock's behaviour). */
  info(): Promise<GatewayServiceInfo>;
}

/** One attempt's outcome: an answer, the provider's refusal, or nothing to go by. */
type Attempt<T> =
  | { kind: 'answer'; value: T }
  | { kind: 'refused'; error: GatewayError }
  | { kind: 'unanswered'; reason: string };

export function openHttpGateway(options: HttpGatewayOptions): HttpGateway {
  return new HttpGatewayImpl(options);
}

/**
 * Asks the service once what it is, for a start-up check: its info, or why not (`reachable`
 * false when nothing answered; else the service refused, e.g. the token).
 */
export async function checkGatewayService(
  options: HttpGatewayOptions,
): Promise<
  { ok: true; info: GatewayServiceInfo } | { ok: false; reachable: boolean; message: string }
> {
  const outcome = await attempt(
    endpoint(options.url),
    options.token ?? null,
    'info',
    {},
    AbortSignal.timeout(options.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS),
  );
  if (outcome.kind === 'answer') return { ok: true, info: outcome.value };
  if (outcome.kind === 'refused') {
    return { ok: false, reachable: true, message: outcome.error.message };
  }
  return { ok: false, reachable: false, message: outcome.reason };
}

class HttpGatewayImpl implements HttpGateway {
  readonly url: string;
  private readonly base: string;
  private readonly token: string | null;
  private readonly attemptTimeoutMs: number;
  private readonly retryForMs: number;
  /** Aborted by close(): calls still in flight end as unknown outcomes. */
  private readonly closing = new AbortController();

  constructor(options: HttpGatewayOptions) {
    this.url = options.url;
    this.base = endpoint(options.url);
    this.token = options.token ?? null;
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS;
    this.retryForMs = options.retryForMs ?? DEFAULT_RETRY_FOR_MS;
  }

  charge(request: ChargeRequest): Promise<ChargeResult> {
    return this.call('charge', request);
  }

  refund(request: RefundRequest): Promise<RefundResult> {
    return this.call('refund', request);
  }

  lookup(idempotencyKey: string): Promise<ChargeResult | null> {
    return this.call('lookup', { idempotencyKey });
  }

  lookupRefund(idempotencyKey: string): Promise<RefundResult | null> {
    return this.call('lookupRefund', { idempotencyKey });
  }

  records(after: string | null, limit: number): Promise<GatewayRecordsPage> {
    return this.call('records', { after, limit });
  }

  findCharge(transactionId: string): Promise<{ idempotencyKey: string } | null> {
    return this.call('findCharge', { transactionId });
  }

  info(): Promise<GatewayServiceInfo> {
    return this.call('info', {});
  }

  close(): Promise<void> {
    this.closing.abort();
    return Promise.resolve();
  }

  private async call<K extends GatewayOperation>(
    operation: K,
    input: OperationInput<K>,
  ): Promise<OperationAnswer<K>> {
    const deadline = Date.now() + this.retryForMs;
    for (let tries = 1; ; tries++) {
      if (this.closing.signal.aborted) {
        throw new GatewayError('timeout', `${this.describe(operation)}: Paydesk is closing`);
      }
      const signal = AbortSignal.any([
        this.closing.signal,
        AbortSignal.timeout(this.attemptTimeoutMs),
      ]);
      const outcome = await attempt(this.base, this.token, operation, input, signal);
      if (outcome.kind === 'answer') return outcome.value;
      if (outcome.kind === 'refused') throw outcome.error;
      const wait = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (tries - 1));
      if (Date.now() + wait > deadline || this.closing.signal.aborted) {
        throw new GatewayError(
          'timeout',
          `${this.describe(operation)}: no answer after ${tries} tries in ${this.retryForMs} ms ` +
            `(${outcome.reason}); its outcome is unknown`,
        );
      }
      await sleep(wait, undefined, { signal: this.closing.signal }).catch(() => undefined);
    }
  }

  private describe(operation: GatewayOperation): string {
    return `The gateway service at ${this.url} (${operation})`;
  }
}

/** The service's base URL without a trailing slash (a path prefix is kept). */
function endpoint(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
}

async function attempt<K extends GatewayOperation>(
  base: string,
  token: string | null,
  operation: K,
  input: OperationInput<K>,
  signal: AbortSignal,
): Promise<Attempt<OperationAnswer<K>>> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let status: number;
  let text: string;
  try {
    const response = await fetch(`${base}${pathOf(operation)}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(input),
      signal,
    });
    status = response.status;
    text = await response.text();
  } catch (error) {
    return { kind: 'unanswered', reason: reasonOf(error) };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'unanswered', reason: `HTTP ${status} with a body that is not JSON` };
  }
  const failed = failureBody.safeParse(json);
  if (failed.success) {
    const { code, message } = failed.data.error;
    const refusal = refusalOf(code, message, status);
    return refusal === null
      ? { kind: 'unanswered', reason: `HTTP ${status} ${code}: ${message}` }
      : { kind: 'refused', error: refusal };
  }
  const answer = answerBody.safeParse(json);
  const value = answer.success
    ? GATEWAY_OPERATIONS[operation].output.safeParse(answer.data.data)
    : null;
  if (status !== 200 || value === null || !value.success) {
    return { kind: 'unanswered', reason: `HTTP ${status} with an answer not in the protocol` };
  }
  // The schema of `operation`'s answer parsed it: TypeScript cannot follow the index by K.
  return { kind: 'answer', value: value.data as OperationAnswer<K> };
}

/** The port's error for a refusal the service answered; null for one worth asking again. */
function refusalOf(code: string, message: string, status: number): GatewayError | null {
  switch (code) {
    case 'validation':
    case 'invalid_request':
      return new GatewayError('invalid_request', message);
    case 'idempotency_mismatch':
      return new GatewayError('idempotency_mismatch', message);
    case 'timeout':
      return new GatewayError('timeout', message);
    default:
      // A service closing or failing may answer the next try; a token refused will not.
      if (status >= 500) return null;
      return new GatewayError(
        'timeout',
        `The gateway service refused the call (HTTP ${status} ${code}: ${message}); its outcome is unknown`,
      );
  }
}

/** Why fetch got no answer, in a few words (its own message is "fetch failed"). */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return 'no answer in time';
  if (error.name === 'AbortError') return 'given up';
  const cause = error.cause;
  if (cause instanceof Error) return (cause as NodeJS.ErrnoException).code ?? cause.message;
  return error.message;
}
