/**
 * The core's public face: what the Electron shell and the headless server hold. Everything
 * a transport needs goes through `call` (validated input in, a Result out) and `subscribe`.
 */
import type { CallOptions, OperationName, OperationOutput, PushEvent } from '../../shared/contract';
import type { Origin } from '../../shared/domain';
import type { Result } from '../../shared/result';
import type { HttpGatewayOptions } from './gateway/http-gateway';
import type { Caller } from './operators';
import type { Gateway } from './ports';
import type { StoreOptions } from './store';

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
  /**
   * Call the shared gateway service (`npm run gateway`) at this URL instead of a mock in this
   * process: several desks then use one provider. The mock's options above are then the
   * service's own: openCore refuses them here.
   */
  gatewayService?: HttpGatewayOptions;
  /** Start the interval timer (default: the stored setting, itself true by default). */
  scheduler?: boolean;
  /** Overrides the stored scheduler interval. */
  schedulerIntervalSeconds?: number;
  /**
   * Back up once a day while the setting allows it (settings.backup.daily): the desktop app
   * does, the server with --daily-backups. Default false.
   */
  dailyBackups?: boolean;
  /** Where the core reports what it does at start-up (reconciliation, torn journal tails). */
  log?: (message: string) => void;
  /**
   * Keep the books in PostgreSQL at this URL (`serve --database`), shared by every instance
   * given the same one, instead of in the data directory's files (which then hold only this
   * instance's own: the mock gateway's ledger, the API token). `store` options are the
   * embedded store's.
   */
  database?: string;
  /** Options of the store (its tests inject write failures through them). */
  store?: StoreOptions;
  /** Wraps the gateway the core calls (tests count or refuse calls through it). */
  wrapGateway?: (gateway: Gateway) => Gateway;
}

/**
 * A call's options in the core: the caller's idempotency key, and who the caller is as the
 * door knows them (operators.ts): none is the single desk (the desktop app, the scheduler).
 * The core checks the caller's role before anything else: `unauthorized` for a token it does
 * not know, `forbidden` for an operation the role may not run.
 */
export interface CoreCallOptions extends CallOptions {
  caller?: Caller;
}

/**
 * An operation's answer. `replayed` is set when it is the stored answer of an earlier
 * request with the same idempotency key (nothing was done again).
 */
export type Answer<T> = Result<T> & { replayed?: true };

export interface Core {
  readonly dataDir: string;
  /**
   * Run one operation of the contract. `input` is untrusted: it is parsed with the
   * operation's schema. A changing operation is done at most once per idempotency key
   * (`options.idempotencyKey`, else a key made for this call): the key is stored with the
   * first durable record of the work, a repeat gets the stored answer (`replayed`), a repeat
   * while the first still runs gets `in_progress`, the key with other input `conflict`.
   */
  call<K extends OperationName>(
    name: K,
    input: unknown,
    origin: Origin,
    options?: CoreCallOptions,
  ): Promise<Answer<OperationOutput<K>>>;
  /**
   * Settles when start-up reconciliation has run (pending payments and refunds settled with
   * the gateway, the gateway's records compared with the store). Queries are answered
   * meanwhile; changing operations wait for it.
   */
  readonly reconciled: Promise<void>;
  /** Whether start-up reconciliation is still running. */
  reconciling(): boolean;
  /** Push events: what changed, notices (a scheduled charge failed), progress of long runs. */
  subscribe(listener: (event: PushEvent) => void): () => void;
  /** Charge what fell due while the computer slept (the shell calls it on power resume). */
  catchUp(): void;
  /** Finish the command in flight, stop the scheduler, flush and close the store. */
  close(): Promise<void>;
}
