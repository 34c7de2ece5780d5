/**
 * Filters of the audit log: who asked (origin), how it went (outcome) and a range of days
 * (the operator's local days, both included). A range that ends before it starts is named
 * next to the "To" field and nothing is fetched.
 */
import { AUDIT_OUTCOMES, ORIGINS } from '../../../../shared/domain';
import { originText } from '../../lib/format';
import { setAuditFilters, useAudit, type AuditFilterValues } from '../../store/audit';
import { Field } from '../Field';
import { outcomeText } from './AuditTable';

export function AuditFilters() {
  const filters = useAudit((s) => s.filters);
  const total = useAudit((s) => s.total);
  const filterError = useAudit((s) => s.filterError);
  const errorOf = (field: keyof AuditFilterValues): string | undefined =>
    filterError?.field === field ? filterError.message : undefined;
  return (
    <div className="filters audit-filters" role="search" aria-label="Filter the audit log">
      <Field label="Origin" className="field-inline field-narrow" error={errorOf('origin')}>
        {(control) => (
          <select
            {...control}
            value={filters.origin}
            onChange={(e) =>
              setAuditFilters({ origin: e.target.value as AuditFilterValues['origin'] })
            }
          >
            <option value="">All origins</option>
            {ORIGINS.map((o) => (
              <option key={o} value={o}>
                {originText(o)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Outcome" className="field-inline field-narrow" error={errorOf('outcome')}>
        {(control) => (
          <select
            {...control}
            value={filters.outcome}
            onChange={(e) =>
              setAuditFilters({ outcome: e.target.value as AuditFilterValues['outcome'] })
            }
          >
            <option value="">All outcomes</option>
            {AUDIT_OUTCOMES.map((o) => (
              <option key={o} value={o}>
                {outcomeText(o)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="From" className="field-inline field-narrow" error={errorOf('from')}>
        {(control) => (
          <input
            {...control}
            type="date"
            value={filters.from}
            onChange={(e) => setAuditFilters({ from: e.target.value })}
          />
        )}
      </Field>
      <Field label="To" className="field-inline field-narrow" error={errorOf('to')}>
        {(control) => (
          <input
            {...control}
            type="date"
            value={filters.to}
            onChange={(e) => setAuditFilters({ to: e.target.value })}
          />
        )}
      </Field>
      <p className="filters-count" aria-live="polite">
        {total === null || filterError
          ? ''
          : `${total.toLocaleString()} entr${total === 1 ? 'y' : 'ies'}`}
      </p>
    </div>
  );
}
