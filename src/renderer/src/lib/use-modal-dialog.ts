/**
 * A native modal <dialog> that is open while its component is mounted: shown with
 * showModal (the page behind is inert; a DOM without it, as in component tests, gets the
 * open attribute) and closed when the component goes. Escape and the browser's own cancel
 * call `onClose`, so that the store that opened the dialog closes it, and Escape goes no
 * further (the screen behind must not act on it too). On opening, the element marked
 * `data-autofocus` takes the focus; with `returnFocus`, closing gives the focus back to
 * where it was, when that is still in the page.
 */
import { useEffect, useRef, type KeyboardEvent, type SyntheticEvent } from 'react';

export function useModalDialog(onClose: () => void, { returnFocus = false } = {}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const active = document.activeElement;
    const before = returnFocus && active instanceof HTMLElement ? active : null;
    if (!dialog.open) {
      if (typeof dialog.showModal === 'function') dialog.showModal();
      else dialog.setAttribute('open', '');
    }
    dialog.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    return () => {
      if (dialog.open) dialog.close();
      if (before?.isConnected) before.focus();
    };
  }, [returnFocus]);
  return {
    ref,
    onCancel: (e: SyntheticEvent<HTMLDialogElement>): void => {
      e.preventDefault();
      onClose();
    },
    onKeyDown: (e: KeyboardEvent<HTMLDialogElement>): void => {
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        onClose();
      }
    },
  };
}
