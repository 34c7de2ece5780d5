/** Appending durably: small appends are flushed synchronously, large ones through the handle. */
import fs from 'node:fs';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { appendDurably, SYNC_APPEND_BYTES, type Flush } from '../../src/main/core/durable-append';

const dirs: string[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function appendAndWatch(sizes: number[], flush: Flush) {
  const dir = await mkdtemp(join(tmpdir(), 'paydesk-append-'));
  dirs.push(dir);
  const file = join(dir, 'log');
  const handle = await open(file, 'a');
  const proto = Object.getPrototypeOf(handle) as {
    sync(): Promise<void>;
    datasync(): Promise<void>;
  };
  const calls = {
    fsyncSync: vi.spyOn(fs, 'fsyncSync'),
    fdatasyncSync: vi.spyOn(fs, 'fdatasyncSync'),
    sync: vi.spyOn(proto, 'sync'),
    datasync: vi.spyOn(proto, 'datasync'),
  };
  const written: Buffer[] = [];
  try {
    for (const [i, size] of sizes.entries()) {
      const buf = Buffer.alloc(size, 97 + i);
      written.push(buf);
      await appendDurably(handle, buf, flush);
    }
  } finally {
    await handle.close();
  }
  const counts = Object.fromEntries(
    Object.entries(calls).map(([name, spy]) => [name, spy.mock.calls.length]),
  );
  return { counts, content: await readFile(file), expected: Buffer.concat(written) };
}

describe('appendDurably', () => {
  it('appends and fsyncs a small buffer synchronously', async () => {
    const r = await appendAndWatch([10, SYNC_APPEND_BYTES], 'fsync');
    expect(r.content.equals(r.expected)).toBe(true);
    expect(r.counts).toEqual({ fsyncSync: 2, fdatasyncSync: 0, sync: 0, datasync: 0 });
  });

  it('appends and flushes a large buffer through the file handle', async () => {
    const r = await appendAndWatch([SYNC_APPEND_BYTES + 1, 3 * SYNC_APPEND_BYTES], 'fdatasync');
    expect(r.content.equals(r.expected)).toBe(true);
    expect(r.counts).toEqual({ fsyncSync: 0, fdatasyncSync: 0, sync: 0, datasync: 2 });
  });

  it('does not flush when asked not to', async () => {
    const r = await appendAndWatch([5, 2 * SYNC_APPEND_BYTES], 'none');
    expect(r.content.equals(r.expected)).toBe(true);
    expect(r.counts).toEqual({ fsyncSync: 0, fdatasyncSync: 0, sync: 0, datasync: 0 });
  });
});
