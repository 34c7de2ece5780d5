/**
 * The built preload bundle (out/preload/index.cjs), run as Electron runs a sandboxed preload:
 * a classic script whose `require` knows only 'electron', here a fake contextBridge and
 * ipcRenderer. Asserts that `window.paydesk` is exactly one function per contract operation
 * plus `subscribe`, that calls go to the operation's channel with the input and the call's
 * idempotency key, that listeners see only the payload, and that the menu's Undo/Redo
 * arrives as a DOM 'paydesk:menu' event.
 */
import { readFileSync } from 'node:fs';
import { Script, createContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { OPERATION_NAMES, type PushEvent } from '../../src/shared/contract';
import { PRELOAD_BUNDLE, requireBuiltBundles } from './fixtures/shell/harness';

type Listener = (event: unknown, ...args: unknown[]) => void;

function loadPreload() {
  const invoked: unknown[][] = [];
  const listeners = new Map<string, Set<Listener>>();
  const exposed: Array<[string, unknown]> = [];
  const required: string[] = [];
  const ipcRenderer = {
    invoke(...args: unknown[]) {
      invoked.push(args);
      return Promise.resolve({ ok: true, data: { echo: args } });
    },
    on(channel: string, listener: Listener) {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)?.add(listener);
      return ipcRenderer;
    },
    removeListener(channel: string, listener: Listener) {
      listeners.get(channel)?.delete(listener);
      return ipcRenderer;
    },
    send() {
      throw new Error('the preload should only invoke');
    },
  };
  const contextBridge = {
    exposeInMainWorld(key: string, api: unknown) {
      exposed.push([key, api]);
    },
  };
  const window = new EventTarget();
  const sandboxRequire = (name: string): unknown => {
    required.push(name);
    if (name === 'electron') return { contextBridge, ipcRenderer };
    throw new Error(`a sandboxed preload cannot require '${name}'`);
  };
  const module = { exports: {} };
  const context = createContext({
    require: sandboxRequire,
    module,
    exports: module.exports,
    window,
    CustomEvent,
  });
  const code = readFileSync(PRELOAD_BUNDLE, 'utf8');
  new Script(code, { filename: PRELOAD_BUNDLE }).runInContext(context);

  /** What main's webContents.send(channel, payload) looks like to the preload. */
  const fromMain = (channel: string, payload: unknown): void => {
    const ipcEvent = { sender: ipcRenderer, senderId: 0, ports: [] };
    for (const listener of listeners.get(channel) ?? []) listener(ipcEvent, payload);
  };
  return { invoked, listeners, exposed, required, window, fromMain, ipcRenderer };
}

type Preload = ReturnType<typeof loadPreload>;
type Bridge = Record<string, (...args: unknown[]) => unknown>;

describe('the preload bundle', () => {
  let preload: Preload;
  let paydesk: Bridge;

  beforeAll(() => {
    requireBuiltBundles();
    preload = loadPreload();
    paydesk = preload.exposed[0]?.[1] as Bridge;
  });

  it("exposes one object, 'paydesk', needing nothing but electron", () => {
    expect(preload.exposed.map(([key]) => key)).toEqual(['paydesk']);
    expect(new Set(preload.required)).toEqual(new Set(['electron']));
  });

  it("has exactly one function per contract operation, plus the shell's own", () => {
    const own = ['subscribe', 'printToPdf', 'exportCsv'];
    expect(Object.keys(paydesk).sort()).toEqual([...OPERATION_NAMES, ...own].sort());
    for (const value of Object.values(paydesk)) expect(typeof value).toBe('function');
    expect(Object.values(paydesk)).not.toContain(preload.ipcRenderer.invoke);
  });

  it("invokes the operation's own channel with the input and the key, and returns the answer", async () => {
    for (const name of OPERATION_NAMES) {
      const input = { probe: name };
      const answer = await paydesk[name]?.(input);
      expect(preload.invoked.at(-1)).toEqual([name, input, undefined]);
      expect(answer).toEqual({ ok: true, data: { echo: [name, input, undefined] } });
      await paydesk[name]?.(input, { idempotencyKey: `key-${name}`, other: 'dropped' });
      expect(preload.invoked.at(-1)).toEqual([name, input, `key-${name}`]);
    }
    expect(preload.invoked).toHaveLength(2 * OPERATION_NAMES.length);
  });

  it('passes subscribers only the push event, until they unsubscribe', () => {
    const seen: unknown[][] = [];
    const unsubscribe = paydesk.subscribe?.((...args: unknown[]) => seen.push(args)) as () => void;
    const event: PushEvent = { type: 'changed', topics: ['payments', 'history'] };
    preload.fromMain('paydesk:event', event);
    expect(seen).toEqual([[event]]);

    unsubscribe();
    preload.fromMain('paydesk:event', { type: 'progress', done: 1, total: 2 });
    expect(seen).toHaveLength(1);
    expect(preload.listeners.get('paydesk:event')?.size ?? 0).toBe(0);
    // (A TypeError of the script's own realm, hence matched by message.)
    expect(() => paydesk.subscribe?.('not a function')).toThrow(/expects a function/);
  });

  it("turns the menu's Undo/Redo into a DOM 'paydesk:menu' event, and nothing else", () => {
    const details: unknown[] = [];
    preload.window.addEventListener('paydesk:menu', (event) =>
      details.push((event as CustomEvent).detail),
    );
    preload.fromMain('paydesk:menu', 'undo');
    preload.fromMain('paydesk:menu', 'redo');
    preload.fromMain('paydesk:menu', 'format-disk');
    preload.fromMain('paydesk:menu', { action: 'undo' });
    expect(details).toEqual(['undo', 'redo']);
  });

  it("printToPdf asks main on the print channel with the file name alone, and returns main's answer", async () => {
    const before = preload.invoked.length;
    const answer = await paydesk.printToPdf?.({ fileName: 'receipt-pay_1.pdf', path: '/etc' });
    expect(preload.invoked.slice(before)).toEqual([
      ['paydesk:print-to-pdf', { fileName: 'receipt-pay_1.pdf' }],
    ]);
    expect(answer).toEqual({
      ok: true,
      data: { echo: ['paydesk:print-to-pdf', { fileName: 'receipt-pay_1.pdf' }] },
    });
  });

  it("exportCsv asks main on the export channel with the list and its filters alone, and returns main's answer", async () => {
    const before = preload.invoked.length;
    const request = { kind: 'payments', filters: { status: 'FAILED' }, path: '/etc' };
    const answer = await paydesk.exportCsv?.(request);
    const sent = ['paydesk:export-csv', { kind: 'payments', filters: { status: 'FAILED' } }];
    expect(preload.invoked.slice(before)).toEqual([sent]);
    expect(answer).toEqual({ ok: true, data: { echo: sent } });
  });

  it('listens on no channel but the two main pushes on', () => {
    const channels = [...preload.listeners].filter(([, set]) => set.size > 0).map(([c]) => c);
    expect(channels).toEqual(['paydesk:menu']);
  });
});
