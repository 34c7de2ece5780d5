/**
 * One confirmation dialog at a time: `await confirm({...})` resolves true when the operator
 * presses the confirm button, false on the dismiss button or Escape.
 */
import { create } from 'zustand';

export interface ConfirmOptions {
  title: string;
  message: string;
  /** Optional list shown under the message (the commands an undo would reverse). */
  details?: string[];
  /** Names the action, e.g. "Refund", "Undo", "Cancel subscription". */
  confirmLabel: string;
  cancelLabel?: string;
  danger?: boolean;
  /**
   * Focus the confirm button, so that Enter confirms (an undo asked for with Ctrl+Z stays
   * one keystroke more); by default the dismiss button has the focus.
   */
  enterConfirms?: boolean;
}

export interface ConfirmState {
  request: (ConfirmOptions & { id: number }) | null;
}

let resolveCurrent: ((ok: boolean) => void) | null = null;
let returnFocus: HTMLElement | null = null;
let nextId = 1;

export const initialConfirm: ConfirmState = { request: null };
export const useConfirm = create<ConfirmState>()(() => initialConfirm);

export function confirm(options: ConfirmOptions): Promise<boolean> {
  resolveCurrent?.(false);
  const active = document.activeElement;
  returnFocus = active instanceof HTMLElement && active !== document.body ? active : null;
  return new Promise<boolean>((resolve) => {
    resolveCurrent = resolve;
    useConfirm.setState({ request: { ...options, id: nextId++ } });
  });
}

export function answerConfirm(ok: boolean): void {
  const resolve = resolveCurrent;
  resolveCurrent = null;
  const focusTarget = returnFocus;
  returnFocus = null;
  useConfirm.setState({ request: null });
  // Back to where the operator was, once the dialog has gone (if that element still exists).
  setTimeout(() => {
    if (focusTarget?.isConnected && document.activeElement === document.body) focusTarget.focus();
  }, 0);
  resolve?.(ok);
}

export function isConfirmOpen(): boolean {
  return useConfirm.getState().request !== null;
}
