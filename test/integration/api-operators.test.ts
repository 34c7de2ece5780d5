/**
 * Operator accounts over HTTP: the first admin made by `serve --create-admin` (its token
 * printed once, only its hash stored), admins adding and revoking operators, each role's
 * limits (a viewer's payment is 403 and changes nothing), revoked tokens refused, the API
 * token refused once an admin exists, and audit and history entries naming their operator.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN_PREFIX } from '../../src/server/cli';
import { API, makeDataDir, send, startApi, TEST_TOKEN, type TestApi } from './helpers/api-server';

const ROOT = resolve(__dirname, '../..');
const running: TestApi[] = [];
afterEach(async () => {
  // Newest first: a later server may be open on an earlier one's data directory.
  for (const api of running.splice(0).reverse()) await api.dispose();
});

async function start(dataDir?: string): Promise<TestApi> {
  const api = await startApi(dataDir === undefined ? {} : { dataDir });
  running.push(api);
  return api;
}

/** `serve --create-admin NAME` on `dataDir`, run as a process: its exit code and output. */
function createAdmin(
  dataDir: string,
  name: string,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/server/cli.ts',
        '--data-dir',
        dataDir,
        '--clock',
        'test',
        '--gateway-latency-ms',
        '0',
        '--create-admin',
        name,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', fail);
    child.on('exit', (code) => done({ code, out, err }));
  });
}

/** Every file under `dir`, as bytes in one text (to look for a secret in any of them). */
async function everyFile(dir: string): Promise<string> {
  let text = '';
  for (const entry of await readdir(dir, { recursive: true })) {
    const path = join(dir, entry);
    if ((await stat(path)).isFile()) text += (await readFile(path)).toString('latin1');
  }
  return text;
}

const as = (api: TestApi, token: string) => ({
  get: (path: string) => send(api.url, API + path, {}, token),
  post: (path: string, body: unknown = {}) =>
    send(api.url, API + path, { method: 'POST', body }, token),
  rpc: (operation: string, body: unknown = {}) =>
    send(api.url, `/rpc/${operation}`, { method: 'POST', body }, token),
});

/** A charge that succeeds: a declined one would go on no undo stack. */
const PAYMENT = {
  amount: '12.50',
  currency: 'USD',
  customer_email: 'ann@example.com',
  payment_method: 'pm_card_visa',
};

/** A server whose data has an admin made by --create-admin; the admin's token. */
async function withAdmin(): Promise<{ api: TestApi; admin: string; out: string }> {
  const dataDir = await makeDataDir();
  const made = await createAdmin(dataDir, 'Olga');
  expect(made.err).toBe('');
  expect(made.code).toBe(0);
  const line = made.out.split('\n').find((l) => l.startsWith(ADMIN_TOKEN_PREFIX));
  const admin = line?.slice(ADMIN_TOKEN_PREFIX.length) ?? '';
  expect(admin).toMatch(/^pdo_[A-Za-z0-9_-]{43}$/);
  return { api: await start(dataDir), admin, out: made.out };
}

describe('the first admin, from the command line', () => {
  it('prints its token once and stores only its SHA-256; the API token is then refused', async () => {
    const { api, admin, out } = await withAdmin();
    expect(out.split(admin)).toHaveLength(2);
    await api.stop();
    const files = await everyFile(api.dataDir);
    expect(files).not.toContain(admin);
    expect(files).toContain(createHash('sha256').update(admin).digest('hex'));

    const again = await start(api.dataDir);
    const refused = await again.get('payments');
    expect(refused.status).toBe(401);
    expect(refused.json.error.message).toMatch(/API token is refused/);
    const me = await as(again, admin).get('operators/me');
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({ operator: { name: 'Olga', role: 'admin' }, accounts: true });
    expect(me.json.operator).not.toHaveProperty('token_hash');
  });

  it('keeps no token in a request’s record: a replay of the key answers the account without it', async () => {
    const { api, admin } = await withAdmin();
    const add = () =>
      send(
        api.url,
        API + 'operators',
        {
          method: 'POST',
          body: { name: 'Otto', role: 'operator' },
          headers: { 'idempotency-key': 'add-otto-1' },
        },
        admin,
      );
    const first = await add();
    expect(first.status).toBe(201);
    const token = first.json.token as string;
    const replay = await add();
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json).toEqual({ ...first.json, token: null });
    await api.stop();
    expect(await everyFile(api.dataDir)).not.toContain(token);
  });

  it('refuses a second admin of the same name (exit 2) and adds nothing', async () => {
    const dataDir = await makeDataDir();
    expect((await createAdmin(dataDir, 'Olga')).code).toBe(0);
    const second = await createAdmin(dataDir, 'olga');
    expect(second.code).toBe(2);
    expect(second.err).toMatch(/already exists/);
    expect(second.out).not.toContain(ADMIN_TOKEN_PREFIX);
  });
});

describe('roles', () => {
  it('an admin adds an operator and a viewer; each may do what its role allows', async () => {
    const { api, admin } = await withAdmin();
    const olga = as(api, admin);
    const made = await olga.post('operators', { name: 'Otto', role: 'operator' });
    expect(made.status).toBe(201);
    expect(made.json).toMatchObject({ operator: { name: 'Otto', role: 'operator' } });
    const otto = as(api, made.json.token as string);
    const viewerMade = await olga.post('operators', { name: 'Vera', role: 'viewer' });
    const vera = as(api, viewerMade.json.token as string);
    const list = await olga.get('operators');
    expect(list.json.results.map((o: { name: string }) => o.name)).toEqual([
      'Olga',
      'Otto',
      'Vera',
    ]);
    expect(JSON.stringify(list.json)).not.toMatch(/hash|pdo_/);

    // A viewer reads, and changes nothing.
    expect((await vera.get('payments')).status).toBe(200);
    const auditBefore = (await olga.get('audit')).json.count;
    const refused = await vera.post('payments/process', PAYMENT);
    expect(refused.status).toBe(403);
    expect(refused.json.error).toMatchObject({ code: 'forbidden' });
    expect(refused.json.error.message).toMatch(/viewers only read/);
    const rpc = await vera.rpc('payments.process', {
      amount: '1.00',
      currency: 'USD',
      customerEmail: 'bo@example.com',
    });
    expect(rpc.status).toBe(200);
    expect(rpc.json).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect((await vera.post('history/undo')).status).toBe(403);
    expect((await olga.get('payments')).json.count).toBe(0);
    expect((await olga.get('audit')).json.count).toBe(auditBefore);

    // An operator moves money, and does not manage operators or settings.
    expect((await otto.post('payments/process', PAYMENT)).status).toBe(201);
    expect((await otto.get('operators')).status).toBe(403);
    expect((await otto.post('operators', { name: 'Eve', role: 'admin' })).status).toBe(403);
    expect((await otto.rpc('settings.set', { schedulerEnabled: false })).json).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect((await olga.get('payments')).json.count).toBe(1);
  });

  it('a revoked token is 401; the last admin cannot be revoked', async () => {
    const { api, admin } = await withAdmin();
    const olga = as(api, admin);
    const made = await olga.post('operators', { name: 'Vera', role: 'viewer' });
    const vera = as(api, made.json.token as string);
    expect((await vera.get('payments')).status).toBe(200);
    const revoked = await olga.post(`operators/${made.json.operator.id as string}/revoke`);
    expect(revoked.status).toBe(200);
    expect(revoked.json.revoked_at).toEqual(expect.any(String));
    const after = await vera.get('payments');
    expect(after.status).toBe(401);
    expect(after.json.error.message).toMatch(/Vera was revoked/);
    expect((await vera.rpc('payments.list')).status).toBe(401);
    expect((await send(api.url, '/rpc/events', {}, made.json.token as string)).status).toBe(401);

    const me = (await olga.get('operators/me')).json.operator.id as string;
    const last = await olga.post(`operators/${me}/revoke`);
    expect(last.status).toBe(409);
    expect(last.json.error.message).toMatch(/last admin/);
    expect((await olga.get('payments')).status).toBe(200);
  });

  it('without an admin account the API token is the single desk, as before', async () => {
    const api = await start();
    const desk = as(api, TEST_TOKEN);
    expect((await desk.get('operators/me')).json).toEqual({
      operator: null,
      role: 'admin',
      accounts: false,
    });
    // A viewer's account alone does not lock the desk out.
    const made = await desk.post('operators', { name: 'Vera', role: 'viewer' });
    expect(made.status).toBe(201);
    expect((await desk.post('payments/process', PAYMENT)).status).toBe(201);
    expect(
      (await as(api, made.json.token as string).post('payments/process', PAYMENT)).status,
    ).toBe(403);
    expect(
      (await send(api.url, API + 'payments', {}, 'pdo_not-a-token-of-anyone-0000')).status,
    ).toBe(401);
  });
});

describe('who did what', () => {
  it('names the operator in every audit entry and history entry they caused', async () => {
    const { api, admin } = await withAdmin();
    const olga = as(api, admin);
    const made = await olga.post('operators', { name: 'Otto', role: 'operator' });
    const otto = as(api, made.json.token as string);
    const ottoRef = { id: made.json.operator.id as string, name: 'Otto' };
    const paid = await otto.post('payments/process', PAYMENT);
    expect(paid.status).toBe(201);
    const history = await otto.get('history');
    expect(history.json.undo[0]).toMatchObject({ kind: 'ProcessPayment', operator: ottoRef });

    const audit = (await olga.get('audit?ordering=-at')).json.results as Array<{
      kind: string;
      label: string;
      operator: { id: string; name: string } | null;
    }>;
    const byKind = (kind: string) => audit.filter((e) => e.kind === kind);
    expect(byKind('ProcessPayment')[0]?.operator).toEqual(ottoRef);
    expect(byKind('CreateOperator').map((e) => [e.label, e.operator?.name ?? null])).toEqual([
      ['Add operator Otto', 'Olga'],
      // The first admin was added from the command line: by the desk.
      ['Add admin Olga', null],
    ]);
    const csv = await send(api.url, API + 'audit/export.csv', {}, admin);
    expect(csv.text.split('\r\n')[0]).toContain('"operator"');
    expect(csv.text).toContain('"Otto"');
  });
});
