/**
 * The IPC channels between the shell (main process) and the preload: one invoke channel per
 * contract operation, named after it, plus the two channels main pushes on. Shared by both
 * sides; deliberately free of runtime imports so that the preload bundle stays tiny (the
 * contract itself would pull zod into the page's preload).
 */
import type { OperationName } from '../shared/contract';

/**
 * Every contract operation, as a record so that the compiler insists on exactly the names of
 * `operations`: a missing one is an error, and so is an extra one (excess property check).
 * The shell test also compares it with the contract's OPERATION_NAMES at run time.
 */
const OPERATION_CHANNELS: Record<OperationName, true> = {
  'payments.process': true,
  'payments.refund': true,
  'payments.get': true,
  'payments.list': true,
  'subscriptions.create': true,
  'subscriptions.get': true,
  'subscriptions.list': true,
  'subscriptions.pause': true,
  'subscriptions.resume': true,
  'subscriptions.cancel': true,
  'subscriptions.chargeMissed': true,
  'subscriptions.skipMissed': true,
  'subscriptions.retryFailed': true,
  'subscriptions.forgiveFailed': true,
  'recurring.run': true,
  'history.get': true,
  'history.undo': true,
  'history.redo': true,
  'history.preview': true,
  'audit.list': true,
  'scheduler.status': true,
  'scheduler.start': true,
  'scheduler.stop': true,
  'scheduler.run': true,
  'clock.get': true,
  'clock.advance': true,
  'settings.get': true,
  'settings.set': true,
  'operators.me': true,
  'operators.list': true,
  'operators.create': true,
  'operators.revoke': true,
  'system.info': true,
  'gateway.configure': true,
  'dashboard.get': true,
  'customers.list': true,
  'customers.get': true,
  'search.find': true,
  'backup.create': true,
  'backup.list': true,
};

export const OPERATION_CHANNEL_NAMES = Object.keys(OPERATION_CHANNELS) as OperationName[];

/** Main → renderer: the core's push events (`PushEvent`). */
export const EVENT_CHANNEL = 'paydesk:event';

/**
 * Main → renderer: the app menu's Undo/Redo was clicked. The preload re-dispatches it as a
 * DOM `CustomEvent` of the same name on `window`, with the action as `detail`.
 */
export const MENU_CHANNEL = 'paydesk:menu';
export const MENU_ACTIONS = ['undo', 'redo'] as const;
export type MenuAction = (typeof MENU_ACTIONS)[number];

export function isMenuAction(value: unknown): value is MenuAction {
  return value === 'undo' || value === 'redo';
}

/**
 * Renderer → main (invoke): print the page to a PDF and save it where the operator chooses.
 * The page's print stylesheet decides what is printed (a receipt shows only the receipt).
 * Takes a `PrintToPdfRequest` and answers a `Result<PrintToPdfDone>` (./api.d.ts); main validates
 * the request (shell/print-pdf.ts).
 */
export const PRINT_TO_PDF_CHANNEL = 'paydesk:print-to-pdf';

/**
 * Renderer → main (invoke): export a list as CSV into a file the operator chooses. Takes an
 * `ExportCsvRequest` (the list and its filters) and answers a `Result<ExportDone>`
 * (./api.d.ts); main validates the request (shell/export-csv.ts).
 */
export const EXPORT_CSV_CHANNEL = 'paydesk:export-csv';
