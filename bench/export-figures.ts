/**
 * The CSV export's figures (bench/tasks/export.ts runs, per door): the median time and time
 * to the first byte, throughput, and memory: resident memory with the core open before the
 * export, the most seen during it, and the difference, the export's own cost, which a
 * constant-memory export keeps the same at any size. As results.json keeps them, and as
 * the table printed at the end of a run.
 */
import type { ParamsOf, ResultOf } from './protocol';
import { percentile } from './stats';

type Run = ResultOf<'export'>;
export type Door = ParamsOf<'export'>['door'];

export interface DoorFigures {
  runs: number;
  rows: number;
  mb: number;
  ms_p50: number;
  first_byte_ms_p50: number;
  rows_per_second: number;
  rss_before_mb: number;
  rss_peak_mb: number;
  /** The most the export added to the process's resident memory, over the runs. */
  rss_growth_mb: number;
}

export interface ExportFigures {
  payments: number;
  measured_at: string;
  doors: Record<Door, DoorFigures>;
}

const median = (values: number[]): number =>
  percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
const round = (x: number, digits = 1): number => Number(x.toFixed(digits));

function doorFigures(runs: readonly Run[]): DoorFigures {
  const ms = median(runs.map((r) => r.ms));
  const rows = runs[0]?.rows ?? 0;
  return {
    runs: runs.length,
    rows,
    mb: round((runs[0]?.bytes ?? 0) / 2 ** 20),
    ms_p50: round(ms, 0),
    first_byte_ms_p50: round(median(runs.map((r) => r.firstByteMs))),
    rows_per_second: Math.round(rows / (ms / 1000)),
    rss_before_mb: round(median(runs.map((r) => r.rssBeforeMb)), 0),
    rss_peak_mb: round(Math.max(...runs.map((r) => r.rssPeakMb)), 0),
    rss_growth_mb: round(Math.max(...runs.map((r) => r.rssPeakMb - r.rssBeforeMb)), 0),
  };
}

export function exportFiguresOf(payments: number, runs: Record<Door, Run[]>): ExportFigures {
  return {
    payments,
    measured_at: new Date().toISOString(),
    doors: { rest: doorFigures(runs.rest), file: doorFigures(runs.file) },
  };
}

export function exportTable(f: ExportFigures): string {
  const head = `CSV export of ${f.payments.toLocaleString('en-US')} payments`;
  const lines = [
    head,
    '| door | rows | MB | time p50 | first byte | rows/s | RSS before | RSS peak | export’s own |',
    '| ---- | ---: | -: | -------: | ---------: | -----: | ---------: | -------: | -----------: |',
  ];
  for (const [door, d] of Object.entries(f.doors)) {
    lines.push(
      `| ${door} | ${d.rows.toLocaleString('en-US')} | ${d.mb} | ${(d.ms_p50 / 1000).toFixed(1)} s | ` +
        `${d.first_byte_ms_p50} ms | ${d.rows_per_second.toLocaleString('en-US')} | ` +
        `${d.rss_before_mb} MB | ${d.rss_peak_mb} MB | ${d.rss_growth_mb} MB |`,
    );
  }
  return lines.join('\n');
}
