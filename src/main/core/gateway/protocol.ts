/**
 * The gateway's calls as data, declared once: the zod schema of what each Gateway port
 * method takes and answers. The mock validates the requests it is asked with them; the
 * gateway service (src/gateway-service) serves each as `POST /v1/<operation>` and validates
 * its body (400 naming the field); the HTTP adapter (./http-gateway) validates every answer,
 * for a provider's answer is untrusted input too. An answer is `{"data": value}`, a failure
 * `{"error": {code, message, field?}}` as everywhere else in Paydesk.
 */
import { z } from 'zod';
import { currencyExponent } from '../../../shared/money';
import type {
  ChargeRequest,
  ChargeResult,
  GatewayErrorCode,
  GatewayRecord,
  GatewayRecordsPage,
  RefundRequest,
  RefundResult,
} from '../ports';
import { chargeResult } from './ledger-book';

const idempotencyKey = z.string().min(1).max(255);
const amount = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const chargeRequest = z.object({
  idempotencyKey,
  amount,
  currency: z
    .string()
    .refine((code) => currencyExponent(code) !== null, 'must be an ISO-4217 currency code'),
  customerEmail: z.string().min(1),
  paymentMethod: z.string().min(1).nullable(),
  description: z.string().nullable(),
});

export const refundRequest = z.object({
  idempotencyKey,
  transactionId: z.string().min(1),
  amount,
});

const refundResult = z.object({ refundId: z.string().min(1) });

const gatewayRecord = z.discriminatedUnion('type', [
  chargeRequest.extend({ type: z.literal('charge'), result: chargeResult, at: z.iso.datetime() }),
  z.object({
    type: z.literal('refund'),
    idempotencyKey,
    transactionId: z.string().min(1),
    chargeIdempotencyKey: z.string(),
    amount,
    refundId: z.string().min(1),
    at: z.iso.datetime(),
  }),
]);

/** The most records one page may ask for (reconciliation asks for 1,000). */
export const MAX_RECORDS_PAGE = 10_000;

/** What the service says of itself: the mock's behaviour, fixed where it runs. */
const serviceInfo = z.object({
  service: z.literal('paydesk-mock-gateway'),
  successRate: z.number().min(0).max(1),
  latencyMs: z.number().min(0),
  seed: z.number(),
});
export type GatewayServiceInfo = z.infer<typeof serviceInfo>;

/** Every call of the service: its input and its answer. */
export const GATEWAY_OPERATIONS = {
  charge: { input: chargeRequest, output: chargeResult },
  refund: { input: refundRequest, output: refundResult },
  lookup: { input: z.object({ idempotencyKey }), output: chargeResult.nullable() },
  lookupRefund: { input: z.object({ idempotencyKey }), output: refundResult.nullable() },
  records: {
    input: z.object({
      after: z.string().min(1).nullable(),
      limit: z.number().int().min(1).max(MAX_RECORDS_PAGE),
    }),
    output: z.object({ records: z.array(gatewayRecord), cursor: z.string(), more: z.boolean() }),
  },
  findCharge: {
    input: z.object({ transactionId: z.string().min(1) }),
    output: z.object({ idempotencyKey }).nullable(),
  },
  info: { input: z.object({}), output: serviceInfo },
} as const;

export type GatewayOperation = keyof typeof GATEWAY_OPERATIONS;
export type OperationInput<K extends GatewayOperation> = z.infer<
  (typeof GATEWAY_OPERATIONS)[K]['input']
>;
export type OperationAnswer<K extends GatewayOperation> = z.infer<
  (typeof GATEWAY_OPERATIONS)[K]['output']
>;

export const GATEWAY_PATH_PREFIX = '/v1/';
export const pathOf = (operation: GatewayOperation): string => `${GATEWAY_PATH_PREFIX}${operation}`;

export const isGatewayOperation = (name: string): name is GatewayOperation =>
  Object.hasOwn(GATEWAY_OPERATIONS, name);

/**
 * The failures that are the provider's own answer about the call (the port's error codes),
 * with their HTTP status; `validation` is the service refusing a body before the mock saw it,
 * which the adapter reports as the port's `invalid_request` (nothing was charged).
 */
export const PROVIDER_FAILURES = {
  validation: 400,
  invalid_request: 422,
  idempotency_mismatch: 409,
  timeout: 504,
} as const satisfies Record<GatewayErrorCode | 'validation', number>;

export const failureBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }),
});
export const answerBody = z.object({ data: z.unknown() });

// The schemas describe the port's own types: a change to one side fails to compile here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;
type _SchemasMatchThePort = [
  Holds<Same<OperationInput<'charge'>, ChargeRequest>>,
  Holds<Same<OperationInput<'refund'>, RefundRequest>>,
  Holds<Same<OperationAnswer<'charge'>, ChargeResult>>,
  Holds<Same<OperationAnswer<'refund'>, RefundResult>>,
  Holds<Same<OperationAnswer<'records'>['records'][number], GatewayRecord>>,
  Holds<Same<OperationAnswer<'records'>, GatewayRecordsPage>>,
];
