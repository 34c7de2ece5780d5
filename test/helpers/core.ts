/**
 * Test helpers: fresh data directories and a core on the test clock with an instant gateway.
 * Under the `postgres` test project (vitest.config.ts, PAYDESK_TEST_STORE=postgres) the core
 * keeps its books in a database of its own per data directory instead (the same tests, run
 * against both stores: the conformance suite).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCore, type Core, type CoreOptions } from '../../src/main/core';
import type { Store } from '../../src/main/core/ports';
import { openPgStore } from '../../src/main/core/pg-store/store';
import { openStore } from '../../src/main/core/store';
import type { OperationName, OperationOutput } from '../../src/shared/contract';
import { createTestDatabase } from './postgres';

/** Which store the tests run against (the `postgres` project sets it). */
export const TEST_STORE = process.env.PAYDESK_TEST_STORE === 'postgres' ? 'postgres' : 'embedded';

/** The database of each data directory, under the postgres project: reopening finds it. */
const databases = new Map<string, string>();

async function databaseOf(dataDir: string): Promise<string> {
  let url = databases.get(dataDir);
  if (url === undefined) {
    url = await createTestDatabase();
    databases.set(dataDir, url);
  }
  return url;
}

export function tempDataDir(prefix = 'paydesk-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A core on the test clock with an instant gateway, once start-up reconciliation is done. */
export async function openTestCore(
  dataDir = tempDataDir(),
  options: Partial<CoreOptions> = {},
): Promise<Core> {
  const core = await openCore({
    dataDir,
    clock: 'test',
    gateway: { latencyMs: 0, seed: 42, ...options.gateway },
    scheduler: false,
    ...(await testStoreOptions(dataDir)),
    ...options,
  });
  await core.reconciled;
  return core;
}

/** Call an operation as the operator and return its data, failing the test on an error. */
export async function must<K extends OperationName>(
  core: Core,
  name: K,
  input: unknown,
): Promise<OperationOutput<K>> {
  const result = await core.call(name, input, 'operator');
  if (!result.ok) throw new Error(`${name} failed: ${result.error.code}: ${result.error.message}`);
  return result.data;
}

/** The store a core opened on `dataDir` would use (to seed it, or look at it, in between). */
export async function openTestStore(dataDir: string): Promise<Store> {
  return TEST_STORE === 'postgres'
    ? openPgStore(await databaseOf(dataDir), dataDir)
    : openStore(dataDir);
}

/** The core options that put `dataDir`'s books in the store under test (for openCore itself). */
export async function testStoreOptions(dataDir: string): Promise<Partial<CoreOptions>> {
  return TEST_STORE === 'postgres' ? { database: await databaseOf(dataDir) } : {};
}
