/**
 * CSV exports: a whole list read page after page through the core's own list operation, as
 * CSV text (src/shared/csv-export.ts). Going through `call` means an export takes exactly
 * its list's filters, validated by the contract (contract.ts EXPORTS), and holds one page at
 * a time (a page reads only its own payments' bodies): memory stays that of a page however
 * long the list. The doors (REST, the browser's RPC, the desktop's save dialog) only carry
 * the text to a response or a file, pulling the next page when the last one has gone out.
 *
 * The first page is read before anything is returned, so filters the contract refuses are
 * an error value before a door has written a byte.
 *
 * An export is not a snapshot: each page is read when the one before has been written, and
 * shows the list as it is then. A row that moved up by the time the next page is read (new
 * rows at the top of a newest-first list, the common case while the scheduler runs) would be
 * read twice; the ids of the page before are remembered and such a row is skipped. A row
 * that leaves the filter meanwhile (a PENDING payment settled during an export of PENDING
 * ones) moves the rest up and one row may be missed, as when paging through the list.
 */
import {
  EXPORTS,
  parseExportFilters,
  type ExportItem,
  type ExportKind,
  type Page,
} from '../../shared/contract';
import { csvHeader, csvLines, exportFileName } from '../../shared/csv-export';
import type { Origin } from '../../shared/domain';
import type { Result } from '../../shared/result';
import type { Core } from './api';

/**
 * Rows read at a time. Small, so that a page's payments and the text made of them die young
 * (in V8's new space) once written: pages of 500 lived long enough to be promoted, and the
 * old generation swung by hundreds of megabytes between its collections over a long export.
 */
export const EXPORT_PAGE_SIZE = 100;

export interface CsvExport {
  /** The name to save it as: `payments-2026-03-10.csv` (the core clock's date). */
  readonly fileName: string;
  /** Rows in the list when the export began. */
  readonly total: number;
  /** The CSV text: the header, then one chunk per page. Read it once. */
  readonly chunks: AsyncIterable<string>;
  /** Rows yielded so far. */
  rows(): number;
}

type ListCall = Pick<Core, 'call'>;

/** What tells two rows of a list apart (to skip a row read again, above). */
const ROW_KEYS: { [K in ExportKind]: (item: ExportItem<K>) => string } = {
  payments: (p) => p.id,
  subscriptions: (s) => s.id,
  customers: (c) => c.email,
  audit: (a) => a.id,
};

async function readPage<K extends ExportKind>(
  core: ListCall,
  kind: K,
  filters: object,
  offset: number,
  origin: Origin,
): Promise<Result<Page<ExportItem<K>>>> {
  const input = { ...filters, offset, limit: EXPORT_PAGE_SIZE };
  // The list operation of an export kind answers pages of that kind's items (EXPORTS).
  return core.call(EXPORTS[kind], input, origin) as Promise<Result<Page<ExportItem<K>>>>;
}

/**
 * Open an export of `kind` with its list's filters (untrusted: validated here): a
 * validation error names the field as the list would; else the text to stream.
 */
export async function openCsvExport<K extends ExportKind>(
  core: ListCall,
  kind: K,
  raw: unknown,
  origin: Origin,
): Promise<Result<CsvExport>> {
  const valid = parseExportFilters(kind, raw);
  if (!valid.ok) return valid;
  // Each page is asked with the filters as given: the list parses them itself (its
  // transforms need not take their own output).
  const filters = (raw ?? {}) as object;
  const first = await readPage(core, kind, filters, 0, origin);
  if (!first.ok) return first;
  const firstPage = first.data;
  const clock = await core.call('clock.get', {}, origin);
  const now = clock.ok ? new Date(clock.data.now) : new Date();
  const keyOf = ROW_KEYS[kind] as (item: ExportItem<K>) => string;
  let rows = 0;

  async function* chunks(): AsyncGenerator<string> {
    yield csvHeader(kind);
    let page = firstPage;
    let offset = 0;
    let previous = new Set<string>();
    for (;;) {
      const fresh = page.items.filter((item) => !previous.has(keyOf(item)));
      if (fresh.length > 0) {
        rows += fresh.length;
        yield csvLines(kind, fresh);
      }
      if (page.items.length < EXPORT_PAGE_SIZE) return;
      // A page's read resolves at once: without this the export would go on from page to
      // page while the client takes them as fast as they come (a socket on loopback holds
      // megabytes), and requests, IPC and timers would wait for it meanwhile.
      await new Promise<void>((resolve) => setImmediate(resolve));
      offset += page.items.length;
      previous = new Set(page.items.map(keyOf));
      const next = await readPage(core, kind, filters, offset, origin);
      if (!next.ok) throw new ExportFailed(next.error.message);
      page = next.data;
    }
  }

  return {
    ok: true,
    data: {
      fileName: exportFileName(kind, now),
      total: firstPage.total,
      chunks: chunks(),
      rows: () => rows,
    },
  };
}

/** A page after the first could not be read: the export stops, its file is incomplete. */
export class ExportFailed extends Error {
  constructor(message: string) {
    super(`The export stopped: ${message}`);
    this.name = 'ExportFailed';
  }
}
