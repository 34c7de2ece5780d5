/** Test helpers: fresh data directories and a core on the test clock with an instant gateway. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCore, type Core, type CoreOptions } from '../../src/main/core';
import type { OperationName, OperationOutput } from '../../src/shared/contract';

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
