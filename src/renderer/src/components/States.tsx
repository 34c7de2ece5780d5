/** The loading, error and empty states every list and panel uses, and a row still loading. */
import type { ReactNode } from 'react';

export function Loading({ children = 'Loading…' }: { children?: ReactNode }) {
  return (
    <p className="state state-loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {children}
    </p>
  );
}

export function ErrorState({ message, onRetry }: { message: string; onRetry?: () => void }) {
  return (
    <div className="state state-error" role="alert">
      <p>{message}</p>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="state state-empty">{children}</div>;
}

/** The one cell of a virtualized table's row whose page has not arrived yet. */
export function RowPlaceholder(props: {
  role: 'cell' | 'gridcell';
  columns: number;
  index: number;
}) {
  return (
    <div role={props.role} aria-colspan={props.columns} className="cell cell-placeholder">
      <span className="skeleton" aria-hidden="true" />
      <span className="visually-hidden">Loading row {props.index + 1}</span>
    </div>
  );
}
