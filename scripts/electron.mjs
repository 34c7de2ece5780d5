#!/usr/bin/env node
/**
 * `npm start` and `npm run dev`: makes sure the Electron binary is installed, then runs
 * electron-vite (`preview`: build, then open the app; `dev`: dev server and the app).
 *
 * Why: electron 45 installs no binary at `npm ci`; its index.js downloads it the first time
 * `electron` is required. electron-vite never requires it: it reads node_modules/electron/path.txt
 * and throws a bare "Electron uninstall" when that file is missing. So when path.txt or the binary
 * it names is missing, this script runs electron's own installer, node_modules/electron/install.js
 * (what index.js runs: @electron/get's downloadArtifact checked against electron's checksums.json,
 * unzipped into dist/, then path.txt), with the environment it was given, so ELECTRON_MIRROR,
 * electron_config_cache and electron's other variables apply. When that fails it prints one
 * paragraph (what failed, `npm run serve`, the variables) and exits 1.
 *
 * `main` takes the installer and the electron-vite runner as parameters:
 * test/integration/electron-start.test.ts runs it with stubs (no network, no Electron).
 *
 * Usage: node scripts/electron.mjs <preview|dev> [electron-vite options]
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const COMMANDS = ['preview', 'dev'];
const WIDTH = 100;

/** The electron package's directory, or null when it is not installed. */
export function findElectronDir() {
  try {
    return dirname(require.resolve('electron/package.json'));
  } catch {
    return null;
  }
}

/**
 * The binary electron-vite will run (dist/ + the contents of path.txt, as electron's index.js and
 * electron-vite compute it), or null when path.txt or that file is missing.
 */
export function installedBinary(electronDir) {
  const pathFile = join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const relative = readFileSync(pathFile, 'utf8');
  if (relative === '') return null;
  const binary = join(electronDir, 'dist', relative);
  return existsSync(binary) ? binary : null;
}

/**
 * Where @electron/get keeps its downloads: electron_config_cache, else env-paths' cache
 * directory for "electron" (the directory it is looked up in before any download).
 */
export function electronCacheDir(env = process.env, platform = process.platform, home = homedir()) {
  if (env.electron_config_cache) return env.electron_config_cache;
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'electron');
  if (platform === 'win32') {
    return join(env.LOCALAPPDATA || join(home, 'AppData', 'Local'), 'electron', 'Cache');
  }
  return join(env.XDG_CACHE_HOME || join(home, '.cache'), 'electron');
}

/**
 * The installer's stderr (its error's stack, and @electron/get's debug lines, which name the URL)
 * reduced to the error's message and the URL it was downloading.
 */
export function readInstallerOutput(stderr) {
  let url;
  const message = [];
  for (const line of stderr.split(/\r?\n/)) {
    const debug = /^\d{4}-\d\d-\d\dT\S+Z \S+ (.*)$/.exec(line);
    if (debug) {
      url = /^Downloading (\S+) to /.exec(debug[1])?.[1] ?? url;
    } else if (line.trim() !== '' && !/^\s+at |^\(node:\d+\)|^\(Use `node --trace/.test(line)) {
      message.push(line.trim());
    }
  }
  return { reason: message.join(' ') || undefined, url };
}

/**
 * Runs electron's own installer (install.js in the electron package) as electron's index.js does,
 * with stderr captured so that a failure becomes a sentence instead of a stack trace. Resolves
 * to { ok: true } or { ok: false, reason, url }.
 */
export function runElectronInstaller(electronDir, env = process.env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(electronDir, 'install.js')], {
      // @electron/get's debug output names the URL it downloads; it is read back, not shown.
      env: { ...env, DEBUG: [env.DEBUG, '@electron/get:index'].filter(Boolean).join(',') },
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', (error) => resolve({ ok: false, reason: error.message }));
    child.on('close', (code, signal) => {
      if (code === 0) return resolve({ ok: true });
      const { reason, url } = readInstallerOutput(stderr);
      resolve({ ok: false, reason: reason ?? `it exited with ${code ?? signal}`, url });
    });
  });
}

/**
 * Runs electron-vite's CLI with `command` and `args`; resolves to its exit code. SIGINT and
 * SIGTERM are passed on (as electron's own cli.js does) so that electron-vite closes Electron.
 */
export function runElectronVite(command, args, env = process.env) {
  let bin;
  try {
    const manifest = require.resolve('electron-vite/package.json');
    bin = join(dirname(manifest), JSON.parse(readFileSync(manifest, 'utf8')).bin['electron-vite']);
  } catch {
    process.stderr.write('paydesk: electron-vite is not installed; run `npm ci` first.\n');
    return Promise.resolve(1);
  }
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, command, ...args], { stdio: 'inherit', env });
    const forward = (signal) => child.kill(signal);
    const signals = ['SIGINT', 'SIGTERM'];
    for (const signal of signals) process.on(signal, forward);
    const done = (code) => {
      for (const signal of signals) process.off(signal, forward);
      resolve(code);
    };
    child.on('error', (error) => {
      process.stderr.write(`paydesk: could not run electron-vite: ${error.message}\n`);
      done(1);
    });
    child.on('close', (code) => done(code ?? 1));
  });
}

/**
 * Words joined into lines of at most `width` characters (a longer word gets its own line); a
 * `command` in backquotes is one word, so that it can be copied from the terminal.
 */
export function wrap(text, width = WIDTH) {
  const lines = [];
  let line = '';
  for (const word of text.match(/\S*`[^`]*`\S*|\S+/g) ?? []) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines.join('\n');
}

/** The one paragraph printed when the desktop app cannot start: `problem`, then what to do. */
export function failureParagraph(problem, env = process.env) {
  return wrap(
    `paydesk: the desktop app cannot start: ${problem} ` +
      '`npm run serve` runs the same app (the same core, data and UI) in a browser, with no ' +
      'Electron. To download Electron through a mirror, set ELECTRON_MIRROR (for example ' +
      'ELECTRON_MIRROR=https://npmmirror.com/mirrors/electron/); to install it from a copy of ' +
      'the Electron download cache of a machine that has downloaded it, point electron_config_cache ' +
      `at that copy (the cache here: ${electronCacheDir(env)}). Then run the command again.`,
  );
}

/**
 * `node scripts/electron.mjs <preview|dev> [args]`: resolves to the exit code. `deps` replaces
 * the environment, the output streams, the electron package's directory, the installer and the
 * electron-vite runner.
 */
export async function main(argv, deps = {}) {
  const env = deps.env ?? process.env;
  const stdout = deps.stdout ?? process.stdout;
  const stderr = deps.stderr ?? process.stderr;
  const install = deps.install ?? runElectronInstaller;
  const launch = deps.launch ?? runElectronVite;
  const [command, ...args] = argv;
  if (!COMMANDS.includes(command)) {
    stderr.write('usage: node scripts/electron.mjs <preview|dev> [electron-vite options]\n');
    return 2;
  }
  const fail = (problem) => {
    stderr.write(`${failureParagraph(problem, env)}\n`);
    return 1;
  };

  // electron-vite runs ELECTRON_EXEC_PATH, when set, instead of the electron package's binary.
  if (env.ELECTRON_EXEC_PATH) {
    if (!existsSync(env.ELECTRON_EXEC_PATH)) {
      return fail(`ELECTRON_EXEC_PATH names ${env.ELECTRON_EXEC_PATH}, which does not exist.`);
    }
    return launch(command, args, env);
  }

  const electronDir = deps.electronDir !== undefined ? deps.electronDir : findElectronDir();
  if (electronDir === null) {
    return fail('the electron package is not installed (`npm ci` installs it).');
  }
  if (installedBinary(electronDir) === null) {
    const { version } = JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8'));
    stdout.write(
      `paydesk: downloading the Electron ${version} binary once, with electron's installer ` +
        '(about 100 MB; this can take a few minutes)...\n',
    );
    const started = Date.now();
    const result = await install(electronDir, env);
    if (!result.ok) {
      const from = result.url && !result.reason?.includes(result.url) ? ` from ${result.url}` : '';
      return fail(
        `the Electron ${version} binary is not installed (electron 45 downloads it on first use, ` +
          `not at \`npm ci\`), and electron's installer could not download it${from}: ` +
          `${(result.reason ?? 'no reason given').replace(/\.$/, '')}.`,
      );
    }
    if (installedBinary(electronDir) === null) {
      return fail(
        `electron's installer finished, but ${join(electronDir, 'path.txt')} or the binary it ` +
          'names is still missing.',
      );
    }
    stdout.write(
      `paydesk: Electron ${version} installed (${Math.round((Date.now() - started) / 1000)} s).\n`,
    );
  }
  return launch(command, args, env);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
