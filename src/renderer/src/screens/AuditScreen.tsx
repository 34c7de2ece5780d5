/**
 * Audit log: everything Paydesk did, newest first — every command, undo, redo and start-up
 * reconciliation, declined charges included (which never reach the History) — with who
 * asked, how it went and the money it moved, filtered by origin, outcome and days.
 */
import { useEffect, useMemo } from 'react';
import { ExportCsvButton } from '../components/ExportCsvButton';
import { AuditFilters } from '../components/audit/AuditFilters';
import { AuditTable } from '../components/audit/AuditTable';
import { auditInput, loadAudit, useAudit } from '../store/audit';

export function AuditScreen() {
  useEffect(() => loadAudit(), []);
  const filters = useAudit((s) => s.filters);
  // What the table shows; null while the dates make no range (nothing is shown then).
  const exportFilters = useMemo(() => {
    const chosen = auditInput(filters);
    return chosen.ok ? chosen.input : null;
  }, [filters]);
  return (
    <>
      <h1 tabIndex={-1}>Audit log</h1>
      <p className="muted">
        Every command, undo, redo and start-up reconciliation, newest first, declined charges
        included. Entries are never changed or removed.
      </p>
      <AuditFilters />
      <div className="list-actions">
        <ExportCsvButton kind="audit" filters={exportFilters} noun="audit entries" />
      </div>
      <AuditTable />
    </>
  );
}
