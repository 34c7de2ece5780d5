/**
 * What a change of the settings changed, in words for its audit entry ("scheduler every 30 s
 * (was 60 s)"): the audit log says who changed the scheduler, the business details or the
 * backups, and from what. Pure: the settings before and after.
 */
import {
  DEFAULT_BACKUP,
  EMPTY_BUSINESS,
  type BackupSettings,
  type BusinessDetails,
  type Settings,
} from '../../shared/domain';

const BUSINESS_FIELDS: ReadonlyArray<[keyof BusinessDetails, string]> = [
  ['name', 'name'],
  ['address', 'address'],
  ['taxId', 'tax ID'],
];

/** Null is the `backups` folder in the data directory (domain.ts's backupSettings). */
const folderText = (folder: BackupSettings['folder']) => folder ?? 'the data directory’s folder';

/** The changes from `before` to `after`, one phrase each; none when nothing changed. */
export function settingsChanges(before: Settings, after: Settings): string[] {
  const changes: string[] = [];
  if (after.schedulerEnabled !== before.schedulerEnabled) {
    changes.push(after.schedulerEnabled ? 'scheduler started' : 'scheduler stopped');
  }
  if (after.schedulerIntervalSeconds !== before.schedulerIntervalSeconds) {
    changes.push(
      `scheduler every ${after.schedulerIntervalSeconds} s (was ${before.schedulerIntervalSeconds} s)`,
    );
  }
  const [was, is] = [before.business ?? EMPTY_BUSINESS, after.business ?? EMPTY_BUSINESS];
  const business = BUSINESS_FIELDS.filter(([key]) => was[key] !== is[key]).map(([, name]) => name);
  if (business.length > 0) changes.push(`business ${business.join(', ')} changed`);
  const [old, next] = [before.backup ?? DEFAULT_BACKUP, after.backup ?? DEFAULT_BACKUP];
  if (next.daily !== old.daily) changes.push(next.daily ? 'daily backups on' : 'daily backups off');
  if (next.keep !== old.keep) changes.push(`keeping ${next.keep} daily backups (was ${old.keep})`);
  if (next.folder !== old.folder) {
    changes.push(`backups to ${folderText(next.folder)} (was ${folderText(old.folder)})`);
  }
  return changes;
}

/** The audit entry's label of a change of the settings. */
export function settingsChangeLabel(before: Settings, after: Settings): string {
  const changes = settingsChanges(before, after);
  return `Settings: ${changes.length > 0 ? changes.join('; ') : 'nothing changed'}`;
}
