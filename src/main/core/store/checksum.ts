/**
 * The snapshot's checksum: the CRC-32 of the whole file, its own eight hex digits read as
 * zeros, kept in the header's first field (`{"crc32":"1a2b3c4d","schemaVersion":...`). The
 * writer sums the bytes as it writes them (SliceWriter.crc) and writes the digits in place
 * before the file is flushed and renamed; the reader checks it at open, before anything in
 * the file is used, so that a changed byte (a digit of an amount, 21.00 read as 91.00) stops
 * the open instead of loading silently. A file with no such field, its header starting
 * `{"schemaVersion":`, was written by a Paydesk before it and is read as before (the next
 * compaction writes one); any other start is a damaged field, refused. Older readers take
 * the field for an unknown header field and ignore it.
 *
 * One sum for the whole file rather than one per block: the open reads the file once more
 * for it (BENCHMARKS.md has the cost), and damage anywhere refuses the open all the same; a
 * payment read later still has its own checks (payment-base.ts) against what the disk may
 * do to the file while it is open.
 */
import { crc32 } from 'node:zlib';
import { corruptSnapshot } from './errors';
import { writeFully, type StoreFile } from './file-ops';

export const CHECKSUM_FIELD = 'crc32';
/** What the header holds while the file is being written. */
export const CHECKSUM_PLACEHOLDER = '00000000';
/** The offset of the checksum's digits: the header starts `{"crc32":"`. */
const CHECKSUM_AT = `{"${CHECKSUM_FIELD}":"`.length;
const HEAD = Buffer.from(`{"${CHECKSUM_FIELD}":"`, 'latin1');
/** How the header of a snapshot written before checksums starts. */
const UNSUMMED_HEAD = Buffer.from('{"schemaVersion":', 'latin1');
const HEX8 = /^[0-9a-f]{8}$/;
const CHUNK = 8 << 20;

/** A file that can be read at a position (a FileHandle or a StoreFile). */
type Readable = Pick<StoreFile, 'read'>;

const hex8 = (crc: number): string => crc.toString(16).padStart(8, '0');

/** Writes the checksum of a file written whole (`crc`: of every byte, placeholder included). */
export async function sealChecksum(file: StoreFile, crc: number): Promise<void> {
  await writeFully(file, Buffer.from(hex8(crc), 'latin1'), CHECKSUM_AT);
}

/**
 * Checks the checksum of the snapshot at `path` (`header`: its first line, parsed) against
 * its `size` bytes; throws StoreError 'corrupt' when they differ. Nothing to check when the
 * header has none.
 */
export async function verifyChecksum(
  path: string,
  handle: Readable,
  size: number,
  header: Record<string, unknown>,
): Promise<void> {
  const stored = header[CHECKSUM_FIELD];
  const buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(size, HEAD.length)));
  const first = await readAt(path, handle, buf, 0, Math.min(buf.length, size));
  if (stored === undefined) {
    // Written before checksums, its header starts as theirs did; any other start is a
    // checksum field whose name was damaged.
    if (buf.subarray(0, UNSUMMED_HEAD.length).equals(UNSUMMED_HEAD)) return;
    throw corruptSnapshot(path, 'its checksum is missing', 1);
  }
  if (
    typeof stored !== 'string' ||
    !HEX8.test(stored) ||
    first < CHECKSUM_AT + 8 ||
    !buf.subarray(0, CHECKSUM_AT).equals(HEAD)
  ) {
    throw corruptSnapshot(
      path,
      `its checksum (${JSON.stringify(stored)}) is not one Paydesk writes`,
      1,
    );
  }
  buf.write(CHECKSUM_PLACEHOLDER, CHECKSUM_AT, 'latin1');
  // Two buffers: the next chunk is read (in the thread pool) while this one is summed.
  let [current, spare] = [buf, Buffer.allocUnsafe(buf.length)];
  let length = first;
  let crc = 0;
  for (let at = first; ;) {
    const next =
      at < size ? readAt(path, handle, spare, at, Math.min(spare.length, size - at)) : null;
    crc = crc32(current.subarray(0, length), crc);
    if (next === null) break;
    length = await next;
    at += length;
    [current, spare] = [spare, current];
  }
  if (hex8(crc) !== stored) {
    throw corruptSnapshot(
      path,
      `its content does not match its checksum (${stored}, the content's is ${hex8(crc)}): ` +
        `bytes were changed after it was written`,
    );
  }
}

/** Reads `length` bytes at `position` (the file is `length` bytes longer, at least). */
async function readAt(
  path: string,
  handle: Readable,
  buf: Buffer,
  position: number,
  length: number,
): Promise<number> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  if (done < length) throw corruptSnapshot(path, 'it became shorter while it was read');
  return done;
}
