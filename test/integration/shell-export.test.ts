/**
 * "Export CSV" on the desktop: the shell's handler (src/main/shell/export-csv.ts) with fakes,
 * and the built shell under the fake Electron (fixtures/shell) with a real core. A request
 * from the app's window opens the export (its filters validated before any dialog), asks
 * where to save it in a save dialog on the window suggesting `payments-<date>.csv`, and
 * streams the list into that file through a temporary file beside it; a cancel writes
 * nothing; foreign senders, bad filters and an unwritable folder are errors as values, and
 * an export that fails half way leaves no file behind.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EXPORT_PAGE_SIZE } from '../../src/main/core/export';
import { exportCsv, registerExportCsv, type ExportCsvDeps } from '../../src/main/shell/export-csv';
import type { OperationName } from '../../src/shared/contract';
import { csvHeader } from '../../src/shared/csv-export';
import { fail, ok, type Result } from '../../src/shared/result';
import { csvObjects } from '../helpers/rfc4180';
import { payment } from '../unit/store-fixtures';
import { requireBuiltBundles, startShell, type ShellProcess } from './fixtures/shell/harness';

const CHANNEL = 'paydesk:export-csv';
const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'paydesk-shell-export-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A core whose payments.list answers `count` payments, failing from page `failAt` on. */
function fakeCore(count: number, failAt = Infinity): ExportCsvDeps<unknown>['core'] {
  const rows = Array.from({ length: count }, (_, i) => payment(`pay_${i}`));
  const call = async (name: OperationName, raw: unknown): Promise<Result<unknown>> => {
    if (name === 'clock.get') return ok({ mode: 'test', now: '2026-03-10T12:00:00.000Z' });
    const { offset = 0, limit = 50 } = raw as { offset?: number; limit?: number };
    if (offset / EXPORT_PAGE_SIZE >= failAt) return fail('storage_unavailable', 'disk gone');
    return ok({ total: count, offset, limit, items: rows.slice(offset, offset + limit) });
  };
  // The fake answers the two operations an export asks, as the core would.
  return { call } as ExportCsvDeps<unknown>['core'];
}

function deps(over: Partial<ExportCsvDeps<{ trusted: boolean }>> = {}) {
  const dialogs: unknown[] = [];
  const handlers = new Map<string, (event: { trusted: boolean }, request: unknown) => unknown>();
  const folder = tempDir();
  const value: ExportCsvDeps<{ trusted: boolean }> = {
    ipcMain: {
      handle: (channel, listener) => void handlers.set(channel, listener),
      removeHandler: (channel) => void handlers.delete(channel),
    },
    isTrustedSender: (event) => event.trusted,
    core: fakeCore(1234),
    showSaveDialog: async (options) => {
      dialogs.push(options);
      return { canceled: false, filePath: join(folder, 'chosen.csv') };
    },
    log: () => {},
    ...over,
  };
  return { value, dialogs, handlers, folder };
}

describe('the export handler', () => {
  it('registers one handler on its channel, which checks the sender', async () => {
    const { value, handlers, dialogs } = deps();
    const remove = registerExportCsv(value);
    expect([...handlers.keys()]).toEqual([CHANNEL]);
    const handler = handlers.get(CHANNEL);
    const request = { kind: 'payments', filters: {} };
    expect(await handler?.({ trusted: false }, request)).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(dialogs).toEqual([]);
    expect(await handler?.({ trusted: true }, request)).toMatchObject({ ok: true });
    remove();
    expect(handlers.size).toBe(0);
  });

  it('streams every page into the chosen file, and says how many rows', async () => {
    const { value, dialogs, folder } = deps();
    const answer = await exportCsv(value, () => true, { kind: 'payments', filters: {} });
    const file = join(folder, 'chosen.csv');
    expect(answer).toEqual({ ok: true, data: { file, rows: 1234 } });
    expect(dialogs).toEqual([
      {
        title: 'Export CSV',
        defaultPath: 'payments-2026-03-10.csv',
        buttonLabel: 'Export',
        filters: [{ name: 'CSV', extensions: ['csv'] }],
      },
    ]);
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith(csvHeader('payments'))).toBe(true);
    expect(csvObjects(text).map((r) => r.id)).toEqual(
      Array.from({ length: 1234 }, (_, i) => `pay_${i}`),
    );
    expect(readdirSync(folder)).toEqual(['chosen.csv']);
  });

  it('refuses bad requests and filters before asking anything', async () => {
    const { value, dialogs } = deps();
    const cases: Array<[unknown, string]> = [
      [{ kind: 'secrets', filters: {} }, 'kind'],
      [{ kind: 'payments', filters: {}, path: '/etc' }, 'path'],
      [{ kind: 'payments', filters: { status: 'LOST' } }, 'status'],
      [{ kind: 'payments', filters: { offset: 10 } }, 'offset'],
      ['payments', ''],
    ];
    for (const [request, field] of cases) {
      const answer = await exportCsv(value, () => true, request);
      expect(answer, JSON.stringify(request)).toMatchObject({
        ok: false,
        error: { code: 'validation' },
      });
      if (field && !answer.ok) expect(answer.error.field).toBe(field);
    }
    expect(dialogs).toEqual([]);
  });

  it('writes nothing when cancelled, and no half file when a page fails', async () => {
    const cancelled = deps({ showSaveDialog: async () => ({ canceled: true, filePath: '' }) });
    expect(await exportCsv(cancelled.value, () => true, { kind: 'payments' })).toEqual({
      ok: true,
      data: { file: null, rows: null },
    });
    expect(readdirSync(cancelled.folder)).toEqual([]);

    const failing = deps({ core: fakeCore(EXPORT_PAGE_SIZE * 3, 2) });
    const answer = await exportCsv(failing.value, () => true, { kind: 'payments', filters: {} });
    expect(answer).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    if (!answer.ok) expect(answer.error.message).toMatch(/chosen\.csv.*disk gone/);
    expect(readdirSync(failing.folder)).toEqual([]);
  });
});

describe('the built shell', () => {
  interface Records {
    saveDialogs: Array<Record<string, unknown>>;
  }
  type Answer = Result<{ file: string | null; rows: number | null }>;
  let shell: ShellProcess;
  let folder: string;

  const invoke = (input: unknown, sender = 'app') =>
    shell.request<Answer>('invoke', { channel: CHANNEL, input, sender });
  const answerDialog = (answer: { canceled: boolean; filePath: string }) =>
    shell.request('answerSaveDialog', { answer });
  const records = () => shell.request<Records>('dialogRecords');

  beforeAll(async () => {
    requireBuiltBundles();
    shell = await startShell({ userData: tempDir(), env: { PAYDESK_CLOCK: 'test' } });
    await vi.waitFor(
      async () => {
        const snap = await shell.request<{ channels: string[] }>('snapshot');
        if (!snap.channels.includes(CHANNEL)) throw new Error('the shell is still starting');
      },
      { timeout: 20_000, interval: 20 },
    );
    folder = tempDir();
    for (const [amount, description] of [
      ['10.00', 'Coffee'],
      ['12.50', '=HYPERLINK("http://evil.example")'],
    ]) {
      const paid = await shell.request<Result<unknown>>('invoke', {
        channel: 'payments.process',
        input: {
          amount,
          currency: 'USD',
          customerEmail: 'ann@example.com',
          paymentMethod: 'pm_card_visa',
          description,
        },
      });
      expect(paid.ok).toBe(true);
    }
  });
  afterAll(() => shell?.kill());

  it('saves the filtered list where the save dialog says, neutralised', async () => {
    const file = join(folder, 'my payments.csv');
    await answerDialog({ canceled: false, filePath: file });
    const answer = await invoke({ kind: 'payments', filters: { order: 'asc' } });
    expect(answer).toEqual({ ok: true, data: { file, rows: 2 } });
    const rows = csvObjects(readFileSync(file, 'utf8'));
    expect(rows.map((r) => [r.amount, r.currency, r.description])).toEqual([
      ['10.00', 'USD', 'Coffee'],
      ['12.50', 'USD', `'=HYPERLINK("http://evil.example")`],
    ]);
    const dialog = (await records()).saveDialogs.at(-1);
    expect(dialog).toMatchObject({ title: 'Export CSV', buttonLabel: 'Export', modal: true });
    expect(dialog?.defaultPath).toMatch(/^payments-\d{4}-\d\d-\d\d\.csv$/);
    expect(readdirSync(folder)).toEqual(['my payments.csv']);
  });

  it('writes nothing when the operator cancels, and says so when the folder is missing', async () => {
    const before = readdirSync(folder);
    expect(await invoke({ kind: 'audit', filters: {} })).toEqual({
      ok: true,
      data: { file: null, rows: null },
    });
    const missing = join(folder, 'no such folder', 'audit.csv');
    await answerDialog({ canceled: false, filePath: missing });
    const answer = await invoke({ kind: 'audit', filters: {} });
    expect(answer).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(readdirSync(folder)).toEqual(before);
  });

  it('refuses foreign senders and bad filters before any dialog', async () => {
    const before = (await records()).saveDialogs.length;
    for (const sender of ['foreign-url', 'subframe', 'other-contents', 'no-frame']) {
      const answer = await invoke({ kind: 'payments', filters: {} }, sender);
      expect(answer, sender).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    const bad = await invoke({ kind: 'payments', filters: { status: 'LOST' } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'validation', field: 'status' } });
    expect((await records()).saveDialogs).toHaveLength(before);
  });
});
