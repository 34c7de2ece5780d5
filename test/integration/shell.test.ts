/**
 * The Electron shell, tested through its built bundle (out/main/index.js) running in a child
 * process under a fake 'electron' module (fixtures/shell), with the real core on a temp data
 * directory. It asserts what the shell promises: one instance, a locked-down window, IPC
 * handlers built from the contract that refuse foreign senders and bad input, a History menu
 * that follows the undo stack, and a quit that keeps the data.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Script } from 'node:vm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { OPERATION_NAMES, type PushEvent } from '../../src/shared/contract';
import {
  OUT_DIR,
  PRELOAD_BUNDLE,
  requireBuiltBundles,
  startShell,
  type ShellProcess,
} from './fixtures/shell/harness';

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

interface MenuItem {
  id?: string;
  label?: string;
  role?: string;
  type?: string;
  enabled?: boolean;
  accelerator?: string;
  registerAccelerator?: boolean;
  clickable: boolean;
  submenu?: MenuItem[];
}
interface Snapshot {
  lockRequested: number;
  quitCalls: number;
  quitted: boolean;
  sandboxEnabled: boolean;
  errorBoxes: Array<{ title: string; content: string }>;
  notifications: Array<{ title: string; body: string }>;
  windows: Array<{
    options: { x?: number; y?: number; width?: number; height?: number; webPreferences?: unknown };
    loaded: { file?: string; url?: string } | null;
    destroyed: boolean;
    calls: string[];
    mainFrameUrl: string;
    sent: Array<{ channel: string; args: unknown[] }>;
  }>;
  channels: string[];
  menu: MenuItem[] | null;
  hasHeadersListener: boolean;
  hasPermissionHandler: boolean;
  resumeListeners: number;
}
type Answer =
  { ok: true; data: any } | { ok: false; error: { code: string; message: string; field?: string } }; // eslint-disable-line @typescript-eslint/no-explicit-any -- data is whatever the operation returns

const VALID_PAYMENT = {
  amount: '12.50',
  currency: 'USD',
  customerEmail: 'ann@example.com',
  paymentMethod: 'pm_card_visa',
};
const RENDERER_INDEX = join(OUT_DIR, 'renderer', 'index.html');
const APP_URL = pathToFileURL(RENDERER_INDEX).href;

const running: ShellProcess[] = [];
const tempDirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'paydesk-shell-'));
  tempDirs.push(dir);
  return dir;
}

async function launch(options: Parameters<typeof startShell>[0]): Promise<ShellProcess> {
  const shell = await startShell(options);
  running.push(shell);
  return shell;
}

/** Waits until the shell has finished starting (window and menu up) or has given up (quit). */
async function settled(shell: ShellProcess): Promise<Snapshot> {
  return vi.waitFor(
    async () => {
      const snap = await shell.request<Snapshot>('snapshot');
      const up = snap.windows.length > 0 && snap.windows[0]?.loaded !== null && snap.menu !== null;
      if (!up && snap.quitCalls === 0)
        throw new Error(`the shell is still starting:\n${shell.output()}`);
      return snap;
    },
    { timeout: 20_000, interval: 20 },
  );
}

const invoke = (shell: ShellProcess, channel: string, input: unknown, sender = 'app') =>
  shell.request<Answer>('invoke', { channel, input, sender });

/** A call with an idempotency key, as the preload makes it. */
const invokeWithKey = (shell: ShellProcess, channel: string, input: unknown, key: unknown) =>
  shell.request<Answer>('invoke', { channel, input, key });

async function paymentCount(shell: ShellProcess): Promise<number> {
  const answer = await invoke(shell, 'payments.list', {});
  if (!answer.ok) throw new Error(`payments.list failed: ${answer.error.message}`);
  return answer.data.total as number;
}

function historyItems(snap: Snapshot): { undo: MenuItem; redo: MenuItem } {
  const history = snap.menu?.find((item) => item.id === 'history');
  const undo = history?.submenu?.find((item) => item.id === 'history.undo');
  const redo = history?.submenu?.find((item) => item.id === 'history.redo');
  if (!undo || !redo)
    throw new Error(`no History menu with Undo/Redo: ${JSON.stringify(snap.menu)}`);
  return { undo, redo };
}

beforeAll(() => requireBuiltBundles());

afterEach(async () => {
  // Only the processes a test left behind; the shared shell of a describe is closed there.
  for (const shell of running.splice(0)) shell.kill();
});

afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe('single instance', () => {
  it('quits at once, opening and touching nothing, when another instance holds the lock', async () => {
    const userData = tempDir();
    const shell = await launch({ userData, lock: false });
    const snap = await shell.request<Snapshot>('snapshot');
    expect(snap.lockRequested).toBe(1);
    expect(snap.quitCalls).toBeGreaterThan(0);
    expect(snap.windows).toEqual([]);
    expect(snap.channels).toEqual([]);
    expect(readdirSync(userData)).toEqual([]);
  });
});

describe('a running shell', () => {
  let shell: ShellProcess;
  let userData: string;
  let started: Snapshot;

  beforeAll(async () => {
    requireBuiltBundles();
    userData = tempDir();
    shell = await startShell({ userData });
    started = await settled(shell);
  });
  afterAll(() => shell?.kill());

  it('took the single-instance lock and keeps its data in userData', () => {
    expect(started.lockRequested).toBe(1);
    expect(started.errorBoxes).toEqual([]);
    expect(started.quitCalls).toBe(0);
    expect(readdirSync(userData).length).toBeGreaterThan(0);
  });

  it('opens one sandboxed, context-isolated window on the built page', () => {
    expect(started.sandboxEnabled).toBe(true);
    expect(started.windows).toHaveLength(1);
    const [window] = started.windows;
    expect(window?.options.webPreferences).toEqual({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      preload: PRELOAD_BUNDLE,
    });
    expect(window?.loaded).toEqual({ file: RENDERER_INDEX });
  });

  it('names a preload that exists and is one CommonJS file needing only electron', () => {
    const preload = (started.windows[0]?.options.webPreferences as { preload: string }).preload;
    expect(isAbsolute(preload)).toBe(true);
    const code = readFileSync(preload, 'utf8');
    // A classic script compiles only without import/export statements.
    expect(() => new Script(code, { filename: preload })).not.toThrow();
    expect(code).not.toMatch(/^\s*(import|export)\s/m);
    const required = [...code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
    expect(new Set(required)).toEqual(new Set(['electron']));
  });

  it('registers exactly one IPC handler per contract operation, and the shell its own', () => {
    // The shell's own channels (Save as PDF...) are named 'paydesk:...'; no operation is.
    const operations = started.channels.filter((channel) => !channel.startsWith('paydesk:'));
    expect([...operations].sort()).toEqual([...OPERATION_NAMES].sort());
    expect(started.channels).toContain('paydesk:print-to-pdf');
  });

  it('refuses every foreign sender without calling the core', async () => {
    const before = await paymentCount(shell);
    for (const sender of ['foreign-url', 'subframe', 'other-contents', 'no-frame']) {
      const answer = await invoke(shell, 'payments.process', VALID_PAYMENT, sender);
      expect(answer, sender).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      const list = await invoke(shell, 'payments.list', {}, sender);
      expect(list.ok, sender).toBe(false);
    }
    expect(await paymentCount(shell)).toBe(before);
  });

  it('refuses invalid input with a validation error naming the field, changing nothing', async () => {
    const before = await paymentCount(shell);
    const cases: Array<[unknown, string]> = [
      [{ ...VALID_PAYMENT, customerEmail: 'not-an-email' }, 'customerEmail'],
      [{ ...VALID_PAYMENT, currency: 'usd' }, 'currency'],
      [{ currency: 'USD', customerEmail: 'ann@example.com' }, 'amount'],
      [{ ...VALID_PAYMENT, surprise: 1 }, 'surprise'],
    ];
    for (const [input, field] of cases) {
      const answer = await invoke(shell, 'payments.process', input);
      expect(answer, field).toMatchObject({ ok: false, error: { code: 'validation', field } });
      if (!answer.ok) expect(answer.error.message).toContain(field);
    }
    const notAnObject = await invoke(shell, 'payments.process', 'pay me');
    expect(notAnObject).toMatchObject({ ok: false, error: { code: 'validation' } });
    expect(await paymentCount(shell)).toBe(before);
  });

  it('refuses an invalid idempotency key with a validation error naming it, changing nothing', async () => {
    const before = await paymentCount(shell);
    for (const key of ['', 'a key with spaces', 'k'.repeat(256), 7]) {
      const answer = await invokeWithKey(shell, 'payments.process', VALID_PAYMENT, key);
      expect(answer, String(key)).toMatchObject({
        ok: false,
        error: { code: 'validation', field: 'idempotencyKey' },
      });
    }
    expect(await paymentCount(shell)).toBe(before);
  });

  it('sends the Content-Security-Policy with the app page only, and refuses permissions but the clipboard', async () => {
    const own = await shell.request<{ responseHeaders?: Record<string, string[]> }>('headers', {
      url: APP_URL,
      responseHeaders: { 'content-security-policy': ['default-src *'], 'X-Other': ['kept'] },
    });
    expect(own.responseHeaders).toEqual({
      'Content-Security-Policy': [CSP],
      'X-Other': ['kept'],
    });
    const foreign = await shell.request<object>('headers', {
      url: 'https://example.com/',
      responseHeaders: {},
    });
    expect(foreign).toEqual({});
    expect(await shell.request('permission', { permission: 'media' })).toEqual({ granted: false });
    expect(await shell.request('permission', { permission: 'notifications' })).toEqual({
      granted: false,
    });
    expect(await shell.request('permission', { permission: 'clipboard-sanitized-write' })).toEqual({
      granted: true,
    });
    expect(
      await shell.request('permission', {
        permission: 'clipboard-sanitized-write',
        requestingUrl: 'https://evil.example/',
      }),
    ).toEqual({ granted: false });
  });

  it('stays on its own page: no navigation away, no new windows, no webviews', async () => {
    expect(await shell.request('navigate', { url: 'https://evil.example/' })).toEqual({
      prevented: true,
    });
    expect(await shell.request('navigate', { url: 'file:///etc/passwd' })).toEqual({
      prevented: true,
    });
    expect(await shell.request('navigate', { url: `${APP_URL}#/payments` })).toEqual({
      prevented: false,
    });
    expect(await shell.request('windowOpen', { url: 'https://evil.example/' })).toEqual({
      action: 'deny',
    });
    expect(await shell.request('attachWebview')).toEqual({ prevented: true });
  });

  it('keeps the History menu in step with the undo stack; its items only ask the renderer', async () => {
    const initial = historyItems(started);
    expect(initial.undo).toMatchObject({ label: 'Undo', enabled: false, clickable: true });
    expect(initial.redo).toMatchObject({ label: 'Redo', enabled: false });
    for (const item of [initial.undo, initial.redo]) {
      expect(item.accelerator === undefined || item.registerAccelerator === false).toBe(true);
    }
    const edit = started.menu?.find((item) => item.submenu?.some((sub) => sub.role === 'cut'));
    expect(edit?.submenu?.map((item) => item.role).filter(Boolean)).toEqual(
      expect.arrayContaining(['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll']),
    );

    const charged = await invoke(shell, 'payments.process', VALID_PAYMENT);
    expect(charged).toMatchObject({ ok: true, data: { status: 'COMPLETED' } });
    const afterCharge = await vi.waitFor(
      async () => {
        const snap = await shell.request<Snapshot>('snapshot');
        const { undo } = historyItems(snap);
        if (!undo.enabled) throw new Error('menu not rebuilt yet');
        return snap;
      },
      { timeout: 10_000, interval: 20 },
    );
    expect(historyItems(afterCharge).undo.label).toMatch(
      /^Undo Charge .*12\.50.* to ann@example\.com$/,
    );
    expect(historyItems(afterCharge).redo).toMatchObject({ label: 'Redo', enabled: false });
    // The renderer is told what changed (it never polls).
    const pushed = afterCharge.windows[0]?.sent.filter((m) => m.channel === 'paydesk:event');
    expect(pushed?.map((m) => m.args[0])).toContainEqual({
      type: 'changed',
      topics: expect.arrayContaining(['payments', 'history']),
    });

    // Clicking the menu item asks the renderer; by itself it undoes nothing.
    const count = await paymentCount(shell);
    await shell.request('clickMenu', { itemId: 'history.undo' });
    const clicked = await shell.request<Snapshot>('snapshot');
    expect(clicked.windows[0]?.sent.at(-1)).toEqual({ channel: 'paydesk:menu', args: ['undo'] });
    expect(historyItems(clicked).undo.enabled).toBe(true);

    const undone = await invoke(shell, 'history.undo', {});
    expect(undone.ok).toBe(true);
    const afterUndo = await vi.waitFor(
      async () => {
        const snap = await shell.request<Snapshot>('snapshot');
        if (historyItems(snap).undo.enabled) throw new Error('menu not rebuilt yet');
        return snap;
      },
      { timeout: 10_000, interval: 20 },
    );
    expect(historyItems(afterUndo).undo).toMatchObject({ label: 'Undo', enabled: false });
    expect(historyItems(afterUndo).redo.label).toMatch(/^Redo Charge /);
    expect(historyItems(afterUndo).redo.enabled).toBe(true);
    await shell.request('clickMenu', { itemId: 'history.redo' });
    const redoClicked = await shell.request<Snapshot>('snapshot');
    expect(redoClicked.windows[0]?.sent.at(-1)).toEqual({
      channel: 'paydesk:menu',
      args: ['redo'],
    });
    // Undo appends compensation; the payment itself stays.
    expect(await paymentCount(shell)).toBe(count);
  });

  it('brings the window back when Paydesk is started a second time', async () => {
    await shell.request('minimize');
    await shell.request('appEvent', { name: 'second-instance' });
    const snap = await shell.request<Snapshot>('snapshot');
    const calls = snap.windows[0]?.calls ?? [];
    expect(calls.slice(calls.lastIndexOf('restore'))).toEqual(
      expect.arrayContaining(['restore', 'focus']),
    );
    expect(snap.resumeListeners).toBeGreaterThan(0);
  });

  it('on closing the window closes the core and quits; the data and the window bounds survive', async () => {
    const count = await paymentCount(shell);
    expect(count).toBeGreaterThan(0);
    await shell.request('moveWindow', { bounds: { x: 140, y: 90, width: 1111, height: 777 } });
    await shell.request('closeWindow');
    await vi.waitFor(
      async () => {
        const snap = await shell.request<Snapshot>('snapshot');
        if (!snap.quitted) throw new Error('not quit yet');
      },
      { timeout: 20_000, interval: 20 },
    );
    shell.kill();

    const again = await launch({ userData });
    const snap = await settled(again);
    expect(snap.errorBoxes).toEqual([]);
    expect(snap.windows[0]?.options).toMatchObject({ x: 140, y: 90, width: 1111, height: 777 });
    expect(await paymentCount(again)).toBe(count);
    expect(historyItems(snap).redo.label).toMatch(/^Redo Charge /);
  });
});

describe('Save as PDF (a receipt)', () => {
  const PRINT = 'paydesk:print-to-pdf';
  const FAKE_PDF = '%PDF-1.4\n% fake electron printToPDF\n%%EOF\n';
  interface Records {
    saveDialogs: Array<Record<string, unknown>>;
    printedToPdf: Array<Record<string, unknown>>;
  }
  let shell: ShellProcess;
  let folder: string;

  beforeAll(async () => {
    requireBuiltBundles();
    shell = await startShell({ userData: tempDir() });
    await settled(shell);
    folder = tempDir();
  });
  afterAll(() => shell?.kill());

  const records = () => shell.request<Records>('dialogRecords');
  const answerDialog = (answer: { canceled: boolean; filePath: string }) =>
    shell.request('answerSaveDialog', { answer });

  it("prints the window's page and writes the PDF to the file chosen in the save dialog", async () => {
    const file = join(folder, 'chosen name.pdf');
    await answerDialog({ canceled: false, filePath: file });
    const answer = await invoke(shell, PRINT, { fileName: 'receipt-pay_1.pdf' });
    expect(answer).toEqual({ ok: true, data: { file } });
    expect(readFileSync(file, 'utf8')).toBe(FAKE_PDF);

    const { saveDialogs, printedToPdf } = await records();
    // The operator's region is the US (the fake's): Letter paper.
    expect(printedToPdf).toEqual([
      { pageSize: 'Letter', printBackground: true, preferCSSPageSize: false },
    ]);
    expect(saveDialogs).toEqual([
      {
        title: 'Save as PDF',
        defaultPath: 'receipt-pay_1.pdf',
        buttonLabel: 'Save',
        filters: [{ name: 'PDF', extensions: ['pdf'] }],
        modal: true,
      },
    ]);
  });

  it('writes nothing when the operator cancels the dialog', async () => {
    const before = readdirSync(folder);
    // No answer queued: the fake's dialog is cancelled.
    const answer = await invoke(shell, PRINT, { fileName: 'receipt-pay_2.pdf' });
    expect(answer).toEqual({ ok: true, data: { file: null } });
    expect(readdirSync(folder)).toEqual(before);
  });

  it('suggests only a safe file name, whatever the page sends', async () => {
    const answer = await invoke(shell, PRINT, { fileName: '../../.ssh/authorized_keys' });
    expect(answer).toEqual({ ok: true, data: { file: null } });
    expect((await records()).saveDialogs.at(-1)?.defaultPath).toBe('authorized_keys.pdf');
  });

  it('says so when the file cannot be written', async () => {
    const file = join(folder, 'no such folder', 'receipt.pdf');
    await answerDialog({ canceled: false, filePath: file });
    const answer = await invoke(shell, PRINT, { fileName: 'receipt.pdf' });
    expect(answer).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    if (!answer.ok) expect(answer.error.message).toContain(file);
  });

  it('refuses foreign senders and bad requests before printing or asking anything', async () => {
    const before = await records();
    for (const sender of ['foreign-url', 'subframe', 'other-contents', 'no-frame']) {
      const answer = await invoke(shell, PRINT, { fileName: 'receipt.pdf' }, sender);
      expect(answer, sender).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    for (const request of [{}, { fileName: '' }, { fileName: 7 }, { fileName: 'a.pdf', x: 1 }]) {
      const answer = await invoke(shell, PRINT, request);
      expect(answer, JSON.stringify(request)).toMatchObject({
        ok: false,
        error: { code: 'validation' },
      });
    }
    const after = await records();
    expect(after.printedToPdf).toHaveLength(before.printedToPdf.length);
    expect(after.saveDialogs).toHaveLength(before.saveDialogs.length);
  });
});

describe('idempotency keys over IPC', () => {
  it('a retry with the same key gets the first answer: one payment', async () => {
    const shell = await launch({ userData: tempDir() });
    await settled(shell);
    const first = await invokeWithKey(shell, 'payments.process', VALID_PAYMENT, 'ipc-retry-1');
    expect(first).toMatchObject({ ok: true, data: { status: 'COMPLETED' } });
    const retry = await invokeWithKey(shell, 'payments.process', VALID_PAYMENT, 'ipc-retry-1');
    expect(retry).toMatchObject({ ok: true, data: first.ok ? { id: first.data.id } : {} });
    expect(await paymentCount(shell)).toBe(1);
    const other = await invokeWithKey(shell, 'payments.process', VALID_PAYMENT, 'ipc-retry-2');
    expect(other.ok).toBe(true);
    expect(await paymentCount(shell)).toBe(2);
  });
});

describe('scheduled charges', () => {
  it('on power resume catches up, and a failed scheduled charge becomes a desktop notification', async () => {
    const shell = await launch({
      userData: tempDir(),
      env: { PAYDESK_SCHEDULER: 'on', PAYDESK_SUCCESS_RATE: '0' },
    });
    await settled(shell);
    const created = await invoke(shell, 'subscriptions.create', {
      customerEmail: 'sleepy@example.com',
      amount: '9.00',
      currency: 'EUR',
      interval: 'MONTHLY',
    });
    expect(created).toMatchObject({ ok: true });
    // Due now, but the timer's next tick is a minute away: nothing has been charged yet.
    const before = await shell.request<Snapshot>('snapshot');
    expect(before.notifications).toEqual([]);

    await shell.request('resume');
    const snap = await vi.waitFor(
      async () => {
        const now = await shell.request<Snapshot>('snapshot');
        if (now.notifications.length === 0) throw new Error('no notification yet');
        return now;
      },
      { timeout: 20_000, interval: 20 },
    );
    expect(snap.notifications[0]?.body).toContain('sleepy@example.com');
    const notices = snap.windows[0]?.sent
      .filter((m) => m.channel === 'paydesk:event')
      .map((m) => m.args[0] as PushEvent)
      .filter((e) => e.type === 'notice');
    expect(notices).toContainEqual(expect.objectContaining({ type: 'notice', level: 'error' }));
  });
});

describe('when the data cannot be opened', () => {
  it('shows the error, quits and leaves the data of the instance using it alone', async () => {
    const userData = tempDir();
    const first = await launch({ userData });
    await settled(first);
    expect((await invoke(first, 'payments.process', VALID_PAYMENT)).ok).toBe(true);

    const second = await launch({ userData });
    const snap = await settled(second);
    expect(snap.quitCalls).toBeGreaterThan(0);
    expect(snap.errorBoxes).toHaveLength(1);
    expect(snap.errorBoxes[0]?.content).toContain(userData);
    expect(snap.windows).toEqual([]);
    expect(snap.channels).toEqual([]);
    expect(await paymentCount(first)).toBe(1);
  });

  it('shows the error and quits when userData is not a usable folder', async () => {
    const file = join(tempDir(), 'not-a-folder');
    writeFileSync(file, 'precious');
    const shell = await launch({ userData: file });
    const snap = await settled(shell);
    expect(snap.errorBoxes).toHaveLength(1);
    expect(snap.windows).toEqual([]);
    expect(readFileSync(file, 'utf8')).toBe('precious');
  });

  it('refuses a bad PAYDESK_* variable by name', async () => {
    const userData = tempDir();
    const shell = await launch({ userData, env: { PAYDESK_GATEWAY_LATENCY_MS: 'soon' } });
    const snap = await settled(shell);
    expect(snap.errorBoxes[0]?.content).toContain('PAYDESK_GATEWAY_LATENCY_MS');
    expect(snap.windows).toEqual([]);
    expect(readdirSync(userData)).toEqual([]);
  });
});
