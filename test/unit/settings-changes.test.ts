/**
 * The words of a settings change's audit entry: each changed setting once, with what it was;
 * nothing else, and "nothing changed" when nothing did.
 */
import { describe, expect, it } from 'vitest';
import { settingsChangeLabel, settingsChanges } from '../../src/main/core/settings-changes';
import { DEFAULT_SETTINGS, type Settings } from '../../src/shared/domain';

const before: Settings = DEFAULT_SETTINGS;

describe('settingsChanges', () => {
  it('names each changed setting, with what it was', () => {
    const after: Settings = {
      ...before,
      schedulerEnabled: false,
      schedulerIntervalSeconds: 300,
      business: { name: '', address: '1 Main St', taxId: '' },
      backup: { folder: '/srv/backups', keep: 7, daily: true },
    };
    expect(settingsChanges(before, after)).toEqual([
      'scheduler stopped',
      'scheduler every 300 s (was 60 s)',
      'business address changed',
      'backups to /srv/backups (was the data directory’s folder)',
    ]);
  });

  it('reads absent business details and backups as their defaults', () => {
    const same: Settings = {
      ...before,
      business: { name: '', address: '', taxId: '' },
      backup: { folder: null, keep: 7, daily: true },
    };
    expect(settingsChanges(before, same)).toEqual([]);
    expect(settingsChangeLabel(before, same)).toBe('Settings: nothing changed');
  });
});
