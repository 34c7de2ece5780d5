/**
 * "Save as PDF" of what the page prints (its print stylesheet shows only the open receipt).
 * The same choice as the transport's: with the Electron preload's bridge (`window.paydesk`)
 * main prints the page with Chromium's PDF printer and saves the file where the operator
 * says; in a plain browser the page opens the browser's print dialog, whose "Save as PDF"
 * destination does the same. Errors are values, as everywhere.
 */
import { fail, ok, type Result } from '../../../shared/result';

export type SavePdfOutcome =
  /** The desktop saved it there. */
  | { kind: 'saved'; file: string }
  /** The operator cancelled the desktop's save dialog. */
  | { kind: 'cancelled' }
  /** The browser's print dialog was shown: the browser saves (or prints) from there. */
  | { kind: 'print-dialog' };

export async function saveAsPdf(
  fileName: string,
  target: Window = window,
): Promise<Result<SavePdfOutcome>> {
  const bridge = target.paydesk;
  if (bridge) {
    try {
      const saved = await bridge.printToPdf({ fileName });
      if (!saved.ok) return saved;
      return ok(
        saved.data.file === null ? { kind: 'cancelled' } : { kind: 'saved', file: saved.data.file },
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return fail('unavailable', `The app did not answer (${message})`);
    }
  }
  // Browsers name the PDF after the page's title: for the print, the receipt's name.
  const title = target.document.title;
  target.document.title = fileName.replace(/\.pdf$/i, '');
  try {
    // Chromium blocks here until the print dialog closes; a browser that did not would only
    // name the PDF after the app instead.
    target.print();
  } finally {
    target.document.title = title;
  }
  return ok({ kind: 'print-dialog' });
}
