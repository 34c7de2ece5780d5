/**
 * Worker task: a CSV export of every payment of a generated store, in this fresh process,
 * through one door: `rest` is `GET payments/export.csv` on the real HTTP server, read by a
 * node:http client in the same process that only counts what it gets; `file` is what the
 * desktop does after its save dialog (shell/export-csv.ts writeCsv). It reports the time,
 * the time to the first byte, and resident memory before and during the export: sampled
 * every 10 ms, since the kernel's peak of the process also holds the open's.
 */
import { request } from 'node:http';
import { rm, stat } from 'node:fs/promises';
import { openCore } from '../../src/main/core';
import type { Core } from '../../src/main/core/api';
import { openCsvExport } from '../../src/main/core/export';
import { writeCsv } from '../../src/main/shell/export-csv';
import { createServer } from '../../src/server/server';
import type { ParamsOf, ResultOf } from '../protocol';
import { collectGarbage, megabytes } from '../stats';

const TOKEN = 'bench-export-token-0123456789';

interface Counted {
  rows: number;
  bytes: number;
  firstByteMs: number;
}

/** GET the export and count its lines and bytes as they come. */
async function overRest(core: Core, started: number): Promise<Counted> {
  const server = await createServer(core, { token: TOKEN, log: () => {} });
  try {
    return await new Promise<Counted>((resolve, reject) => {
      const url = new URL('/command/api/payments/export.csv', server.url);
      const req = request(url, { headers: { authorization: `Bearer ${TOKEN}` } }, (res) => {
        if (res.statusCode !== 200) reject(new Error(`the export answered ${res.statusCode}`));
        const counted: Counted = { rows: 0, bytes: 0, firstByteMs: 0 };
        res.on('data', (chunk: Buffer) => {
          if (counted.bytes === 0) counted.firstByteMs = performance.now() - started;
          counted.bytes += chunk.length;
          for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) counted.rows++;
        });
        res.on('end', () => resolve(counted));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  } finally {
    await server.close();
  }
}

/** The desktop's path: open the export, write it into a file through a temporary one. */
async function toFile(core: Core, out: string, started: number): Promise<Counted> {
  const opened = await openCsvExport(core, 'payments', {}, 'operator');
  if (!opened.ok) throw new Error(opened.error.message);
  const firstByteMs = performance.now() - started;
  const written = await writeCsv(opened.data, out);
  if (!written.ok) throw new Error(written.error.message);
  const bytes = (await stat(out)).size;
  await rm(out, { force: true });
  // The header is a line too, as the REST door counts.
  return { rows: opened.data.rows() + 1, bytes, firstByteMs };
}

export async function exportTask(p: ParamsOf<'export'>): Promise<ResultOf<'export'>> {
  const core = await openCore({
    dataDir: p.dir,
    clock: 'test',
    gateway: { latencyMs: 0, seed: 1 },
    scheduler: false,
  });
  await core.reconciled;
  const payments = await core.call('payments.list', { limit: 1 }, 'system');
  if (!payments.ok) throw new Error(payments.error.message);
  collectGarbage();
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  }, 10);
  const started = performance.now();
  const counted =
    p.door === 'rest' ? await overRest(core, started) : await toFile(core, p.out, started);
  const ms = performance.now() - started;
  clearInterval(sampler);
  rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  await core.close();
  return {
    payments: payments.data.total,
    // Lines less the header.
    rows: counted.rows - 1,
    bytes: counted.bytes,
    firstByteMs: counted.firstByteMs,
    ms,
    rssBeforeMb: megabytes(rssBefore),
    rssPeakMb: megabytes(rssPeak),
    // maxRSS is in kilobytes.
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  };
}
