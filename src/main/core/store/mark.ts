/**
 * paydesk.mark: the number of a commit known durable in the journal, kept apart from it so
 * that, at open, a journal cut short can be told from one whose last write was torn by a
 * crash (the rule is in journal.ts's header).
 *
 * One line of MARK_BYTES, `{"durableSeq":N}` padded with spaces, rewritten in place and
 * flushed (fdatasync). It never runs ahead of the disk: it is written only with the number of
 * a commit whose journal flush has completed. It is written at open (the state accepted then,
 * a cut included, so that a loss is reported once), within MARK_DELAY_MS after a journal
 * flush (off the commit's path: no commit waits for it), and at close. A write of it that
 * fails stops the store as any other failed write does. A mark that cannot be read (missing,
 * or torn by a crash in its own write) proves nothing and is ignored.
 */
import { PRIVATE_FILE_MODE } from '../private-files';
import { errnoCode } from './errors';
import { writeFully, type FileOps, type StoreFile } from './file-ops';

const MARK_BYTES = 64;
/**
 * How long after a flush the mark follows it, at the latest. The window in which commits
 * confirmed just before a journal was cut short could pass for a torn write; written after
 * every flush instead, the mark's own flush would compete with the journal's.
 */
export const MARK_DELAY_MS = 200;

const MARK_LINE = /^\{"durableSeq":(\d+)\} *\n$/;

function markLine(seq: number): Buffer {
  const text = `{"durableSeq":${seq}}`;
  return Buffer.from(text.padEnd(MARK_BYTES - 1, ' ') + '\n', 'latin1');
}

/** The mark's number; null when there is no mark, or one that cannot be read (`problem`). */
export async function readMark(
  files: FileOps,
  path: string,
): Promise<{ seq: number | null; problem: string | null }> {
  let file: StoreFile;
  try {
    file = await files.open(path, 'r');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return { seq: null, problem: null };
    throw error;
  }
  try {
    const buf = Buffer.alloc(MARK_BYTES + 1);
    const { bytesRead } = await file.read(buf, 0, buf.length, 0);
    const m = MARK_LINE.exec(buf.toString('latin1', 0, bytesRead));
    if (bytesRead !== MARK_BYTES || m === null) {
      return { seq: null, problem: `${path} cannot be read as a mark; it is ignored` };
    }
    return { seq: Number(m[1]), problem: null };
  } finally {
    await file.close();
  }
}

export class MarkWriter {
  private file: StoreFile | null = null;
  /** The newest commit known durable. */
  private latest: number;
  /** The number in the file, flushed. */
  private written = -1;
  private writing: Promise<void> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastWriteAt = 0;
  private failed = false;
  private closing = false;

  constructor(
    private readonly files: FileOps,
    private readonly path: string,
    private readonly dir: string,
    seq: number,
    /** Called once when a write of the mark fails. */
    private readonly onFailure: (error: unknown) => void,
  ) {
    this.latest = seq;
  }

  /** Writes the mark of the state as opened, and makes its name durable. */
  async start(): Promise<void> {
    this.file = await this.files.open(this.path, 'w', PRIVATE_FILE_MODE);
    await this.writeNow();
    await this.files.fsyncDir(this.dir);
  }

  /** Commit `seq` is durable: the mark follows within MARK_DELAY_MS. */
  durable(seq: number): void {
    if (seq <= this.latest && this.written === this.latest) return;
    this.latest = Math.max(this.latest, seq);
    if (this.writing !== null || this.timer !== null || this.failed || this.closing) return;
    const wait = this.lastWriteAt + MARK_DELAY_MS - performance.now();
    if (wait <= 0) {
      void this.write();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.write();
    }, wait);
    this.timer.unref();
  }

  /** Writes no more (the store stopped taking writes). */
  stop(): void {
    this.failed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Writes the newest number (unless `write` is false: the store stopped), and closes the file. */
  async close(write: boolean): Promise<void> {
    this.closing = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.writing;
    try {
      if (write && !this.failed && this.file !== null && this.written !== this.latest) {
        await this.write();
      }
    } finally {
      await this.file?.close();
      this.file = null;
    }
  }

  private write(): Promise<void> {
    this.writing = this.writeNow()
      .catch((error: unknown) => {
        this.failed = true;
        this.onFailure(error);
      })
      .finally(() => {
        this.writing = null;
        if (this.written !== this.latest) this.durable(this.latest);
      });
    return this.writing;
  }

  private async writeNow(): Promise<void> {
    const file = this.file;
    if (file === null) return;
    const seq = this.latest;
    this.lastWriteAt = performance.now();
    await writeFully(file, markLine(seq), 0);
    await file.datasync();
    this.written = seq;
  }
}
