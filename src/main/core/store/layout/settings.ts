/** How the settings are stored: as the object, in the snapshot's header and the journal. */
import { backupSettings, DEFAULT_BACKUP, settings, type Settings } from '../../../../shared/domain';
import { field, layoutOf } from './declare';
import { BOOL, int, member, object, optional, rule, text } from './encodings';
import { OPERATOR_ACCOUNTS } from './operators';

export const SETTINGS = layoutOf<Settings>()({
  kind: 'settings',
  schema: settings,
  journal: 'object',
  fields: [
    field('schedulerIntervalSeconds', int(1, 86_400)),
    field('schedulerEnabled', BOOL),
    field(
      'business',
      optional(
        object([
          member('name', text(200)),
          member('address', text(1000)),
          member('taxId', text(100)),
        ]),
      ),
    ),
    field(
      'backup',
      optional(
        rule(backupSettings, [
          DEFAULT_BACKUP,
          { folder: '/var/backups/paydesk', keep: 30, daily: false },
          { folder: 'C:\\Backups', keep: 1, daily: true },
        ]),
      ),
    ),
    field('operators', OPERATOR_ACCOUNTS),
  ],
});
