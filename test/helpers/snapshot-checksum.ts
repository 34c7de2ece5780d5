/**
 * Snapshot texts for tests that change a snapshot by hand: without its checksum (as a
 * Paydesk before checksums wrote it, read unchecked), or with a checksum made for it (as
 * if Paydesk had written it so).
 */
import { crc32 } from 'node:zlib';

const FIELD = /^\{"crc32":"[0-9a-f]{8}",/;

/** `text` as a Paydesk before checksums wrote it. */
export function withoutChecksum(text: string): string {
  return text.replace(FIELD, '{');
}

/** `text` (a snapshot with a checksum) with the checksum of its content. */
export function resealed(text: string): string {
  const zeroed = Buffer.from(text.replace(FIELD, '{"crc32":"00000000",'), 'utf8');
  const hex = crc32(zeroed).toString(16).padStart(8, '0');
  return text.replace(FIELD, `{"crc32":"${hex}",`);
}
