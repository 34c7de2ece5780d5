/**
 * The headless core, assembled: store, mock gateway, clock, invoker, scheduler and service.
 * `openCore` hands back the `Core` that the Electron shell and the HTTP server hold as soon
 * as the store and the gateway are open; start-up reconciliation (reconcile.ts, then the
 * invoker's recovery of interrupted requests) is the first task of the invoker's queue, so
 * queries are answered while it runs and every change waits for it.
 */
import type { PushEvent } from '../../shared/contract';
import type { Payment } from '../../shared/domain';
import type { Core, CoreOptions } from './api';
import { SystemClock, TestClock } from './clock';
import { openMockGateway, type MockGateway } from './gateway/mock-gateway';
import { CommandInvoker } from './invoker';
import type { Clock, Gateway } from './ports';
import { reconcile } from './reconcile';
import { Scheduler } from './scheduler';
import { Service } from './service';
import { openStore } from './store';

export type { Core, CoreOptions } from './api';

export async function openCore(options: CoreOptions): Promise<Core> {
  const log = options.log ?? (() => undefined);
  const store = await openStore(options.dataDir, { log, ...options.store });
  let gateway: Gateway | undefined;
  try {
    const opened = await openMockGateway({
      dataDir: options.dataDir,
      ...(options.gateway?.successRate !== undefined && {
        successRate: options.gateway.successRate,
      }),
      ...(options.gateway?.seed !== undefined && { seed: options.gateway.seed }),
      ...(options.gateway?.latencyMs !== undefined && { latencyMs: options.gateway.latencyMs }),
    });
    gateway = opened;
    const clock = await openClock(options.clock ?? 'system', store);
    const wrapped = options.wrapGateway?.(opened) ?? opened;
    return assemble(options, store, wrapped, clock, log, opened);
  } catch (error) {
    await gateway?.close();
    await store.close();
    throw error;
  }
}

async function openClock(
  mode: 'system' | 'test',
  store: Awaited<ReturnType<typeof openStore>>,
): Promise<Clock> {
  if (mode === 'system') return new SystemClock();
  const saved = store.testClock();
  const clock = new TestClock(saved ? new Date(saved) : new Date());
  if (!saved) await store.commit([{ t: 'clock', v: clock.now().toISOString() }]);
  return clock;
}

function assemble(
  options: CoreOptions,
  store: Awaited<ReturnType<typeof openStore>>,
  gateway: Gateway,
  clock: Clock,
  log: (message: string) => void,
  /** The mock behind `gateway`, whose behaviour the test clock lets the operator change. */
  mock: MockGateway,
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
  const scheduler: Scheduler = new Scheduler(
    {
      clock,
      run: async () => {
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
      await reconcile(store, gateway, clock, log);
      await invoker.recoverRequests();
    })
    .catch((error: unknown) => {
      log(`Start-up reconciliation failed: ${(error as Error).message}`);
    })
    .finally(() => {
      reconciling = false;
      emit({ type: 'changed', topics: ['payments', 'subscriptions', 'history'] });
    });
  const service = new Service({
    store,
    invoker,
    scheduler,
    clock,
    emit,
    log,
    reconciled,
    dataDir: store.dataDir,
    mock,
    gateway,
  });
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
