// @vitest-environment happy-dom
/**
 * Receipts: the "Receipt" button of a payment's details and the "Refund receipt" buttons of
 * its refunds open a printable receipt with the business details from Settings, the
 * customer, amount, method, transaction id, date and refunds so far. "Save as PDF" opens the
 * browser's print dialog in a browser and asks main through the preload's bridge in the
 * desktop app. Also the receipt's rules themselves (lib/receipt.ts).
 */
import { act, cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PaymentDetail } from '../../src/shared/contract';
import type { Payment, Refund, SettingsView } from '../../src/shared/domain';
import { fail, ok } from '../../src/shared/result';
import type { PaydeskBridge } from '../../src/preload/api';
import { MAX_REFUND_LINES, buildReceipt, hasReceipt } from '../../src/renderer/src/lib/receipt';
import { selectPayment } from '../../src/renderer/src/store/payments';
import { makePayment } from './fake-transport';
import { renderApp } from './render-app';

afterEach(() => {
  cleanup();
  delete window.paydesk;
  Reflect.deleteProperty(window, 'print');
});

/** happy-dom has no print dialog: window.print, recording the page's title when called. */
function stubPrint(): { print: ReturnType<typeof vi.fn>; titles: string[] } {
  const titles: string[] = [];
  const print = vi.fn(() => void titles.push(document.title));
  window.print = print;
  return { print, titles };
}

const BUSINESS = {
  name: 'Northwind Bakery Ltd',
  address: '12 Harbour Street\nPortsmouth PO1 2AB',
  taxId: 'GB123456789',
};
const SETTINGS: SettingsView = {
  schedulerIntervalSeconds: 60,
  schedulerEnabled: true,
  business: BUSINESS,
};

function makeRefund(id: string, over: Partial<Refund> = {}): Refund {
  return {
    id: `rfd_${id}`,
    paymentId: 'pay_7',
    amount: 500,
    currency: 'USD',
    status: 'SUCCEEDED',
    idempotencyKey: `key/${id}`,
    requestKey: `key-${id}`,
    undoOf: null,
    gatewayRefundId: `re_${id}`,
    failureCode: null,
    failureMessage: null,
    createdAt: '2026-03-11T09:00:00.000Z',
    updatedAt: '2026-03-11T09:00:00.000Z',
    ...over,
  };
}

/** $42.00 paid; $5.00 then $10.00 refunded; one refund failed, one still pending. */
const REFUNDS = [
  makeRefund('b', { amount: 1000, updatedAt: '2026-03-12T10:00:00.000Z' }),
  makeRefund('a', { amount: 500, updatedAt: '2026-03-11T09:00:00.000Z' }),
  makeRefund('failed', { amount: 4200, status: 'FAILED', gatewayRefundId: null }),
  makeRefund('pending', { amount: 100, status: 'PENDING', gatewayRefundId: null }),
];
const PAYMENT: Payment = makePayment(7, {
  amount: 4200,
  description: 'Wedding cake tasting',
  paymentMethod: 'pm_card_visa',
  status: 'PARTIALLY_REFUNDED',
  transactionId: 'txn_0123456789abcdef',
  refundedAmount: 1500,
  createdAt: '2026-03-10T11:00:00.000Z',
  events: [
    { type: 'created', at: '2026-03-10T11:00:00.000Z' },
    { type: 'charge_attempted', at: '2026-03-10T11:00:00.000Z' },
    { type: 'succeeded', at: '2026-03-10T11:00:01.000Z', transactionId: 'txn_0123456789abcdef' },
    { type: 'refunded', at: '2026-03-11T09:00:00.000Z', amount: 500, refundId: 're_a' },
    { type: 'refunded', at: '2026-03-12T10:00:00.000Z', amount: 1000, refundId: 're_b' },
  ],
});
const DETAIL: PaymentDetail = { ...PAYMENT, refunds: REFUNDS };

/** The app on the Payments screen with PAYMENT selected, its details shown. */
async function showPayment(
  options: { settings?: SettingsView; payment?: PaymentDetail } = {},
): Promise<ReturnType<typeof renderApp>> {
  const payment = options.payment ?? DETAIL;
  const rendered = renderApp({ screen: 'payments', payments: [payment] });
  rendered.fake.reply('payments.get', () => ok(payment));
  rendered.fake.reply('settings.get', () => ok(options.settings ?? SETTINGS));
  act(() => selectPayment(payment.id));
  await screen.findByRole('heading', { level: 2, name: /^\$42\.00/ });
  return rendered;
}

async function openReceiptDialog(name = 'Receipt'): Promise<HTMLElement> {
  const dialog = await screen.findByRole('dialog', { name });
  await within(dialog).findByRole('article');
  return dialog;
}

/** An element's text, whitespace collapsed. */
const flat = (element: Element | null | undefined): string =>
  (element?.textContent ?? '').replace(/\s+/g, ' ').trim();
/** The text of a table row or a list of facts as read: its cells (or terms) apart. */
const text = (element: Element | null | undefined): string =>
  element && element.children.length > 0
    ? [...element.children].map(flat).filter(Boolean).join(' ')
    : flat(element);

describe('the receipt of a payment', () => {
  it('shows the business, customer, amount, method, transaction id, date and refunds so far', async () => {
    const user = userEvent.setup();
    const { fake } = await showPayment();
    await user.click(screen.getByRole('button', { name: 'Receipt' }));
    const dialog = await openReceiptDialog();
    const receipt = within(dialog).getByRole('article', { name: 'Receipt' });

    expect(fake.api['payments.get']).toHaveBeenCalledWith({ id: 'pay_7' });
    expect(fake.api['settings.get']).toHaveBeenCalled();
    expect(within(receipt).getByText(BUSINESS.name)).toBeTruthy();
    expect(receipt.querySelector('.receipt-address')?.textContent).toBe(BUSINESS.address);
    expect(within(receipt).getByText(`Tax ID: ${BUSINESS.taxId}`)).toBeTruthy();
    expect(within(receipt).queryByText(/Set your business details/)).toBeNull();

    expect(text(receipt.querySelector('.receipt-amount'))).toBe('Amount paid $42.00');
    const facts = text(receipt.querySelector('.receipt-facts'));
    expect(facts).toContain('Customer customer7@example.com');
    expect(facts).toContain('Description Wedding cake tasting');
    expect(facts).toContain('Payment method pm_card_visa');
    expect(facts).toContain('Transaction id txn_0123456789abcdef');
    expect(facts).toContain('Payment id pay_7');
    const meta = text(receipt.querySelector('.receipt-meta'));
    expect(meta).toMatch(/^Number pay_7 Date 10 Mar 2026, \d\d:00$/);

    // Refunds made, oldest first; the failed and the pending one moved no money.
    const rows = within(receipt).getAllByRole('row').map(text);
    expect(rows).toEqual([
      'Item Date Amount',
      expect.stringMatching(/^Payment 10 Mar 2026, \d\d:00 \$42\.00$/),
      expect.stringMatching(/^Refund re_a 11 Mar 2026, \d\d:00 −\$5\.00$/),
      expect.stringMatching(/^Refund re_b 12 Mar 2026, \d\d:00 −\$10\.00$/),
      'Refunds so far −$15.00',
      'Net paid $27.00',
    ]);
  });

  it('asks for the business details when Settings has none', async () => {
    const user = userEvent.setup();
    await showPayment({ settings: { schedulerIntervalSeconds: 60, schedulerEnabled: true } });
    await user.click(screen.getByRole('button', { name: 'Receipt' }));
    const dialog = await openReceiptDialog();
    expect(within(dialog).getByText('Set your business details in Settings')).toBeTruthy();
    expect(within(dialog).queryByText(/Tax ID/)).toBeNull();
  });

  it('says "None" for the refunds of a payment never refunded', async () => {
    const user = userEvent.setup();
    await showPayment({
      payment: {
        ...PAYMENT,
        status: 'COMPLETED',
        refundedAmount: 0,
        events: PAYMENT.events.slice(0, 3),
        refunds: [],
      },
    });
    expect(screen.queryByRole('button', { name: /^Refund receipt/ })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Receipt' }));
    const dialog = await openReceiptDialog();
    const rows = within(dialog).getAllByRole('row').map(text);
    expect(rows.slice(-2)).toEqual(['Refunds so far None', 'Net paid $42.00']);
  });

  it('is offered only for a payment that took money', async () => {
    for (const status of ['FAILED', 'PENDING'] as const) {
      const payment = { ...DETAIL, status, transactionId: null, refunds: [] };
      await showPayment({ payment });
      expect(screen.queryByRole('button', { name: 'Receipt' }), status).toBeNull();
      cleanup();
    }
  });

  it('closes with Close or Escape, and Ctrl+Z undoes nothing behind it', async () => {
    const user = userEvent.setup();
    const { fake } = await showPayment();
    await user.click(screen.getByRole('button', { name: 'Receipt' }));
    let dialog = await openReceiptDialog();
    await waitFor(() =>
      expect(document.activeElement).toBe(
        within(dialog).getByRole('button', { name: 'Save as PDF' }),
      ),
    );
    await user.keyboard('{Control>}z{/Control}');
    expect(fake.api['history.undo']).not.toHaveBeenCalled();
    await user.click(within(dialog).getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('dialog')).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Receipt' }));
    dialog = await openReceiptDialog();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('shows why when the payment cannot be read', async () => {
    const user = userEvent.setup();
    const { fake } = await showPayment();
    fake.reply('payments.get', () => fail('unavailable', 'The server is restarting'));
    await user.click(screen.getByRole('button', { name: 'Receipt' }));
    const dialog = await screen.findByRole('dialog', { name: 'Receipt' });
    expect((await within(dialog).findByRole('alert')).textContent).toContain(
      'The server is restarting',
    );
    expect(
      within(dialog).getByRole('button', { name: 'Save as PDF' }).hasAttribute('disabled'),
    ).toBe(true);
  });
});

describe('the receipt of a refund', () => {
  it('opens from the refund in the timeline, with the refunds up to it', async () => {
    const user = userEvent.setup();
    await showPayment();
    const timeline = screen.getByRole('list', { name: 'Event timeline' });
    await user.click(
      within(timeline).getByRole('button', { name: 'Refund receipt for $5.00 (re_a)' }),
    );
    const dialog = await openReceiptDialog('Refund receipt');
    const receipt = within(dialog).getByRole('article', { name: 'Refund receipt' });

    expect(text(receipt.querySelector('.receipt-amount'))).toBe('Amount refunded $5.00');
    expect(text(receipt.querySelector('.receipt-meta'))).toMatch(/^Number rfd_a Date 11 Mar 2026/);
    const facts = text(receipt.querySelector('.receipt-facts'));
    expect(facts).toContain('Refund id re_a');
    expect(facts).toContain('Transaction id txn_0123456789abcdef');
    expect(facts).toMatch(/Original payment \$42\.00 on 10 Mar 2026/);
    expect(within(receipt).getByText(BUSINESS.name)).toBeTruthy();
    // The later refund ($10.00, re_b) is not "so far" on this one's receipt.
    const rows = within(receipt).getAllByRole('row').map(text);
    expect(rows.slice(1)).toEqual([
      expect.stringMatching(/^Payment .* \$42\.00$/),
      expect.stringMatching(/^Refund re_a .* −\$5\.00$/),
      'Refunds so far −$5.00',
      'Net paid $37.00',
    ]);
  });

  it('of the later refund counts both', async () => {
    const user = userEvent.setup();
    await showPayment();
    await user.click(screen.getByRole('button', { name: 'Refund receipt for $10.00 (re_b)' }));
    const dialog = await openReceiptDialog('Refund receipt');
    expect(text(dialog.querySelector('.receipt-amount'))).toBe('Amount refunded $10.00');
    const rows = within(dialog).getAllByRole('row').map(text);
    expect(rows.slice(-2)).toEqual(['Refunds so far −$15.00', 'Net paid $27.00']);
  });
});

describe('Save as PDF', () => {
  it('in a browser opens the print dialog, the PDF named after the receipt', async () => {
    const user = userEvent.setup();
    await showPayment();
    const { print, titles } = stubPrint();
    const title = document.title;
    await user.click(screen.getByRole('button', { name: 'Receipt' }));
    const dialog = await openReceiptDialog();
    await user.click(within(dialog).getByRole('button', { name: 'Save as PDF' }));
    expect(print).toHaveBeenCalledTimes(1);
    expect(titles).toEqual(['receipt-pay_7']);
    expect(document.title).toBe(title);
    expect(text(within(dialog).getByRole('status'))).toBe('');
  });

  it('in the desktop app asks main through the bridge, and says where it saved', async () => {
    const user = userEvent.setup();
    const printToPdf = vi.fn<PaydeskBridge['printToPdf']>(async () =>
      ok({ file: '/home/ann/Documents/receipt-pay_7.pdf' }),
    );
    // Only what "Save as PDF" uses of the bridge; the app's calls go to the fake transport.
    window.paydesk = { printToPdf } as unknown as PaydeskBridge;
    const { print } = stubPrint();
    await showPayment();
    await user.click(screen.getByRole('button', { name: 'Refund receipt for $10.00 (re_b)' }));
    const dialog = await openReceiptDialog('Refund receipt');
    await user.click(within(dialog).getByRole('button', { name: 'Save as PDF' }));

    expect(printToPdf).toHaveBeenCalledWith({ fileName: 'refund-receipt-rfd_b.pdf' });
    expect(print).not.toHaveBeenCalled();
    await waitFor(() =>
      expect(text(within(dialog).getByRole('status'))).toBe(
        'Saved as /home/ann/Documents/receipt-pay_7.pdf',
      ),
    );
  });

  it('in the desktop app says nothing when cancelled, and why when it failed', async () => {
    const user = userEvent.setup();
    const printToPdf = vi
      .fn<PaydeskBridge['printToPdf']>()
      .mockResolvedValueOnce(ok({ file: null }))
      .mockResolvedValueOnce(fail('unavailable', 'The PDF could not be saved to /x.pdf: EACCES'))
      .mockRejectedValueOnce(new Error('main went away'));
    window.paydesk = { printToPdf } as unknown as PaydeskBridge;
    await showPayment();
    await user.click(screen.getByRole('button', { name: 'Receipt' }));
    const dialog = await openReceiptDialog();
    const save = within(dialog).getByRole('button', { name: 'Save as PDF' });
    const status = within(dialog).getByRole('status');

    await user.click(save);
    await waitFor(() => expect(printToPdf).toHaveBeenCalledTimes(1));
    expect(text(status)).toBe('');
    await user.click(save);
    await waitFor(() => expect(text(status)).toContain('EACCES'));
    expect(text(status)).toBe(
      'The receipt was not saved: The PDF could not be saved to /x.pdf: EACCES',
    );
    await user.click(save);
    await waitFor(() => expect(text(status)).toContain('main went away'));
    expect(printToPdf).toHaveBeenNthCalledWith(3, { fileName: 'receipt-pay_7.pdf' });
  });
});

describe("the receipt's rules", () => {
  const settings = { business: BUSINESS };

  it('issues receipts only for money taken', () => {
    for (const status of ['COMPLETED', 'PARTIALLY_REFUNDED', 'REFUNDED'] as const) {
      expect(hasReceipt({ status })).toBe(true);
    }
    expect(hasReceipt({ status: 'FAILED' })).toBe(false);
    expect(hasReceipt({ status: 'PENDING' })).toBe(false);
    expect(buildReceipt({ ...DETAIL, status: 'FAILED' }, settings)).toMatchObject({
      ok: false,
      error: { code: 'conflict' },
    });
  });

  it('finds a refund by its id or its gateway id, and only one that was made', () => {
    const byId = buildReceipt(DETAIL, settings, 'rfd_a');
    const byGatewayId = buildReceipt(DETAIL, settings, 're_a');
    expect(byId.ok && byId.data.refund?.id).toBe('rfd_a');
    expect(byGatewayId).toEqual(byId);
    for (const missing of ['rfd_failed', 'rfd_pending', 're_zzz']) {
      expect(buildReceipt(DETAIL, settings, missing)).toMatchObject({
        ok: false,
        error: { code: 'not_found' },
      });
    }
  });

  it('reads missing or blank business details as empty', () => {
    const none = buildReceipt(DETAIL, {});
    expect(none.ok && none.data.business).toEqual({ name: '', address: '', taxId: '' });
    const padded = buildReceipt(DETAIL, {
      business: { name: '  Ann  ', address: '\n1 Road\n', taxId: ' ' },
    });
    expect(padded.ok && padded.data.business).toEqual({
      name: 'Ann',
      address: '1 Road',
      taxId: '',
    });
  });

  it(`prints at most ${MAX_REFUND_LINES} refund lines and sums up the older ones`, () => {
    const many = Array.from({ length: MAX_REFUND_LINES + 3 }, (_, i) =>
      makeRefund(`m${String(i).padStart(2, '0')}`, {
        amount: 100,
        updatedAt: new Date(Date.UTC(2026, 2, 11, i)).toISOString(),
      }),
    );
    const receipt = buildReceipt({ ...DETAIL, refunds: many }, settings);
    if (!receipt.ok) throw new Error(receipt.error.message);
    expect(receipt.data.refunds.map((r) => r.id)).toEqual(many.slice(3).map((r) => r.id));
    expect(receipt.data.moreRefunds).toEqual({ count: 3, amount: 300 });
    expect(receipt.data.refundedSoFar).toBe(100 * many.length);
    expect(receipt.data.netPaid).toBe(4200 - 100 * many.length);
  });
});
