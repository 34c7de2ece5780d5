/**
 * "Export CSV" in the desktop app: the renderer asks (EXPORT_CSV_CHANNEL) with the list and
 * its filters, as the list takes them; main opens the export (src/main/core/export.ts: the
 * filters are validated by the contract and the first page read before anything else),
 * asks where to save it (a save dialog on the window, suggesting `payments-2026-03-10.csv`)
 * and streams the export into the file a page at a time, each page read once the last one
 * is written. It writes a temporary file beside the chosen one and renames it when complete,
 * so the chosen name never holds half an export. (A browser downloads the same text from
 * `POST /rpc/export/<kind>` instead: src/renderer/src/lib/export-csv.ts.)
 * Like the operations' handlers it refuses foreign senders and answers a Result, never a
 * thrown error. Electron's objects are passed in, so this module never loads 'electron'.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { EXPORT_KINDS, type ExportDone } from '../../shared/contract';
import { fail, ok, type Result } from '../../shared/result';
import { EXPORT_CSV_CHANNEL } from '../../preload/channels';
import type { Core } from '../core/api';
import { openCsvExport, type CsvExport } from '../core/export';
import type { SaveDialogOptions } from './print-pdf';

/** The parts of Electron and of the core the handler uses (structural, so tests can pass fakes). */
export interface ExportCsvDeps<E> {
  ipcMain: {
    handle(channel: string, listener: (event: E, request: unknown) => Promise<unknown>): void;
    removeHandler(channel: string): void;
  };
  isTrustedSender: (event: E) => boolean;
  core: Pick<Core, 'call'>;
  /** dialog.showSaveDialog on the window. */
  showSaveDialog: (options: SaveDialogOptions) => Promise<{ canceled: boolean; filePath?: string }>;
  log?: (message: string) => void;
}

const request = z.object({ kind: z.enum(EXPORT_KINDS), filters: z.unknown().optional() }).strict();

/** Registers the handler; returns the function that removes it. */
export function registerExportCsv<E>(deps: ExportCsvDeps<E>): () => void {
  deps.ipcMain.handle(EXPORT_CSV_CHANNEL, (event, raw) =>
    exportCsv(deps, () => deps.isTrustedSender(event), raw),
  );
  return () => deps.ipcMain.removeHandler(EXPORT_CSV_CHANNEL);
}

/** One request: trust, the export opened (its filters validated), dialog, file; always a Result. */
export async function exportCsv<E>(
  deps: ExportCsvDeps<E>,
  isTrusted: () => boolean,
  raw: unknown,
): Promise<Result<ExportDone>> {
  const log = deps.log ?? console.error;
  try {
    if (!isTrusted()) {
      return fail('forbidden', "Export refused: the request does not come from Paydesk's window");
    }
    const parsed = request.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field =
        issue?.code === 'unrecognized_keys'
          ? (issue.keys[0] ?? 'kind')
          : issue?.path.map(String).join('.') || 'kind';
      return fail('validation', `${field}: ${issue?.message ?? 'invalid'}`, field);
    }
    const { kind, filters } = parsed.data;
    const opened = await openCsvExport(deps.core, kind, filters ?? {}, 'operator');
    if (!opened.ok) return opened;

    const chosen = await deps.showSaveDialog(saveDialogOptions(opened.data.fileName));
    if (chosen.canceled || !chosen.filePath) return ok({ file: null, rows: null });
    const written = await writeCsv(opened.data, chosen.filePath);
    if (!written.ok) return written;
    return ok({ file: chosen.filePath, rows: opened.data.rows() });
  } catch (error) {
    log(
      `[paydesk] CSV export failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return fail('internal', `The export failed unexpectedly: ${messageOf(error)}`);
  }
}

/** Streams the export into `path` through a temporary file beside it. */
export async function writeCsv(csv: CsvExport, path: string): Promise<Result<void>> {
  const partial = `${path}.part`;
  try {
    await pipeline(Readable.from(csv.chunks, { objectMode: false }), createWriteStream(partial));
    await rename(partial, path);
    return ok(undefined);
  } catch (error) {
    await rm(partial, { force: true }).catch(() => undefined);
    return fail('unavailable', `The export could not be saved to ${path}: ${messageOf(error)}`);
  }
}

export function saveDialogOptions(fileName: string): SaveDialogOptions {
  return {
    title: 'Export CSV',
    defaultPath: fileName,
    buttonLabel: 'Export',
    filters: [{ name: 'CSV', extensions: ['csv'] }],
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
