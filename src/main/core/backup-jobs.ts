/**
 * The backups the core makes (backup.ts): one at a time, into the folder the settings name,
 * while every other operation goes on (a backup is not in the invoker's queue: it captures
 * the state between two commits and writes it aside). And the daily backup: where the app
 * backs up daily (the desktop app; the server with --daily-backups) and the setting allows,
 * a timer looks every hour whether the newest daily backup is a day old, makes one if so,
 * then removes the daily ones past the newest `keep` (pruneBackups). Time here is the
 * computer's, not the test clock's: backups are files on a real disk.
 */
import type { BackupInfo, BackupKind, BackupsView } from '../../shared/contract';
import { DomainError } from '../../shared/result';
import {
  backupFolderOf,
  backupSettingsOf,
  BackupError,
  createBackup,
  listBackups,
  pruneBackups,
  type LedgerSource,
} from './backup';
import type { Store } from './ports';
import { StoreError } from './store';

/** How often the daily backup looks whether one is due. */
export const DAILY_CHECK_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface BackupJobsDeps {
  store: Store;
  ledger: LedgerSource;
  dataDir: string;
  /** Whether this app backs up daily at all (the setting can still turn it off). */
  daily: boolean;
  /** A backup was made or removed (the list changed). */
  onChange: () => void;
  log: (message: string) => void;
  now?: () => Date;
}

export class BackupJobs {
  private running: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly deps: BackupJobsDeps) {}

  /** Backs up now (after the backup in flight, if any); a failure is a DomainError. */
  create(kind: BackupKind): Promise<BackupInfo> {
    if (this.stopped) {
      return Promise.reject(new DomainError('unavailable', 'Paydesk is closing: no backup now'));
    }
    const run = this.running.catch(() => undefined).then(() => this.make(kind));
    this.running = run;
    return run;
  }

  async list(): Promise<BackupsView> {
    const settings = this.deps.store.settings();
    const { keep, daily } = backupSettingsOf(settings);
    const folder = backupFolderOf(settings, this.deps.dataDir);
    let backups: BackupInfo[];
    try {
      backups = await listBackups(folder);
    } catch (error) {
      throw new DomainError(
        'storage_unavailable',
        `The backup folder ${folder} cannot be read: ${messageOf(error)}`,
      );
    }
    return { folder, keep, daily, dailyRuns: this.deps.daily, backups };
  }

  /** Starts the daily backup's timer (where the app backs up daily); looks at once. */
  start(): void {
    if (!this.deps.daily || this.timer !== null || this.stopped) return;
    this.timer = setInterval(() => void this.checkDaily(), DAILY_CHECK_MS);
    this.timer.unref?.();
    void this.checkDaily();
  }

  /**
   * Makes the daily backup if the setting allows and the newest is a day old (or there is
   * none), then prunes; answers the backup made, if one was. Never throws: a failure is
   * logged, and the next hour tries again.
   */
  async checkDaily(): Promise<BackupInfo | null> {
    const settings = this.deps.store.settings();
    const { daily, keep } = backupSettingsOf(settings);
    if (!daily || this.stopped) return null;
    const folder = backupFolderOf(settings, this.deps.dataDir);
    try {
      const newest = (await listBackups(folder)).find((b) => b.kind === 'daily');
      const now = this.now();
      if (newest !== undefined && now.getTime() - Date.parse(newest.createdAt) < DAY_MS) {
        return null;
      }
      const made = await this.create('daily');
      const removed = await pruneBackups(folder, keep, this.deps.log);
      if (removed.length > 0) this.deps.onChange();
      return made;
    } catch (error) {
      this.deps.log(`The daily backup failed: ${messageOf(error)}`);
      return null;
    }
  }

  /** Stops the timer and waits for the backup in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.running.catch(() => undefined);
  }

  private async make(kind: BackupKind): Promise<BackupInfo> {
    const settings = this.deps.store.settings();
    const folder = backupFolderOf(settings, this.deps.dataDir);
    try {
      const made = await createBackup(this.deps.store, this.deps.ledger, folder, kind, this.now());
      this.deps.log(`Backed up commit ${made.commitSeq} into ${made.path}`);
      this.deps.onChange();
      return made;
    } catch (error) {
      if (error instanceof DomainError) throw error;
      // The store refusing writes is its own failure; anything else is the backup's folder.
      if (error instanceof StoreError) throw error;
      const what = error instanceof BackupError ? 'did not verify' : 'could not be written';
      throw new DomainError(
        'storage_unavailable',
        `The backup ${what} (${folder}): ${messageOf(error)}`,
      );
    }
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
