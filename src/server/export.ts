/**
 * CSV exports over HTTP: the response that streams an export (src/main/core/export.ts) to
 * the client, and the browser's door to it, `POST /rpc/export/<kind>` with the list's
 * filters as the JSON body (the contract's names, as the UI holds them). The REST endpoints
 * (`GET payments/export.csv`...) are in rest.ts, which maps their query as the lists' own.
 *
 * The text goes out a page at a time through a pipeline: the next page is read only when
 * the client has taken the last one (the socket drained), so a slow client holds a page,
 * not the file. Errors in the filters are answered before the first byte; a failure later
 * can only cut the response short (the client sees an incomplete transfer), and a client
 * that leaves stops the reading.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Core } from '../main/core/api';
import { openCsvExport, type CsvExport } from '../main/core/export';
import type { ExportKind } from '../shared/contract';
import { failure, sendJson } from './http-util';
import { readRpcInput } from './rpc';

export const RPC_EXPORT_PREFIX = '/rpc/export/';

export const unknownExport = (kind: string) =>
  failure(404, 'not_found', `No export named ${JSON.stringify(kind)}`);

const CSV_HEADERS = {
  'content-type': 'text/csv; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

/** Stream an opened export as the response, as an attachment named after it. */
export async function sendCsv(res: ServerResponse, csv: CsvExport): Promise<void> {
  res.writeHead(200, {
    ...CSV_HEADERS,
    'content-disposition': `attachment; filename="${csv.fileName}"`,
  });
  try {
    await pipeline(Readable.from(csv.chunks, { objectMode: false }), res);
  } catch (error) {
    // The client went away: nothing to answer, and the pipeline stopped the reading.
    if ((error as NodeJS.ErrnoException)?.code === 'ERR_STREAM_PREMATURE_CLOSE') return;
    throw error;
  }
}

/**
 * The browser's export: the body is the list's filters as the contract names them. A
 * refusal is the Result the browser transport reads, with status 400.
 */
export async function handleRpcExport(
  core: Core,
  kind: ExportKind,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const read = await readRpcInput(req, res, 400);
  if (read === null) return;
  const opened = await openCsvExport(core, kind, read.input, 'operator');
  if (!opened.ok) return sendJson(res, opened.error.code === 'validation' ? 400 : 500, opened);
  await sendCsv(res, opened.data);
}
