/**
 * The real core path as production assembles it (src/main/core/index.ts), minus the
 * scheduler timer and the service layer: the store on a data directory (or the PostgreSQL
 * store on a database, with that directory for the rest, as `serve --database`), the mock gateway
 * with zero latency and its durable ledger, a clock, and a CommandInvoker over them.
 */
import { openMockGateway, type MockGateway } from '../../src/main/core/gateway/mock-gateway';
import { CommandInvoker } from '../../src/main/core/invoker';
import type { Clock, Store } from '../../src/main/core/ports';
import { openPgStore } from '../../src/main/core/pg-store/store';
import { openStore } from '../../src/main/core/store';

export interface Parts {
  store: Store;
  gateway: MockGateway;
  invoker: CommandInvoker;
}

export function openGateway(dataDir: string, seed: number, durable = true): Promise<MockGateway> {
  return openMockGateway({ dataDir, latencyMs: 0, seed, durable });
}

export function invokerOver(store: Store, gateway: MockGateway, clock: Clock): CommandInvoker {
  return new CommandInvoker({ store, gateway, clock });
}

/** The store of a task: PostgreSQL's when a database is given, else the embedded one. */
export function openBenchStore(dataDir: string, database?: string): Promise<Store> {
  return database === undefined ? openStore(dataDir) : openPgStore(database, dataDir);
}

export async function openParts(
  dataDir: string,
  seed: number,
  clock: Clock,
  database?: string,
): Promise<Parts> {
  const store = await openBenchStore(dataDir, database);
  const gateway = await openGateway(dataDir, seed);
  return { store, gateway, invoker: invokerOver(store, gateway, clock) };
}

export async function closeParts(parts: Parts): Promise<void> {
  await parts.invoker.idle();
  await parts.gateway.close();
  await parts.store.close();
}
