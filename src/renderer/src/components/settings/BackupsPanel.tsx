/**
 * The Settings screen's Backups panel: "Back up now" (busy while the backup is made), the
 * backups in the backup folder, newest first (when, made daily or by hand, payments, size),
 * and how to restore one (the desktop menu, or the server's --restore with that folder).
 */
import type { BackupsView } from '../../../../shared/contract';
import { byteSize, dateTimeSeconds } from '../../lib/format';
import { backUpNow, loadBackups, useBackups } from '../../store/backups';
import { Empty, ErrorState, Loading } from '../States';

/** How the command line names a folder: quoted when it has a space or a quote. */
const shellArg = (path: string): string =>
  /^[\w@%+=:,./\\-]+$/.test(path) ? path : `"${path.replaceAll('"', '\\"')}"`;

function BackupList({ view }: { view: BackupsView }) {
  if (view.backups.length === 0) {
    return (
      <Empty>
        <p>
          No backups yet. “Back up now” makes the first one
          {view.dailyRuns && view.daily ? '; the daily backup makes one a day' : ''}.
        </p>
      </Empty>
    );
  }
  return (
    <div className="table-wrap" role="region" aria-labelledby="backup-list-caption" tabIndex={0}>
      <table className="table table-compact">
        <caption id="backup-list-caption" className="visually-hidden">
          Backups, newest first
        </caption>
        <thead>
          <tr>
            <th scope="col">Made</th>
            <th scope="col">Kind</th>
            <th scope="col" className="num">
              Payments
            </th>
            <th scope="col" className="num">
              Size
            </th>
          </tr>
        </thead>
        <tbody>
          {view.backups.map((b) => (
            <tr key={b.name}>
              <th scope="row" title={b.path}>
                <time dateTime={b.createdAt}>{dateTimeSeconds(b.createdAt)}</time>
              </th>
              <td>{b.kind === 'daily' ? 'Daily' : 'By hand'}</td>
              <td className="num">{b.payments.toLocaleString()}</td>
              <td className="num">{byteSize(b.bytes)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function BackupsPanel({ desktop }: { desktop: boolean }) {
  const { view, loading, error, busy } = useBackups();
  const example = view?.backups[0]?.path ?? `${view?.folder ?? '<backup folder>'}/paydesk-backup-…`;
  return (
    <section className="panel backups-panel" aria-labelledby="backups-title">
      <h2 id="backups-title">Backups</h2>
      <p className="muted settings-intro">
        A backup is a copy of the data as of one moment, taken while Paydesk keeps working and
        checked by opening it. They go into{' '}
        {view ? <code className="path">{view.folder}</code> : 'the backup folder'}.
      </p>
      <div className="backups-actions">
        <button
          type="button"
          className="button-primary"
          onClick={() => void backUpNow()}
          disabled={busy}
          aria-busy={busy}
        >
          {busy ? 'Backing up…' : 'Back up now'}
        </button>
        <span role="status" className="muted">
          {busy ? 'Making a backup: Paydesk keeps working meanwhile.' : ''}
        </span>
      </div>
      {error && <ErrorState message={error} onRetry={() => void loadBackups()} />}
      {loading && !view && <Loading>Loading the backups…</Loading>}
      {view && <BackupList view={view} />}
      <h3 className="backups-restore-title">Restoring a backup</h3>
      {desktop ? (
        <p className="muted">
          Choose <strong>File › Restore from backup…</strong> and pick the backup’s folder.
        </p>
      ) : (
        <p className="muted">
          Stop the server, then start it with the backup’s folder:
          <code className="command">npm run serve -- --restore {shellArg(example)}</code>
        </p>
      )}
      <p className="muted">
        A backup that does not check out is refused. The data it replaces is moved into a
        before-restore folder in the data directory, never deleted. To recover from damaged data,
        restore the newest backup.
      </p>
    </section>
  );
}
