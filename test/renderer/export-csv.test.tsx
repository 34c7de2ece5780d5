// @vitest-environment happy-dom
/**
 * "Export CSV" on the Payments screen. In a browser (no preload bridge) it asks the server
 * for the list with the filters the table shows (`POST /rpc/export/payments`, the token in
 * the Authorization header, never in a URL) and downloads the answer through an object URL
 * and a clicked `<a download>` named as the server says; a refusal is an error toast. On
 * the desktop it asks the bridge (main shows the save dialog) and a cancel says nothing.
 */
import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PaydeskBridge } from '../../src/preload/api';
import { attachmentName } from '../../src/renderer/src/lib/export-csv';
import { useToasts } from '../../src/renderer/src/store/toasts';
import { makePayment } from './fake-transport';
import { fakeLayout, renderApp } from './render-app';

const CSV = '"id","status"\r\n"pay_1","FAILED"\r\n';
const TOKEN = 'export-token-123';

beforeAll(() => fakeLayout(600));
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  delete window.paydesk;
  sessionStorage.clear();
});

const toasts = (): string[] => useToasts.getState().toasts.map((t) => t.message);

function stubDownload() {
  const clicked: Array<{ href: string; download: string; inDocument: boolean }> = [];
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
    this: HTMLAnchorElement,
  ) {
    clicked.push({
      href: this.href,
      download: this.download,
      inDocument: document.body.contains(this),
    });
  });
  const created: Blob[] = [];
  vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
    created.push(blob as Blob);
    return 'blob:paydesk/1';
  });
  vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined);
  return { clicked, created };
}

describe('Export CSV in a browser', () => {
  it('downloads what the filters show, with the token in a header', async () => {
    const user = userEvent.setup();
    sessionStorage.setItem('paydesk.token', TOKEN);
    const fetch = vi.fn(
      async (_url: string, _init?: RequestInit) =>
        new Response(CSV, {
          status: 200,
          headers: {
            'content-type': 'text/csv; charset=utf-8',
            'content-disposition': 'attachment; filename="payments-2026-03-10.csv"',
          },
        }),
    );
    vi.stubGlobal('fetch', fetch);
    const { clicked, created } = stubDownload();
    renderApp({
      screen: 'payments',
      payments: [makePayment(1, { status: 'FAILED' }), makePayment(2)],
    });
    await screen.findByText('customer2@example.com');
    await user.selectOptions(screen.getByLabelText('Status'), 'FAILED');
    await user.click(screen.getByRole('button', { name: 'Export CSV' }));

    await waitFor(() => expect(clicked).toHaveLength(1));
    expect(fetch).toHaveBeenCalledTimes(1);
    const [url, init] = fetch.mock.calls[0] ?? [];
    expect(url).toBe('/rpc/export/payments');
    expect(url).not.toContain(TOKEN);
    expect(init?.method).toBe('POST');
    expect(init?.headers).toMatchObject({ Authorization: `Bearer ${TOKEN}` });
    expect(JSON.parse(String(init?.body))).toEqual({ order: 'desc', status: 'FAILED' });
    expect(await created[0]?.text()).toBe(CSV);
    expect(clicked[0]).toEqual({
      href: 'blob:paydesk/1',
      download: 'payments-2026-03-10.csv',
      inDocument: true,
    });
    // The link was only there for the click.
    expect(document.querySelector('a[download]')).toBeNull();
    await waitFor(() => expect(toasts()).toContain('Downloaded payments-2026-03-10.csv'));
    expect(screen.getByRole('button', { name: 'Export CSV' })).toHaveProperty('disabled', false);
  });

  it('says why when the server refuses, and downloads nothing', async () => {
    const user = userEvent.setup();
    vi.stubGlobal(
      'fetch',
      vi.fn(
        async () =>
          new Response(
            JSON.stringify({
              ok: false,
              error: { code: 'validation', message: 'status: Invalid option', field: 'status' },
            }),
            { status: 400, headers: { 'content-type': 'application/json' } },
          ),
      ),
    );
    const { clicked } = stubDownload();
    renderApp({ screen: 'payments', payments: [makePayment(1)] });
    await screen.findByText('customer1@example.com');
    await user.click(screen.getByRole('button', { name: 'Export CSV' }));
    await waitFor(() => expect(toasts()).toContain('The export failed: status: Invalid option'));
    expect(clicked).toEqual([]);
  });

  it('reads the file name from Content-Disposition only when it is a plain name', () => {
    expect(attachmentName('attachment; filename="audit-2026-01-02.csv"')).toBe(
      'audit-2026-01-02.csv',
    );
    expect(attachmentName('attachment; filename="../../etc/passwd"')).toBeNull();
    expect(attachmentName(null)).toBeNull();
  });
});

describe('Export CSV on the desktop', () => {
  it('asks the bridge, whose save dialog picks the file, and names it in a toast', async () => {
    const user = userEvent.setup();
    const exportCsv = vi
      .fn<PaydeskBridge['exportCsv']>()
      .mockResolvedValueOnce({ ok: true, data: { file: '/home/ann/payments.csv', rows: 1234 } })
      .mockResolvedValueOnce({ ok: true, data: { file: null, rows: null } });
    window.paydesk = { exportCsv } as unknown as PaydeskBridge; // only what the export uses
    const fetch = vi.fn();
    vi.stubGlobal('fetch', fetch);
    renderApp({ screen: 'payments', payments: [makePayment(1)] });
    await screen.findByText('customer1@example.com');
    const button = screen.getByRole('button', { name: 'Export CSV' });
    await user.click(button);
    await waitFor(() =>
      expect(toasts()).toContain('Exported 1,234 payments to /home/ann/payments.csv'),
    );
    expect(exportCsv).toHaveBeenCalledWith({ kind: 'payments', filters: { order: 'desc' } });

    // Cancelled: nothing to say.
    const before = toasts().length;
    await user.click(button);
    await waitFor(() => expect(exportCsv).toHaveBeenCalledTimes(2));
    await waitFor(() => expect(button).toHaveProperty('disabled', false));
    expect(toasts()).toHaveLength(before);
    expect(fetch).not.toHaveBeenCalled();
  });
});

describe('Export CSV on the other lists', () => {
  it('sends what Subscriptions, Customers and the Audit log show', async () => {
    const user = userEvent.setup();
    const exportCsv = vi
      .fn<PaydeskBridge['exportCsv']>()
      .mockResolvedValue({ ok: true, data: { file: '/tmp/x.csv', rows: 2 } });
    window.paydesk = { exportCsv } as unknown as PaydeskBridge; // only what the export uses
    const exported = async (): Promise<unknown> => {
      await user.click(screen.getByRole('button', { name: 'Export CSV' }));
      await waitFor(() => expect(exportCsv).toHaveBeenCalled());
      const request = exportCsv.mock.calls.at(-1)?.[0];
      exportCsv.mockClear();
      return request;
    };
    renderApp({ screen: 'subscriptions', payments: [makePayment(1)] });
    await screen.findByRole('heading', { level: 1, name: 'Subscriptions' });
    await user.selectOptions(screen.getByLabelText('Status'), 'PAUSED');
    expect(await exported()).toEqual({
      kind: 'subscriptions',
      filters: { order: 'desc', status: 'PAUSED' },
    });
    cleanup();

    renderApp({ screen: 'customers', payments: [makePayment(1)] });
    await screen.findByRole('heading', { level: 1, name: 'Customers' });
    expect(await exported()).toEqual({
      kind: 'customers',
      filters: { sort: 'net', order: 'desc' },
    });
    cleanup();

    renderApp({ screen: 'audit' });
    await screen.findByRole('heading', { level: 1, name: 'Audit log' });
    await user.selectOptions(screen.getByLabelText('Outcome'), 'declined');
    expect(await exported()).toEqual({ kind: 'audit', filters: { outcome: 'declined' } });
    await waitFor(() => expect(toasts()).toContain('Exported 2 audit entries to /tmp/x.csv'));
  });
});
