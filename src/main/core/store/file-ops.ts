/**
 * The store's file operations, as a port: every open, write, flush, truncation, rename and
 * directory flush of the store's own files goes through one FileOps (StoreOptions.files), so
 * that tests can put a fault-injecting one in its place (test/helpers/fault-disk.ts: ENOSPC,
 * EIO, a failing fsync or rename, short writes, and a power loss that keeps only what was
 * flushed). NODE_FILES is the real one: a StoreFile is a thin wrapper of a FileHandle whose
 * small appends go through the synchronous calls (see ../durable-append.ts for why).
 *
 * What the store asks of it (the durability argument rests on these, nothing else):
 *  - a write may be short (fewer bytes than asked): callers write the rest;
 *  - sync() makes the file's data and size durable (fsync); datasync() its data and size
 *    (fdatasync); nothing written since the last successful flush is durable;
 *  - a new name (a created file, a rename, an unlink) is durable once fsyncDir() of its
 *    directory has succeeded after it;
 *  - after a failed flush, what that file holds on disk is unknown (the kernel may have
 *    dropped the pages it could not write): the store stops writing (index.ts).
 * Reads are not faulted: they go to the same descriptors.
 */
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { appendFileOf, type AppendFile } from '../durable-append';
import { errnoCode, StoreError } from './errors';
import { fsyncDir } from './files';

/**
 * 'r' read; 'r+' read and write; 'a' append (created if missing); 'w' truncate (created if
 * missing); 'wx' create, failing with EEXIST if it exists.
 */
export type OpenFlags = 'r' | 'r+' | 'a' | 'w' | 'wx';

export interface StoreFile extends AppendFile {
  readonly path: string;
  /** For synchronous reads of payment bodies (payment-base.ts). */
  readonly fd: number;
  read(
    buf: Buffer,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesRead: number }>;
  /** Writes at `position`, or at the file's own position (the end, for 'a') when omitted. */
  write(
    buf: Buffer,
    offset: number,
    length: number,
    position?: number,
  ): Promise<{ bytesWritten: number }>;
  truncate(length: number): Promise<void>;
  size(): Promise<number>;
  close(): Promise<void>;
}

export interface FileOps {
  open(path: string, flags: OpenFlags, mode?: number): Promise<StoreFile>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** Makes the directory's entries (a new file, a rename, an unlink) durable. */
  fsyncDir(dir: string): Promise<void>;
}

/** A StoreFile over an open FileHandle. */
export function nodeFile(handle: FileHandle, path: string): StoreFile {
  return {
    ...appendFileOf(handle),
    path,
    fd: handle.fd,
    read: (buf, offset, length, position) => handle.read(buf, offset, length, position),
    write: (buf, offset, length, position) =>
      position === undefined
        ? handle.write(buf, offset, length)
        : handle.write(buf, offset, length, position),
    truncate: (length) => handle.truncate(length),
    size: async () => (await handle.stat()).size,
    close: () => handle.close(),
  };
}

/** The real file system. */
export const NODE_FILES: FileOps = {
  async open(path, flags, mode) {
    return nodeFile(await open(path, flags, mode), path);
  },
  rename: (from, to) => rename(from, to),
  unlink: (path) => unlink(path),
  fsyncDir: (dir) => fsyncDir(dir),
};

/** Writes all of `buf` at `position` (or the file's own position), however short each write. */
export async function writeFully(file: StoreFile, buf: Buffer, position?: number): Promise<void> {
  for (let done = 0; done < buf.length;) {
    const at = position === undefined ? undefined : position + done;
    const { bytesWritten } = await file.write(buf, done, buf.length - done, at);
    done += bytesWritten;
  }
}

/**
 * A failed operation of the port, naming what was done to which file; `code` is the cause's
 * (ENOSPC, EIO, ...), so that errnoCode() reads it as the system error's.
 */
export class FileOpError extends Error {
  readonly code: string | undefined;
  constructor(
    readonly what: string,
    readonly path: string,
    cause: unknown,
  ) {
    super(`${what} ${path} failed (${cause instanceof Error ? cause.message : String(cause)})`, {
      cause,
    });
    this.name = 'FileOpError';
    this.code = errnoCode(cause);
  }
}

async function named<T>(what: string, path: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw error instanceof FileOpError ? error : new FileOpError(what, path, error);
  }
}

function namedSync<T>(what: string, path: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw error instanceof FileOpError ? error : new FileOpError(what, path, error);
  }
}

/** `ops` whose failures name the file and the operation (FileOpError). Reads are left as they are. */
export function namingFailures(ops: FileOps): FileOps {
  return {
    async open(path, flags, mode) {
      const file =
        flags === 'r'
          ? await ops.open(path, flags, mode)
          : await named(`opening (${flags})`, path, () => ops.open(path, flags, mode));
      return {
        path: file.path,
        fd: file.fd,
        read: (buf, offset, length, position) => file.read(buf, offset, length, position),
        write: (buf, offset, length, position) =>
          named('writing', path, () => file.write(buf, offset, length, position)),
        writeSync: (buf, offset, length) =>
          namedSync('writing', path, () => file.writeSync(buf, offset, length)),
        syncSync: (how) => namedSync(`flushing (${how})`, path, () => file.syncSync(how)),
        sync: () => named('flushing (fsync)', path, () => file.sync()),
        datasync: () => named('flushing (fdatasync)', path, () => file.datasync()),
        truncate: (length) => named('truncating', path, () => file.truncate(length)),
        size: () => file.size(),
        close: () => file.close(),
      };
    },
    rename: (from, to) => named(`renaming ${from} to`, to, () => ops.rename(from, to)),
    unlink: (path) => named('removing', path, () => ops.unlink(path)),
    fsyncDir: (dir) => named('flushing the directory', dir, () => ops.fsyncDir(dir)),
  };
}

/**
 * The store's refusal of every change after a failed write, flush or rename of its files
 * (`file` is the one being written when the cause names none). Memory may be ahead of the
 * disk, and after a failed fsync the kernel may have dropped the pages it could not write, so
 * that nothing written to that file since can be trusted (PostgreSQL's rule since 2018):
 * only a reopen, which reads the disk again, takes writes again.
 */
export function writesStopped(error: unknown, file: string): StoreError {
  if (error instanceof StoreError) return error;
  const what =
    error instanceof FileOpError
      ? error.message
      : `writing ${file} failed (${error instanceof Error ? error.message : String(error)})`;
  return new StoreError(
    'write_failed',
    `${what}. The store accepts no more changes until Paydesk is restarted; nothing it ` +
      `confirmed before is lost. Free disk space or fix the disk, then restart Paydesk.`,
    error instanceof FileOpError ? error.path : file,
  );
}
