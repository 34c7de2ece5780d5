/**
 * The shape of `window.paydesk`, the object the preload exposes to the renderer: one function
 * per contract operation (a Result, never a thrown error), `subscribe` for push events,
 * `printToPdf` (the desktop's "Save as PDF") and `exportCsv` (its "Export CSV").
 * The renderer declares the global itself (optional there, since a plain browser has no
 * preload); its declaration must stay this type, and may import it from here.
 */
import type {
  ExportDone,
  ExportFilters,
  ExportKind,
  PaydeskApi,
  PushEvent,
} from '../shared/contract';
import type { Result } from '../shared/result';

export interface PrintToPdfRequest {
  /** The file name the save dialog suggests ("receipt-pay_1.pdf"); main makes it safe. */
  fileName: string;
}
export interface PrintToPdfDone {
  /** The file written; null when the operator cancelled the save dialog. */
  file: string | null;
}

/** A list to export as CSV, with its filters as the list takes them (paging aside). */
export type ExportCsvRequest = {
  [K in ExportKind]: { kind: K; filters: ExportFilters<K> };
}[ExportKind];

export type PaydeskBridge = PaydeskApi & {
  /** Receive the core's push events (only the payload); returns the function that stops them. */
  subscribe(listener: (event: PushEvent) => void): () => void;
  /** Print the page (its print stylesheet) to a PDF and save it where the operator chooses. */
  printToPdf(request: PrintToPdfRequest): Promise<Result<PrintToPdfDone>>;
  /** Export a list as CSV into a file chosen in a save dialog (`file` null: cancelled). */
  exportCsv(request: ExportCsvRequest): Promise<Result<ExportDone>>;
};
