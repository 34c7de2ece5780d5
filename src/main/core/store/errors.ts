/**
 * StoreError: why the store cannot open or cannot go on. The message names the file and
 * says what the operator should do; `code` is for programs.
 */
export type StoreErrorCode =
  /** Another live process holds the data directory's lock. */
  | 'locked'
  /** A file is damaged somewhere other than a torn journal tail: nothing was touched. */
  | 'corrupt'
  /** The snapshot was written by a newer Paydesk: nothing was touched. */
  | 'newer_schema'
  /** A file or the directory cannot be read or created (permissions, not a file, ...). */
  | 'unreadable'
  /** Writing the journal failed: the commit is not durable and the store takes no more. */
  | 'write_failed'
  /** The store was closed. */
  | 'closed'
  /** The store was opened read-only (a backup being verified): it takes no commit. */
  | 'read_only';

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    /** The file the error is about, when there is one. */
    readonly file?: string,
    /** Its 1-based line, when known. */
    readonly line?: number,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

/** The `code` of a Node.js system error, if it is one. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

export function unreadable(file: string, error: unknown): StoreError {
  const why = error instanceof Error ? error.message : String(error);
  return new StoreError(
    'unreadable',
    `cannot read ${file} (${why}); check that it exists as a file and that Paydesk may read and write it`,
    file,
  );
}

/** The snapshot cannot be read as it is: nothing was changed. */
export function corruptSnapshot(file: string, where: string, line?: number): StoreError {
  return new StoreError(
    'corrupt',
    `${file} is damaged${line === undefined ? '' : ` at line ${line}`}: ${where}. ` +
      `Nothing was changed; restore the file from a backup, or move it away to start with an empty store.`,
    file,
    line,
  );
}
