/**
 * Backups of the data: folders named paydesk-backup-<when, UTC> in the backup folder, each
 * holding
 *  - paydesk.json          the store as of one commit S: a snapshot of S, no journal after it;
 *  - gateway-ledger.jsonl  the mock gateway's ledger as it stood at the same instant;
 *  - backup.json           the manifest: when, who (the operator or the daily backup), S, the
 *                          schema version, how many records of each kind, and each file's
 *                          size and SHA-256.
 *
 * Why a backup is the state at one commit, taken while commits go on: the store captures its
 * state synchronously between two commits (Store.backupTo, as compaction does) and, in that
 * same synchronous instant, the ledger's length of finished appends is read. The snapshot of
 * S is then written from the capture (records are immutable, later commits do not touch it)
 * and the ledger's prefix of that length copied (the ledger only grows). Every payment the
 * store knows as charged at S was answered by the gateway first, whose answer follows its
 * durable append: its charge is in the prefix. A charge in the prefix whose payment is still
 * PENDING at S was in flight: a restored app settles it at start, as after a crash.
 *
 * A backup is written into <name>.partial, verified (the store's own open, read-only; the
 * ledger's parser; the counts against the capture's), and only then renamed to its name: a
 * folder with a backup's name is a whole backup. Verifying again before a restore also
 * compares every file with its checksum, so a damaged backup is refused naming the file.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { BACKUP_KINDS, type BackupInfo, type BackupKind } from '../../shared/contract';
import { DEFAULT_BACKUP, type BackupSettings, type Settings } from '../../shared/domain';
import { LEDGER_FILE_NAME, readLedger } from './gateway/ledger-file';
import type { Store } from './ports';
import { makePrivateDir, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from './private-files';
import { openStore, StoreError } from './store';
import { errnoCode } from './store/errors';
import { fsyncDir, SNAPSHOT_FILE } from './store/files';
import { SCHEMA_VERSION } from './store/migrations';

export const MANIFEST_FILE = 'backup.json';
/** The files a backup holds besides its manifest, in the data directory's names. */
export const BACKED_UP_FILES = [SNAPSHOT_FILE, LEDGER_FILE_NAME] as const;
const NAME_PREFIX = 'paydesk-backup-';
const PARTIAL_SUFFIX = '.partial';
/** The default backup folder, in the data directory (restore moves only Paydesk's own files). */
export const DEFAULT_BACKUP_FOLDER = 'backups';

const count = z.number().int().nonnegative();
const manifestSchema = z
  .object({
    format: z.literal(1),
    createdAt: z.iso.datetime(),
    kind: z.enum(BACKUP_KINDS),
    commitSeq: count,
    schemaVersion: z.number().int().positive(),
    counts: z
      .object({
        payments: count,
        subscriptions: count,
        refunds: count,
        auditEntries: count,
        ledgerEntries: count,
      })
      .strict(),
    files: z
      .array(
        z
          .object({
            name: z.enum(BACKED_UP_FILES),
            bytes: count,
            sha256: z.string().regex(/^[0-9a-f]{64}$/),
          })
          .strict(),
      )
      .refine(
        (files) =>
          BACKED_UP_FILES.every((name) => files.filter((f) => f.name === name).length === 1),
        `lists each of ${BACKED_UP_FILES.join(', ')} once`,
      ),
  })
  .strict();
export type BackupManifest = z.infer<typeof manifestSchema>;

/** A backup that cannot be used: `file` is the one at fault. */
export class BackupError extends Error {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
    this.name = 'BackupError';
  }
}

/** The backup settings in force (stored, else the defaults). */
export const backupSettingsOf = (settings: Settings): BackupSettings =>
  settings.backup ?? DEFAULT_BACKUP;

/** Where backups go: the setting's folder, or `backups` in the data directory. */
export const backupFolderOf = (settings: Settings, dataDir: string): string =>
  backupSettingsOf(settings).folder ?? join(dataDir, DEFAULT_BACKUP_FOLDER);

/** What a backup copies besides the store: the gateway's ledger and its finished length. */
export interface LedgerSource {
  path: string;
  /** Bytes of the file whose appends are done (read at the store's capture). */
  bytes(): number;
}

/**
 * Backs the store and the ledger up into a new folder of `folder`, verified; answers what it
 * holds. Commits go on meanwhile; the backup holds the state at the commit it captured.
 */
export async function createBackup(
  store: Store,
  ledger: LedgerSource,
  folder: string,
  kind: BackupKind,
  now: Date,
): Promise<BackupInfo> {
  // A backup holds what the data directory holds: as private (private-files.ts).
  await makePrivateDir(folder);
  const name = await freeName(folder, now);
  const partial = join(folder, name + PARTIAL_SUFFIX);
  await mkdir(partial, { mode: PRIVATE_DIR_MODE });
  try {
    let ledgerBytes = 0;
    const copy = await store.backupTo(partial, () => {
      ledgerBytes = ledger.bytes();
    });
    const ledgerCopy = await copyPrefix(ledger.path, join(partial, LEDGER_FILE_NAME), ledgerBytes);
    const snapshotPath = join(partial, SNAPSHOT_FILE);
    const snapshot = {
      bytes: (await stat(snapshotPath)).size,
      sha256: await sha256Of(snapshotPath),
    };
    const manifest: BackupManifest = {
      format: 1,
      createdAt: now.toISOString(),
      kind,
      commitSeq: copy.seq,
      schemaVersion: SCHEMA_VERSION,
      counts: {
        payments: copy.payments,
        subscriptions: copy.subscriptions,
        refunds: copy.refunds,
        auditEntries: copy.audit,
        ledgerEntries: ledgerCopy.lines,
      },
      files: [
        { name: SNAPSHOT_FILE, ...snapshot },
        { name: LEDGER_FILE_NAME, bytes: ledgerBytes, sha256: ledgerCopy.sha256 },
      ],
    };
    await writeDurably(join(partial, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    await fsyncDir(partial);
    // The checksums were just taken from these files: the open and the counts are the check.
    await verifyBackup(partial, { checksums: false });
    const done = join(folder, name);
    await rename(partial, done);
    await fsyncDir(folder);
    return infoOf(name, done, manifest);
  } catch (error) {
    // Only the unfinished copy made here is removed.
    await rm(partial, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
}

/**
 * Checks the backup in `dir` and answers its manifest: the manifest parses, every file has
 * its size (and with `checksums` its SHA-256), the store opens read-only at the manifest's
 * commit with its counts, the ledger parses whole with its count. Throws a BackupError
 * naming the file at fault.
 */
export async function verifyBackup(
  dir: string,
  options: { checksums: boolean },
): Promise<BackupManifest> {
  const manifest = await readManifest(dir);
  for (const file of manifest.files) {
    const path = join(dir, file.name);
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch (error) {
      throw new BackupError(`${path} cannot be read (${messageOf(error)})`, path);
    }
    if (size !== file.bytes) {
      throw new BackupError(
        `${path} is ${size} bytes long where the backup's manifest says ${file.bytes}: damaged or changed`,
        path,
      );
    }
    if (options.checksums && (await sha256Of(path)) !== file.sha256) {
      throw new BackupError(
        `${path} does not match its checksum in the backup's manifest: damaged or changed`,
        path,
      );
    }
  }
  await checkStore(dir, manifest);
  await checkLedger(dir, manifest);
  return manifest;
}

/** The backups in `folder`, newest first (folders without a readable manifest are left out). */
export async function listBackups(folder: string): Promise<BackupInfo[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return [];
    throw error;
  }
  const found: BackupInfo[] = [];
  for (const name of names) {
    if (!name.startsWith(NAME_PREFIX) || name.endsWith(PARTIAL_SUFFIX)) continue;
    const dir = join(folder, name);
    try {
      found.push(infoOf(name, dir, await readManifest(dir)));
    } catch {
      // Not a backup Paydesk made, or its manifest is damaged: not listed, never removed.
    }
  }
  return found.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
}

/**
 * Removes the daily backups of `folder` past the newest `keep` whose files are whole (each
 * of the manifest's size): backups made by hand, damaged ones and anything else stay, and
 * a damaged backup does not count as one of those kept. Answers the names removed.
 */
export async function pruneBackups(
  folder: string,
  keep: number,
  log: (message: string) => void,
): Promise<string[]> {
  const daily: BackupInfo[] = [];
  for (const backup of await listBackups(folder)) {
    if (backup.kind === 'daily' && (await isWhole(backup.path))) daily.push(backup);
  }
  const removed: string[] = [];
  for (const old of daily.slice(keep)) {
    try {
      // Only the files a backup is made of; a folder holding anything else stays.
      for (const name of [...BACKED_UP_FILES, MANIFEST_FILE]) {
        await unlink(join(old.path, name)).catch((error: unknown) => {
          if (errnoCode(error) !== 'ENOENT') throw error;
        });
      }
      await rmdir(old.path);
      removed.push(old.name);
    } catch (error) {
      log(`Could not remove the old daily backup ${old.path}: ${messageOf(error)}`);
    }
  }
  return removed;
}

/**
 * What the manifest of the backup in `dir` says (for a confirmation before a restore); its
 * files are not checked: `verifyBackup` does that. Throws a BackupError.
 */
export async function readBackupInfo(dir: string): Promise<BackupInfo> {
  return infoOf(basename(dir), dir, await readManifest(dir));
}

// ---------------------------------------------------------------------------------------

function infoOf(name: string, path: string, manifest: BackupManifest): BackupInfo {
  return {
    name,
    path,
    createdAt: manifest.createdAt,
    kind: manifest.kind,
    commitSeq: manifest.commitSeq,
    payments: manifest.counts.payments,
    subscriptions: manifest.counts.subscriptions,
    ledgerEntries: manifest.counts.ledgerEntries,
    bytes: manifest.files.reduce((sum, f) => sum + f.bytes, 0),
  };
}

async function readManifest(dir: string): Promise<BackupManifest> {
  const path = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new BackupError(
      errnoCode(error) === 'ENOENT'
        ? `${dir} is not a Paydesk backup: it has no ${MANIFEST_FILE}`
        : `${path} cannot be read (${messageOf(error)})`,
      path,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BackupError(`${path} is damaged: not valid JSON`, path);
  }
  const parsed = manifestSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || 'manifest';
    throw new BackupError(`${path} is damaged: ${where}: ${issue?.message ?? 'invalid'}`, path);
  }
  if (parsed.data.schemaVersion > SCHEMA_VERSION) {
    throw new BackupError(
      `${dir} was made by a newer Paydesk (schema version ${parsed.data.schemaVersion}, this ` +
        `one knows up to ${SCHEMA_VERSION}): restore it with that version`,
      path,
    );
  }
  return parsed.data;
}

/** Opens the backup's store read-only and compares it with the manifest. */
async function checkStore(dir: string, manifest: BackupManifest): Promise<void> {
  const path = join(dir, SNAPSHOT_FILE);
  let store: Store;
  try {
    store = await openStore(dir, { readOnly: true });
  } catch (error) {
    throw new BackupError(
      `the backup's store does not open: ${messageOf(error)}`,
      error instanceof StoreError && error.file !== undefined ? error.file : path,
    );
  }
  try {
    const found = {
      commitSeq: store.commitSeq(),
      payments: store.paymentCount(),
      subscriptions: store.querySubscriptions({ order: 'asc', offset: 0, limit: 1 }).total,
      auditEntries: store.audit(0, 1).total,
    };
    const expected = {
      commitSeq: manifest.commitSeq,
      payments: manifest.counts.payments,
      subscriptions: manifest.counts.subscriptions,
      auditEntries: manifest.counts.auditEntries,
    };
    for (const key of Object.keys(expected) as (keyof typeof expected)[]) {
      if (found[key] !== expected[key]) {
        throw new BackupError(
          `${path} holds ${key} ${found[key]} where the backup's manifest says ${expected[key]}`,
          path,
        );
      }
    }
  } finally {
    await store.close();
  }
}

async function checkLedger(dir: string, manifest: BackupManifest): Promise<void> {
  const path = join(dir, LEDGER_FILE_NAME);
  let entries: number;
  try {
    const parsed = await readLedger(path);
    if (parsed.tail !== 'none') throw new Error('its last line is cut short');
    entries = parsed.book.entries().length;
  } catch (error) {
    throw new BackupError(`${path} is damaged: ${messageOf(error)}`, path);
  }
  if (entries !== manifest.counts.ledgerEntries) {
    throw new BackupError(
      `${path} holds ${entries} entries where the backup's manifest says ${manifest.counts.ledgerEntries}`,
      path,
    );
  }
}

/** Whether every file of the backup in `dir` has its manifest's size (no checksum read). */
async function isWhole(dir: string): Promise<boolean> {
  try {
    const manifest = await readManifest(dir);
    for (const file of manifest.files) {
      if ((await stat(join(dir, file.name))).size !== file.bytes) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/** A folder name for a backup made at `now` that neither a backup nor a partial one has. */
async function freeName(folder: string, now: Date): Promise<string> {
  // Colons are not allowed in Windows file names.
  const base = NAME_PREFIX + now.toISOString().replaceAll(':', '-');
  const taken = new Set(await readdir(folder));
  for (let n = 1; ; n++) {
    const name = n === 1 ? base : `${base}-${n}`;
    if (!taken.has(name) && !taken.has(name + PARTIAL_SUFFIX)) return name;
  }
}

const COPY_CHUNK = 1 << 20;

/**
 * Copies the first `length` bytes of `from` to the new file `to`, fsynced; answers their
 * SHA-256 and how many lines they hold (they end with a whole line).
 */
async function copyPrefix(
  from: string,
  to: string,
  length: number,
): Promise<{ sha256: string; lines: number }> {
  const hash = createHash('sha256');
  let lines = 0;
  let last = 0x0a;
  // An empty ledger may have no file yet: nothing is read then.
  const source = length === 0 ? null : await open(from, 'r');
  try {
    const target = await open(to, 'wx', PRIVATE_FILE_MODE);
    try {
      const buf = Buffer.allocUnsafe(Math.min(COPY_CHUNK, Math.max(length, 1)));
      for (let done = 0; source !== null && done < length;) {
        const want = Math.min(buf.length, length - done);
        const { bytesRead } = await source.read(buf, 0, want, done);
        if (bytesRead === 0) throw new Error(`${from} is shorter than the ${length} bytes to copy`);
        const chunk = buf.subarray(0, bytesRead);
        hash.update(chunk);
        for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) lines++;
        last = chunk[bytesRead - 1] as number;
        for (let written = 0; written < bytesRead;) {
          written += (await target.write(chunk, written, bytesRead - written)).bytesWritten;
        }
        done += bytesRead;
      }
      await target.sync();
    } finally {
      await target.close();
    }
  } finally {
    await source?.close();
  }
  if (last !== 0x0a) throw new Error(`${from}: the bytes to copy do not end with a whole line`);
  return { sha256: hash.digest('hex'), lines };
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: COPY_CHUNK })) {
    hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

async function writeDurably(path: string, text: string): Promise<void> {
  const handle = await open(path, 'wx', PRIVATE_FILE_MODE);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
