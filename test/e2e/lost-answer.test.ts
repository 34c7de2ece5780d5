/**
 * End to end: a "Process payment" whose answer is lost on the way back to the browser. The
 * first POST /rpc/payments.process reaches `npm run serve` (which charges), but the page's
 * connection is cut before the answer arrives, so the form shows the error; the operator
 * clicks "Process payment" again. The retry carries the first request's Idempotency-Key, so
 * the server answers with the first charge: the customer is charged once (checked through
 * the REST API). A new submit afterwards is a new intent with a new key.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithoutBrowser } from './helpers/browser';
import { openSession, type Session } from './helpers/session';
import { goTo, seeToast } from './helpers/ui';

const CUSTOMER = 'lost-answer@example.com';
const PROCESS = /\/rpc\/payments\.process$/;

const e2e = describe.skipIf(skipWithoutBrowser());

e2e('a retried "Process payment" after a lost answer', { timeout: 60_000 }, () => {
  let session: Session;
  let page: Page;

  beforeAll(async () => {
    // Every charge succeeds: the test counts charges, not outcomes.
    session = await openSession({ name: 'lost', seed: 1, successRate: 1 });
    page = await session.openPage();
  }, 300_000);

  afterAll(async () => {
    await session?.close();
  });

  /** The customer's payments, from the REST API. */
  const charges = async (): Promise<Array<{ id: string; amount: string; status: string }>> =>
    (await session.api.get(`payments/?customer_email=${encodeURIComponent(CUSTOMER)}`)).results;

  it('charges once: the retry sends the same Idempotency-Key', async () => {
    const keys: Array<string | undefined> = [];
    page.on('request', (request) => {
      if (PROCESS.test(request.url())) keys.push(request.headers()['idempotency-key']);
    });
    // The first request goes through to the server; its answer never reaches the page.
    let firstAnswer: unknown = null;
    await page.route(
      PROCESS,
      async (route) => {
        firstAnswer = await (await route.fetch()).json();
        await route.abort('connectionreset');
      },
      { times: 1 },
    );

    await goTo(page, 'Payments');
    const form = page.getByRole('form', { name: 'New payment' });
    await form.getByLabel('Amount', { exact: true }).fill('7.25');
    await form.getByLabel('Currency', { exact: true }).fill('USD');
    await form.getByLabel('Customer email', { exact: true }).fill(CUSTOMER);
    const submit = form.getByRole('button', { name: 'Process payment' });
    await submit.click();

    await form
      .getByRole('alert')
      .filter({ hasText: /Cannot reach the Paydesk server/ })
      .waitFor();
    expect(firstAnswer).toMatchObject({ ok: true, data: { customerEmail: CUSTOMER } });
    expect(await charges()).toHaveLength(1); // Charged, though the page could not know.

    await submit.click();
    await seeToast(page, `Charged $7.25 to ${CUSTOMER}`);
    await form.getByRole('alert').waitFor({ state: 'detached' });
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^[\x21-\x7e]{1,255}$/);
    expect(keys[1]).toBe(keys[0]);
    const [payment, ...others] = await charges();
    expect(others).toEqual([]);
    expect(payment).toMatchObject({ amount: '7.25', status: 'COMPLETED' });

    // The same values submitted again after the answer: a new payment, with a new key.
    await form.getByLabel('Amount', { exact: true }).fill('7.25');
    await form.getByLabel('Customer email', { exact: true }).fill(CUSTOMER);
    await submit.click();
    await expect.poll(async () => (await charges()).length, { timeout: 20_000 }).toBe(2);
    expect(keys).toHaveLength(3);
    expect(keys[2]).not.toBe(keys[0]);
  });
});
