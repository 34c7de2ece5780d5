/**
 * `npm start` / `npm run dev` (scripts/electron.mjs) on a machine where electron 45 has not yet
 * downloaded its binary. The launcher's own `main` runs with a stub installer and a stub
 * electron-vite: a missing binary is downloaded, then electron-vite runs with the arguments;
 * a failed download is one paragraph (naming `npm run serve`, ELECTRON_MIRROR and
 * electron_config_cache) and exit 1. Then electron's real installer (install.js of the installed
 * electron package, in a temp copy) runs against a mirror on 127.0.0.1: it installs from the
 * mirror and then from electron_config_cache alone, and its failures read as a sentence.
 * Nothing here reaches beyond 127.0.0.1, writes into node_modules or starts Electron.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  electronCacheDir,
  findElectronDir,
  installedBinary,
  main,
  readInstallerOutput,
  runElectronInstaller,
  type Command,
  type Deps,
  type InstallResult,
} from '../../scripts/electron.mjs';

const ROOT = resolve(__dirname, '../..');
const SCRIPT = join(ROOT, 'scripts', 'electron.mjs');
const VERSION = '45.5.0';
const temps: string[] = [];
const tempDir = (prefix = 'paydesk-electron-') => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

/** An electron package as `npm ci` leaves it: package.json, no path.txt, no dist/. */
const bareElectronPackage = () => {
  const dir = join(tempDir(), 'node_modules', 'electron');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'electron', version: VERSION }));
  return dir;
};

/** What electron's installer leaves behind on Linux: dist/electron and path.txt naming it. */
const writeBinary = (electronDir: string) => {
  mkdirSync(join(electronDir, 'dist'), { recursive: true });
  writeFileSync(join(electronDir, 'dist', 'electron'), '#!/bin/sh\n', { mode: 0o755 });
  writeFileSync(join(electronDir, 'path.txt'), 'electron');
};

const STACK = /^\s+at /m;

interface Run {
  code: number;
  out: string;
  err: string;
  installs: string[];
  launches: { command: Command; args: string[] }[];
}

/** `main` with the given electron directory, installer and environment; electron-vite stubbed. */
const run = async (
  argv: string[],
  deps: Omit<Deps, 'stdout' | 'stderr' | 'launch'> & { exitCode?: number },
): Promise<Run> => {
  const result: Run = { code: -1, out: '', err: '', installs: [], launches: [] };
  const install = deps.install;
  result.code = await main(argv, {
    env: {},
    ...deps,
    stdout: { write: (text: string) => (result.out += text) },
    stderr: { write: (text: string) => (result.err += text) },
    install: install
      ? (dir, env) => {
          result.installs.push(dir);
          return install(dir, env);
        }
      : undefined,
    launch: async (command, args) => {
      result.launches.push({ command, args });
      return deps.exitCode ?? 0;
    },
  });
  return result;
};

const paragraphNamesTheWayOut = (text: string) => {
  expect(text).toContain('`npm run serve`');
  expect(text).toContain('ELECTRON_MIRROR');
  expect(text).toContain('electron_config_cache');
  expect(text).not.toMatch(STACK);
  // One paragraph: no blank line inside, lines wrapped at 100 columns.
  expect(text.trimEnd()).not.toMatch(/\n\s*\n/);
  for (const line of text.trimEnd().split('\n')) expect(line.length).toBeLessThanOrEqual(100);
};

describe('the binary check', () => {
  it('wants path.txt and the file it names under dist/', () => {
    const dir = bareElectronPackage();
    expect(installedBinary(dir)).toBeNull();
    writeFileSync(join(dir, 'path.txt'), 'electron');
    expect(installedBinary(dir)).toBeNull();
    writeBinary(dir);
    expect(installedBinary(dir)).toBe(join(dir, 'dist', 'electron'));
    writeFileSync(join(dir, 'path.txt'), '');
    expect(installedBinary(dir)).toBeNull();
  });

  it('finds the installed electron package (whose binary npm ci does not download)', () => {
    const dir = findElectronDir();
    expect(dir).not.toBeNull();
    const manifest = JSON.parse(readFileSync(join(dir!, 'package.json'), 'utf8'));
    expect(manifest.name).toBe('electron');
    expect(existsSync(join(dir!, 'install.js'))).toBe(true);
  });

  it('knows where @electron/get caches downloads', () => {
    expect(electronCacheDir({ electron_config_cache: '/c' }, 'linux', '/h')).toBe('/c');
    expect(electronCacheDir({}, 'linux', '/h')).toBe(join('/h', '.cache', 'electron'));
    expect(electronCacheDir({ XDG_CACHE_HOME: '/x' }, 'linux', '/h')).toBe(join('/x', 'electron'));
    expect(electronCacheDir({}, 'darwin', '/h')).toBe(join('/h', 'Library', 'Caches', 'electron'));
  });
});

describe('npm start and npm run dev go through the launcher', () => {
  it('has both scripts run it', () => {
    const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(scripts.start).toBe('node scripts/electron.mjs preview');
    expect(scripts.dev).toBe('node scripts/electron.mjs dev');
  });
});

describe('binary missing, the download works', () => {
  it('downloads once into the electron package, then runs electron-vite with the arguments', async () => {
    const dir = bareElectronPackage();
    const r = await run(['preview', '--skipBuild', '--logLevel', 'warn'], {
      electronDir: dir,
      install: async (electronDir) => {
        writeBinary(electronDir);
        return { ok: true };
      },
    });
    expect(r.code).toBe(0);
    expect(r.installs).toEqual([dir]);
    expect(r.launches).toEqual([
      { command: 'preview', args: ['--skipBuild', '--logLevel', 'warn'] },
    ]);
    expect(r.out).toContain(`downloading the Electron ${VERSION} binary`);
    expect(r.err).toBe('');
  });

  it('does not download again once the binary is there, and passes on the exit code', async () => {
    const dir = bareElectronPackage();
    writeBinary(dir);
    const r = await run(['dev'], {
      electronDir: dir,
      install: async () => ({ ok: false, reason: 'must not be called' }),
      exitCode: 3,
    });
    expect(r.installs).toEqual([]);
    expect(r.launches).toEqual([{ command: 'dev', args: [] }]);
    expect(r.code).toBe(3);
  });

  it('refuses an installer that says it worked but left no binary', async () => {
    const dir = bareElectronPackage();
    const r = await run(['preview'], { electronDir: dir, install: async () => ({ ok: true }) });
    expect(r.code).toBe(1);
    expect(r.launches).toEqual([]);
    expect(r.err).toContain('path.txt');
    paragraphNamesTheWayOut(r.err);
  });
});

describe('binary missing, the download fails', () => {
  it('prints one paragraph with the cause and the way out, runs nothing, exits 1', async () => {
    const dir = bareElectronPackage();
    const url = `https://github.com/electron/electron/releases/download/v${VERSION}/e.zip`;
    const r = await run(['preview'], {
      electronDir: dir,
      env: { electron_config_cache: '/somewhere/cache' },
      install: async () => ({ ok: false, reason: 'TypeError: fetch failed', url }),
    });
    expect(r.code).toBe(1);
    expect(r.launches).toEqual([]);
    expect(existsSync(join(dir, 'path.txt'))).toBe(false);
    paragraphNamesTheWayOut(r.err);
    const text = r.err.replace(/\s+/g, ' ');
    expect(text).toContain(`the Electron ${VERSION} binary is not installed`);
    expect(text).toContain(`could not download it from ${url}: TypeError: fetch failed.`);
    expect(text).toContain('/somewhere/cache');
  });

  it('says so when the electron package itself is missing', async () => {
    const r = await run(['dev'], { electronDir: null });
    expect(r.code).toBe(1);
    expect(r.err.replace(/\s+/g, ' ')).toContain('the electron package is not installed');
    paragraphNamesTheWayOut(r.err);
  });

  it('uses ELECTRON_EXEC_PATH, as electron-vite does, and checks that it exists', async () => {
    const present = await run(['preview'], {
      electronDir: bareElectronPackage(),
      env: { ELECTRON_EXEC_PATH: process.execPath },
      install: async () => ({ ok: false }),
    });
    expect(present.installs).toEqual([]);
    expect(present.launches).toHaveLength(1);
    const missing = await run(['preview'], { env: { ELECTRON_EXEC_PATH: '/nowhere/electron' } });
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('/nowhere/electron');
    paragraphNamesTheWayOut(missing.err);
  });

  it('rejects anything but preview and dev with a usage line (exit 2)', async () => {
    const r = await run(['build'], {});
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^usage: /);
  });
});

describe('the installer output', () => {
  it('keeps the error message and the URL, drops the stack and the debug lines', () => {
    const url = `http://127.0.0.1:1/v${VERSION}/electron-v${VERSION}-linux-x64.zip`;
    const stderr = [
      `2026-01-01T00:00:00.000Z @electron/get:index Checking the cache (undefined) for x.zip (${url})`,
      '2026-01-01T00:00:00.001Z @electron/get:index Cache miss',
      `2026-01-01T00:00:00.002Z @electron/get:index Downloading ${url} to /tmp/d/x.zip with options: undefined`,
      '(node:12) ExperimentalWarning: something',
      '(Use `node --trace-warnings ...` to show where the warning was created)',
      'TypeError: fetch failed',
      '    at node:internal/deps/undici/undici:14976:13',
      '    at async downloadArtifact (file:///x/@electron/get/dist/index.js:154:12)',
      '',
    ].join('\n');
    expect(readInstallerOutput(stderr)).toEqual({ reason: 'TypeError: fetch failed', url });
    expect(readInstallerOutput('')).toEqual({ reason: undefined, url: undefined });
  });
});

// ---------------------------------------------------------------------------------------------
// electron's real installer, in a temp copy of the electron package, against a local mirror.

/** A zip with one stored (uncompressed) file, made executable, as Electron's zips hold it. */
const zipOf = (name: string, content: Buffer) => {
  const fileName = Buffer.from(name);
  const crc = crc32(content);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(content.length, 18);
  local.writeUInt32LE(content.length, 22);
  local.writeUInt16LE(fileName.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, so the mode below counts
  central.writeUInt16LE(20, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(content.length, 20);
  central.writeUInt32LE(content.length, 24);
  central.writeUInt16LE(fileName.length, 28);
  central.writeUInt32LE((0o100755 << 16) >>> 0, 38);
  const centralAt = local.length + fileName.length + content.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + fileName.length, 12);
  end.writeUInt32LE(centralAt, 16);
  return Buffer.concat([local, fileName, content, central, fileName, end]);
};

const ZIP_NAME = `electron-v${VERSION}-linux-x64.zip`;
const ZIP = zipOf('electron', Buffer.from('#!/bin/sh\necho fake electron\n'));

/**
 * A copy of the installed electron package's own files (install.js, index.js, package.json) in a
 * temp node_modules, its downloader and extractor linked in, and checksums.json naming the fake
 * zip (the real one names the real zips). Returns the copy's directory.
 */
const electronCopy = () => {
  const real = findElectronDir()!;
  const nodeModules = join(tempDir(), 'node_modules');
  const dir = join(nodeModules, 'electron');
  mkdirSync(dir, { recursive: true });
  for (const file of ['package.json', 'install.js', 'index.js']) {
    copyFileSync(join(real, file), join(dir, file));
  }
  const sha = createHash('sha256').update(ZIP).digest('hex');
  writeFileSync(join(dir, 'checksums.json'), JSON.stringify({ [ZIP_NAME]: sha }));
  const requireFromElectron = createRequire(join(real, 'package.json'));
  for (const name of ['@electron/get', '@electron-internal/extract-zip']) {
    const entry = requireFromElectron.resolve(name);
    const root = entry.slice(0, entry.lastIndexOf(name) + name.length);
    mkdirSync(dirname(join(nodeModules, name)), { recursive: true });
    symlinkSync(root, join(nodeModules, name), 'junction');
  }
  return dir;
};

/** The environment without any electron setting of this machine, plus the mirror and cache. */
const installerEnv = (mirror: string, cache: string): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/electron|^debug$/i.test(key)) env[key] = value;
  }
  return {
    ...env,
    ELECTRON_MIRROR: mirror,
    electron_config_cache: cache,
    // The zip above is the Linux x64 one whatever this machine is.
    ELECTRON_INSTALL_PLATFORM: 'linux',
    ELECTRON_INSTALL_ARCH: 'x64',
  };
};

/** A mirror on 127.0.0.1 that answers every request with `answer`; records the paths asked. */
const mirror = async (answer: (path: string) => { status: number; body: Buffer }) => {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const { status, body } = answer(req.url ?? '');
    res.writeHead(status, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const close = () => new Promise<void>((done) => server.close(() => done()));
  return { url, requests, close };
};

describe("electron's own installer (no internet: a mirror on 127.0.0.1)", () => {
  it('installs from ELECTRON_MIRROR, then again from electron_config_cache alone', async () => {
    const dir = electronCopy();
    const cache = tempDir('paydesk-electron-cache-');
    const server = await mirror(() => ({ status: 200, body: ZIP }));
    const env = installerEnv(server.url, cache);
    let result: InstallResult;
    try {
      result = await runElectronInstaller(dir, env);
    } finally {
      await server.close();
    }
    expect(result).toEqual({ ok: true });
    expect(server.requests).toEqual([`/v${VERSION}/${ZIP_NAME}`]);
    expect(readFileSync(join(dir, 'path.txt'), 'utf8')).toBe('electron');
    expect(installedBinary(dir)).toBe(join(dir, 'dist', 'electron'));

    // The mirror is gone; the cache has the zip.
    rmSync(join(dir, 'dist'), { recursive: true });
    rmSync(join(dir, 'path.txt'));
    const r = await run(['preview'], { electronDir: dir, env, install: runElectronInstaller });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.launches).toEqual([{ command: 'preview', args: [] }]);
    expect(installedBinary(dir)).not.toBeNull();
  });

  it('fails on an HTTP error: the paragraph carries its message, no stack', async () => {
    const dir = electronCopy();
    const server = await mirror(() => ({ status: 404, body: Buffer.from('no') }));
    let r: Run;
    try {
      const env = installerEnv(server.url, tempDir('paydesk-electron-cache-'));
      r = await run(['preview'], { electronDir: dir, env, install: runElectronInstaller });
    } finally {
      await server.close();
    }
    expect(r.code).toBe(1);
    expect(r.launches).toEqual([]);
    paragraphNamesTheWayOut(r.err);
    expect(r.err.replace(/\s+/g, ' ')).toContain(
      `Response code 404 (Not Found) for ${server.url}v${VERSION}/${ZIP_NAME}`,
    );
    expect(existsSync(join(dir, 'path.txt'))).toBe(false);
  });

  it('fails with nothing listening (as offline): names the URL it tried', async () => {
    const dir = electronCopy();
    const server = await mirror(() => ({ status: 500, body: Buffer.alloc(0) }));
    await server.close();
    const env = installerEnv(server.url, tempDir('paydesk-electron-cache-'));
    const r = await run(['dev'], { electronDir: dir, env, install: runElectronInstaller });
    expect(r.code).toBe(1);
    paragraphNamesTheWayOut(r.err);
    expect(r.err.replace(/\s+/g, ' ')).toContain(
      `could not download it from ${server.url}v${VERSION}/${ZIP_NAME}: TypeError: fetch failed.`,
    );
  });
});

describe('the script as npm runs it', () => {
  const node = (args: string[], env: NodeJS.ProcessEnv) =>
    spawnSync(process.execPath, [SCRIPT, ...args], { cwd: ROOT, env, encoding: 'utf8' });

  it('exits 2 with a usage line when given no command', () => {
    const r = node([], process.env);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^usage: node scripts\/electron\.mjs <preview\|dev>/);
  });

  it('exits 1 with the paragraph when it cannot start, and no stack trace', () => {
    const r = node(['preview'], { ...process.env, ELECTRON_EXEC_PATH: '/nowhere/electron' });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    paragraphNamesTheWayOut(r.stderr);
  });

  it('runs the real electron-vite with the arguments once a binary is there', () => {
    // electron-vite runs ELECTRON_EXEC_PATH; `--help` prints the usage without building or starting it.
    const r = node(['preview', '--help'], { ...process.env, ELECTRON_EXEC_PATH: process.execPath });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('$ electron-vite preview');
  });
});
