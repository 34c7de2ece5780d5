/**
 * The service: carries out each operation of the contract on the core. Input arrives
 * untrusted and is parsed with the operation's zod schema; errors come back as values
 * (`{ ok: false, error }`). IPC and HTTP are thin transports over `call`.
 *
 * A changing operation runs for a request (requests.ts) under the caller's idempotency key,
 * or one made for it. A key whose request has finished is answered from its record (a
 * replay: nothing runs again); a key whose request is still running is `in_progress`, as
 * Stripe answers; the key with another operation or input is a `conflict`. Changing
 * operations wait for start-up reconciliation; queries do not.
 *
 * Before anything else the caller is authenticated (operators.ts: an operator's token, or the
 * single desk) and its role checked (shared/roles.ts): `unauthorized` or `forbidden`, and
 * nothing runs. The request then names its operator, and so do the entries it writes.
 */
import {
  changesOf,
  idempotencyKey,
  parseInput,
  type OperationName,
  type OperationOutput,
  type ParsedInput,
  type PushEvent,
  type StorageStatus,
} from '../../shared/contract';
import {
  DEFAULT_BACKUP,
  EMPTY_BUSINESS,
  type Settings,
  type SettingsView,
} from '../../shared/domain';
import { type Origin } from '../../shared/domain';
import { parseAmount } from '../../shared/money';
import { DomainError, fail, ok, type Result } from '../../shared/result';
import { mayRun, refusal as roleRefusal } from '../../shared/roles';
import type { Answer, CoreCallOptions } from './api';
import { replayedAnswer, storedAnswerOf } from './answers';
import type { BackupJobs } from './backup-jobs';
import { TestClock } from './clock';
import { requirePayment, requireSubscription } from './commands/lookups';
import { customerFromStore } from './customer-rules';
import { dashboardFromStore } from './dashboard';
import { appErrorOf } from './failures';
import type { MockBehaviour } from './gateway/mock-gateway';
import { KeyTakenMeanwhile, type CommandInvoker } from './invoker';
import {
  authenticate,
  sessionOf,
  viewOf,
  withNewAccount,
  withRevoked,
  type Principal,
} from './operators';
import type { Change, Clock, Gateway, Store } from './ports';
import {
  fingerprintOf,
  finishedRecord,
  newRequestKey,
  startedRecord,
  type Request,
} from './requests';
import type { Scheduler } from './scheduler';
import { paymentQueryOf, searchEverywhere } from './search';
import { settingsChangeLabel } from './settings-changes';

export interface ServiceDeps {
  store: Store;
  invoker: CommandInvoker;
  scheduler: Scheduler;
  clock: Clock;
  emit: (event: PushEvent) => void;
  log: (message: string) => void;
  /** Settles when start-up reconciliation is done: changing operations wait for it. */
  reconciled: Promise<void>;
  /** Where the store lives (shown in Settings). */
  dataDir: string;
  /** For search.find: a transaction id is looked up with the provider (Gateway.findCharge). */
  gateway: Pick<Gateway, 'findCharge'>;
  /**
   * The gateway called: the mock in this process, whose behaviour the test clock lets the
   * operator change at run time; or the shared gateway service at `url`.
   */
  provider:
    | {
        kind: 'mock';
        behaviour(): MockBehaviour;
        configure(change: Partial<MockBehaviour>): MockBehaviour;
      }
    | { kind: 'service'; url: string };
  /** Backups of the data (backup.create, backup.list). */
  backups: Pick<BackupJobs, 'create' | 'list'>;
}

type Handler<K extends OperationName> = (
  input: ParsedInput<K>,
  request: Request,
  principal: Principal,
) => Promise<OperationOutput<K>> | OperationOutput<K>;
type Handlers = { [K in OperationName]: Handler<K> };

const keyRefused = (message: string): Result<never> =>
  fail('validation', `idempotencyKey: ${message}`, 'idempotencyKey');

export class Service {
  /** Keys of the requests running in this process. */
  private readonly running = new Set<string>();

  constructor(private readonly deps: ServiceDeps) {}

  async call<K extends OperationName>(
    name: K,
    raw: unknown,
    origin: Origin,
    options: CoreCallOptions = {},
  ): Promise<Answer<OperationOutput<K>>> {
    let principal: Principal;
    try {
      principal = authenticate(options.caller, this.deps.store.settings().operators);
    } catch (error) {
      return { ok: false, error: appErrorOf(error) };
    }
    if (!mayRun(principal.role, name)) return fail('forbidden', roleRefusal(principal.role, name));
    const input = parseInput(name, raw);
    if (!input.ok) return input;
    const handler = this.handlers[name] as Handler<K>;
    const changes = changesOf(name);
    if (changes === undefined) {
      // A query: no request, no key.
      const query = this.queryRequest(name, origin, principal);
      return this.attempt(name, () => handler(input.data, query, principal));
    }
    let key = options.idempotencyKey;
    if (key !== undefined) {
      const valid = idempotencyKey.safeParse(key);
      if (!valid.success) return keyRefused(valid.error.issues[0]?.message ?? 'invalid');
    }
    key ??= newRequestKey();
    const request: Request = {
      key,
      clientKey: options.idempotencyKey !== undefined,
      fingerprint: fingerprintOf(name, input.data),
      operation: name,
      origin,
      operator: principal.operator,
    };
    await this.deps.reconciled;
    if (this.deps.store.getIdempotencyRecord(key)?.answer === null && !this.running.has(key)) {
      // Unfinished, and not here: an instance sharing the database may be running it. A turn
      // of the queue comes after that instance's (Store.exclusive): then the record says.
      try {
        await this.deps.invoker.enqueue(() => Promise.resolve());
      } catch (error) {
        // The turn itself failed (the database gone): an answer, not an exception.
        return { ok: false, error: appErrorOf(error) };
      }
    }
    const known = this.knownRequest(request, input.data);
    if (known !== null) return known as Answer<OperationOutput<K>>;
    const refusal = this.deps.store.writeFailure();
    // Nothing is tried, the gateway least of all, while the store cannot record the outcome.
    if (refusal !== null) return { ok: false, error: appErrorOf(refusal) };
    this.running.add(key);
    let result: Result<OperationOutput<K>>;
    try {
      result = await this.attempt(name, () => handler(input.data, request, principal));
    } catch (error) {
      if (!(error instanceof KeyTakenMeanwhile)) throw error;
      this.running.delete(key);
      return this.knownRequest(request, input.data) as Answer<OperationOutput<K>>;
    } finally {
      this.running.delete(key);
    }
    this.deps.emit({ type: 'changed', topics: result.ok ? [...changes] : ['history'] });
    return result;
  }

  /**
   * The answer for a key already seen: its stored answer, `in_progress` while it runs, a
   * conflict for other input; null for a new key.
   */
  private knownRequest(request: Request, input: unknown): Answer<unknown> | null {
    const record = this.deps.store.getIdempotencyRecord(request.key);
    if (record === undefined) {
      return this.running.has(request.key) ? this.inProgress() : null;
    }
    if (record.fingerprint !== request.fingerprint || record.operation !== request.operation) {
      return fail(
        'conflict',
        'This idempotency key was used with another request: use a new key for a new request',
        'idempotencyKey',
      );
    }
    if (record.answer === null) {
      if (this.running.has(request.key)) return this.inProgress();
      return fail(
        'unavailable',
        'This request was interrupted and is not settled yet (reconciliation with the gateway ' +
          'has not finished it); ask again later',
      );
    }
    const limit = (input as { limit?: number }).limit;
    const answer = replayedAnswer(request.operation, record.answer, this.deps.store, () =>
      request.operation.startsWith('history.')
        ? this.deps.invoker.view(limit, request.operator)
        : this.deps.scheduler.status(),
    );
    return { ...answer, replayed: true };
  }

  private inProgress(): Result<never> {
    return fail(
      'in_progress',
      'A request with this idempotency key is still running: ask again once it has finished',
    );
  }

  /** Runs a handler; any exception becomes an error value. */
  private async attempt<T>(name: OperationName, run: () => Promise<T> | T): Promise<Result<T>> {
    try {
      return ok(await run());
    } catch (error) {
      if (error instanceof KeyTakenMeanwhile) throw error;
      const appError = appErrorOf(error);
      if (appError.code === 'internal') {
        this.deps.log(
          `${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
      }
      return { ok: false, error: appError };
    }
  }

  /** Queries run for no request; this one only carries the origin and the operator. */
  private queryRequest(name: OperationName, origin: Origin, principal: Principal): Request {
    return {
      key: '',
      clientKey: false,
      fingerprint: '',
      operation: name,
      origin,
      operator: principal.operator,
    };
  }

  /**
   * The request's finished record, for an operation done in one commit outside the invoker
   * (settings, the clock): kept only when the caller chose the key.
   */
  private recordOf(request: Request, data: unknown): Change[] {
    if (!request.clientKey) return [];
    const now = this.now();
    const answer = storedAnswerOf(request.operation, ok(data), true);
    return [{ t: 'idempotency', v: finishedRecord(startedRecord(request, [], now), answer, now) }];
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }

  private readonly handlers: Handlers = {
    'payments.process': (input, request) =>
      this.deps.invoker.execute(
        'ProcessPayment',
        {
          amount: parseAmount(input.amount, input.currency),
          currency: input.currency,
          customerEmail: input.customerEmail,
          description: input.description?.trim() || null,
          paymentMethod: input.paymentMethod || null,
        },
        request,
      ),

    'payments.refund': (input, request) => {
      const payment = requirePayment(this.deps.store, input.paymentId);
      const amount =
        input.amount === undefined ? null : parseAmount(input.amount, payment.currency);
      return this.deps.invoker.execute('RefundPayment', { paymentId: payment.id, amount }, request);
    },

    'payments.get': (input) => ({
      ...requirePayment(this.deps.store, input.id),
      refunds: this.deps.store.refundsOfPayment(input.id),
    }),

    // A damaged payment is named in the page, not a failure of the whole list.
    'payments.list': (input) =>
      this.deps.store.queryPayments({ ...paymentQueryOf(input), skipUnreadable: true }),

    'subscriptions.create': (input, request) =>
      this.deps.invoker.execute(
        'CreateSubscription',
        {
          customerEmail: input.customerEmail,
          amount: parseAmount(input.amount, input.currency),
          currency: input.currency,
          interval: input.interval,
          intervalCount: input.intervalCount,
          start: input.startDate ? new Date(input.startDate).toISOString() : null,
        },
        request,
      ),

    'subscriptions.get': (input) => ({
      ...requireSubscription(this.deps.store, input.id),
      charges: this.deps.store.paymentsOfSubscription(input.id),
    }),

    'subscriptions.list': (input) => this.deps.store.querySubscriptions(input),

    'subscriptions.pause': (input, request) =>
      this.deps.invoker.execute('PauseSubscription', { subscriptionId: input.id }, request),
    'subscriptions.resume': (input, request) =>
      this.deps.invoker.execute('ResumeSubscription', { subscriptionId: input.id }, request),
    'subscriptions.cancel': (input, request) =>
      this.deps.invoker.execute('CancelSubscription', { subscriptionId: input.id }, request),

    'subscriptions.chargeMissed': (input, request) =>
      this.deps.invoker.execute('ChargeMissedPeriods', { subscriptionId: input.id }, request),
    'subscriptions.skipMissed': (input, request) =>
      this.deps.invoker.execute('SkipMissedPeriods', { subscriptionId: input.id }, request),
    'subscriptions.retryFailed': (input, request) =>
      this.deps.invoker.execute(
        'RetryFailedPeriod',
        { subscriptionId: input.id, period: input.period },
        request,
      ),
    'subscriptions.forgiveFailed': (input, request) =>
      this.deps.invoker.execute(
        'ForgiveFailedPeriod',
        { subscriptionId: input.id, period: input.period },
        request,
      ),

    'recurring.run': (_input, request) => this.runRecurring(request),
    'scheduler.run': (_input, request) => this.runRecurring(request),

    // Each operator's own stacks (the single desk's: all of them).
    'history.get': (input, request) => this.deps.invoker.view(input.limit, request.operator),
    'history.undo': (input, request) => this.deps.invoker.undo(request, input.toId, input.limit),
    'history.redo': (input, request) => this.deps.invoker.redo(request, input.toId, input.limit),
    'history.preview': (input, request) =>
      this.deps.invoker.preview(input.direction, input.toId, request.operator),

    'audit.list': ({ offset, limit, order, ...filters }) => {
      if (filters.from !== undefined && filters.to !== undefined && filters.to <= filters.from) {
        throw new DomainError('validation', 'to: The end must come after the start', 'to');
      }
      return this.deps.store.audit(offset, limit, { ...filters, order });
    },

    'scheduler.status': () => this.deps.scheduler.status(),
    'scheduler.start': async (_input, request) => {
      await this.saveSettings(() => ({ schedulerEnabled: true }), request);
      return this.deps.scheduler.status();
    },
    'scheduler.stop': async (_input, request) => {
      // At once: the setting is recorded in the queue, which a run in flight holds.
      this.deps.scheduler.stop();
      await this.saveSettings(() => ({ schedulerEnabled: false }), request);
      return this.deps.scheduler.status();
    },

    'clock.get': () => ({ mode: this.deps.clock.mode, now: this.now() }),
    'clock.advance': async (input, request) => {
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
      const view = { mode: clock.mode, now: to.toISOString() };
      // Through the queue, so that no command sees time jump under it.
      await this.deps.invoker.enqueue(async () => {
        clock.set(to);
        await this.deps.store.commit([
          { t: 'clock', v: to.toISOString() },
          ...this.recordOf(request, view),
        ]);
      });
      this.deps.scheduler.catchUp();
      return view;
    },

    'settings.get': () => settingsView(this.deps.store.settings()),
    'settings.set': async ({ business, backup, ...rest }, request) => {
      // The fields given; an absent one keeps its value.
      const given = <T extends object>(fields: T): Partial<T> =>
        Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<T>;
      return this.saveSettings(
        (before) => ({
          ...rest,
          ...(business && {
            business: { ...(before.business ?? EMPTY_BUSINESS), ...given(business) },
          }),
          ...(backup && { backup: { ...(before.backup ?? DEFAULT_BACKUP), ...given(backup) } }),
        }),
        request,
      );
    },

    'operators.me': (_input, _request, principal) =>
      sessionOf(principal, this.deps.store.settings().operators),
    'operators.list': () => this.deps.store.settings().operators.map(viewOf),
    'operators.create': (input, request) =>
      this.deps.invoker.audited(request, 'CreateOperator', () => {
        const made = withNewAccount(this.deps.store.settings(), input.name, input.role, this.now());
        return {
          changes: [{ t: 'settings', v: made.settings }],
          label: `Add ${made.account.role} ${made.account.name}`,
          result: { operator: viewOf(made.account), token: made.token },
        };
      }),
    'operators.revoke': (input, request) =>
      this.deps.invoker.audited(request, 'RevokeOperator', () => {
        const revoked = withRevoked(this.deps.store.settings(), input.id, this.now());
        return {
          changes: [{ t: 'settings', v: revoked.settings }],
          label: `Revoke ${revoked.account.role} ${revoked.account.name}`,
          result: viewOf(revoked.account),
        };
      }),

    'backup.create': async (_input, request) => {
      const made = await this.deps.backups.create('manual');
      // Its record comes after the backup's commit: a backup never holds its own request.
      const record = this.recordOf(request, made);
      if (record.length > 0) await this.deps.store.commit(record);
      return made;
    },
    'backup.list': () => this.deps.backups.list(),

    'system.info': () => {
      const { provider } = this.deps;
      return {
        dataDir: this.deps.dataDir,
        clock: this.deps.clock.mode,
        gateway:
          provider.kind === 'service'
            ? { kind: 'service', url: provider.url, configurable: false }
            : {
                kind: 'mock',
                ...provider.behaviour(),
                configurable: this.deps.clock.mode === 'test',
              },
        storage: storageStatus(this.deps.store),
      };
    },
    /**
     * Not stored: the options given at start (CLI, environment) stay what a start means, and
     * a demo's or a test's change ends with it. A test fixture, not the business's settings.
     */
    'gateway.configure': async (input, request) => {
      const { provider } = this.deps;
      if (provider.kind === 'service') {
        throw new DomainError(
          'unavailable',
          `The gateway is the shared gateway service at ${provider.url}: its behaviour is set ` +
            'where it runs (npm run gateway -- --success-rate <p> --latency-ms <n>)',
        );
      }
      if (this.deps.clock.mode !== 'test') {
        throw new DomainError(
          'unavailable',
          "The mock gateway's behaviour can only be changed with the test clock (--clock test)",
        );
      }
      const behaviour = provider.configure(input);
      const record = this.recordOf(request, behaviour);
      if (record.length > 0) await this.deps.store.commit(record);
      return behaviour;
    },

    'dashboard.get': () => dashboardFromStore(this.deps.store, this.deps.clock.now()),

    'customers.list': (input) => this.deps.store.queryCustomers(input),
    'customers.get': (input) => customerFromStore(this.deps.store, input.email),

    'search.find': (input) =>
      searchEverywhere(this.deps.store, this.deps.gateway, input.text, input.limit),
  };

  private async runRecurring(request: Request) {
    if (
      request.origin === 'scheduler' &&
      this.deps.store.dueSubscriptions(this.now(), 1).length === 0
    ) {
      // The timer found nothing due: not worth a history or audit entry every minute.
      return { charged: 0, succeeded: 0, failed: 0, payments: [] };
    }
    const summary = await this.deps.invoker.execute('RunRecurring', {}, request);
    const { payments: _payments, ...brief } = summary;
    if (request.origin !== 'scheduler') this.deps.scheduler.noteRun(brief);
    return summary;
  }

  /**
   * Stores the settings `change` makes of the latest ones (read in the queue's turn, so that
   * instances sharing a database never write over each other's change) with the request's
   * record and an audit entry of what changed, then applies them. The answer, kept in the
   * request's record for a replay, is the settings without the operator accounts.
   */
  private async saveSettings(
    change: (before: Settings) => Partial<Settings>,
    request: Request,
  ): Promise<SettingsView> {
    const next = await this.deps.invoker.audited(request, 'ChangeSettings', () => {
      const before = this.deps.store.settings();
      const after = { ...before, ...change(before) };
      return {
        changes: [{ t: 'settings', v: after }],
        label: settingsChangeLabel(before, after),
        result: settingsView(after),
      };
    });
    this.deps.scheduler.setInterval(next.schedulerIntervalSeconds);
    if (next.schedulerEnabled) this.deps.scheduler.start();
    else this.deps.scheduler.stop();
    return next;
  }
}

/** The settings as settings.get answers them: the operator accounts are operators.list's. */
function settingsView({ operators: _operators, ...view }: Settings): SettingsView {
  return view;
}

/** Whether the store takes changes, and what it repaired at open (system.info, health). */
export function storageStatus(store: Pick<Store, 'writeFailure' | 'repaired'>): StorageStatus {
  const failure = store.writeFailure();
  return {
    writes: failure === null ? 'ok' : 'stopped',
    cause: failure?.message ?? null,
    repaired: store.repaired()?.message ?? null,
  };
}
