/**
 * `npm run serve`: Paydesk without Electron. Parses the options, opens the core on the data
 * directory (whose lock keeps the desktop app and this server apart), loads the API token,
 * serves HTTP, and on Ctrl+C or SIGTERM stops accepting, lets the command in flight finish
 * and exits 0. With --gateway-url it asks the gateway service first (a token it refuses stops
 * the start). With --restore it first restores a backup into the data directory (refused,
 * nothing changed, when the backup does not verify). With --create-admin NAME it adds an
 * admin operator account, prints its token once and exits, serving nothing. Exit codes: 2 for
 * bad options (or a name in use), 1 when it cannot start (or restore).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Core } from '../main/core/api';
import { checkGatewayService } from '../main/core/gateway/http-gateway';
import { openCore } from '../main/core/index';
import { BackupError } from '../main/core/backup';
import { restoreBackup } from '../main/core/restore';
import { StoreError } from '../main/core/store';
import { TOKEN_ENV, loadOrCreateToken, tokenFromEnv } from './auth';
import { USAGE, coreOptionsOf, parseCli, type ServeOptions } from './cli-options';
import { API_PREFIX } from './rest';
import { messageOf, processCli } from './process-cli';
import { createServer, type RunningServer } from './server';

export const READY_PREFIX = 'PAYDESK_READY ';
/** The line --create-admin prints the new admin's token on. */
export const ADMIN_TOKEN_PREFIX = 'Token: ';

const { say, complain, exitSoon, stopOnSignals } = processCli('paydesk');

/** The renderer build beside this bundle (out/main/server.js → out/renderer). */
const defaultStaticDir = (): string => fileURLToPath(new URL('../renderer/', import.meta.url));

/** Start serving; resolves once serving (or once it has failed and arranged to exit). */
export async function main(argv: readonly string[], env = process.env): Promise<void> {
  const parsed = parseCli(argv, env);
  if (!parsed.ok) {
    complain(`${parsed.message}\nRun with --help to see the options.`);
    return exitSoon(2);
  }
  if (parsed.value.kind === 'help') return say(USAGE);
  const options = parsed.value.options;
  try {
    tokenFromEnv(env);
  } catch (error) {
    complain(messageOf(error));
    return exitSoon(2);
  }

  if (options.restore !== undefined) {
    try {
      await restoreBackup(options.restore, options.dataDir, say);
    } catch (error) {
      // Refused before any file moved; a failure after would be finished by the next open.
      const untouched =
        error instanceof BackupError || (error instanceof StoreError && error.code === 'locked');
      complain(
        `cannot restore ${options.restore} into ${options.dataDir}: ${messageOf(error)}` +
          (untouched ? '. Nothing was changed.' : ''),
      );
      return exitSoon(1);
    }
  }

  if (options.gatewayService !== undefined && !(await gatewayAnswers(options.gatewayService))) {
    return exitSoon(2);
  }

  let core: Core;
  try {
    const coreOptions = coreOptionsOf(options, say);
    if (options.database !== undefined) coreOptions.store = { onWritesStopped: leaveOnLostWrites };
    // Adding an admin opens the data, adds the account and closes: no timer, no backup.
    if (options.createAdmin !== undefined) {
      Object.assign(coreOptions, { scheduler: false, dailyBackups: false });
    }
    core = await openCore(coreOptions);
  } catch (error) {
    complain(`cannot open the data directory ${options.dataDir}: ${messageOf(error)}`);
    return exitSoon(1);
  }
  if (options.createAdmin !== undefined) return createAdmin(core, options.createAdmin);
  let started: { server: RunningServer; token: string; tokenFile: string | null };
  try {
    started = await start(core, options, env);
  } catch (error) {
    const port = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
    complain(
      port
        ? `port ${options.port} on ${options.host} is in use: pick another with --port`
        : messageOf(error),
    );
    await core.close();
    return exitSoon(1);
  }
  const session = await core.call('operators.me', {}, 'api');
  announce(started, options, session.ok && session.data.accounts);
  stopOnSignals(() => started.server.close().then(() => core.close()), {
    stopping: 'finishing the command in flight',
    again: 'pending payments are reconciled at the next start',
  });
}

/** Exit code of an instance that stopped because its database refused or lost a write. */
export const EXIT_WRITES_LOST = 75;

/**
 * An instance sharing a database whose write failed leaves at once (crash-only): its memory
 * may be ahead of the database, and a start reloads it. What it had acknowledged is in the
 * database; what it left PENDING is settled by the scheduler's leader or its next start. Its
 * supervisor (README: the systemd unit's Restart=) starts it again; clients go on with
 * another instance meanwhile, their keys replayed there.
 */
function leaveOnLostWrites(error: Error): void {
  complain(`${error.message} Exiting (code ${EXIT_WRITES_LOST}) to start again from the database.`);
  setTimeout(() => process.exit(EXIT_WRITES_LOST), 100);
}

async function start(core: Core, options: ServeOptions, env: NodeJS.ProcessEnv) {
  const { token, file: tokenFile } = await loadOrCreateToken(options.dataDir, env, complain);
  const staticDir = defaultStaticDir();
  if (!existsSync(join(staticDir, 'index.html'))) {
    complain(`the web UI is not built (${staticDir}index.html): run npm run serve -- --build`);
  }
  const server = await createServer(core, {
    token,
    host: options.host,
    port: options.port,
    staticDir,
    log: complain,
  });
  return { server, token, tokenFile };
}

/**
 * `--create-admin NAME`: the account added as the single desk would add it (audited), its
 * token printed this once (only its SHA-256 is kept), then exit. Printed on a terminal by a
 * command of its own, not into a server's log, which may be kept.
 */
async function createAdmin(core: Core, name: string): Promise<void> {
  const made = await core.call('operators.create', { name, role: 'admin' }, 'operator');
  await core.close();
  if (!made.ok) {
    complain(`cannot add the admin ${name}: ${made.error.message}`);
    return exitSoon(made.error.code === 'conflict' || made.error.code === 'validation' ? 2 : 1);
  }
  const { operator, token } = made.data;
  say(`Added the admin ${operator.name} (${operator.id}).`);
  say(`${ADMIN_TOKEN_PREFIX}${token ?? ''}`);
  say('This token is shown once: Paydesk keeps only its SHA-256. Send it as');
  say('Authorization: Bearer <token>, or open the UI and paste it. From now on every request');
  say("needs an operator's own token: the API token is refused. Add operators in Settings.");
  exitSoon(0);
}

/**
 * Whether to go on with the gateway service: it answers, or cannot be reached now (charges
 * then stay pending until it can: said once here). A service that refuses the call (the
 * token, a URL that is not a gateway service) is a mistake in the options: said, and no start.
 */
async function gatewayAnswers(service: NonNullable<ServeOptions['gatewayService']>) {
  const checked = await checkGatewayService(service);
  if (checked.ok) {
    const { successRate, latencyMs, seed } = checked.info;
    say(
      `The gateway service at ${service.url} answers (success rate ${successRate}, ` +
        `latency ${latencyMs} ms, seed ${seed})`,
    );
    return true;
  }
  if (checked.reachable) {
    complain(`the gateway service at ${service.url} refused: ${checked.message}`);
    return false;
  }
  complain(
    `the gateway service at ${service.url} does not answer (${checked.message}): ` +
      'payments stay pending until it does',
  );
  return true;
}

function announce(
  started: { server: RunningServer; token: string; tokenFile: string | null },
  { dataDir, gatewayService, database }: ServeOptions,
  accounts: boolean,
): void {
  const { server, token, tokenFile } = started;
  const apiUrl = `${server.url}${API_PREFIX}`;
  // The UI takes the token from its first URL; the page then drops it from the address bar.
  // With operator accounts each operator opens it with their own.
  const uiUrl = accounts ? `${server.url}/` : `${server.url}/?token=${encodeURIComponent(token)}`;
  say(
    `Paydesk is serving ${database === undefined ? dataDir : `the books in ${redacted(database)}`}`,
  );
  if (database !== undefined) say(`  Data:  ${dataDir} (this instance's own files)`);
  say(`  API:   ${apiUrl}`);
  say(`  UI:    ${uiUrl}`);
  say(
    accounts
      ? "  Token: each operator's own (operator accounts are in use; the API token is refused)"
      : `  Token: ${tokenFile ?? `from $${TOKEN_ENV}`} (send it as Authorization: Bearer <token>)`,
  );
  say(
    `  Gateway: ${gatewayService === undefined ? 'the mock gateway in this process' : `the gateway service at ${gatewayService.url}`}`,
  );
  say('Press Ctrl+C to stop.');
  const ready = { url: server.url, apiUrl, uiUrl, tokenFile, dataDir };
  say(`${READY_PREFIX}${JSON.stringify(ready)}`);
}

/** A database URL without its password, to print. */
function redacted(url: string): string {
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  return parsed.toString();
}

// Run when executed directly (node out/main/server.js); scripts/serve.mjs imports and calls main.
const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    complain(messageOf(error));
    exitSoon(1);
  });
}
