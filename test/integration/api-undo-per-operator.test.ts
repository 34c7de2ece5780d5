/**
 * Undo is per operator, over HTTP: `history/undo` without an entry undoes the caller's own
 * last command, not a colleague's newer one; each operator sees and works their own undo and
 * redo stacks (a new command clears only its operator's redo), the audit log shows everyone;
 * and an undo of what a colleague has changed since (refunded, paused) is refused naming
 * them and when, changing nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API, send, startApi, TEST_TOKEN, type TestApi } from './helpers/api-server';

let api: TestApi;
beforeEach(async () => {
  api = await startApi();
});
afterEach(() => api.dispose());

const as = (token: string) => ({
  get: (path: string) => send(api.url, API + path, {}, token),
  post: (path: string, body: unknown = {}) =>
    send(api.url, API + path, { method: 'POST', body }, token),
});
type As = ReturnType<typeof as>;

/** Olga (admin, added by the desk: the API token is then refused), Otto and Oona (operators). */
async function team(): Promise<{ olga: As; otto: As; oona: As }> {
  const desk = as(TEST_TOKEN);
  const add = async (by: As, name: string, role: string) => {
    const made = await by.post('operators', { name, role });
    expect(made.status).toBe(201);
    return as(made.json.token as string);
  };
  const olga = await add(desk, 'Olga', 'admin');
  expect((await desk.get('payments')).status).toBe(401);
  return {
    olga,
    otto: await add(olga, 'Otto', 'operator'),
    oona: await add(olga, 'Oona', 'operator'),
  };
}

/** A charge that succeeds (a declined one goes on no undo stack and clears no redo). */
const charge = async (who: As, email: string, amount = '12.50') => {
  const paid = await who.post('payments/process', {
    amount,
    currency: 'USD',
    customer_email: email,
    payment_method: 'pm_card_visa',
  });
  expect(paid.status).toBe(201);
  expect(paid.json.status).toBe('COMPLETED');
  return paid.json as { id: string; status: string };
};
const statusOf = async (who: As, id: string) =>
  ((await who.get(`payments/${id}`)).json as { status: string }).status;
const labels = (entries: Array<{ label: string }>) => entries.map((e) => e.label);

describe('each operator undoes their own', () => {
  it('undo takes my last command, not a colleague’s newer one; the stacks are mine', async () => {
    const { olga, otto, oona } = await team();
    const mine = await charge(otto, 'ann@example.com');
    const theirs = await charge(oona, 'bo@example.com');

    const undone = await otto.post('history/undo');
    expect(undone.status).toBe(200);
    expect(await statusOf(olga, mine.id)).toBe('REFUNDED');
    expect(await statusOf(olga, theirs.id)).toBe('COMPLETED');
    expect(labels(undone.json.undo)).toEqual([]);
    expect(labels(undone.json.redo)).toEqual(['Charge $12.50 to ann@example.com']);

    const oonas = (await oona.get('history')).json;
    expect(labels(oonas.undo)).toEqual(['Charge $12.50 to bo@example.com']);
    expect(oonas.redo).toEqual([]);
    expect(oonas.next_undo).toBe('Charge $12.50 to bo@example.com');

    // Oona's new command clears her redo, not Otto's.
    await oona.post('history/undo');
    await charge(oona, 'cy@example.com', '3.00');
    expect((await oona.get('history')).json.redo).toEqual([]);
    const redone = await otto.post('history/redo');
    expect(redone.status).toBe(200);
    expect(labels(redone.json.undo)).toEqual(['Charge $12.50 to ann@example.com']);
    expect(redone.json.undo[0].operator).toMatchObject({ name: 'Otto' });

    // An entry of another operator is not on my stack.
    const oonasEntry = (await oona.get('history')).json.undo[0].id as string;
    const notMine = await otto.post('history/undo', { to_id: oonasEntry });
    expect(notMine.status).toBe(404);

    // The audit log shows everyone's.
    const audit = (await olga.get('audit?ordering=at')).json.results as Array<{
      action: string;
      kind: string;
      operator: { name: string } | null;
    }>;
    expect(
      audit
        .filter((e) => e.kind === 'ProcessPayment')
        .map((e) => `${e.action} ${e.operator?.name ?? '-'}`),
    ).toEqual([
      'execute Otto',
      'execute Oona',
      'undo Otto',
      'undo Oona',
      'execute Oona',
      'redo Otto',
    ]);
  });

  it('refuses to undo a charge a colleague has refunded since, naming them and when', async () => {
    const { olga, otto, oona } = await team();
    const mine = await charge(otto, 'ann@example.com');
    const refunded = await oona.post(`payments/${mine.id}/refund`, { amount: '1.00' });
    expect(refunded.status).toBe(200);

    const refused = await otto.post('history/undo');
    expect(refused.status).toBe(409);
    expect(refused.json.error.message).toMatch(
      new RegExp(
        `^Cannot undo "Charge \\$12\\.50 to ann@example\\.com": Oona changed payment ${mine.id} since ` +
          `\\("Refund \\$1\\.00 to ann@example\\.com", \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC\\)\\. Nothing was changed\\.$`,
      ),
    );
    const after = (await olga.get(`payments/${mine.id}`)).json;
    expect(after).toMatchObject({ status: 'PARTIALLY_REFUNDED', refunded_amount: '1.00' });
    expect(labels((await otto.get('history')).json.undo)).toEqual([
      'Charge $12.50 to ann@example.com',
    ]);
  });

  it('refuses to undo a subscription a colleague has paused since', async () => {
    const { otto, oona } = await team();
    const made = await otto.post('subscriptions', {
      customer_email: 'ann@example.com',
      amount: '9.00',
      currency: 'USD',
      interval: 'MONTHLY',
    });
    expect(made.status).toBe(201);
    const id = made.json.id as string;
    expect((await oona.post(`subscriptions/${id}/pause`)).status).toBe(200);
    const refused = await otto.post('history/undo');
    expect(refused.status).toBe(409);
    expect(refused.json.error.message).toMatch(`Oona changed subscription ${id} since`);
    expect(((await otto.get(`subscriptions/${id}`)).json as { status: string }).status).toBe(
      'PAUSED',
    );
  });
});
