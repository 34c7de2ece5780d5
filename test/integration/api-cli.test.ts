/**
 * `npm run serve` as users run it: the option parsing and defaults, the token file, and the
 * real CLI (node scripts/serve.mjs, built first if needed) spawned as a process: its start-up
 * lines, the token file's mode, the data directory's lock, bad options (exit 2) and a clean
 * stop on SIGTERM and SIGINT (exit 0).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenError, bearerMatches, hostCheck, loadOrCreateToken } from '../../src/server/auth';
import { coreOptionsOf, parseCli } from '../../src/server/cli-options';
import { defaultDataDir } from '../../src/server/data-dir';
import { send } from './helpers/api-server';

const ROOT = resolve(__dirname, '../..');
const posix = process.platform !== 'win32';
const temps: string[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'paydesk-cli-'));
  temps.push(dir);
  return dir;
};
afterAll(async () => {
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
});

describe('options', () => {
  it('has the documented defaults', () => {
    const parsed = parseCli([], { XDG_CONFIG_HOME: '/cfg' });
    expect(parsed).toEqual({
      ok: true,
      value: {
        kind: 'serve',
        options: {
          port: 8000,
          host: '127.0.0.1',
          allowRemote: false,
          dataDir: process.platform === 'linux' ? '/cfg/paydesk' : defaultDataDir(),
          clock: 'system',
        },
      },
    });
  });

  it('reads every option', () => {
    const parsed = parseCli([
      '--port=0',
      '--host',
      '::1',
      '--data-dir',
      'rel/dir',
      '--clock',
      'test',
      '--gateway-success-rate',
      '0.25',
      '--gateway-latency-ms',
      '0',
      '--seed',
      '12',
      '--scheduler-interval-s',
      '5',
      '--no-scheduler',
    ]);
    expect(parsed).toEqual({
      ok: true,
      value: {
        kind: 'serve',
        options: {
          port: 0,
          host: '::1',
          allowRemote: false,
          dataDir: resolve('rel/dir'),
          clock: 'test',
          gatewaySuccessRate: 0.25,
          gatewayLatencyMs: 0,
          seed: 12,
          schedulerIntervalSeconds: 5,
          scheduler: false,
        },
      },
    });
    expect(parseCli(['--help'])).toEqual({ ok: true, value: { kind: 'help' } });
    expect(parseCli(['--host', '0.0.0.0', '--allow-remote']).ok).toBe(true);
  });

  it('takes the gateway service from --gateway-url or $PAYDESK_GATEWAY_URL, with its token', () => {
    const service = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
      const parsed = parseCli(argv, env);
      return parsed.ok && parsed.value.kind === 'serve'
        ? parsed.value.options.gatewayService
        : parsed;
    };
    const token = 'a-gateway-token-of-enough-length';
    expect(service(['--gateway-url', 'http://127.0.0.1:8100'])).toEqual({
      url: 'http://127.0.0.1:8100',
      token: null,
    });
    const env = { PAYDESK_GATEWAY_URL: 'https://gw.example:8100', PAYDESK_GATEWAY_TOKEN: token };
    expect(service([], env)).toEqual({ url: 'https://gw.example:8100', token });
    expect(
      service(['--gateway-url', 'http://other:1', '--gateway-token', `${token}2`], env),
    ).toEqual({ url: 'http://other:1', token: `${token}2` });
    // A token alone in the environment may be the service's own (one shell for both).
    expect(service([], { PAYDESK_GATEWAY_TOKEN: token })).toBeUndefined();
    expect(service([], { PAYDESK_GATEWAY_URL: 'nope' })).toMatchObject({
      ok: false,
      message: expect.stringContaining('$PAYDESK_GATEWAY_URL'),
    });
  });

  it('takes the database from --database or $PAYDESK_DATABASE_URL, beside a shared gateway', () => {
    const database = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
      const parsed = parseCli(['--gateway-url', 'http://gw:8100', ...argv], env);
      return parsed.ok && parsed.value.kind === 'serve' ? parsed.value.options.database : parsed;
    };
    const url = 'postgres://paydesk@db.example:5432/books';
    expect(database(['--database', url])).toBe(url);
    expect(database([], { PAYDESK_DATABASE_URL: url })).toBe(url);
    expect(database(['--database', `${url}2`], { PAYDESK_DATABASE_URL: url })).toBe(`${url}2`);
    expect(database([])).toBeUndefined();
    const core = parseCli(['--gateway-url', 'http://gw:8100', '--database', url]);
    expect(
      core.ok && core.value.kind === 'serve' && coreOptionsOf(core.value.options, () => {}),
    ).toMatchObject({ database: url });
  });

  it('names the option that is wrong', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--port', 'abc'], /--port/],
      [['--port', '70000'], /--port/],
      [['--port', '-1'], /--port/],
      [['--clock', 'fast'], /--clock/],
      [['--gateway-success-rate', '1.5'], /--gateway-success-rate/],
      [['--gateway-success-rate', 'half'], /--gateway-success-rate/],
      [['--gateway-latency-ms', '2.5'], /--gateway-latency-ms/],
      [['--seed', 'x'], /--seed/],
      [['--scheduler-interval-s', '0'], /--scheduler-interval-s/],
      [['--data-dir', ''], /--data-dir/],
      [['--bogus'], /--bogus/],
      [['--port'], /--port/],
      [['extra'], /extra/],
      [['--host', '0.0.0.0'], /--host 0\.0\.0\.0.*--allow-remote/],
      [['--host', '192.168.1.5'], /--allow-remote/],
      [['--gateway-url', 'ftp://gw'], /--gateway-url must be an http/],
      [['--gateway-url', 'http://gw', '--seed', '1'], /--seed .*gateway service/],
      [['--gateway-url', 'http://gw', '--gateway-latency-ms', '0'], /--gateway-latency-ms/],
      [['--gateway-token', 'a'.repeat(20)], /--gateway-url/],
      [['--gateway-url', 'http://gw', '--gateway-token', 'short'], /--gateway-token/],
      [
        ['--database', 'mysql://db/x', '--gateway-url', 'http://gw'],
        /--database must be a postgres/,
      ],
      [['--database', 'postgres://db/x'], /--database: .*--gateway-url/],
      [
        ['--database', 'postgres://db/x', '--gateway-url', 'http://gw', '--daily-backups'],
        /--daily-backups .*pg_dump/,
      ],
      [
        ['--database', 'postgres://db/x', '--gateway-url', 'http://gw', '--restore', '/b'],
        /--restore .*pg_dump/,
      ],
    ];
    for (const [argv, message] of cases) {
      const parsed = parseCli(argv);
      expect(parsed.ok, argv.join(' ')).toBe(false);
      if (!parsed.ok) expect(parsed.message, argv.join(' ')).toMatch(message);
    }
  });

  it("defaults to the desktop app's data directory on each platform", () => {
    expect(defaultDataDir('linux', {}, '/home/ann')).toBe('/home/ann/.config/paydesk');
    expect(defaultDataDir('linux', { XDG_CONFIG_HOME: '/x/cfg' }, '/home/ann')).toBe(
      '/x/cfg/paydesk',
    );
    expect(defaultDataDir('darwin', {}, '/Users/ann')).toBe(
      '/Users/ann/Library/Application Support/paydesk',
    );
    expect(
      defaultDataDir('win32', { APPDATA: 'C:\\Users\\ann\\AppData\\Roaming' }, 'C:\\Users\\ann'),
    ).toBe('C:\\Users\\ann\\AppData\\Roaming\\paydesk');
  });
});

describe('the token', () => {
  it('is generated once with mode 0600, then re-used', async () => {
    const dir = await tempDir();
    const first = await loadOrCreateToken(join(dir, 'data'), {});
    expect(first.created).toBe(true);
    expect(first.file).toBe(join(dir, 'data', 'api-token'));
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    if (posix) expect((await stat(first.file ?? '')).mode & 0o777).toBe(0o600);
    const second = await loadOrCreateToken(join(dir, 'data'), {});
    expect(second).toEqual({ ...first, created: false });
  });

  it('tightens a token file readable by others', async () => {
    const dir = await tempDir();
    const { file } = await loadOrCreateToken(dir, {});
    if (!posix || file === null) return;
    await chmod(file, 0o644);
    const warnings: string[] = [];
    await loadOrCreateToken(dir, {}, (w) => warnings.push(w));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(warnings).toHaveLength(1);
  });

  it('comes from PAYDESK_API_TOKEN when set, which must be a usable token', async () => {
    const dir = await tempDir();
    const env = { PAYDESK_API_TOKEN: 'a-token-from-the-environment' };
    expect(await loadOrCreateToken(dir, env)).toEqual({
      token: env.PAYDESK_API_TOKEN,
      file: null,
      created: false,
    });
    expect(existsSync(join(dir, 'api-token'))).toBe(false);
    for (const bad of ['', 'short', 'has spaces in the token here', 'x'.repeat(600)]) {
      await expect(loadOrCreateToken(dir, { PAYDESK_API_TOKEN: bad })).rejects.toBeInstanceOf(
        TokenError,
      );
    }
  });

  it('refuses a token file that holds no usable token', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'api-token'), '\n', { mode: 0o600 });
    await expect(loadOrCreateToken(dir, {})).rejects.toThrow(/api-token/);
  });

  it('matches only "Bearer <token>"', () => {
    const token = 'abcdefghijklmnop';
    expect(bearerMatches(`Bearer ${token}`, token)).toBe(true);
    expect(bearerMatches(`bearer  ${token}`, token)).toBe(true);
    for (const header of [
      undefined,
      '',
      token,
      `Bearer ${token}x`,
      `Bearer ${token.slice(1)}`,
      `Basic ${token}`,
    ]) {
      expect(bearerMatches(header, token), String(header)).toBe(false);
    }
  });

  it('checks the Host against the bound address', () => {
    const loop = hostCheck('127.0.0.1', 8000);
    expect(['127.0.0.1:8000', 'localhost:8000'].map(loop)).toEqual([true, true]);
    expect(['127.0.0.1:8001', 'evil:8000', '127.0.0.1', undefined, ''].map(loop)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    const v6 = hostCheck('::1', 9000);
    expect(['[::1]:9000', 'localhost:9000', '[::2]:9000'].map(v6)).toEqual([true, true, false]);
    const any = hostCheck('0.0.0.0', 80);
    expect(['paydesk.lan', 'paydesk.lan:80', 'paydesk.lan:81'].map(any)).toEqual([
      true,
      true,
      false,
    ]);
  });
});

// ---------------------------------------------------------------------------------------
// The real CLI

interface Spawned {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exit: Promise<number | null>;
}

function serve(args: string[], env: NodeJS.ProcessEnv = {}): Spawned {
  const { PAYDESK_API_TOKEN: _ignored, ...base } = process.env;
  const child = spawn(process.execPath, ['scripts/serve.mjs', ...args], {
    cwd: ROOT,
    env: { ...base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (err += c));
  const exit = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return { child, out: () => out, err: () => err, exit };
}

interface Ready {
  url: string;
  apiUrl: string;
  uiUrl: string;
  tokenFile: string | null;
  dataDir: string;
}

async function ready(s: Spawned): Promise<Ready> {
  const exited = s.exit.then((code) => {
    throw new Error(`serve exited with ${code}:\n${s.out()}\n${s.err()}`);
  });
  const line = (async () => {
    for (;;) {
      const found = /^PAYDESK_READY (.*)$/m.exec(s.out());
      if (found) return JSON.parse(found[1] ?? '') as Ready;
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return Promise.race([line, exited]);
}

const serveArgs = (dataDir: string) => [
  '--port',
  '0',
  '--data-dir',
  dataDir,
  '--clock',
  'test',
  '--gateway-latency-ms',
  '0',
  '--seed',
  '5',
  '--no-scheduler',
];

describe('npm run serve', () => {
  const running: Spawned[] = [];
  beforeAll(async () => {
    // Builds first when out/ is missing (scripts/serve.mjs does it), then prints the help.
    const help = serve(['--help']);
    expect(await help.exit).toBe(0);
    expect(help.out()).toMatch(/--port/);
    expect(existsSync(join(ROOT, 'out/main/server.js'))).toBe(true);
  }, 300_000);
  afterAll(() => {
    for (const s of running) if (s.child.exitCode === null) s.child.kill('SIGKILL');
  });

  it('starts, prints its URLs and token file, serves, refuses a second server on the dir, stops on SIGTERM', async () => {
    const dataDir = join(await tempDir(), 'data');
    const first = serve(serveArgs(dataDir));
    running.push(first);
    const info = await ready(first);
    expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.apiUrl).toBe(`${info.url}/command/api/`);
    expect(info.tokenFile).toBe(join(dataDir, 'api-token'));
    const token = (await readFile(info.tokenFile ?? '', 'utf8')).trim();
    if (posix) expect((await stat(info.tokenFile ?? '')).mode & 0o777).toBe(0o600);
    expect(info.uiUrl).toBe(`${info.url}/?token=${encodeURIComponent(token)}`);
    expect(first.out()).toContain(info.apiUrl);
    expect(first.out()).toContain(info.uiUrl);
    expect(first.out()).toContain(info.tokenFile);

    expect((await send(info.url, '/command/api/health/', { noAuth: true })).json).toMatchObject({
      status: 'ok',
    });
    expect((await send(info.url, '/command/api/payments/', { noAuth: true })).status).toBe(401);
    const paid = await send(
      info.url,
      '/command/api/payments/process/',
      { body: { amount: '99.99', currency: 'USD', customer_email: 'customer@example.com' } },
      token,
    );
    expect(paid.status).toBe(201);
    const page = await send(info.url, '/', { noAuth: true });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);

    // The data directory is locked: a second server (or the desktop app) cannot open it.
    const second = serve(serveArgs(dataDir));
    running.push(second);
    expect(await second.exit).toBe(1);
    expect(second.err()).toContain(
      `paydesk: cannot open the data directory ${dataDir}: another Paydesk process ` +
        `(pid ${first.child.pid}) is using ${dataDir}; close it first`,
    );
    expect(second.out()).not.toContain('PAYDESK_READY');

    first.child.kill('SIGTERM');
    expect(await first.exit).toBe(0);
    expect(first.out()).toMatch(/Stopped/);

    // A restart re-uses the token and finds the payment; Ctrl+C (SIGINT) stops it as well.
    const again = serve(serveArgs(dataDir));
    running.push(again);
    const info2 = await ready(again);
    expect(info2.uiUrl).toContain(encodeURIComponent(token));
    const list = await send(info2.url, '/command/api/payments/', {}, token);
    expect(list.json.count).toBe(1);
    again.child.kill('SIGINT');
    expect(await again.exit).toBe(0);
  });

  it('takes the token from PAYDESK_API_TOKEN and writes no token file', async () => {
    const dataDir = join(await tempDir(), 'data');
    const s = serve(serveArgs(dataDir), { PAYDESK_API_TOKEN: 'env-token-0123456789' });
    running.push(s);
    const info = await ready(s);
    expect(info.tokenFile).toBeNull();
    expect(existsSync(join(dataDir, 'api-token'))).toBe(false);
    expect(
      (await send(info.url, '/command/api/payments/', {}, 'env-token-0123456789')).status,
    ).toBe(200);
    s.child.kill('SIGTERM');
    expect(await s.exit).toBe(0);
  });

  it('exits 2 naming the option for bad options, touching nothing', async () => {
    const dataDir = join(await tempDir(), 'never');
    const cases: Array<[string[], RegExp]> = [
      [['--port', 'eighty'], /--port/],
      [['--clock', 'sundial'], /--clock/],
      [['--frobnicate'], /--frobnicate/],
      [['--host', '0.0.0.0'], /--allow-remote/],
    ];
    await Promise.all(
      cases.map(async ([args, message]) => {
        const s = serve([...args, '--data-dir', dataDir]);
        running.push(s);
        expect(await s.exit, args.join(' ')).toBe(2);
        expect(s.err(), args.join(' ')).toMatch(message);
      }),
    );
    const badToken = serve(['--data-dir', dataDir, '--port', '0'], { PAYDESK_API_TOKEN: 'short' });
    running.push(badToken);
    expect(await badToken.exit).toBe(2);
    expect(badToken.err()).toMatch(/PAYDESK_API_TOKEN/);
    expect(existsSync(dataDir)).toBe(false);
  });
});
