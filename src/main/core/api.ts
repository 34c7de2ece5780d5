/**
 * The core's public face: what the Electron shell and the headless server hold. Everything
 * a transport needs goes through `call` (validated input in, a Result out) and `subscribe`.
 */
import type { OperationName, OperationOutput, PushEvent } from '../../shared/contract';
import type { Origin } from '../../shared/domain';
import type { Result } from '../../shared/result';

export interface CoreOptions {
  /** Where the store, the gateway's ledger and the lock file live. */
  dataDir: string;
  /** The system clock, or a test clock set and advanced by hand (persisted with the data). */
  clock?: 'system' | 'test';
  gateway?: {
    /** Probability that an ordinary charge succeeds (default 0.9). */
    successRate?: number;
    /** Seed of the outcomes (same seed, same outcomes). Default: random. */
    seed?: number;
    /** Mean latency of a gateway call in ms (default 300; 0 in tests). */
    latencyMs?: number;
  };
  /** Start the interval timer (default: the stored setting, itself true by default). */
  scheduler?: boolean;
  /** Overrides the stored scheduler interval. */
  schedulerIntervalSeconds?: number;
  /** Where the core reports what it does at start-up (reconciliation, torn journal tails). */
  log?: (message: string) => void;
}

/** A stored HTTP response, replayed for a repeated Idempotency-Key. */
export interface IdempotentResponse {
  status: number;
  body: string;
}

export interface Core {
  readonly dataDir: string;
  /** Run one operation of the contract. `input` is untrusted: it is parsed with the operation's schema. */
  call<K extends OperationName>(
    name: K,
    input: unknown,
    origin: Origin,
  ): Promise<Result<OperationOutput<K>>>;
  /**
   * Run an operation at most once per idempotency key, for HTTP's Idempotency-Key header.
   * The first call runs it and stores `render(result)`; a later call with the same key and
   * fingerprint returns the stored response; another fingerprint is a conflict. Keys are kept
   * with the data for at least 24 hours.
   */
  callIdempotent<K extends OperationName>(
    key: string,
    fingerprint: string,
    name: K,
    input: unknown,
    origin: Origin,
    render: (result: Result<OperationOutput<K>>) => IdempotentResponse,
  ): Promise<(IdempotentResponse & { replayed: boolean }) | { conflict: true }>;
  /** Push events: what changed, notices (a scheduled charge failed), progress of long runs. */
  subscribe(listener: (event: PushEvent) => void): () => void;
  /** Charge what fell due while the computer slept (the shell calls it on power resume). */
  catchUp(): void;
  /** Finish the command in flight, stop the scheduler, flush and close the store. */
  close(): Promise<void>;
}
