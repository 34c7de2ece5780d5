/**
 * The service: carries out each operation of the contract on the core. Input arrives
 * untrusted and is parsed with the operation's zod schema; domain errors come back as
 * values (`{ ok: false, error }`). IPC and HTTP are thin transports over `call`.
 */
import {
  parseInput,
  type ChangeTopic,
  type OperationName,
  type OperationOutput,
  type ParsedInput,
  type PushEvent,
} from '../../shared/contract';
import type { DEFAULT_SETTINGS } from '../../shared/domain';
import { type Origin } from '../../shared/domain';
import { parseAmount } from '../../shared/money';
import { DomainError, fail, ok, type Result } from '../../shared/result';
import type { IdempotentResponse } from './api';
import { TestClock } from './clock';
import { requirePayment } from './commands/payment-commands';
import { requireSubscription } from './commands/subscription-commands';
import { dashboardFromStore } from './dashboard';
import type { CommandInvoker, Finalizer } from './invoker';
import type { Change, Clock, Store } from './ports';
import type { Scheduler } from './scheduler';

export interface ServiceDeps {
  store: Store;
  invoker: CommandInvoker;
  scheduler: Scheduler;
  clock: Clock;
  emit: (event: PushEvent) => void;
  log: (message: string) => void;
}

type Handler<K extends OperationName> = (
  input: ParsedInput<K>,
  origin: Origin,
  finalize?: Finalizer,
) => Promise<OperationOutput<K>> | OperationOutput<K>;
type Handlers = { [K in OperationName]: Handler<K> };

/** What each mutating operation changes, for push events. Queries change nothing. */
const TOPICS: Partial<Record<OperationName, ChangeTopic[]>> = {
  'payments.process': ['payments', 'history'],
  'payments.refund': ['payments', 'history'],
  'subscriptions.create': ['subscriptions', 'history'],
  'subscriptions.pause': ['subscriptions', 'history'],
  'subscriptions.resume': ['subscriptions', 'history'],
  'subscriptions.cancel': ['subscriptions', 'history'],
  'recurring.run': ['payments', 'subscriptions', 'history', 'scheduler'],
  'scheduler.run': ['payments', 'subscriptions', 'history', 'scheduler'],
  'history.undo': ['payments', 'subscriptions', 'history'],
  'history.redo': ['payments', 'subscriptions', 'history'],
  'scheduler.start': ['scheduler'],
  'scheduler.stop': ['scheduler'],
  'settings.set': ['scheduler'],
  'clock.advance': ['clock', 'scheduler'],
};

/** 24 hours at least; kept a week (the store drops older records when it compacts). */
const IDEMPOTENCY_NOT_STORED_FOR: ReadonlySet<string> = new Set(['validation']);

export class Service {
  private readonly inFlightKeys = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: ServiceDeps) {}

  async call<K extends OperationName>(
    name: K,
    raw: unknown,
    origin: Origin,
    finalize?: Finalizer,
  ): Promise<Result<OperationOutput<K>>> {
    const input = parseInput(name, raw);
    if (!input.ok) return input;
    try {
      const handler = this.handlers[name] as Handler<K>;
      const data = await handler(input.data, origin, finalize);
      const topics = TOPICS[name];
      if (topics) this.deps.emit({ type: 'changed', topics });
      return ok(data);
    } catch (error) {
      if (error instanceof DomainError) {
        if (TOPICS[name]) this.deps.emit({ type: 'changed', topics: ['history'] });
        return { ok: false, error: error.toAppError() };
      }
      this.deps.log(
        `${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      return fail(
        'internal',
        `Something went wrong while running ${name}: ${(error as Error).message ?? error}`,
      );
    }
  }

  async callIdempotent<K extends OperationName>(
    key: string,
    fingerprint: string,
    name: K,
    input: unknown,
    origin: Origin,
    render: (result: Result<OperationOutput<K>>) => IdempotentResponse,
  ): Promise<(IdempotentResponse & { replayed: boolean }) | { conflict: true }> {
    for (;;) {
      const stored = this.deps.store.getIdempotencyRecord(key);
      if (stored) {
        return stored.fingerprint === fingerprint
          ? { status: stored.status, body: stored.body, replayed: true }
          : { conflict: true };
      }
      const running = this.inFlightKeys.get(key);
      if (!running) break;
      await running.catch(() => undefined);
      if (!this.deps.store.getIdempotencyRecord(key)) {
        // The first request was not stored (a validation error): this one runs on its own.
        break;
      }
    }
    const record = (response: IdempotentResponse): Change => ({
      t: 'idempotency',
      v: { key, fingerprint, ...response, createdAt: this.deps.clock.now().toISOString() },
    });
    let response: IdempotentResponse | undefined;
    const run = (async () => {
      const finalize: Finalizer = (data) => {
        response = render(ok(data as OperationOutput<K>));
        return [record(response)];
      };
      const result = await this.call(name, input, origin, finalize);
      if (response === undefined) {
        response = render(result);
        if (result.ok || !IDEMPOTENCY_NOT_STORED_FOR.has(result.error.code)) {
          await this.deps.store.commit([record(response)]);
        }
      }
      return response;
    })();
    this.inFlightKeys.set(key, run);
    try {
      return { ...(await run), replayed: false };
    } finally {
      this.inFlightKeys.delete(key);
    }
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }

  private readonly handlers: Handlers = {
    'payments.process': (input, origin, finalize) =>
      this.deps.invoker.execute(
        'ProcessPayment',
        {
          amount: parseAmount(input.amount, input.currency),
          currency: input.currency,
          customerEmail: input.customerEmail,
          description: input.description?.trim() || null,
          paymentMethod: input.paymentMethod?.trim() || null,
        },
        origin,
        finalize,
      ),

    'payments.refund': (input, origin, finalize) => {
      const payment = requirePayment(this.deps.store, input.paymentId);
      const amount =
        input.amount === undefined ? null : parseAmount(input.amount, payment.currency);
      return this.deps.invoker.execute(
        'RefundPayment',
        { paymentId: payment.id, amount },
        origin,
        finalize,
      );
    },

    'payments.get': (input) => requirePayment(this.deps.store, input.id),

    'payments.list': (input) => this.deps.store.queryPayments(input),

    'subscriptions.create': (input, origin, finalize) =>
      this.deps.invoker.execute(
        'CreateSubscription',
        {
          customerEmail: input.customerEmail,
          amount: parseAmount(input.amount, input.currency),
          currency: input.currency,
          interval: input.interval,
          intervalCount: input.intervalCount,
          start: input.startDate ? new Date(input.startDate).toISOString() : this.now(),
        },
        origin,
        finalize,
      ),

    'subscriptions.get': (input) => ({
      ...requireSubscription(this.deps.store, input.id),
      charges: this.deps.store.paymentsOfSubscription(input.id),
    }),

    'subscriptions.list': (input) => this.deps.store.querySubscriptions(input),

    'subscriptions.pause': (input, origin, finalize) =>
      this.deps.invoker.execute(
        'PauseSubscription',
        { subscriptionId: input.id },
        origin,
        finalize,
      ),
    'subscriptions.resume': (input, origin, finalize) =>
      this.deps.invoker.execute(
        'ResumeSubscription',
        { subscriptionId: input.id },
        origin,
        finalize,
      ),
    'subscriptions.cancel': (input, origin, finalize) =>
      this.deps.invoker.execute(
        'CancelSubscription',
        { subscriptionId: input.id },
        origin,
        finalize,
      ),

    'recurring.run': (_input, origin, finalize) => this.runRecurring(origin, finalize),
    'scheduler.run': (_input, origin, finalize) => this.runRecurring(origin, finalize),

    'history.get': (input) => this.deps.invoker.view(input.limit),
    'history.undo': (input, origin) => this.deps.invoker.undo(origin, input.toId, input.limit),
    'history.redo': (input, origin) => this.deps.invoker.redo(origin, input.toId, input.limit),

    'audit.list': (input) => this.deps.store.audit(input.offset, input.limit),

    'scheduler.status': () => this.deps.scheduler.status(),
    'scheduler.start': async () => {
      await this.saveSettings({ schedulerEnabled: true });
      return this.deps.scheduler.status();
    },
    'scheduler.stop': async () => {
      await this.saveSettings({ schedulerEnabled: false });
      return this.deps.scheduler.status();
    },

    'clock.get': () => ({ mode: this.deps.clock.mode, now: this.now() }),
    'clock.advance': async (input) => {
      const clock = this.deps.clock;
      if (!(clock instanceof TestClock)) {
        throw new DomainError(
          'unavailable',
          'The clock can only be advanced in test-clock mode (--clock test)',
        );
      }
      const to = input.to
        ? new Date(input.to)
        : new Date(clock.now().getTime() + (input.seconds ?? 0) * 1000);
      if (to.getTime() < clock.now().getTime()) {
        throw new DomainError('validation', 'The test clock only moves forward', 'to');
      }
      // Through the queue, so that no command sees time jump under it.
      await this.deps.invoker.enqueue(async () => {
        clock.set(to);
        await this.deps.store.commit([{ t: 'clock', v: to.toISOString() }]);
      });
      this.deps.scheduler.catchUp();
      return { mode: clock.mode, now: this.now() };
    },

    'settings.get': () => this.deps.store.settings(),
    'settings.set': (input) => this.saveSettings(input),

    'dashboard.get': () => dashboardFromStore(this.deps.store, this.deps.clock.now()),
  };

  private async runRecurring(origin: Origin, finalize?: Finalizer) {
    if (origin === 'scheduler' && this.deps.store.dueSubscriptions(this.now(), 1).length === 0) {
      // The timer found nothing due: not worth a history or audit entry every minute.
      return { charged: 0, succeeded: 0, failed: 0, payments: [] };
    }
    const summary = await this.deps.invoker.execute('RunRecurring', {}, origin, finalize);
    const { payments: _payments, ...brief } = summary;
    if (origin !== 'scheduler') this.deps.scheduler.noteRun(brief);
    return summary;
  }

  private async saveSettings(patch: Partial<typeof DEFAULT_SETTINGS>) {
    const next = { ...this.deps.store.settings(), ...patch };
    await this.deps.store.commit([{ t: 'settings', v: next }]);
    this.deps.scheduler.setInterval(next.schedulerIntervalSeconds);
    if (next.schedulerEnabled) this.deps.scheduler.start();
    else this.deps.scheduler.stop();
    return next;
  }
}
