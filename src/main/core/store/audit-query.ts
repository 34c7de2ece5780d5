/**
 * Pages of the audit log, filtered by origin, outcome and time. The log is append-only and
 * may hold a million entries, so no page copies it: an unfiltered page is read by position.
 * A filtered page needs the positions of the entries that match: the first query with a
 * filter scans the log once and keeps them (an Int32Array, 4 bytes per match), and later
 * pages with that filter only scan what was appended since. The last few filters are kept
 * (the screen's and an export's), the least recently used dropped first.
 *
 * Time is compared as text when an entry's `at` has the canonical form (`toISOString`, which
 * every entry Paydesk writes has, and which orders as text); anything else is parsed.
 * Positions, not times, give the order: the log is in the order things were recorded, even
 * if the system clock stepped back meanwhile.
 */
import type { Page } from '../../../shared/contract';
import type { AuditEntry } from '../../../shared/domain';
import type { AuditQuery } from '../ports';

/** Filters whose matching positions are kept. */
const CACHED_FILTERS = 4;
const CANONICAL_LENGTH = '2026-01-01T00:00:00.000Z'.length;

/** Whether `entry` passes the query's filters; null when the query filters nothing. */
export function auditMatcher(query: AuditQuery): ((entry: AuditEntry) => boolean) | null {
  const { origin, outcome, from, to } = query;
  if (origin === undefined && outcome === undefined && from === undefined && to === undefined) {
    return null;
  }
  const fromMs = from === undefined ? -Infinity : Date.parse(from);
  const toMs = to === undefined ? Infinity : Date.parse(to);
  const inTime = (at: string): boolean => {
    if (at.length === CANONICAL_LENGTH) {
      return (from === undefined || at >= from) && (to === undefined || at < to);
    }
    const ms = Date.parse(at);
    return ms >= fromMs && ms < toMs;
  };
  return (entry) =>
    (origin === undefined || entry.origin === origin) &&
    (outcome === undefined || entry.outcome === outcome) &&
    (from === undefined && to === undefined ? true : inTime(entry.at));
}

/** The positions of the entries matching one filter, up to `scanned`. */
interface Matches {
  positions: Int32Array;
  count: number;
  scanned: number;
}

export class AuditQueries {
  private readonly cache = new Map<string, Matches>();

  constructor(private readonly log: () => readonly AuditEntry[]) {}

  page(offset: number, limit: number, query: AuditQuery = {}): Page<AuditEntry> {
    const log = this.log();
    const desc = (query.order ?? 'desc') === 'desc';
    const match = auditMatcher(query);
    const items: AuditEntry[] = [];
    if (match === null) {
      const end = Math.min(log.length, offset + limit);
      for (let i = offset; i < end; i++) {
        items.push(log[desc ? log.length - 1 - i : i] as AuditEntry);
      }
      return { total: log.length, offset, limit, items };
    }
    const matches = this.matches(log, query, match);
    const end = Math.min(matches.count, offset + limit);
    for (let i = offset; i < end; i++) {
      const position = matches.positions[desc ? matches.count - 1 - i : i] as number;
      items.push(log[position] as AuditEntry);
    }
    return { total: matches.count, offset, limit, items };
  }

  private matches(
    log: readonly AuditEntry[],
    query: AuditQuery,
    match: (entry: AuditEntry) => boolean,
  ): Matches {
    const key = JSON.stringify([query.origin, query.outcome, query.from, query.to]);
    let found = this.cache.get(key);
    if (found === undefined || found.scanned > log.length) {
      found = { positions: new Int32Array(64), count: 0, scanned: 0 };
    }
    // Most recently used last: the first key is the one to drop.
    this.cache.delete(key);
    this.cache.set(key, found);
    if (this.cache.size > CACHED_FILTERS) {
      this.cache.delete(this.cache.keys().next().value as string);
    }
    for (let i = found.scanned; i < log.length; i++) {
      if (!match(log[i] as AuditEntry)) continue;
      if (found.count === found.positions.length) {
        const grown = new Int32Array(found.positions.length * 2);
        grown.set(found.positions);
        found.positions = grown;
      }
      found.positions[found.count++] = i;
    }
    found.scanned = log.length;
    return found;
  }
}
