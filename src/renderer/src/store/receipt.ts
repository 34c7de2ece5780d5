/**
 * The open receipt: which one was asked for (a payment's, or one of its refunds'), the
 * receipt once the payment with its refunds and the business details have been read, and
 * "Save as PDF". A receipt is a document of the moment it was opened: push events do not
 * change it while it is shown.
 */
import { create } from 'zustand';
import { buildReceipt, type ReceiptModel } from '../lib/receipt';
import { saveAsPdf } from '../lib/save-pdf';
import { api } from './connection';

export interface ReceiptRequest {
  paymentId: string;
  /** A refund of it (its record id or gateway id) for a refund receipt; null for the charge. */
  refundId: string | null;
}

export interface ReceiptState {
  request: ReceiptRequest | null;
  receipt: ReceiptModel | null;
  error: string | null;
  saving: boolean;
  /**
   * What the last "Save as PDF" did, shown in the receipt's own window: the page behind a
   * modal dialog is inert, so a toast there would not be announced.
   */
  saved: { level: 'info' | 'error'; message: string } | null;
}

export const initialReceipt: ReceiptState = {
  request: null,
  receipt: null,
  error: null,
  saving: false,
  saved: null,
};
export const useReceipt = create<ReceiptState>()(() => initialReceipt);

const get = useReceipt.getState;
const set = useReceipt.setState;

export function isReceiptOpen(): boolean {
  return get().request !== null;
}

export async function openReceipt(
  paymentId: string,
  refundId: string | null = null,
): Promise<void> {
  const request: ReceiptRequest = { paymentId, refundId };
  set({ ...initialReceipt, request });
  const [payment, settings] = await Promise.all([
    api()['payments.get']({ id: paymentId }),
    api()['settings.get']({}),
  ]);
  if (get().request !== request) return; // Closed, or another receipt opened meanwhile.
  if (!payment.ok) return set({ error: payment.error.message });
  if (!settings.ok) {
    return set({ error: `The business details could not be read: ${settings.error.message}` });
  }
  const receipt = buildReceipt(payment.data, settings.data, refundId);
  set(receipt.ok ? { receipt: receipt.data } : { error: receipt.error.message });
}

export function closeReceipt(): void {
  set(initialReceipt, true);
}

export async function saveReceiptAsPdf(): Promise<void> {
  const { receipt, saving } = get();
  if (!receipt || saving) return;
  set({ saving: true, saved: null });
  const result = await saveAsPdf(receipt.fileName);
  if (get().receipt !== receipt) return; // Closed meanwhile.
  if (!result.ok) {
    const message = `The receipt was not saved: ${result.error.message}`;
    set({ saving: false, saved: { level: 'error', message } });
  } else if (result.data.kind === 'saved') {
    set({ saving: false, saved: { level: 'info', message: `Saved as ${result.data.file}` } });
  } else {
    set({ saving: false });
  }
}
