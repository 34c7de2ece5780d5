/**
 * `npm run gateway`: the mock gateway as a service of its own (./server.ts). Takes the data
 * directory's lock (the same as a desk's: a desk on that directory would otherwise write the
 * same ledger from its own mock), opens the mock on its ledger, serves, prints its URL, and
 * on Ctrl+C or SIGTERM answers the calls in flight, closes the ledger and exits 0. Exit
 * codes: 2 for bad options, 1 when it cannot start.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openMockGateway, type MockGateway } from '../main/core/gateway/mock-gateway';
import { makePrivateDir } from '../main/core/private-files';
import { LOCK_FILE } from '../main/core/store/files';
import { acquireLock, type DirLock } from '../main/core/store/lock';
import { GATEWAY_USAGE, parseGatewayCli, type GatewayServiceOptions } from './cli-options';
import { messageOf, processCli } from '../server/process-cli';
import { createGatewayServer, type RunningGatewayServer } from './server';

export const GATEWAY_READY_PREFIX = 'PAYDESK_GATEWAY_READY ';

const { say, complain, exitSoon, stopOnSignals } = processCli('paydesk-gateway');

export async function main(argv: readonly string[], env = process.env): Promise<void> {
  const parsed = parseGatewayCli(argv, env);
  if (!parsed.ok) {
    complain(`${parsed.message}\nRun with --help to see the options.`);
    return exitSoon(2);
  }
  if (parsed.value.kind === 'help') return say(GATEWAY_USAGE);
  const options = parsed.value.options;

  let lock: DirLock;
  let mock: MockGateway;
  try {
    await makePrivateDir(options.dataDir);
    lock = await acquireLock(options.dataDir, join(options.dataDir, LOCK_FILE), complain);
  } catch (error) {
    complain(`cannot take the data directory ${options.dataDir}: ${messageOf(error)}`);
    return exitSoon(1);
  }
  try {
    mock = await openMockGateway({
      dataDir: options.dataDir,
      ...(options.seed !== undefined && { seed: options.seed }),
      ...(options.successRate !== undefined && { successRate: options.successRate }),
      ...(options.latencyMs !== undefined && { latencyMs: options.latencyMs }),
    });
  } catch (error) {
    complain(`cannot open the ledger in ${options.dataDir}: ${messageOf(error)}`);
    await lock.release();
    return exitSoon(1);
  }
  let server: RunningGatewayServer;
  try {
    server = await createGatewayServer(mock, {
      token: options.token,
      host: options.host,
      port: options.port,
      log: complain,
    });
  } catch (error) {
    const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
    complain(
      inUse
        ? `port ${options.port} on ${options.host} is in use: pick another with --port`
        : messageOf(error),
    );
    await mock.close();
    await lock.release();
    return exitSoon(1);
  }
  announce(server, mock, options);
  stopOnSignals(
    () =>
      server
        .close()
        .then(() => mock.close())
        .then(() => lock.release()),
    { stopping: 'answering the calls in flight', again: 'the desks ask again with the same keys' },
  );
}

function announce(
  server: RunningGatewayServer,
  mock: MockGateway,
  options: GatewayServiceOptions,
): void {
  const { successRate, latencyMs } = mock.behaviour();
  say(`The mock gateway is serving ${options.dataDir}`);
  say(`  URL:   ${server.url}   (npm run serve -- --gateway-url ${server.url})`);
  say(`  Ledger: ${mock.ledgerPath} (${mock.entries().length} entries)`);
  say(`  Seed ${mock.seed}, success rate ${successRate}, latency ${latencyMs} ms`);
  say(
    `  Token: ${options.token === null ? 'none asked (loopback only)' : 'asked of every call (desks: --gateway-token)'}`,
  );
  say('Press Ctrl+C to stop.');
  const ready = { url: server.url, dataDir: options.dataDir, seed: mock.seed };
  say(`${GATEWAY_READY_PREFIX}${JSON.stringify(ready)}`);
}

// Run when executed directly (node out/main/gateway.js); scripts/gateway.mjs imports and calls main.
const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    complain(messageOf(error));
    exitSoon(1);
  });
}
