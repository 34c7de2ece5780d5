/**
 * "Export CSV" of a list with the filters it shows. The same choice as the transport's:
 * with the Electron preload's bridge (`window.paydesk`) main streams the export into a file
 * the operator picks in a save dialog; in a plain browser the page asks the server for it
 * (`POST /rpc/export/<kind>` with the list's filters and the token in the Authorization
 * header, as the transport's calls do: the token never goes into a URL) and hands the text
 * to the browser as a download (a Blob behind an object URL, clicked as `<a download>`).
 * Errors are values, as everywhere.
 */
import type { ExportDone, ExportFilters, ExportKind } from '../../../shared/contract';
import { ERROR_CODES, fail, ok, type ErrorCode, type Result } from '../../../shared/result';
import { takeTokenFromUrl } from './token';

/** How long the download's object URL outlives the click (the browser reads it meanwhile). */
const REVOKE_AFTER_MS = 60_000;

export interface ExportCsvOptions {
  target?: Window;
  fetch?: typeof fetch;
}

export async function exportCsv<K extends ExportKind>(
  kind: K,
  filters: ExportFilters<K>,
  options: ExportCsvOptions = {},
): Promise<Result<ExportDone>> {
  const target = options.target ?? window;
  const bridge = target.paydesk;
  if (bridge) {
    try {
      // The union of requests is keyed by kind; this one pairs the kind with its filters.
      return await bridge.exportCsv({ kind, filters } as Parameters<typeof bridge.exportCsv>[0]);
    } catch (error) {
      return fail('unavailable', `The app did not answer (${messageOf(error)})`);
    }
  }
  return download(kind, filters, target, options.fetch ?? ((input, init) => fetch(input, init)));
}

async function download(
  kind: ExportKind,
  filters: unknown,
  target: Window,
  fetchImpl: typeof fetch,
): Promise<Result<ExportDone>> {
  const token = takeTokenFromUrl(target);
  let response: Response;
  try {
    response = await fetchImpl(`/rpc/export/${kind}`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(filters ?? {}),
    });
  } catch (error) {
    return fail('unavailable', `Cannot reach the Paydesk server (${messageOf(error)})`);
  }
  if (response.status !== 200) return refusal(response);
  let blob: Blob;
  try {
    blob = await response.blob();
  } catch (error) {
    return fail('unavailable', `The export was cut short (${messageOf(error)})`);
  }
  const name = attachmentName(response.headers.get('content-disposition')) ?? `${kind}.csv`;
  const url = URL.createObjectURL(blob);
  const link = target.document.createElement('a');
  link.href = url;
  link.download = name;
  link.hidden = true;
  target.document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS);
  return ok({ file: name, rows: null });
}

/** The error a refused export answers: the server's Result, else what its status says. */
async function refusal(response: Response): Promise<Result<never>> {
  if (response.status === 401 || response.status === 403) {
    return fail('unavailable', 'The server refused the access token: open the link it printed');
  }
  try {
    const body = (await response.json()) as { ok?: unknown; error?: unknown };
    const error = body.error as { code?: unknown; message?: unknown; field?: unknown } | undefined;
    if (typeof error?.message === 'string') {
      const code = (ERROR_CODES as readonly unknown[]).includes(error.code)
        ? (error.code as ErrorCode)
        : 'internal';
      return fail(code, error.message, typeof error.field === 'string' ? error.field : undefined);
    }
  } catch {
    // Not JSON: the status says it below.
  }
  return fail('unavailable', `The server answered ${response.status}`);
}

/** The file name of a `Content-Disposition: attachment; filename="..."` header. */
export function attachmentName(header: string | null): string | null {
  const name = /filename="([^"\\/]+)"/.exec(header ?? '')?.[1];
  return name ?? null;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
