/**
 * Toasts (role="status"): what just happened, with an optional action (Undo). They go away
 * after a few seconds, but not while the pointer or keyboard focus is on them.
 */
import { useEffect, useState } from 'react';
import { dismissToast, useToasts, type Toast } from '../store/toasts';

const LIFETIME_MS = { info: 7000, error: 12000 };

function ToastItem({ toast }: { toast: Toast }) {
  const [hovered, setHovered] = useState(false);
  const [focused, setFocused] = useState(false);
  const paused = hovered || focused;
  useEffect(() => {
    if (paused) return;
    const timer = setTimeout(() => dismissToast(toast.id), LIFETIME_MS[toast.level]);
    return () => clearTimeout(timer);
  }, [paused, toast.id, toast.level]);
  return (
    <div
      role="status"
      aria-live={toast.level === 'error' ? 'assertive' : 'polite'}
      className={`toast toast-${toast.level}`}
      onMouseEnter={() => setHovered(true)}
      onMouseLeave={() => setHovered(false)}
      onFocus={() => setFocused(true)}
      onBlur={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setFocused(false);
      }}
    >
      <p className="toast-message">{toast.message}</p>
      {toast.action && (
        <button
          type="button"
          className="toast-action"
          onClick={() => {
            dismissToast(toast.id);
            toast.action?.run();
          }}
        >
          {toast.action.label}
        </button>
      )}
      <button
        type="button"
        className="toast-close"
        aria-label="Dismiss notification"
        onClick={() => dismissToast(toast.id)}
      >
        ×
      </button>
    </div>
  );
}

export function Toasts() {
  const toasts = useToasts((s) => s.toasts);
  return (
    <section className="toasts" aria-label="Notifications">
      {toasts.map((t) => (
        <ToastItem key={t.id} toast={t} />
      ))}
    </section>
  );
}
