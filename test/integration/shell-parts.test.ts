/**
 * The shell's parts through their own interfaces, with Electron's objects replaced by small
 * fakes: URL and sender trust rules, the CSP header, the IPC handler wrapper, the menu
 * template and its refresh, push-event routing, the quit guard, the remembered window bounds
 * and the PAYDESK_* environment options. (shell.test.ts runs the assembled bundle.)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EventEmitter } from 'node:events';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { OPERATION_NAMES, type PushEvent } from '../../src/shared/contract';
import { OPERATION_CHANNEL_NAMES } from '../../src/preload/channels';
import { coreOptionsFromEnv } from '../../src/main/shell/env';
import { routePushEvent } from '../../src/main/shell/events';
import { handleOperation, registerIpc } from '../../src/main/shell/ipc';
import { holdQuitUntilClosed } from '../../src/main/shell/lifecycle';
import {
  paperFor,
  printToPdf,
  registerPrintToPdf,
  safePdfName,
  type PrintPdfDeps,
} from '../../src/main/shell/print-pdf';
import {
  MAX_LABEL_LENGTH,
  buildMenuTemplate,
  createAppMenu,
  historyItemLabel,
  type HistoryLabels,
} from '../../src/main/shell/menu';
import {
  CONTENT_SECURITY_POLICY,
  createAppUrlMatcher,
  cspHeaders,
  devServerUrl,
  isTrustedSender,
  type FrameLike,
} from '../../src/main/shell/security';
import {
  DEFAULT_SIZE,
  MIN_SIZE,
  fitToWorkArea,
  placeWindow,
  readWindowState,
  writeWindowState,
  type Rect,
} from '../../src/main/shell/window-state';
import type { MenuItemConstructorOptions } from 'electron';

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'paydesk-shell-parts-'));
  dirs.push(dir);
  return dir;
};

describe('channels', () => {
  it("the preload's operation list is exactly the contract's", () => {
    expect([...OPERATION_CHANNEL_NAMES].sort()).toEqual([...OPERATION_NAMES].sort());
  });
});

describe('the app URL', () => {
  const indexHtml = join(tmpdir(), 'paydesk app', 'out', 'renderer', 'index.html');
  const built = createAppUrlMatcher({ indexHtml });
  const own = pathToFileURL(indexHtml).href;

  it('is the built index.html (any hash or query) when built', () => {
    expect(built(own)).toBe(true);
    expect(built(`${own}#/payments?id=1`)).toBe(true);
    expect(built(pathToFileURL(join(indexHtml, '..', 'other.html')).href)).toBe(false);
    expect(built('file:///etc/passwd')).toBe(false);
    expect(built(own.replace('file://', 'file://evil.example'))).toBe(false);
    expect(built('https://example.com/index.html')).toBe(false);
    expect(built('http://localhost:5173/')).toBe(false);
    expect(built('not a url')).toBe(false);
  });

  it("is the dev server's origin in dev, and nothing else", () => {
    const dev = createAppUrlMatcher({ indexHtml, devUrl: 'http://localhost:5173/' });
    expect(dev('http://localhost:5173/')).toBe(true);
    expect(dev('http://localhost:5173/src/main.tsx')).toBe(true);
    expect(dev('http://localhost:5174/')).toBe(false);
    expect(dev(own)).toBe(false);
  });

  it('takes a dev server only when unpackaged and on loopback', () => {
    const env = { ELECTRON_RENDERER_URL: 'http://localhost:5173' };
    expect(devServerUrl(env, false)).toBe('http://localhost:5173/');
    expect(devServerUrl(env, true)).toBeUndefined();
    expect(devServerUrl({ ELECTRON_RENDERER_URL: 'https://evil.example/' }, false)).toBeUndefined();
    expect(devServerUrl({ ELECTRON_RENDERER_URL: 'file:///tmp/x.html' }, false)).toBeUndefined();
    expect(devServerUrl({}, false)).toBeUndefined();
  });
});

describe('the IPC sender check', () => {
  const isAppUrl = (url: string): boolean => url === 'file:///app/index.html';
  const mainFrame: FrameLike = {
    url: 'file:///app/index.html',
    parent: null,
    processId: 4,
    routingId: 1,
  };
  const contents = { mainFrame };

  it('trusts only the main frame of our window on the app page', () => {
    expect(isTrustedSender({ sender: contents, senderFrame: mainFrame }, contents, isAppUrl)).toBe(
      true,
    );
    const cases: Array<[string, { sender: unknown; senderFrame: FrameLike | null }]> = [
      ['foreign page', { sender: contents, senderFrame: { ...mainFrame, url: 'https://x.test/' } }],
      [
        'iframe',
        { sender: contents, senderFrame: { ...mainFrame, parent: mainFrame, routingId: 9 } },
      ],
      ['another frame', { sender: contents, senderFrame: { ...mainFrame, routingId: 2 } }],
      ['other contents', { sender: { mainFrame }, senderFrame: mainFrame }],
      ['no frame', { sender: contents, senderFrame: null }],
    ];
    for (const [name, event] of cases) {
      expect(isTrustedSender(event, contents, isAppUrl), name).toBe(false);
    }
    expect(isTrustedSender({ sender: contents, senderFrame: mainFrame }, null, isAppUrl)).toBe(
      false,
    );
  });

  it('refuses a frame that throws when read (disposed)', () => {
    const disposed = {
      get url(): string {
        throw new Error('Render frame was disposed');
      },
      parent: null,
      processId: 4,
      routingId: 1,
    };
    expect(isTrustedSender({ sender: contents, senderFrame: disposed }, contents, isAppUrl)).toBe(
      false,
    );
  });
});

describe('the CSP header', () => {
  const isAppUrl = (url: string): boolean => url.startsWith('http://localhost:5173/');
  it('replaces any CSP of the app page with the strict one and leaves other pages alone', () => {
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    );
    const headers = cspHeaders(
      {
        url: 'http://localhost:5173/',
        responseHeaders: { 'CONTENT-SECURITY-POLICY': ['default-src *'], Vary: ['x'] },
      },
      isAppUrl,
    );
    expect(headers).toEqual({
      responseHeaders: { Vary: ['x'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    });
    expect(cspHeaders({ url: 'https://example.com/' }, isAppUrl)).toEqual({});
  });
});

describe('the IPC handlers', () => {
  const valid = { amount: '1.00', currency: 'EUR', customerEmail: 'bo@example.com' };

  it('run the operation as the operator and answer its result', async () => {
    const call = vi.fn(async () => ({ ok: true as const, data: { id: 'pay_1' } }));
    const answer = await handleOperation({ call } as never, 'payments.process', valid, () => true);
    expect(answer).toEqual({ ok: true, data: { id: 'pay_1' } });
    expect(call).toHaveBeenCalledWith('payments.process', valid, 'operator', {});
  });

  it('pass the idempotency key of a changing operation to the core; a query ignores it', async () => {
    const call = vi.fn(async () => ({ ok: true as const, data: null }));
    const core = { call } as never;
    const log = vi.fn();
    await handleOperation(core, 'payments.process', valid, () => true, log, 'intent-1');
    expect(call).toHaveBeenLastCalledWith('payments.process', valid, 'operator', {
      idempotencyKey: 'intent-1',
    });
    await handleOperation(core, 'payments.list', {}, () => true, log, 'not a key');
    expect(call).toHaveBeenLastCalledWith('payments.list', {}, 'operator', {});
    expect(log).not.toHaveBeenCalled();
  });

  it('refuse an invalid idempotency key without calling the core', async () => {
    const call = vi.fn();
    const core = { call } as never;
    for (const key of ['', 'with space', 'é', 'k'.repeat(256), 42, { key: 'k' }, null]) {
      expect(
        await handleOperation(core, 'history.undo', {}, () => true, undefined, key),
        JSON.stringify(key),
      ).toEqual({
        ok: false,
        error: {
          code: 'validation',
          field: 'idempotencyKey',
          message: expect.stringMatching(/^idempotencyKey: .*1 to 255 visible ASCII characters$/),
        },
      });
    }
    expect(call).not.toHaveBeenCalled();
  });

  it('refuse untrusted senders and invalid input without calling the core', async () => {
    const call = vi.fn();
    const core = { call } as never;
    expect(await handleOperation(core, 'payments.process', valid, () => false)).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(
      await handleOperation(core, 'payments.refund', { paymentId: '' }, () => true),
    ).toMatchObject({ ok: false, error: { code: 'validation', field: 'paymentId' } });
    expect(call).not.toHaveBeenCalled();
  });

  it('never throw: a failing core or trust check becomes an internal error', async () => {
    const log = vi.fn();
    const core = { call: () => Promise.reject(new Error('disk on fire')) } as never;
    const answer = await handleOperation(core, 'history.get', {}, () => true, log);
    expect(answer).toEqual({
      ok: false,
      error: { code: 'internal', message: expect.stringContaining('disk on fire') },
    });
    expect(log).toHaveBeenCalled();
    const throwingCheck = (): boolean => {
      throw new Error('boom');
    };
    expect(await handleOperation(core, 'history.get', {}, throwingCheck, log)).toMatchObject({
      ok: false,
      error: { code: 'internal' },
    });
  });

  it('are registered once per operation and removed together', async () => {
    type Listener = (event: string, input: unknown, key?: unknown) => Promise<unknown>;
    const handlers = new Map<string, Listener>();
    const ipcMain = {
      handle: (channel: string, listener: Listener) => handlers.set(channel, listener),
      removeHandler: (channel: string) => handlers.delete(channel),
    };
    const call = vi.fn(async () => ({ ok: true as const, data: null }));
    const dispose = registerIpc(ipcMain, { call } as never, (event) => event === 'trusted');
    expect([...handlers.keys()].sort()).toEqual([...OPERATION_NAMES].sort());
    expect(await handlers.get('dashboard.get')?.('stranger', {})).toMatchObject({
      error: { code: 'forbidden' },
    });
    expect(await handlers.get('dashboard.get')?.('trusted', {})).toEqual({ ok: true, data: null });
    await handlers.get('scheduler.run')?.('trusted', {}, 'intent-1');
    expect(call).toHaveBeenLastCalledWith('scheduler.run', {}, 'operator', {
      idempotencyKey: 'intent-1',
    });
    dispose();
    expect(handlers.size).toBe(0);
  });
});

describe('the menu', () => {
  type Item = MenuItemConstructorOptions;
  const submenuOf = (item: Item | undefined): Item[] =>
    Array.isArray(item?.submenu) ? item.submenu : [];
  const historyMenu = (template: Item[]): Item[] =>
    submenuOf(template.find((item) => item.id === 'history'));
  const build = (history: HistoryLabels, platform: NodeJS.Platform = 'linux', dev = false) =>
    buildMenuTemplate({
      history,
      platform,
      dev,
      onHistory: () => undefined,
      onBackup: () => undefined,
    });

  it('labels Undo/Redo after the next history entries and disables them when there are none', () => {
    const [undo, redo] = historyMenu(build({ nextUndo: 'Charge $5.00 to a@b.co', nextRedo: null }));
    expect(undo).toMatchObject({ label: 'Undo Charge $5.00 to a@b.co', enabled: true });
    expect(redo).toMatchObject({ label: 'Redo', enabled: false });
    for (const item of [undo, redo]) expect(item?.accelerator).toBeUndefined();
  });

  it('escapes mnemonics and shortens long labels', () => {
    expect(historyItemLabel('Undo', 'Pause the Tom & Jerry plan')).toBe(
      'Undo Pause the Tom && Jerry plan',
    );
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 400 }), (label) => {
        const shown = historyItemLabel('Redo', label);
        const unescaped = shown.replaceAll('&&', '&');
        return unescaped.length <= 'Redo '.length + MAX_LABEL_LENGTH && shown.startsWith('Redo');
      }),
    );
  });

  it('builds the Edit menu from roles, with the app menu on macOS and dev tools only in dev', () => {
    const linux = build({ nextUndo: null, nextRedo: null });
    const edit = submenuOf(linux.find((item) => item.label === '&Edit')).map((item) => item.role);
    expect(edit.filter(Boolean)).toEqual(['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll']);
    expect(linux.some((item) => item.role === 'appMenu')).toBe(false);
    const roles = (template: Item[]) => JSON.stringify(template.map((item) => submenuOf(item)));
    expect(roles(linux)).not.toContain('toggleDevTools');
    expect(roles(build({ nextUndo: null, nextRedo: null }, 'linux', true))).toContain(
      'toggleDevTools',
    );
    expect(build({ nextUndo: null, nextRedo: null }, 'darwin')[0]).toEqual({ role: 'appMenu' });
  });

  it('sends undo/redo to the renderer when clicked', () => {
    const actions: string[] = [];
    const template = buildMenuTemplate({
      history: { nextUndo: 'a', nextRedo: 'b' },
      platform: 'win32',
      dev: false,
      onHistory: (action) => actions.push(action),
      onBackup: (action) => actions.push(action),
    });
    for (const item of historyMenu(template)) item.click?.({} as never, undefined, {} as never);
    expect(actions).toEqual(['undo', 'redo']);
  });

  it('has Back up now and Restore from backup… in the File menu, above Quit', () => {
    const actions: string[] = [];
    const template = buildMenuTemplate({
      history: { nextUndo: null, nextRedo: null },
      platform: 'linux',
      dev: false,
      onHistory: () => undefined,
      onBackup: (action) => actions.push(action),
    });
    const file = submenuOf(template.find((item) => item.id === 'file'));
    expect(file.map((item) => item.label ?? item.type ?? item.role)).toEqual([
      'Back up now',
      'Restore from backup…',
      'separator',
      'quit',
    ]);
    for (const item of file) item.click?.({} as never, undefined, {} as never);
    expect(actions).toEqual(['backup', 'restore']);
  });

  it('applies only the latest refresh, and disables history items when the history is unreadable', async () => {
    const applied: Item[][] = [];
    const answers: Array<(labels: HistoryLabels) => void> = [];
    let fail = false;
    const menu = createAppMenu({
      Menu: {
        buildFromTemplate: (template: Item[]) => template as never,
        setApplicationMenu: (built: unknown) => void applied.push(built as Item[]),
      },
      platform: 'linux',
      dev: false,
      loadHistory: () =>
        fail
          ? Promise.reject(new Error('closed'))
          : new Promise((resolve) => answers.push(resolve)),
      log: () => undefined,
    } as never);
    const older = menu.refresh();
    const newer = menu.refresh();
    answers[1]?.({ nextUndo: 'new', nextRedo: null });
    answers[0]?.({ nextUndo: 'old', nextRedo: null });
    await Promise.all([older, newer]);
    expect(applied.map((t) => historyMenu(t)[0]?.label)).toEqual(['Undo new']);
    fail = true;
    await menu.refresh();
    expect(historyMenu(applied.at(-1) ?? [])[0]).toMatchObject({ label: 'Undo', enabled: false });
  });
});

describe('push events', () => {
  it('all go to the renderer; history changes refresh the menu; error notices notify', () => {
    const seen: string[] = [];
    const sinks = {
      toRenderer: (event: PushEvent) => seen.push(`renderer:${event.type}`),
      refreshMenu: () => seen.push('menu'),
      notify: (message: string) => seen.push(`notify:${message}`),
    };
    routePushEvent({ type: 'changed', topics: ['payments'] }, sinks);
    routePushEvent({ type: 'changed', topics: ['payments', 'history'] }, sinks);
    routePushEvent({ type: 'notice', level: 'info', message: 'fine' }, sinks);
    routePushEvent({ type: 'notice', level: 'error', message: 'charge failed' }, sinks);
    routePushEvent({ type: 'progress', done: 1, total: 3 }, sinks);
    expect(seen).toEqual([
      'renderer:changed',
      'renderer:changed',
      'menu',
      'renderer:notice',
      'renderer:notice',
      'notify:charge failed',
      'renderer:progress',
    ]);
  });
});

describe('quitting', () => {
  class FakeApp extends EventEmitter {
    quitted = false;
    quit(): void {
      const event = { prevented: false, preventDefault: () => (event.prevented = true) };
      this.emit('before-quit', event);
      if (!event.prevented) this.quitted = true;
    }
  }

  it('waits for the core to close, once, then quits; closing the last window quits', async () => {
    const app = new FakeApp();
    let finish: () => void = () => undefined;
    const close = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    holdQuitUntilClosed(app as never, close);
    app.emit('window-all-closed');
    expect(app.quitted).toBe(false);
    app.quit();
    expect(app.quitted).toBe(false);
    finish();
    await vi.waitFor(() => expect(app.quitted).toBe(true));
    expect(close).toHaveBeenCalledTimes(1);
  });

  it('still quits when closing the core fails', async () => {
    const app = new FakeApp();
    const log = vi.fn();
    holdQuitUntilClosed(app as never, () => Promise.reject(new Error('flush failed')), log);
    app.quit();
    await vi.waitFor(() => expect(app.quitted).toBe(true));
    expect(log).toHaveBeenCalledWith(expect.stringContaining('flush failed'));
  });
});

describe('the window bounds', () => {
  const rect = (max: number) =>
    fc.record({
      x: fc.integer({ min: -max, max }),
      y: fc.integer({ min: -max, max }),
      width: fc.integer({ min: 1, max }),
      height: fc.integer({ min: 1, max }),
    });
  const inside = (r: Rect, area: Rect): boolean =>
    r.x >= area.x &&
    r.y >= area.y &&
    r.x + r.width <= area.x + area.width &&
    r.y + r.height <= area.y + area.height;

  it('always fit inside the work area, keeping a window that already fits', () => {
    fc.assert(
      fc.property(rect(8000), rect(8000), fc.boolean(), (window, area, positioned) => {
        const placed = fitToWorkArea(
          positioned ? window : { width: window.width, height: window.height },
          area,
        );
        expect(inside(placed, area)).toBe(true);
        expect(placed.width).toBe(Math.min(Math.max(window.width, MIN_SIZE.width), area.width));
        if (
          positioned &&
          inside(window, area) &&
          window.width >= MIN_SIZE.width &&
          window.height >= MIN_SIZE.height
        ) {
          expect(placed).toEqual(window);
        }
      }),
    );
  });

  it('reopen where they were, on a visible display, or centred by default', () => {
    const workArea = { x: 0, y: 0, width: 1920, height: 1040 };
    const screen = {
      getDisplayMatching: () => ({ workArea }),
      getPrimaryDisplay: () => ({ workArea }),
    };
    expect(
      placeWindow({ x: 10, y: 20, width: 1000, height: 700, maximized: true }, screen),
    ).toEqual({
      x: 10,
      y: 20,
      width: 1000,
      height: 700,
      maximized: true,
    });
    const offScreen = placeWindow(
      { x: 5000, y: -900, width: 1000, height: 700, maximized: false },
      screen,
    );
    expect(offScreen).toEqual({ x: 920, y: 0, width: 1000, height: 700, maximized: false });
    expect(placeWindow(null, screen)).toEqual({
      x: (1920 - DEFAULT_SIZE.width) / 2,
      y: (1040 - DEFAULT_SIZE.height) / 2,
      ...DEFAULT_SIZE,
      maximized: false,
    });
  });

  it('are read back only when the file validates', () => {
    const file = join(tempDir(), 'window-state.json');
    expect(readWindowState(file)).toBeNull();
    expect(writeWindowState(file, { x: 1, y: 2, width: 1000, height: 700, maximized: false })).toBe(
      true,
    );
    expect(readWindowState(file)).toEqual({
      x: 1,
      y: 2,
      width: 1000,
      height: 700,
      maximized: false,
    });
    for (const bad of [
      '{',
      '[]',
      '{"width":"wide","height":700}',
      '{"x":1,"width":900,"height":700}',
      '{"width":-5,"height":700}',
    ]) {
      writeFileSync(file, bad);
      expect(readWindowState(file), bad).toBeNull();
    }
    expect(
      writeWindowState(join(file, 'nope', 'x.json'), { width: 1, height: 1, maximized: false }),
    ).toBe(false);
  });
});

describe('PAYDESK_* options', () => {
  it('become core options, and a bad value is refused naming the variable', () => {
    expect(coreOptionsFromEnv({ PATH: '/bin' })).toEqual({ ok: true, data: {} });
    expect(
      coreOptionsFromEnv({
        PAYDESK_GATEWAY_LATENCY_MS: '0',
        PAYDESK_SEED: '42',
        PAYDESK_SUCCESS_RATE: '0.5',
        PAYDESK_CLOCK: 'test',
        PAYDESK_SCHEDULER: 'off',
      }),
    ).toEqual({
      ok: true,
      data: {
        gateway: { latencyMs: 0, seed: 42, successRate: 0.5 },
        clock: 'test',
        scheduler: false,
      },
    });
    expect(coreOptionsFromEnv({ PAYDESK_SEED: '' })).toEqual({ ok: true, data: {} });
    for (const [name, value] of [
      ['PAYDESK_GATEWAY_LATENCY_MS', '-1'],
      ['PAYDESK_SEED', 'abc'],
      ['PAYDESK_SUCCESS_RATE', '2'],
      ['PAYDESK_CLOCK', 'moon'],
      ['PAYDESK_SCHEDULER', 'maybe'],
    ] as const) {
      expect(coreOptionsFromEnv({ [name]: value }), name).toMatchObject({
        ok: false,
        error: { code: 'validation', field: name, message: expect.stringContaining(name) },
      });
    }
  });

  it('name a shared gateway service (npm run gateway), whose own options the mock ones are not', () => {
    const url = 'http://127.0.0.1:8100';
    const token = 'a-token-of-at-least-16';
    expect(coreOptionsFromEnv({ PAYDESK_GATEWAY_URL: url })).toEqual({
      ok: true,
      data: { gatewayService: { url, token: null } },
    });
    expect(coreOptionsFromEnv({ PAYDESK_GATEWAY_URL: url, PAYDESK_GATEWAY_TOKEN: token })).toEqual({
      ok: true,
      data: { gatewayService: { url, token } },
    });
    for (const [env, field] of [
      [{ PAYDESK_GATEWAY_URL: 'ftp://example.com' }, 'PAYDESK_GATEWAY_URL'],
      [{ PAYDESK_GATEWAY_URL: url, PAYDESK_GATEWAY_TOKEN: 'short' }, 'PAYDESK_GATEWAY_TOKEN'],
      [{ PAYDESK_GATEWAY_TOKEN: token }, 'PAYDESK_GATEWAY_TOKEN'],
      [{ PAYDESK_GATEWAY_URL: url, PAYDESK_SEED: '1' }, 'PAYDESK_SEED'],
      [{ PAYDESK_GATEWAY_URL: url, PAYDESK_SUCCESS_RATE: '1' }, 'PAYDESK_SUCCESS_RATE'],
    ] as const) {
      expect(coreOptionsFromEnv(env), JSON.stringify(env)).toMatchObject({
        ok: false,
        error: { code: 'validation', field, message: expect.stringContaining(field) },
      });
    }
  });
});

describe('Save as PDF', () => {
  const PDF = new Uint8Array([0x25, 0x50, 0x44, 0x46]);
  function deps(over: Partial<PrintPdfDeps<{ trusted: boolean }>> = {}) {
    const written: Array<[string, Uint8Array]> = [];
    const printed: unknown[] = [];
    const handlers = new Map<string, (event: { trusted: boolean }, request: unknown) => unknown>();
    const value: PrintPdfDeps<{ trusted: boolean }> = {
      ipcMain: {
        handle: (channel, listener) => void handlers.set(channel, listener),
        removeHandler: (channel) => void handlers.delete(channel),
      },
      isTrustedSender: (event) => event.trusted,
      contents: () => ({
        printToPDF: async (options) => {
          printed.push(options);
          return PDF;
        },
      }),
      showSaveDialog: async () => ({ canceled: false, filePath: '/tmp/chosen.pdf' }),
      countryCode: () => 'DE',
      writeFile: async (path, data) => void written.push([path, data]),
      log: () => {},
      ...over,
    };
    return { value, written, printed, handlers };
  }

  it('suggests a bare, safe file name ending in .pdf', () => {
    expect(safePdfName('receipt-pay_1.pdf')).toBe('receipt-pay_1.pdf');
    expect(safePdfName('refund-receipt-rfd_x')).toBe('refund-receipt-rfd_x.pdf');
    expect(safePdfName('../../etc/passwd')).toBe('passwd.pdf');
    expect(safePdfName('C:\\Users\\ann\\x.PDF')).toBe('x.pdf');
    expect(safePdfName('a<b>:c|d?*"e.pdf')).toBe('a-b-c-d-e.pdf');
    expect(safePdfName('...')).toBe('document.pdf');
    expect(safePdfName('x'.repeat(300))).toBe(`${'x'.repeat(96)}.pdf`);
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (raw) => {
        const name = safePdfName(raw);
        expect(name).toMatch(/^[\w.\- ]{1,96}\.pdf$/);
        expect(name).not.toMatch(/^[.\s-]/);
      }),
    );
  });

  it('prints on Letter in the regions that use it, on A4 elsewhere', () => {
    expect(paperFor('US')).toBe('Letter');
    expect(paperFor('ca')).toBe('Letter');
    expect(paperFor('DE')).toBe('A4');
    expect(paperFor('GB')).toBe('A4');
    expect(paperFor('')).toBe('A4');
  });

  it('registers one handler on its channel, which checks the sender', async () => {
    const { value, handlers, printed } = deps();
    const remove = registerPrintToPdf(value);
    expect([...handlers.keys()]).toEqual(['paydesk:print-to-pdf']);
    const handler = handlers.get('paydesk:print-to-pdf');
    expect(await handler?.({ trusted: false }, { fileName: 'a.pdf' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(printed).toEqual([]);
    expect(await handler?.({ trusted: true }, { fileName: 'a.pdf' })).toEqual({
      ok: true,
      data: { file: '/tmp/chosen.pdf' },
    });
    expect(printed).toEqual([{ pageSize: 'A4', printBackground: true, preferCSSPageSize: false }]);
    remove();
    expect(handlers.size).toBe(0);
  });

  it('writes the printed bytes to the chosen file, and nothing when cancelled', async () => {
    const saved = deps();
    expect(await printToPdf(saved.value, () => true, { fileName: 'r.pdf' })).toEqual({
      ok: true,
      data: { file: '/tmp/chosen.pdf' },
    });
    expect(saved.written).toEqual([['/tmp/chosen.pdf', PDF]]);

    const cancelled = deps({ showSaveDialog: async () => ({ canceled: true, filePath: '' }) });
    expect(await printToPdf(cancelled.value, () => true, { fileName: 'r.pdf' })).toEqual({
      ok: true,
      data: { file: null },
    });
    expect(cancelled.written).toEqual([]);
  });

  it('answers errors as values: no window, a failed print, a failed write, a bug', async () => {
    const call = (over: Partial<PrintPdfDeps<{ trusted: boolean }>>) =>
      printToPdf(deps(over).value, () => true, { fileName: 'r.pdf' });
    expect(await call({ contents: () => null })).toMatchObject({
      ok: false,
      error: { code: 'unavailable' },
    });
    const crashed = await call({
      contents: () => ({ printToPDF: () => Promise.reject(new Error('renderer gone')) }),
    });
    expect(crashed).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    if (!crashed.ok) expect(crashed.error.message).toContain('renderer gone');
    const full = await call({ writeFile: () => Promise.reject(new Error('ENOSPC')) });
    expect(full).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    if (!full.ok) expect(full.error.message).toMatch(/\/tmp\/chosen\.pdf.*ENOSPC/);
    const bug = await call({
      showSaveDialog: () => {
        throw new Error('boom');
      },
    });
    expect(bug).toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  it('refuses a request that is not just a file name, naming the field', async () => {
    for (const raw of [undefined, 'r.pdf', {}, { fileName: '  ' }, { fileName: 'r', dir: '/' }]) {
      const answer = await printToPdf(deps().value, () => true, raw);
      expect(answer, JSON.stringify(raw)).toMatchObject({
        ok: false,
        error: { code: 'validation' },
      });
    }
    const unknown = await printToPdf(deps().value, () => true, { fileName: 'r', dir: '/' });
    expect(unknown).toMatchObject({ error: { field: 'dir' } });
  });
});
