/**
 * "Export CSV": the list as its filters show it, as a CSV file (the desktop asks where to
 * save it, a browser downloads it: lib/export-csv.ts). The button says "Exporting…" while it
 * runs (a long list takes a while) and the outcome is a toast; a cancelled save dialog says
 * nothing. `filters` null means the filters shown are not valid yet: nothing to export.
 */
import { useState } from 'react';
import type { ExportFilters, ExportKind } from '../../../shared/contract';
import { exportCsv } from '../lib/export-csv';
import { showToast } from '../store/toasts';

export interface ExportCsvButtonProps<K extends ExportKind> {
  kind: K;
  filters: ExportFilters<K> | null;
  /** What a row is, in the plural ("payments"), for the toast. */
  noun: string;
}

export function ExportCsvButton<K extends ExportKind>({
  kind,
  filters,
  noun,
}: ExportCsvButtonProps<K>) {
  const [busy, setBusy] = useState(false);
  async function run(): Promise<void> {
    if (filters === null) return;
    setBusy(true);
    try {
      const res = await exportCsv(kind, filters);
      if (!res.ok) {
        showToast(`The export failed: ${res.error.message}`, { level: 'error' });
      } else if (res.data.file !== null) {
        const { file, rows } = res.data;
        showToast(
          rows === null
            ? `Downloaded ${file}`
            : `Exported ${rows.toLocaleString()} ${noun} to ${file}`,
        );
      }
    } finally {
      setBusy(false);
    }
  }
  return (
    <button
      type="button"
      className="export-button"
      onClick={() => void run()}
      disabled={busy || filters === null}
      aria-busy={busy}
    >
      {busy ? 'Exporting…' : 'Export CSV'}
    </button>
  );
}
