/**
 * "Save as PDF" in the desktop app: the renderer asks (PRINT_TO_PDF_CHANNEL) and main prints
 * the window's page with Chromium's own PDF printer (webContents.printToPDF, which applies
 * the page's print stylesheet: a receipt prints alone), asks where to save it (a save
 * dialog on the window) and writes the file. A browser has no such door: there the page
 * calls window.print() and the print dialog offers "Save as PDF".
 * Like the operations' handlers it refuses foreign senders, validates what the page sends
 * (the suggested file name is made safe here, never trusted), and answers a Result, never
 * a thrown error. Electron's objects are passed in, so this module never loads 'electron'.
 */
import { writeFile as writeFileToDisk } from 'node:fs/promises';
import { z } from 'zod';
import { fail, ok, type Result } from '../../shared/result';
import type { PrintToPdfDone, PrintToPdfRequest } from '../../preload/api';
import { PRINT_TO_PDF_CHANNEL } from '../../preload/channels';

/** The options of webContents.printToPDF that Paydesk sets. */
export interface PdfPrintOptions {
  pageSize: PaperSize;
  printBackground: boolean;
  preferCSSPageSize: boolean;
}
export interface SaveDialogOptions {
  title: string;
  defaultPath: string;
  buttonLabel: string;
  filters: Array<{ name: string; extensions: string[] }>;
}

/** The parts of Electron the handler uses (structural, so tests can pass fakes). */
export interface PrintPdfDeps<E> {
  ipcMain: {
    handle(channel: string, listener: (event: E, request: unknown) => Promise<unknown>): void;
    removeHandler(channel: string): void;
  };
  isTrustedSender: (event: E) => boolean;
  /** The window's web contents, which a trusted sender is; null once it is gone. */
  contents: () => { printToPDF(options: PdfPrintOptions): Promise<Uint8Array> } | null;
  /** dialog.showSaveDialog on the window. */
  showSaveDialog: (options: SaveDialogOptions) => Promise<{ canceled: boolean; filePath?: string }>;
  /** The operator's region ("US", "DE"...): it decides the paper. */
  countryCode: () => string;
  writeFile?: (path: string, data: Uint8Array) => Promise<void>;
  log?: (message: string) => void;
}

const request = z.object({ fileName: z.string().trim().min(1).max(200) }).strict();

/** Registers the handler; returns the function that removes it. */
export function registerPrintToPdf<E>(deps: PrintPdfDeps<E>): () => void {
  deps.ipcMain.handle(PRINT_TO_PDF_CHANNEL, (event, raw) =>
    printToPdf(deps, () => deps.isTrustedSender(event), raw),
  );
  return () => deps.ipcMain.removeHandler(PRINT_TO_PDF_CHANNEL);
}

/** One request: trust, validation, print, dialog, write; always a Result. */
export async function printToPdf<E>(
  deps: PrintPdfDeps<E>,
  isTrusted: () => boolean,
  raw: unknown,
): Promise<Result<PrintToPdfDone>> {
  const log = deps.log ?? console.error;
  try {
    if (!isTrusted()) {
      return fail(
        'forbidden',
        "Save as PDF refused: the request does not come from Paydesk's window",
      );
    }
    const parsed = request.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error);
    const contents = deps.contents();
    if (contents === null) return fail('unavailable', 'The window is closed: nothing to print');

    // Printed before the dialog opens: the PDF is the page the operator asked to save.
    let pdf: Uint8Array;
    try {
      pdf = await contents.printToPDF(pdfOptions(deps.countryCode()));
    } catch (error) {
      return fail('unavailable', `The page could not be printed to PDF: ${messageOf(error)}`);
    }
    const chosen = await deps.showSaveDialog(saveDialogOptions(parsed.data));
    if (chosen.canceled || !chosen.filePath) return ok({ file: null });
    try {
      await (deps.writeFile ?? writeFileToDisk)(chosen.filePath, pdf);
    } catch (error) {
      return fail(
        'unavailable',
        `The PDF could not be saved to ${chosen.filePath}: ${messageOf(error)}`,
      );
    }
    return ok({ file: chosen.filePath });
  } catch (error) {
    log(
      `[paydesk] save as PDF failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return fail('internal', `Save as PDF failed unexpectedly: ${messageOf(error)}`);
  }
}

export type PaperSize = 'A4' | 'Letter';

/**
 * Regions whose everyday paper is US Letter (the United States, Canada, Mexico, the
 * Philippines and some of Latin America); everyone else prints on A4. The receipt fits one
 * page of either.
 */
const LETTER_REGIONS = new Set('US CA MX PH PR CL CO CR DO GT NI PA SV VE'.split(' '));

export function paperFor(countryCode: string): PaperSize {
  return LETTER_REGIONS.has(countryCode.trim().toUpperCase()) ? 'Letter' : 'A4';
}

export function pdfOptions(countryCode: string): PdfPrintOptions {
  // The page's @page rule sets the margins; the paper follows the operator's region.
  return { pageSize: paperFor(countryCode), printBackground: true, preferCSSPageSize: false };
}

export function saveDialogOptions(input: PrintToPdfRequest): SaveDialogOptions {
  return {
    title: 'Save as PDF',
    defaultPath: safePdfName(input.fileName),
    buttonLabel: 'Save',
    filters: [{ name: 'PDF', extensions: ['pdf'] }],
  };
}

/**
 * A file name the page suggested, made safe for the save dialog: no directories (only a
 * name, so the dialog opens in its usual folder), no characters that a file system refuses
 * or a shell misreads, at most 100 characters, ending in ".pdf".
 */
export function safePdfName(suggested: string): string {
  const base = suggested.split(/[\\/]/).pop() ?? '';
  const stem = base
    .replace(/\.pdf$/i, '')
    .replace(/[^\w.\- ]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[\s.-]+|[\s.-]+$/g, '')
    .slice(0, 96);
  return `${stem || 'document'}.pdf`;
}

/** A validation error naming the first bad field (an unknown one by its name). */
function invalid(error: z.ZodError): Result<never> {
  const issue = error.issues[0];
  const field =
    issue?.code === 'unrecognized_keys' ? issue.keys[0] : issue?.path.map(String).join('.');
  const message =
    issue?.code === 'unrecognized_keys' ? 'unknown field' : (issue?.message ?? 'invalid');
  return field
    ? fail('validation', `${field}: ${message}`, field)
    : fail('validation', `request: ${message}`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
