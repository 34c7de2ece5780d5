/**
 * Worker task: open a store in this fresh process and report how long it took and the
 * resident memory of a process that holds just the store (after a full GC), plus the peak.
 */
import type { ParamsOf, ResultOf } from '../protocol';
import { collectGarbage, megabytes } from '../stats';
import { openBenchStore } from './assemble';

export async function openOnce(p: ParamsOf<'open'>): Promise<ResultOf<'open'>> {
  const start = performance.now();
  const store = await openBenchStore(p.dir, p.database);
  const openMs = performance.now() - start;
  collectGarbage();
  const memory = process.memoryUsage();
  const result = {
    openMs,
    payments: store.paymentCount(),
    rssMb: megabytes(memory.rss),
    heapUsedMb: megabytes(memory.heapUsed),
    // maxRSS is in kilobytes.
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
  await store.close();
  return result;
}
