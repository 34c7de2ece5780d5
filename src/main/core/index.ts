/**
 * The headless core, assembled: store, gateway (the mock in this process, or the shared
 * gateway service over HTTP), clock, invoker, scheduler and service.
 * `openCore` hands back the `Core` that the Electron shell and the HTTP server hold as soon
 * as the store and the gateway are open; start-up reconciliation (reconcile.ts, then the
 * invoker's recovery of interrupted requests) is the first task of the invoker's queue, so
 * queries are answered while it runs and every change waits for it.
 */
import type { PushEvent } from '../../shared/contract';
import type { Payment } from '../../shared/domain';
import type { Core, CoreOptions } from './api';
import { BackupJobs } from './backup-jobs';
import { SystemClock, TestClock } from './clock';
import type { LedgerSource } from './backup';
import { openHttpGateway } from './gateway/http-gateway';
import { openMockGateway } from './gateway/mock-gateway';
import { CommandInvoker } from './invoker';
import { newId } from './ids';
import type { Change, Clock, Gateway, Store, StoreRepair } from './ports';
import { reconcile, type ReconcileReport } from './reconcile';
import { finishInterruptedRestore } from './restore';
import { Scheduler } from './scheduler';
import { Service, type ServiceDeps } from './service';
import { openStore, type StoreError } from './store';
import { topicsOf } from './change-topics';

export type { Core, CoreOptions } from './api';

export async function openCore(options: CoreOptions): Promise<Core> {
  const log = options.log ?? (() => undefined);
  // A restore cut short by a crash is finished before anything reads the data (restore.ts).
  await finishInterruptedRestore(options.dataDir, log);
  // The store says when it stops taking writes; the core, once assembled, tells the screens.
  const relay: StoreRelay = { writesStopped: () => undefined, othersCommitted: () => undefined };
  const onWritesStopped = (error: StoreError) => {
    options.store?.onWritesStopped?.(error);
    relay.writesStopped(error);
  };
  const store = await openBooks(options, log, onWritesStopped, relay);
  let gateway: Gateway | undefined;
  try {
    const opened = await openGateway(options);
    gateway = opened.gateway;
    const clock = await openClock(options.clock ?? 'system', store);
    const wrapped = options.wrapGateway?.(opened.gateway) ?? opened.gateway;
    return assemble(options, store, wrapped, clock, log, opened, relay);
  } catch (error) {
    await gateway?.close();
    await store.close();
    throw error;
  }
}

/** The store of the books: the data directory's, or a PostgreSQL database's shared by instances. */
async function openBooks(
  options: CoreOptions,
  log: (message: string) => void,
  onWritesStopped: (error: StoreError) => void,
  relay: StoreRelay,
): Promise<Store> {
  if (options.database === undefined) {
    return openStore(options.dataDir, { log, ...options.store, onWritesStopped });
  }
  // Loaded only for shared books: the desktop app and a single desk never load node-postgres.
  const { openPgStore } = await import('./pg-store/store');
  return openPgStore(options.database, options.dataDir, {
    log,
    onWritesStopped,
    onRemoteChanges: (changes) => relay.othersCommitted(changes),
    ...(options.store?.clockNow !== undefined && { clockNow: options.store.clockNow }),
    // The embedded store's fault hook, for the tests run against both stores.
    testing: { beforeWrite: options.store?.testing?.beforeJournalWrite },
  });
}

/** What the store tells the core after it opened. */
interface StoreRelay {
  writesStopped: (error: StoreError) => void;
  /** Another instance sharing the database committed these (now applied here). */
  othersCommitted: (changes: readonly Change[]) => void;
}

/** The gateway the core calls, and what the core knows of it beyond the port. */
interface OpenedGateway {
  gateway: Gateway;
  provider: ServiceDeps['provider'];
  /** The ledger a backup copies: the mock's; none for the service, which keeps its own. */
  ledger: LedgerSource;
}

/** A backup of a desk on the gateway service copies an empty ledger: the service has it. */
const NO_LEDGER: LedgerSource = { path: '', bytes: () => 0 };

async function openGateway(options: CoreOptions): Promise<OpenedGateway> {
  const mockOptions = options.gateway ?? {};
  if (options.gatewayService !== undefined) {
    const given = Object.entries(mockOptions).filter(([, value]) => value !== undefined);
    if (given.length > 0) {
      throw new RangeError(
        `${given.map(([name]) => name).join(', ')}: the gateway service's own options, set where it runs`,
      );
    }
    const service = openHttpGateway(options.gatewayService);
    return {
      gateway: service,
      provider: { kind: 'service', url: service.url },
      ledger: NO_LEDGER,
    };
  }
  const mock = await openMockGateway({
    dataDir: options.dataDir,
    ...(mockOptions.successRate !== undefined && { successRate: mockOptions.successRate }),
    ...(mockOptions.seed !== undefined && { seed: mockOptions.seed }),
    ...(mockOptions.latencyMs !== undefined && { latencyMs: mockOptions.latencyMs }),
  });
  return {
    gateway: mock,
    provider: {
      kind: 'mock',
      behaviour: () => mock.behaviour(),
      configure: (change) => mock.configure(change),
    },
    ledger: { path: mock.ledgerPath, bytes: () => mock.ledgerBytes() },
  };
}

async function openClock(mode: 'system' | 'test', store: Store): Promise<Clock> {
  if (mode === 'system') return new SystemClock();
  const saved = store.testClock();
  const clock = new TestClock(saved ? new Date(saved) : new Date());
  if (!saved) await store.commit([{ t: 'clock', v: clock.now().toISOString() }]);
  return clock;
}

function assemble(
  options: CoreOptions,
  store: Store,
  gateway: Gateway,
  clock: Clock,
  log: (message: string) => void,
  opened: Pick<OpenedGateway, 'provider' | 'ledger'>,
  relay: StoreRelay,
): Core {
  const listeners = new Set<(event: PushEvent) => void>();
  const emit = (event: PushEvent) => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        log(`A push-event listener failed: ${(error as Error).message}`);
      }
    }
  };
  // Every screen shows that writes stopped (system.info's storage); reads go on.
  relay.othersCommitted = (changes) => {
    // The test clock is the books' (a demo's, a test's): another instance may have moved it.
    const saved = store.testClock();
    if (clock instanceof TestClock && saved !== null && Date.parse(saved) > clock.now().getTime()) {
      clock.set(new Date(saved));
    }
    if (changes.some((change) => change.t === 'settings')) followSchedulerSettings();
    const topics = topicsOf(changes);
    if (topics.length > 0) emit({ type: 'changed', topics });
  };
  relay.writesStopped = (error) => {
    emit({
      type: 'notice',
      level: 'error',
      message: `Paydesk takes no more changes: ${error.message}`,
    });
    emit({ type: 'changed', topics: ['storage'] });
  };
  const scheduler: Scheduler = new Scheduler(
    {
      clock,
      run: async () => {
        // Instances sharing a database take turns: only the leader's timer charges.
        if (!(await store.leadScheduler())) return null;
        // Only shared books can hold what another instance left: a single desk's start settled its own.
        if (options.database !== undefined) await settleOrphans();
        // A tick with nothing due is not a run: not audited, not the scheduler's "last run".
        if (store.dueSubscriptions(clock.now().toISOString(), 1).length === 0) return null;
        const result = await service.call('scheduler.run', {}, 'scheduler');
        if (!result.ok) throw new Error(result.error.message);
        const { payments, ...brief } = result.data;
        if (brief.failed > 0) {
          emit({ type: 'notice', level: 'error', message: failedChargesNotice(payments) });
        }
        return brief;
      },
      onChange: () => emit({ type: 'changed', topics: ['scheduler'] }),
      onError: (error) => {
        log(`Scheduled run failed: ${(error as Error).message}`);
        emit({
          type: 'notice',
          level: 'error',
          message: `Scheduled run failed: ${(error as Error).message}`,
        });
      },
    },
    options.schedulerIntervalSeconds ?? store.settings().schedulerIntervalSeconds,
  );
  const invoker = new CommandInvoker({
    store,
    gateway,
    clock,
    log,
    onProgress: (done, total) => {
      scheduler.reportProgress(done, total);
      emit({ type: 'progress', done, total });
    },
  });
  let reconciling = true;
  const reconciled = invoker
    .enqueue(async () => {
      const repair = store.repaired();
      // Audited before reconciliation records again what the gateway did that the store lost.
      if (repair !== null) await store.commit([repairAudit(repair, clock.now().toISOString())]);
      const report = await reconcile(store, gateway, clock, log);
      await invoker.recoverRequests();
      if (repair !== null) {
        emit({ type: 'notice', level: 'error', message: repairNotice(repair, report) });
        emit({ type: 'changed', topics: ['storage'] });
      }
    })
    .catch((error: unknown) => {
      log(`Start-up reconciliation failed: ${(error as Error).message}`);
    })
    .finally(() => {
      reconciling = false;
      emit({ type: 'changed', topics: ['payments', 'subscriptions', 'history'] });
    });
  /**
   * Settles what an instance sharing the database left when it died mid-command, as its own
   * start would have: a command runs whole in one turn of the store (Store.exclusive), so in
   * a turn every PENDING record and unfinished request is one whose instance is gone.
   */
  const settleOrphans = () =>
    invoker.enqueue(async () => {
      const left =
        store.pendingPayments().length +
        store.pendingRefunds().length +
        store.unfinishedRequests().length;
      if (left === 0 || store.writeFailure() !== null) return;
      log(`Settling ${left} record(s) left unfinished by an instance that stopped`);
      await reconcile(store, gateway, clock, log);
      await invoker.recoverRequests();
      emit({ type: 'changed', topics: ['payments', 'subscriptions', 'history'] });
    });
  const backups = new BackupJobs({
    store,
    ledger: opened.ledger,
    dataDir: store.dataDir,
    daily: options.dailyBackups ?? false,
    onChange: () => emit({ type: 'changed', topics: ['backups'] }),
    log,
  });
  // The first daily backup holds the state reconciled, not what a crash left.
  void reconciled.then(() => backups.start());
  const service = new Service({
    store,
    invoker,
    scheduler,
    clock,
    emit,
    log,
    reconciled,
    dataDir: store.dataDir,
    provider: opened.provider,
    gateway,
    backups,
  });
  /** The timer as the stored settings say, another instance having changed them. */
  function followSchedulerSettings(): void {
    const settings = store.settings();
    if (options.schedulerIntervalSeconds === undefined) {
      scheduler.setInterval(settings.schedulerIntervalSeconds);
    }
    if (options.scheduler !== undefined) return;
    if (settings.schedulerEnabled) scheduler.start();
    else scheduler.stop();
  }
  if (options.scheduler ?? store.settings().schedulerEnabled) {
    scheduler.start();
    // What fell due while Paydesk was closed is charged at once, not an interval later.
    scheduler.catchUp();
  }

  let closing: Promise<void> | null = null;
  return {
    dataDir: store.dataDir,
    call: (name, input, origin, callOptions) => service.call(name, input, origin, callOptions),
    reconciled,
    reconciling: () => reconciling,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    catchUp: () => scheduler.catchUp(),
    close() {
      closing ??= (async () => {
        await reconciled;
        scheduler.stop();
        await backups.stop();
        await scheduler.settle();
        await invoker.idle();
        listeners.clear();
        await gateway.close();
        await store.close();
      })();
      return closing;
    },
  };
}

/** Failures a scheduled run's notice names one by one; past that it counts the rest. */
const NAMED_FAILURES = 5;

/**
 * The notice of a scheduled run's failed charges: every one of them, customer and decline
 * code (the first few by name and a count of the rest), so that none goes unseen.
 */
export function failedChargesNotice(payments: readonly Payment[]): string {
  const failed = payments.filter((p) => p.status === 'FAILED');
  const named = failed
    .slice(0, NAMED_FAILURES)
    .map((p) => `${p.customerEmail} (${p.failureCode ?? 'failed'})`);
  const rest = failed.length - named.length;
  const list = rest > 0 ? `${named.join(', ')} and ${rest} more` : named.join(', ');
  return `${failed.length} scheduled charge${failed.length === 1 ? '' : 's'} failed: ${list}`;
}

/** The audit entry of what the store repaired at open (a journal's end cut, commits missing). */
export function repairAudit(repair: StoreRepair, at: string): Change {
  return {
    t: 'audit',
    v: {
      id: newId('aud'),
      at,
      origin: 'system',
      action: 'reconcile',
      kind: 'RepairStore',
      label: repair.message,
      outcome: 'error',
      message: repair.savedAs === null ? null : `The cut bytes are in ${repair.savedAs}`,
      moved: [],
      operator: null,
    },
  };
}

/** The notice of a repair, once reconciliation has recorded what the gateway did. */
export function repairNotice(repair: StoreRepair, report: ReconcileReport): string {
  const recorded =
    report.recorded === 0
      ? 'Reconciliation found nothing at the gateway that the store had lost.'
      : `Reconciliation recorded ${report.recorded} charge${report.recorded === 1 ? '' : 's'} or ` +
        `refund${report.recorded === 1 ? '' : 's'} the gateway had made that the store had lost ` +
        `(see the audit log).`;
  return `Paydesk found its data damaged at start: ${repair.message} ${recorded}`;
}
