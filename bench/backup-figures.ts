/**
 * The backup's figures (bench/tasks/backup.ts): how long a backup of the store takes and
 * how big it is, the check a restore makes, and what backups running cost the commands
 * meanwhile. As results.json keeps them, and as the table printed at the end of a run. Pure.
 */
import type { ResultOf } from './protocol';

type Result = ResultOf<'backup'>;

export interface BackupFigures {
  measured_at: string;
  payments: number;
  /** The backup of the idle store, verified (what "Back up now" takes). */
  backup_s: number;
  backup_mb: number;
  /** The check before a restore: every checksum, the store opened read-only. */
  verify_s: number;
  /** ProcessPayment, one at a time, without a backup... */
  command_ms_p50: number;
  command_ms_p99: number;
  /** ...and while backups run back to back. */
  command_ms_p50_during_backup: number;
  command_ms_p99_during_backup: number;
  /** The slowest: one that met the verification's read-only open, which holds the event loop. */
  command_ms_max: number;
  command_ms_max_during_backup: number;
  command_samples: number;
  /** At least as many: the commands go on until the last backup ends. */
  command_samples_during_backup: number;
  backups_during: number;
  backup_during_s_mean: number;
  loop_delay_ms_p99_during_backup: number;
  loop_delay_ms_max_during_backup: number;
}

const round = (value: number, digits = 3): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

export function backupFiguresOf(r: Result, date: string): BackupFigures {
  return {
    measured_at: date,
    payments: r.payments,
    backup_s: round(r.backupMs / 1000, 2),
    backup_mb: round(r.bytes / 2 ** 20, 1),
    verify_s: round(r.verifyMs / 1000, 2),
    command_ms_p50: round(r.commit.p50),
    command_ms_p99: round(r.commit.p99),
    command_ms_p50_during_backup: round(r.commitDuringBackup.p50),
    command_ms_p99_during_backup: round(r.commitDuringBackup.p99),
    command_ms_max: round(r.commit.max),
    command_ms_max_during_backup: round(r.commitDuringBackup.max),
    command_samples: r.commit.n,
    command_samples_during_backup: r.commitDuringBackup.n,
    backups_during: r.backupsDuring,
    backup_during_s_mean: round(r.backupDuringMsMean / 1000, 2),
    loop_delay_ms_p99_during_backup: round(r.loopDelayMsP99, 1),
    loop_delay_ms_max_during_backup: round(r.loopDelayMsMax, 1),
  };
}

const num = (v: number, digits = 2): string =>
  v.toLocaleString('en-US', { maximumFractionDigits: digits });

export function backupTable(f: BackupFigures): string {
  return [
    `Backup of ${f.payments.toLocaleString('en-US')} payments: ${num(f.backup_s)} s ` +
      `(${num(f.backup_mb, 1)} MB, verified); the check before a restore ${num(f.verify_s)} s`,
    '| ProcessPayment | p50 ms | p99 ms | max ms |',
    '| -------------- | -----: | -----: | -----: |',
    `| without a backup | ${num(f.command_ms_p50)} | ${num(f.command_ms_p99)} | ${num(f.command_ms_max)} |`,
    `| while backups run | ${num(f.command_ms_p50_during_backup)} | ` +
      `${num(f.command_ms_p99_during_backup)} | ${num(f.command_ms_max_during_backup)} |`,
    `${f.command_samples} commands without, ${f.command_samples_during_backup} during ` +
      `${f.backups_during} backups, ` +
      `${num(f.backup_during_s_mean)} s each on average; event loop delay meanwhile p99 ` +
      `${num(f.loop_delay_ms_p99_during_backup, 1)} ms, max ${num(f.loop_delay_ms_max_during_backup, 1)} ms.`,
  ].join('\n');
}
