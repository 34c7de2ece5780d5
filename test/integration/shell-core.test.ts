/**
 * The core in its own process, with real processes: the built main bundle (out/main/index.js)
 * under the fake Electron, whose utilityProcess.fork starts out/main/core-host.js as a real
 * Node child. The core's process is SIGKILLed while a payment is in flight (the gateway has
 * recorded the charge, its answer is seconds away): the window stays and hears
 * 'reconnecting', the shell starts the core again, 'connected' follows, the retry of the cut
 * call with its key answers one outcome (the gateway's ledger has one charge for it), and
 * every payment acknowledged before the kill is still there.
 * shell-core-parts.test.ts tests the two sides of the protocol piece by piece.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CHANGE_TOPICS, type PushEvent } from '../../src/shared/contract';
import { openCore } from '../../src/main/core';
import {
  MAIN_BUNDLE,
  OUT_DIR,
  requireBuiltBundles,
  startShell,
  type ShellProcess,
} from './fixtures/shell/harness';

interface UtilityProcessRecord {
  modulePath: string;
  options: { serviceName?: string };
  pid: number | null;
  lastPid: number | null;
  exitCode: number | null;
  signal: string | null;
}
interface MenuItem {
  id?: string;
  label?: string;
  enabled?: boolean;
  submenu?: MenuItem[];
}
interface Snapshot {
  pid: number;
  utilityProcesses: UtilityProcessRecord[];
  quitCalls: number;
  errorBoxes: unknown[];
  windows: Array<{ destroyed: boolean; sent: Array<{ channel: string; args: unknown[] }> }>;
  menu: MenuItem[] | null;
}
interface PaymentData {
  id: string;
  status: string;
  amount: number;
  customerEmail: string;
}
type Answer<T = unknown> =
  { ok: true; data: T; replayed?: true } | { ok: false; error: { code: string; message: string } };

/** The gateway's call takes seconds: the kill comes long before its answer. */
const SLOW_GATEWAY_MS = 5_000;

const work = mkdtempSync(join(tmpdir(), 'paydesk-shell-core-'));
const userData = join(work, 'userData');
let shell: ShellProcess | undefined;

beforeAll(() => requireBuiltBundles());
afterAll(() => {
  shell?.kill();
  rmSync(work, { recursive: true, force: true });
});

const snapshot = (s: ShellProcess) => s.request<Snapshot>('snapshot');
const invoke = <T>(s: ShellProcess, channel: string, input: unknown, key?: string) =>
  s.request<Answer<T>>('invoke', { channel, input, key });

/** The window's push events, oldest first. */
const pushed = (snap: Snapshot): PushEvent[] =>
  (snap.windows[0]?.sent ?? [])
    .filter((message) => message.channel === 'paydesk:event')
    .map((message) => message.args[0] as PushEvent);

/** The mock gateway's own ledger (a torn last line, left by a kill, is not an entry). */
function ledger(): Array<{ type: string; idempotencyKey: string }> {
  let text: string;
  try {
    text = readFileSync(join(userData, 'gateway-ledger.jsonl'), 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').flatMap((line) => {
    try {
      return line === '' ? [] : [JSON.parse(line) as { type: string; idempotencyKey: string }];
    } catch {
      return [];
    }
  });
}
const chargesOf = (key: string) =>
  ledger().filter((entry) => entry.type === 'charge' && entry.idempotencyKey === `${key}/charge`);

async function until(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

const payment = (email: string, amount: string) => ({
  amount,
  currency: 'USD',
  customerEmail: email,
  paymentMethod: 'pm_card_visa',
});

function undoLabel(snap: Snapshot): string | undefined {
  const history = snap.menu?.find((item) => item.id === 'history');
  return history?.submenu?.find((item) => item.id === 'history.undo')?.label;
}

describe("the core's process killed mid-command", () => {
  it('the window stays and reconnects; the cut call retried with its key is charged once; nothing acknowledged is lost', async () => {
    // The test clock lets the gateway's latency change while it runs (not stored: the
    // restarted core answers at once again).
    shell = await startShell({ userData, env: { PAYDESK_CLOCK: 'test' } });
    const s = shell;
    const started = await vi.waitFor(
      async () => {
        const snap = await snapshot(s);
        if (snap.menu === null || snap.windows.length === 0) throw new Error('still starting');
        return snap;
      },
      { timeout: 20_000, interval: 20 },
    );
    // The core runs in a utility process of its own, not in main.
    expect(started.utilityProcesses).toHaveLength(1);
    const first = started.utilityProcesses[0] as UtilityProcessRecord;
    expect(first.modulePath).toBe(join(OUT_DIR, 'main', 'core-host.js'));
    expect(first.options.serviceName).toBe('Paydesk core');
    expect(first.pid).not.toBeNull();
    expect(first.pid).not.toBe(started.pid);
    expect(MAIN_BUNDLE).toBe(join(OUT_DIR, 'main', 'index.js'));

    // Acknowledged before the kill.
    const acknowledged: Array<{ key: string; input: unknown; id: string }> = [];
    for (let i = 1; i <= 5; i++) {
      const key = `before-${i}`;
      const input = payment(`before-${i}@example.com`, `${i}.00`);
      const answer = await invoke<PaymentData>(s, 'payments.process', input, key);
      if (!answer.ok) throw new Error(`payment ${i}: ${answer.error.message}`);
      expect(answer.data.status).toBe('COMPLETED');
      acknowledged.push({ key, input, id: answer.data.id });
    }
    const slowed = await invoke(s, 'gateway.configure', { latencyMs: SLOW_GATEWAY_MS });
    expect(slowed).toMatchObject({ ok: true });

    // In flight: stored PENDING, the gateway has charged, its answer is seconds away.
    const cut = payment('cut@example.com', '42.00');
    const sentAt = Date.now();
    const inFlight = invoke<PaymentData>(s, 'payments.process', cut, 'cut-1');
    await until(() => chargesOf('cut-1').length === 1);
    process.kill(first.pid as number, 'SIGKILL');

    // The cut call answers at once, with what the renderer retries with the same key.
    const cutAnswer = await inFlight;
    expect(cutAnswer).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(Date.now() - sentAt).toBeLessThan(SLOW_GATEWAY_MS / 2);

    // The window stays and hears 'reconnecting'; the shell starts the core again.
    const back = await vi.waitFor(
      async () => {
        const snap = await snapshot(s);
        const states = pushed(snap).filter((event) => event.type === 'connection');
        if (states.length < 2) throw new Error(`not back yet: ${JSON.stringify(states)}`);
        return snap;
      },
      { timeout: 20_000, interval: 20 },
    );
    expect(back.windows).toHaveLength(1);
    expect(back.windows[0]?.destroyed).toBe(false);
    expect(back.errorBoxes).toEqual([]);
    expect(back.quitCalls).toBe(0);
    expect(back.utilityProcesses).toHaveLength(2);
    expect(back.utilityProcesses[0]).toMatchObject({ pid: null, signal: 'SIGKILL' });
    const second = back.utilityProcesses[1] as UtilityProcessRecord;
    expect(second.pid).not.toBeNull();
    expect(second.pid).not.toBe(first.pid);
    const events = pushed(back);
    const reconnecting = events.findIndex(
      (e) => e.type === 'connection' && e.state === 'reconnecting',
    );
    const connected = events.findIndex((e) => e.type === 'connection' && e.state === 'connected');
    expect(reconnecting).toBeGreaterThanOrEqual(0);
    expect(connected).toBeGreaterThan(reconnecting);
    // Then every view refetches.
    expect(events.slice(connected + 1)).toContainEqual({
      type: 'changed',
      topics: [...CHANGE_TOPICS],
    });

    // The retry with the same key answers the one outcome; again, the same.
    const retried = await invoke<PaymentData>(s, 'payments.process', cut, 'cut-1');
    if (!retried.ok) throw new Error(`the retry: ${retried.error.message}`);
    expect(retried.data).toMatchObject({ status: 'COMPLETED', customerEmail: 'cut@example.com' });
    const again = await invoke<PaymentData>(s, 'payments.process', cut, 'cut-1');
    expect(again).toMatchObject({ ok: true, replayed: true, data: { id: retried.data.id } });
    expect(chargesOf('cut-1')).toHaveLength(1);

    // Everything acknowledged before the kill is still there, and answers its key.
    const list = await invoke<{ total: number }>(s, 'payments.list', {});
    expect(list).toMatchObject({ ok: true, data: { total: 6 } });
    for (const { key, input, id } of acknowledged) {
      const replay = await invoke<PaymentData>(s, 'payments.process', input, key);
      expect(replay).toMatchObject({ ok: true, replayed: true, data: { id } });
      expect(chargesOf(key)).toHaveLength(1);
    }
    expect(ledger().filter((entry) => entry.type === 'charge')).toHaveLength(6);

    // The menu follows the restarted core's undo stack.
    const menu = await vi.waitFor(
      async () => {
        const snap = await snapshot(s);
        if (!undoLabel(snap)?.includes('cut@example.com')) throw new Error('menu not rebuilt');
        return snap;
      },
      { timeout: 10_000, interval: 20 },
    );
    expect(undoLabel(menu)).toMatch(/^Undo Charge .*42\.00.* to cut@example\.com$/);

    // Quitting waits for the new core to close; its store then opens here with the same six.
    await s.request('closeWindow');
    const closed = await vi.waitFor(
      async () => {
        const snap = await snapshot(s);
        if (snap.utilityProcesses[1]?.exitCode === null) throw new Error('core still running');
        return snap;
      },
      { timeout: 20_000, interval: 20 },
    );
    expect(closed.utilityProcesses[1]?.exitCode).toBe(0);
    s.kill();
    await s.exited;
    const reopened = await openCore({
      dataDir: userData,
      scheduler: false,
      gateway: { latencyMs: 0 },
    });
    try {
      const payments = await reopened.call('payments.list', {}, 'operator');
      expect(payments).toMatchObject({ ok: true, data: { total: 6 } });
    } finally {
      await reopened.close();
    }
  });
});
