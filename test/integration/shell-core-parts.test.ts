/**
 * The core in its own process, through the parts' own interfaces: the main process's
 * `RemoteCore` (src/main/core-process/remote-core.ts) with a scripted fake of Electron's
 * UtilityProcess and hand-run timers, the host's side (host.ts) with a fake parentPort and a
 * fake core, and the two joined in memory around a real core on a temp directory.
 * shell-core.test.ts runs the same through the built bundles and real processes.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { CHANGE_TOPICS, type PushEvent } from '../../src/shared/contract';
import { fail, ok } from '../../src/shared/result';
import type { Answer, Core, CoreOptions } from '../../src/main/core/api';
import { openCore } from '../../src/main/core';
import { serveCore, type HostDeps, type ParentPortLike } from '../../src/main/core-process/host';
import type { FromHost, HostOptions, ToHost } from '../../src/main/core-process/protocol';
import {
  restartDelay,
  startRemoteCore,
  type CoreProcess,
  type RemoteCore,
  type RemoteCoreDeps,
} from '../../src/main/core-process/remote-core';

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'paydesk-core-process-'));
  dirs.push(dir);
  return dir;
};

const OPTIONS: HostOptions = { dataDir: '/data', scheduler: false, gateway: { latencyMs: 0 } };
const PAYMENT = { amount: '5.00', currency: 'USD', customerEmail: 'ann@example.com' };

/** A utility process that does what the test says: it records what main posts. */
class FakeProcess extends EventEmitter implements CoreProcess {
  readonly sent: ToHost[] = [];
  killed = false;
  postMessage(message: ToHost): void {
    this.sent.push(structuredClone(message));
  }
  kill(): boolean {
    this.killed = true;
    return true;
  }
  say(message: FromHost | Record<string, unknown>): void {
    this.emit('message', structuredClone(message));
  }
  die(code = 137): void {
    this.emit('exit', code);
  }
  calls(): Array<Extract<ToHost, { type: 'call' }>> {
    return this.sent.filter((m): m is Extract<ToHost, { type: 'call' }> => m.type === 'call');
  }
}

/** Main's side with fake processes and timers run by hand. */
function harness(over: Partial<RemoteCoreDeps> = {}) {
  const processes: FakeProcess[] = [];
  const timers: Array<{ run: () => void; ms: number; cleared: boolean }> = [];
  const logs: string[] = [];
  let clock = 0;
  const deps: RemoteCoreDeps = {
    fork: () => {
      const proc = new FakeProcess();
      processes.push(proc);
      return proc;
    },
    options: OPTIONS,
    log: (message) => logs.push(message),
    setTimeout: (run, ms) => {
      const timer = { run, ms, cleared: false };
      timers.push(timer);
      return timer;
    },
    clearTimeout: (timer) => {
      (timer as { cleared: boolean }).cleared = true;
    },
    now: () => clock,
    ...over,
  };
  return {
    deps,
    processes,
    timers,
    logs,
    latest: (): FakeProcess => {
      const proc = processes.at(-1);
      if (!proc) throw new Error('nothing forked');
      return proc;
    },
    advance: (ms: number) => (clock += ms),
    /** Runs the restart timer that is due (the last one set). */
    restart: () => {
      const timer = timers.at(-1);
      if (!timer || timer.cleared) throw new Error('no restart scheduled');
      timer.run();
    },
  };
}

async function started(h: ReturnType<typeof harness>): Promise<RemoteCore> {
  const starting = startRemoteCore(h.deps);
  h.latest().say({ type: 'ready', pid: 4242 });
  return starting;
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe("the main process's RemoteCore", () => {
  it('starts the host, sends it the options first, and is ready when it says so', async () => {
    const h = harness();
    const core = await started(h);
    expect(h.processes).toHaveLength(1);
    expect(h.latest().sent[0]).toEqual({ type: 'open', options: OPTIONS });
    expect(core.pid()).toBe(4242);
    expect(core.dataDir).toBe('/data');
    expect(core.reconciling()).toBe(true);
    h.latest().say({ type: 'reconciled' });
    await core.reconciled;
    expect(core.reconciling()).toBe(false);
  });

  it('fails to start with the reason the host could not open the data, and ends the host', async () => {
    const h = harness();
    const starting = startRemoteCore(h.deps);
    h.latest().say({ type: 'failed', message: 'another Paydesk process (pid 7) is using /data' });
    await expect(starting).rejects.toThrow('another Paydesk process (pid 7) is using /data');
    expect(h.latest().killed).toBe(true);
    h.latest().die(143);
    expect(h.timers).toEqual([]);
  });

  it('fails to start when the host ends before it is ready', async () => {
    const h = harness();
    const starting = startRemoteCore(h.deps);
    h.latest().die(1);
    await expect(starting).rejects.toThrow(/exit code 1/);
    expect(h.timers).toEqual([]);
  });

  it('relays calls with their origin and key, and routes each answer to its call', async () => {
    const h = harness();
    const core = await started(h);
    const first = core.call('payments.process', PAYMENT, 'operator', { idempotencyKey: 'k-1' });
    const second = core.call('payments.list', {}, 'system');
    const [a, b] = h.latest().calls();
    expect(a).toEqual({
      type: 'call',
      id: a?.id,
      name: 'payments.process',
      input: PAYMENT,
      origin: 'operator',
      options: { idempotencyKey: 'k-1' },
    });
    expect(b).toMatchObject({ name: 'payments.list', origin: 'system' });
    expect(b).not.toHaveProperty('options');
    // Answered out of order.
    h.latest().say({ type: 'answer', id: b?.id ?? -1, answer: ok({ total: 0 }) });
    h.latest().say({
      type: 'answer',
      id: a?.id ?? -1,
      answer: { ok: true, data: { id: 'pay_1' }, replayed: true },
    });
    expect(await second).toEqual({ ok: true, data: { total: 0 } });
    expect(await first).toEqual({ ok: true, data: { id: 'pay_1' }, replayed: true });
  });

  it('drops what does not parse, and ends a call whose answer is unreadable as an internal error', async () => {
    const h = harness();
    const core = await started(h);
    const events: PushEvent[] = [];
    core.subscribe((event) => events.push(event));
    const answered = core.call('payments.list', {}, 'operator');
    const id = h.latest().calls()[0]?.id;
    h.latest().say({ type: 'event', event: { type: 'changed', topics: ['nonsense'] } });
    h.latest().say({ type: 'event', event: { type: 'connection', state: 'connected' } });
    h.latest().say({ type: 'surprise' });
    h.latest().say({ type: 'answer', id, answer: { ok: false, error: { code: 'teapot' } } });
    expect(await answered).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(events).toEqual([]);
    expect(h.logs.filter((line) => line.startsWith('dropped a message'))).toHaveLength(4);
  });

  it("forwards the core's push events to every subscriber until it unsubscribes", async () => {
    const h = harness();
    const core = await started(h);
    const seen: PushEvent[] = [];
    const stop = core.subscribe((event) => seen.push(event));
    h.latest().say({ type: 'event', event: { type: 'changed', topics: ['payments'] } });
    h.latest().say({ type: 'event', event: { type: 'progress', done: 1, total: 2 } });
    stop();
    h.latest().say({ type: 'event', event: { type: 'notice', level: 'info', message: 'x' } });
    expect(seen).toEqual([
      { type: 'changed', topics: ['payments'] },
      { type: 'progress', done: 1, total: 2 },
    ]);
  });

  it('when the host dies: calls in flight and calls meanwhile answer unavailable, the window hears "reconnecting"', async () => {
    const h = harness();
    const core = await started(h);
    const seen: PushEvent[] = [];
    core.subscribe((event) => seen.push(event));
    const inFlight = core.call('payments.process', PAYMENT, 'operator', { idempotencyKey: 'k' });
    h.latest().die(137);
    expect(await inFlight).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(seen).toEqual([{ type: 'connection', state: 'reconnecting' }]);
    expect(core.pid()).toBeUndefined();
    expect(core.reconciling()).toBe(true);

    const meanwhile = await core.call('payments.list', {}, 'operator');
    expect(meanwhile).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(h.processes).toHaveLength(1);
    core.catchUp(); // nothing to send it to: the new host catches up as it opens
    expect(h.timers.map((t) => t.ms)).toEqual([restartDelay(0)]);

    // Back: told, and told to refetch everything.
    h.restart();
    expect(h.processes).toHaveLength(2);
    expect(h.latest().sent[0]).toEqual({ type: 'open', options: OPTIONS });
    const whileStarting = await core.call('payments.list', {}, 'operator');
    expect(whileStarting).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    h.latest().say({ type: 'ready', pid: 5151 });
    expect(core.pid()).toBe(5151);
    expect(seen.slice(1)).toEqual([
      { type: 'connection', state: 'connected' },
      { type: 'changed', topics: [...CHANGE_TOPICS] },
    ]);
    const after = core.call('payments.list', {}, 'operator');
    h.latest().say({ type: 'answer', id: h.latest().calls()[0]?.id ?? -1, answer: ok(1) });
    expect(await after).toEqual({ ok: true, data: 1 });
  });

  it('restarts after delays doubling up to 10 s, says "reconnecting" once per outage and a failed open once', async () => {
    const h = harness();
    const core = await started(h);
    const seen: PushEvent[] = [];
    core.subscribe((event) => seen.push(event));
    h.latest().die();
    for (let attempt = 1; attempt <= 8; attempt++) {
      h.restart();
      h.latest().say({ type: 'failed', message: 'the journal is damaged' });
      expect(h.latest().killed).toBe(true);
      h.latest().die(143);
    }
    expect(h.timers.map((t) => t.ms)).toEqual([
      250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000,
    ]);
    expect(seen).toEqual([
      { type: 'connection', state: 'reconnecting' },
      {
        type: 'notice',
        level: 'error',
        message: 'Paydesk cannot reopen its data: the journal is damaged',
      },
    ]);
    // A stale message from a host already gone changes nothing.
    h.processes[0]?.say({ type: 'ready', pid: 1 });
    expect(core.pid()).toBeUndefined();
  });

  it('starts counting again after a host that stayed up a minute', async () => {
    const h = harness();
    const core = await started(h);
    h.latest().die();
    h.restart();
    h.latest().say({ type: 'ready', pid: 2 });
    h.latest().die(); // died at once: the next delay doubles
    h.restart();
    h.latest().say({ type: 'ready', pid: 3 });
    h.advance(60_000);
    h.latest().die(); // up a minute: back to the first delay
    expect(h.timers.map((t) => t.ms)).toEqual([250, 500, 250]);
    expect(core.pid()).toBeUndefined();
  });

  it('close asks the host to close and waits for it to exit; nothing is restarted or taken meanwhile', async () => {
    const h = harness();
    const core = await started(h);
    const inFlight = core.call('payments.process', PAYMENT, 'operator');
    let done = false;
    const closing = core.close().then(() => (done = true));
    expect(h.latest().sent.at(-1)).toEqual({ type: 'close' });
    expect(core.close()).toBe(core.close());
    const refused = await core.call('payments.list', {}, 'operator');
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'unavailable', message: 'Paydesk is closing.' },
    });
    // The host finishes the command in flight, then exits.
    h.latest().say({ type: 'answer', id: h.latest().calls()[0]?.id ?? -1, answer: ok('done') });
    expect(await inFlight).toEqual({ ok: true, data: 'done' });
    await flush();
    expect(done).toBe(false);
    h.latest().die(0);
    await closing;
    expect(h.timers).toEqual([]);
  });

  it('close during an outage cancels the restart', async () => {
    const h = harness();
    const core = await started(h);
    h.latest().die();
    await core.close();
    expect(h.timers[0]?.cleared).toBe(true);
    expect(h.processes).toHaveLength(1);
  });

  it('catchUp goes to the host while it is up', async () => {
    const h = harness();
    const core = await started(h);
    core.catchUp();
    expect(h.latest().sent.at(-1)).toEqual({ type: 'catchUp' });
  });
});

/** A parentPort whose messages the test sends and whose posts it reads. */
function fakePort() {
  const emitter = new EventEmitter();
  const posted: FromHost[] = [];
  const port: ParentPortLike = {
    on: (event, listener) => emitter.on(event, listener),
    postMessage: (message) => void posted.push(structuredClone(message) as FromHost),
  };
  return { port, posted, send: (data: unknown) => emitter.emit('message', { data, ports: [] }) };
}

/** A core that answers what the test says, recording calls and closing when asked. */
function fakeCore() {
  const listeners = new Set<(event: PushEvent) => void>();
  let finishReconcile: () => void = () => undefined;
  const calls: unknown[][] = [];
  const answers: Array<(answer: Answer<unknown>) => void> = [];
  const call = (...args: unknown[]): Promise<Answer<unknown>> => {
    calls.push(args);
    return new Promise((resolve) => answers.push(resolve));
  };
  const core: Core = {
    dataDir: '/data',
    // The fake answers what the test gives it, whatever the operation asked.
    call: call as Core['call'],
    reconciled: new Promise<void>((resolve) => (finishReconcile = resolve)),
    reconciling: () => true,
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    catchUp: vi.fn(),
    close: vi.fn(async () => undefined),
  };
  return {
    core,
    calls,
    answers,
    emit: (event: PushEvent) => listeners.forEach((listener) => listener(event)),
    finishReconcile: () => finishReconcile(),
  };
}

function host(open: HostDeps['open']) {
  const port = fakePort();
  const exits: number[] = [];
  const logs: string[] = [];
  serveCore(port.port, {
    open,
    pid: 777,
    exit: (code) => exits.push(code),
    log: (message) => logs.push(message),
  });
  return { ...port, exits, logs };
}

describe("the core host's side", () => {
  it('opens the core with the options main sent and answers ready with its pid', async () => {
    const fake = fakeCore();
    const open = vi.fn(async (_options: CoreOptions) => fake.core);
    const h = host(open);
    h.send({ type: 'open', options: OPTIONS });
    await flush();
    expect(open).toHaveBeenCalledWith(expect.objectContaining(OPTIONS));
    expect(h.posted).toEqual([{ type: 'ready', pid: 777 }]);
    fake.finishReconcile();
    await flush();
    expect(h.posted.at(-1)).toEqual({ type: 'reconciled' });
  });

  it('answers failed with the reason when the data cannot be opened', async () => {
    const h = host(async () => {
      throw new Error('the data is locked');
    });
    h.send({ type: 'open', options: OPTIONS });
    await flush();
    expect(h.posted).toEqual([{ type: 'failed', message: 'the data is locked' }]);
  });

  it('runs each call and answers it by id; forwards push events', async () => {
    const fake = fakeCore();
    const h = host(async () => fake.core);
    h.send({ type: 'open', options: OPTIONS });
    await flush();
    h.send({
      type: 'call',
      id: 9,
      name: 'payments.process',
      input: PAYMENT,
      origin: 'operator',
      options: { idempotencyKey: 'k' },
    });
    expect(fake.calls).toEqual([
      ['payments.process', PAYMENT, 'operator', { idempotencyKey: 'k' }],
    ]);
    fake.answers[0]?.({ ok: true, data: { id: 'pay_1' }, replayed: true });
    fake.emit({ type: 'changed', topics: ['payments'] });
    await flush();
    expect(h.posted.slice(1)).toEqual([
      { type: 'event', event: { type: 'changed', topics: ['payments'] } },
      { type: 'answer', id: 9, answer: { ok: true, data: { id: 'pay_1' }, replayed: true } },
    ]);
  });

  it('answers a call it cannot read with a validation error, and drops other bad messages', async () => {
    const fake = fakeCore();
    const h = host(async () => fake.core);
    h.send({ type: 'open', options: OPTIONS });
    await flush();
    h.send({ type: 'call', id: 3, name: 'payments.steal', input: {}, origin: 'operator' });
    h.send({ type: 'call', id: 4, name: 'payments.list', input: {}, origin: 'mallory' });
    h.send({ type: 'open', options: { dataDir: '/x', surprise: true } });
    h.send('hello');
    expect(fake.calls).toEqual([]);
    expect(h.posted.slice(1)).toEqual([
      {
        type: 'answer',
        id: 3,
        answer: { ok: false, error: expect.objectContaining({ code: 'validation' }) },
      },
      {
        type: 'answer',
        id: 4,
        answer: { ok: false, error: expect.objectContaining({ code: 'validation' }) },
      },
    ]);
    expect(h.logs).toHaveLength(4);
  });

  it('answers unavailable before the core is open', async () => {
    const h = host(() => new Promise<Core>(() => undefined));
    h.send({ type: 'open', options: OPTIONS });
    h.send({ type: 'call', id: 1, name: 'payments.list', input: {}, origin: 'operator' });
    expect(h.posted).toEqual([
      {
        type: 'answer',
        id: 1,
        answer: { ok: false, error: expect.objectContaining({ code: 'unavailable' }) },
      },
    ]);
  });

  it('on close: the calls in flight are answered, later ones refused, the core closed, then exit 0', async () => {
    const fake = fakeCore();
    const h = host(async () => fake.core);
    h.send({ type: 'open', options: OPTIONS });
    await flush();
    h.send({ type: 'call', id: 1, name: 'payments.process', input: PAYMENT, origin: 'operator' });
    h.send({ type: 'close' });
    h.send({ type: 'call', id: 2, name: 'payments.list', input: {}, origin: 'operator' });
    await flush();
    expect(h.exits).toEqual([]);
    expect(fake.core.close).toHaveBeenCalledTimes(1);
    fake.answers[0]?.(fail('gateway', 'declined'));
    await flush();
    expect(h.posted.slice(1)).toEqual([
      {
        type: 'answer',
        id: 2,
        answer: { ok: false, error: expect.objectContaining({ code: 'unavailable' }) },
      },
      {
        type: 'answer',
        id: 1,
        answer: { ok: false, error: { code: 'gateway', message: 'declined' } },
      },
    ]);
    expect(h.exits).toEqual([0]);
  });

  it('a close while opening closes the core once it is open', async () => {
    const fake = fakeCore();
    let open: (core: Core) => void = () => undefined;
    const h = host(() => new Promise<Core>((resolve) => (open = resolve)));
    h.send({ type: 'open', options: OPTIONS });
    h.send({ type: 'close' });
    await flush();
    expect(h.exits).toEqual([]);
    open(fake.core);
    await flush();
    await flush();
    expect(fake.core.close).toHaveBeenCalledTimes(1);
    expect(h.exits).toEqual([0]);
  });
});

describe('main and host joined in memory, around a real core', () => {
  it('a payment crosses the protocol and lands in the store; close closes the store', async () => {
    const dataDir = tempDir();
    let exitCode: number | null = null;
    let proc: CoreProcess | null = null;
    // A "process" whose two ends are the host's port and main's UtilityProcess, each message
    // cloned and delivered later, as between processes.
    const fork = (): CoreProcess => {
      const toMain = new EventEmitter();
      const toHost = fakePort();
      serveCore(
        {
          on: toHost.port.on,
          postMessage: (message) =>
            setImmediate(() => toMain.emit('message', structuredClone(message))),
        },
        {
          open: openCore,
          pid: process.pid,
          exit: (code) => {
            exitCode = code;
            setImmediate(() => toMain.emit('exit', code));
          },
          log: () => undefined,
        },
      );
      proc = Object.assign(toMain, {
        postMessage: (message: ToHost) => setImmediate(() => toHost.send(structuredClone(message))),
        kill: () => true,
      });
      return proc;
    };
    const core = await startRemoteCore({
      fork,
      options: { dataDir, scheduler: false, gateway: { latencyMs: 0, seed: 1 } },
      log: () => undefined,
    });
    expect(proc).not.toBeNull();
    await core.reconciled;
    const seen: PushEvent[] = [];
    core.subscribe((event) => seen.push(event));
    const paid = await core.call(
      'payments.process',
      { ...PAYMENT, paymentMethod: 'pm_card_visa' },
      'operator',
      { idempotencyKey: 'joined-1' },
    );
    expect(paid).toMatchObject({ ok: true, data: { status: 'COMPLETED' } });
    const again = await core.call(
      'payments.process',
      { ...PAYMENT, paymentMethod: 'pm_card_visa' },
      'operator',
      { idempotencyKey: 'joined-1' },
    );
    expect(again).toMatchObject({ ok: true, replayed: true });
    const bad = await core.call('payments.process', { ...PAYMENT, currency: 'usd' }, 'operator');
    expect(bad).toMatchObject({ ok: false, error: { code: 'validation', field: 'currency' } });
    expect(seen).toContainEqual({ type: 'changed', topics: expect.arrayContaining(['payments']) });
    await core.close();
    expect(exitCode).toBe(0);

    // The store was closed (its lock released): it opens again here, with the payment.
    const reopened = await openCore({ dataDir, scheduler: false, gateway: { latencyMs: 0 } });
    try {
      const list = await reopened.call('payments.list', {}, 'operator');
      expect(list).toMatchObject({ ok: true, data: { total: 1 } });
    } finally {
      await reopened.close();
    }
  });
});
