/**
 * Toasts: short messages about what just happened, optionally with one action (Undo, Redo).
 * The Toasts component dismisses them after a few seconds unless hovered or focused.
 */
import { create } from 'zustand';

export type ToastLevel = 'info' | 'error';
export interface ToastAction {
  label: string;
  run: () => void;
}
export interface Toast {
  id: number;
  message: string;
  level: ToastLevel;
  action?: ToastAction;
}

export interface ToastsState {
  toasts: Toast[];
}

const MAX_TOASTS = 4;
let nextId = 1;

export const initialToasts: ToastsState = { toasts: [] };
export const useToasts = create<ToastsState>()(() => initialToasts);

export function showToast(
  message: string,
  options: { level?: ToastLevel; action?: ToastAction } = {},
): number {
  const toast: Toast = { id: nextId++, message, level: options.level ?? 'info' };
  if (options.action) toast.action = options.action;
  useToasts.setState((s) => ({ toasts: [...s.toasts, toast].slice(-MAX_TOASTS) }));
  return toast.id;
}

export function dismissToast(id: number): void {
  useToasts.setState((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }));
}
