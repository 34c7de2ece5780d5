/** What the gateway's tests (the in-process mock's and the service's) ask of a Gateway. */
import { expect } from 'vitest';
import {
  GatewayError,
  type ChargeRequest,
  type Gateway,
  type GatewayErrorCode,
} from '../../src/main/core/ports';

/** A valid charge under `idempotencyKey`, changed by `overrides`. */
export function chargeRequest(
  overrides: Partial<ChargeRequest> = {},
  idempotencyKey = 'key-1',
): ChargeRequest {
  return {
    idempotencyKey,
    amount: 2500,
    currency: 'USD',
    customerEmail: 'ada@example.com',
    paymentMethod: 'pm_card_visa',
    description: 'Order 1',
    ...overrides,
  };
}

/** The GatewayError a call rejects with (fails the test otherwise). */
export async function gatewayError(call: Promise<unknown>): Promise<GatewayError> {
  const error: unknown = await call.then(
    () => new Error('expected the call to reject'),
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(GatewayError);
  return error as GatewayError;
}

export async function expectCode(call: Promise<unknown>, code: GatewayErrorCode): Promise<void> {
  expect((await gatewayError(call)).code).toBe(code);
}

/** The gateway's methods bound to it, to spread into a wrapper. */
export function bound(gateway: Gateway): Gateway {
  return {
    charge: (r) => gateway.charge(r),
    refund: (r) => gateway.refund(r),
    lookup: (k) => gateway.lookup(k),
    lookupRefund: (k) => gateway.lookupRefund(k),
    records: (a, l) => gateway.records(a, l),
    findCharge: (t) => gateway.findCharge(t),
    close: () => gateway.close(),
  };
}
