/**
 * How the store stands, under the top bar on every screen: an alert once the store has
 * stopped taking changes (a write of its files failed: disk full, an I/O error), saying why
 * and what to do, while everything already recorded can still be read; and what the store
 * repaired at its last start (a journal's damaged end cut and saved, commits missing), until
 * the operator closes it.
 */
import { useEffect } from 'react';
import { dismissRepair, loadStorage, useStorage } from '../store/storage';

export function StorageBanner() {
  const status = useStorage((s) => s.status);
  const dismissed = useStorage((s) => s.dismissedRepair);
  useEffect(() => void loadStorage(), []);
  if (status === null) return null;
  const repaired =
    status.repaired !== null && status.repaired !== dismissed ? status.repaired : null;
  return (
    <>
      {status.writes === 'stopped' && (
        <div className="connection-banner storage-banner" role="alert">
          <p className="connection-title">Writes are stopped: Paydesk takes no more changes.</p>
          <p className="connection-hint">
            Everything recorded so far can still be read. Nothing moves money until Paydesk is
            restarted once the cause is fixed (free disk space, check the disk).
          </p>
          {status.cause !== null && <p className="connection-hint storage-cause">{status.cause}</p>}
        </div>
      )}
      {repaired !== null && (
        <div className="connection-banner storage-banner" role="status">
          <p className="connection-title">Paydesk repaired its data at start.</p>
          <p className="connection-hint storage-cause">{repaired}</p>
          <p className="connection-hint">
            The audit log has the details. To get back what is missing, restore the latest backup
            (Settings, Backups).
          </p>
          <div className="connection-row">
            <button type="button" onClick={dismissRepair}>
              Close
            </button>
          </div>
        </div>
      )}
    </>
  );
}
