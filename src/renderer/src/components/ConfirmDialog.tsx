/**
 * The confirmation dialog: a native modal <dialog> (focus stays inside, the page behind is
 * inert), Escape or the dismiss button cancel, the confirm button names the action.
 */
import { useId } from 'react';
import { useModalDialog } from '../lib/use-modal-dialog';
import { answerConfirm, useConfirm, type ConfirmState } from '../store/confirm';

type Request = NonNullable<ConfirmState['request']>;

function DialogView({ request }: { request: Request }) {
  const dialog = useModalDialog(() => answerConfirm(false));
  const titleId = useId();
  const messageId = useId();
  return (
    <dialog {...dialog} className="dialog" aria-labelledby={titleId} aria-describedby={messageId}>
      <h2 id={titleId} className="dialog-title">
        {request.title}
      </h2>
      <p id={messageId} className="dialog-message">
        {request.message}
      </p>
      {request.details && request.details.length > 0 && (
        <ul className="dialog-details">
          {request.details.map((d, i) => (
            <li key={i}>{d}</li>
          ))}
        </ul>
      )}
      <div className="dialog-actions">
        <button
          type="button"
          data-autofocus={request.enterConfirms ? undefined : true}
          onClick={() => answerConfirm(false)}
        >
          {request.cancelLabel ?? 'Cancel'}
        </button>
        <button
          type="button"
          data-autofocus={request.enterConfirms ? true : undefined}
          className={request.danger ? 'button-danger' : 'button-primary'}
          onClick={() => answerConfirm(true)}
        >
          {request.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}

export function ConfirmDialog() {
  const request = useConfirm((s) => s.request);
  return request ? <DialogView key={request.id} request={request} /> : null;
}
