/**
 * A fault-injecting file layer for the store (its FileOps port, store/file-ops.ts), over the
 * real file system:
 *  - faults: the next matching operation fails with an errno (ENOSPC, EIO, EROFS, ...), or a
 *    write is short (half its bytes written, their count returned: callers must go on);
 *  - power loss: it keeps, beside the real files, what a power loss would leave of the data
 *    directory: each file's content as of its last successful flush (sync, datasync), and
 *    the directory's names as of its last successful directory flush, plus any of the name
 *    changes made since (a creation, a rename, a removal may each reach the disk or not, in
 *    any combination: nothing orders them but a directory flush). `images()` are those
 *    states now; `materialize()` writes one into a directory to open it. With `torn`, an
 *    image also keeps the first half of what was written after a file's last flush (a write
 *    torn by the power loss), where the file only grew since.
 * `onOp` is called before every operation that changes something, with the operation and
 * the file: a test takes images there, to check each against what was acknowledged so far.
 * Only the directory given is modelled (its own files; the lock's are not data).
 */
import fs from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import {
  NODE_FILES,
  type FileOps,
  type OpenFlags,
  type StoreFile,
} from '../../src/main/core/store/file-ops';
import { isLockFile } from '../../src/main/core/store/files';

export type FaultOp = 'open' | 'write' | 'fsync' | 'rename' | 'fsyncDir' | 'truncate' | 'unlink';

export interface Fault {
  op: FaultOp;
  /** Only for files whose path contains this (or matches it). Default: any file. */
  file?: string | RegExp;
  /** The error's code (default EIO). */
  code?: string;
  /** A write writes half its bytes and says so, instead of failing. */
  short?: boolean;
  /** How many matching operations it hits (default 1; Infinity until cleared). */
  times?: number;
}

/** A data directory after a power loss: file name → content. */
export type DiskImage = Map<string, Buffer>;

/** A change of the directory's names not yet flushed (a rename is one: it happens whole). */
interface NameChange {
  remove: string[];
  add: Array<[string, number]>;
}

interface ModelFile {
  /** The content as of the last successful flush (null: never flushed). */
  durable: Buffer | null;
}

function errnoError(code: string, op: string, path: string): NodeJS.ErrnoException {
  const messages: Record<string, string> = {
    ENOSPC: 'no space left on device',
    EIO: 'i/o error',
    EROFS: 'read-only file system',
    EDQUOT: 'disk quota exceeded',
  };
  const error: NodeJS.ErrnoException = new Error(
    `${code}: ${messages[code] ?? 'injected fault'}, ${op} '${path}'`,
  );
  error.code = code;
  return error;
}

/** What the file open as `fd` holds (it may be open for writing only, or renamed since). */
function contentOf(fd: number, path: string): Buffer {
  const proc = `/proc/self/fd/${fd}`;
  return fs.readFileSync(fs.existsSync(proc) ? proc : path);
}

export class FaultDisk implements FileOps {
  readonly dir: string;
  /** Called before every operation that changes something (not reads). */
  onOp: ((op: FaultOp, path: string) => void) | null = null;
  private faults: Fault[] = [];
  private nextId = 1;
  private readonly model = new Map<number, ModelFile>();
  /** The directory's names now, and as of its last flush. */
  private names = new Map<string, number>();
  private durableNames = new Map<string, number>();
  /** Name changes since the directory's last flush, in order. */
  private pending: NameChange[] = [];
  /** Operations done, by kind (a test checks that its workload reached each). */
  readonly counts: Record<FaultOp, number> = {
    open: 0,
    write: 0,
    fsync: 0,
    rename: 0,
    fsyncDir: 0,
    truncate: 0,
    unlink: 0,
  };

  /** A disk whose files in `dir` are taken as durable as they are now. */
  constructor(dir: string) {
    this.dir = resolve(dir);
    if (fs.existsSync(this.dir)) {
      for (const name of fs.readdirSync(this.dir)) this.adopt(name);
      this.durableNames = new Map(this.names);
    }
  }

  /** The next matching operations fail as `fault` says. */
  fail(fault: Fault): void {
    this.faults.push({ ...fault });
  }

  /** No more faults. */
  heal(): void {
    this.faults = [];
  }

  /**
   * What a power loss now may leave of the directory: one image for each combination of the
   * name changes not yet flushed (at most 2^4; past that, none, all, and each alone).
   */
  images(options: { torn?: boolean } = {}): DiskImage[] {
    const n = this.pending.length;
    const masks: number[] = [];
    if (n <= 4) for (let m = 0; m < 1 << n; m++) masks.push(m);
    else masks.push(0, ...this.pending.map((_, i) => 1 << i), -1);
    return masks.map((mask) => {
      const names = new Map(this.durableNames);
      this.pending.forEach((change, i) => {
        if ((mask & (1 << i)) === 0) return;
        for (const name of change.remove) names.delete(name);
        for (const [name, id] of change.add) names.set(name, id);
      });
      return this.imageOf(names, options.torn === true);
    });
  }

  /** What a power loss now leaves when no name change since the last flush reached the disk. */
  image(options: { torn?: boolean } = {}): DiskImage {
    return this.imageOf(this.durableNames, options.torn === true);
  }

  private imageOf(names: Map<string, number>, torn: boolean): DiskImage {
    const out: DiskImage = new Map();
    for (const [name, id] of names) {
      const durable = (this.model.get(id) as ModelFile).durable ?? Buffer.alloc(0);
      let content = durable;
      if (torn) {
        const now = this.currentContent(id);
        if (
          now !== null &&
          now.length > durable.length &&
          now.subarray(0, durable.length).equals(durable)
        ) {
          const extra = now.length - durable.length;
          content = now.subarray(0, durable.length + Math.ceil(extra / 2));
        }
      }
      out.set(name, Buffer.from(content));
    }
    return out;
  }

  /** Writes `image` into `into` (created). */
  static async materialize(image: DiskImage, into: string): Promise<void> {
    await mkdir(into, { recursive: true });
    for (const [name, content] of image) await writeFile(join(into, name), content);
  }

  // -- FileOps ------------------------------------------------------------------------------

  async open(path: string, flags: OpenFlags, mode?: number): Promise<StoreFile> {
    if (flags !== 'r') this.before('open', path);
    const name = this.nameOf(path);
    const existed = fs.existsSync(path);
    const file = await NODE_FILES.open(path, flags, mode);
    if (name !== null && flags !== 'r') {
      if (!existed) {
        const id = this.nextId++;
        this.model.set(id, { durable: null });
        this.names.set(name, id);
        this.pending.push({ remove: [], add: [[name, id]] });
      } else if (!this.names.has(name)) {
        this.adopt(name);
      }
    }
    const id = name === null ? null : (this.names.get(name) ?? null);
    return this.wrap(file, path, id);
  }

  async rename(from: string, to: string): Promise<void> {
    this.before('rename', to);
    await NODE_FILES.rename(from, to);
    const a = this.nameOf(from);
    const b = this.nameOf(to);
    const id = a === null ? undefined : this.names.get(a);
    if (a !== null) this.names.delete(a);
    if (b !== null && id === undefined) this.adopt(b);
    else if (b !== null && id !== undefined) this.names.set(b, id);
    this.pending.push({
      remove: [a, b].filter((x) => x !== null),
      add: b !== null && id !== undefined ? [[b, id]] : [],
    });
  }

  async unlink(path: string): Promise<void> {
    this.before('unlink', path);
    await NODE_FILES.unlink(path);
    const name = this.nameOf(path);
    if (name !== null) {
      this.names.delete(name);
      this.pending.push({ remove: [name], add: [] });
    }
  }

  async fsyncDir(dir: string): Promise<void> {
    this.before('fsyncDir', dir);
    await NODE_FILES.fsyncDir(dir);
    if (resolve(dir) === this.dir) {
      this.durableNames = new Map(this.names);
      this.pending = [];
    }
  }

  // -- inside -------------------------------------------------------------------------------

  private wrap(file: StoreFile, path: string, id: number | null): StoreFile {
    const flushed = (): void => {
      if (id !== null) (this.model.get(id) as ModelFile).durable = contentOf(file.fd, path);
    };
    return {
      path: file.path,
      fd: file.fd,
      read: (buf, offset, length, position) => file.read(buf, offset, length, position),
      write: async (buf, offset, length, position) => {
        const short = this.before('write', path, length);
        return file.write(buf, offset, short ?? length, position);
      },
      writeSync: (buf, offset, length) => {
        const short = this.before('write', path, length);
        return file.writeSync(buf, offset, short ?? length);
      },
      syncSync: (how) => {
        this.before('fsync', path);
        file.syncSync(how);
        flushed();
      },
      sync: async () => {
        this.before('fsync', path);
        await file.sync();
        flushed();
      },
      datasync: async () => {
        this.before('fsync', path);
        await file.datasync();
        flushed();
      },
      truncate: async (length) => {
        this.before('truncate', path);
        await file.truncate(length);
      },
      size: () => file.size(),
      close: () => file.close(),
    };
  }

  /**
   * Counts the operation, tells onOp, and applies the first fault that matches it: throws
   * its error, or, for a short write, says how many bytes to write (else null).
   */
  private before(op: FaultOp, path: string, length = 0): number | null {
    this.counts[op]++;
    this.onOp?.(op, path);
    const fault = this.match(op, path, (f) => f.short !== true || length > 1);
    if (fault === null) return null;
    if (fault.short === true) return Math.floor(length / 2);
    throw errnoError(fault.code ?? 'EIO', op, path);
  }

  /** Takes the first fault for `op` on `path` that `also` accepts (used up after `times`). */
  private match(op: FaultOp, path: string, also: (f: Fault) => boolean): Fault | null {
    const i = this.faults.findIndex((f) => {
      if (f.op !== op || !also(f)) return false;
      if (f.file === undefined) return true;
      return typeof f.file === 'string' ? path.includes(f.file) : f.file.test(path);
    });
    if (i === -1) return null;
    const fault = this.faults[i] as Fault;
    const times = (fault.times ?? 1) - 1;
    if (times <= 0) this.faults.splice(i, 1);
    else fault.times = times;
    return fault;
  }

  /** The name of `path` when it is a data file of the directory, else null. */
  private nameOf(path: string): string | null {
    const full = resolve(path);
    if (dirname(full) !== this.dir) return null;
    const name = basename(full);
    return isLockFile(name) ? null : name;
  }

  /** Takes a file made outside the port as durable as it is. */
  private adopt(name: string): void {
    if (isLockFile(name)) return;
    const path = join(this.dir, name);
    if (!fs.statSync(path).isFile()) return;
    const id = this.nextId++;
    this.model.set(id, { durable: fs.readFileSync(path) });
    this.names.set(name, id);
  }

  /** What the file holds now (null when no name leads to it any more). */
  private currentContent(id: number): Buffer | null {
    for (const [name, other] of this.names) {
      if (other === id) return fs.readFileSync(join(this.dir, name));
    }
    return null;
  }
}

/**
 * The real file system without flushes: for opening the images a test checks, whose own
 * durability does not matter (a flush costs milliseconds on a real disk).
 */
export const UNFLUSHED_FILES: FileOps = {
  async open(path, flags, mode) {
    const file = await NODE_FILES.open(path, flags, mode);
    return {
      ...file,
      syncSync: () => undefined,
      sync: () => Promise.resolve(),
      datasync: () => Promise.resolve(),
    };
  },
  rename: (from, to) => NODE_FILES.rename(from, to),
  unlink: (path) => NODE_FILES.unlink(path),
  fsyncDir: () => Promise.resolve(),
};
