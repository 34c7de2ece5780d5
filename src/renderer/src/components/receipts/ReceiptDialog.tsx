/**
 * The receipt's window: a native modal <dialog> (the page behind is inert) with the receipt,
 * "Save as PDF" and "Close" (Escape closes too). When printed, only the receipt shows: the
 * print rules in app.css hide the app, this toolbar and everything else.
 */
import { useEffect, useRef } from 'react';
import { useModalDialog } from '../../lib/use-modal-dialog';
import { closeReceipt, saveReceiptAsPdf, useReceipt } from '../../store/receipt';
import { ErrorState, Loading } from '../States';
import { Receipt } from './Receipt';

function ReceiptWindow() {
  const dialog = useModalDialog(closeReceipt);
  const saveRef = useRef<HTMLButtonElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);
  const receipt = useReceipt((s) => s.receipt);
  const error = useReceipt((s) => s.error);
  const saving = useReceipt((s) => s.saving);
  const saved = useReceipt((s) => s.saved);
  const ready = receipt !== null;

  // Focus on what the operator came for once it can be done; until then on Close.
  useEffect(() => (ready ? saveRef : closeRef).current?.focus(), [ready]);

  return (
    <dialog {...dialog} className="dialog receipt-dialog" aria-label={receipt?.title ?? 'Receipt'}>
      <div className="receipt-toolbar">
        <button
          ref={saveRef}
          type="button"
          className="button-primary"
          disabled={!ready || saving}
          onClick={() => void saveReceiptAsPdf()}
        >
          {saving ? 'Saving…' : 'Save as PDF'}
        </button>
        <button ref={closeRef} type="button" onClick={closeReceipt}>
          Close
        </button>
        <p
          className={
            saved?.level === 'error' ? 'receipt-saved receipt-saved-error' : 'receipt-saved'
          }
          role="status"
        >
          {saved?.message}
        </p>
      </div>
      {error ? (
        <ErrorState message={error} />
      ) : receipt ? (
        <Receipt receipt={receipt} />
      ) : (
        <Loading>Loading the receipt…</Loading>
      )}
    </dialog>
  );
}

export function ReceiptDialog() {
  const request = useReceipt((s) => s.request);
  // Keyed by the request: another receipt is another window, focus and all.
  return request ? <ReceiptWindow key={`${request.paymentId}/${request.refundId ?? ''}`} /> : null;
}
