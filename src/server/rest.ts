/**
 * The REST API under /command/api/ (the MVP's endpoints plus Paydesk's): a route table that
 * maps each path to one contract operation, snake_case JSON to the contract's input and the
 * operation's output back to the MVP's JSON, with Idempotency-Key support on every POST.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Core } from '../main/core/api';
import { openCsvExport } from '../main/core/export';
import {
  EXPORT_KINDS,
  EXPORTS,
  idempotencyKey,
  operations,
  type OperationName,
  type OperationOutput,
  type ExportKind,
} from '../shared/contract';
import type { AppError, ErrorCode, Result } from '../shared/result';
import { sendCsv } from './export';
import {
  errorBody,
  failure,
  readJson,
  sendFailure,
  sendJsonText,
  type HttpFailure,
  type Read,
} from './http-util';
import {
  camelCase,
  presentAuditEntry,
  presentBackup,
  presentBackups,
  presentCustomer,
  presentCustomerDetail,
  presentHistory,
  presentOperator,
  presentPayment,
  presentPaymentDetail,
  presentRun,
  presentScheduler,
  presentSession,
  presentSubscription,
  presentSubscriptionDetail,
  snakeCase,
} from './rest-format';
import { listInput, renderPage } from './rest-pages';

export const API_PREFIX = '/command/api/';

/** What a route sees of a request. */
export interface RestRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  /** The parsed JSON body of a POST (undefined when empty). */
  body: unknown;
  /** Absolute URL of the request without its query, for pagination links. */
  url: string;
}

interface Rendered {
  status: number;
  body: unknown;
}

interface RouteDef<K extends OperationName> {
  method: 'GET' | 'POST';
  /** Segments after the prefix; ':name' matches one segment. */
  path: string;
  op: K;
  /** Contract fields taken from the path: field name → path parameter name. */
  pathFields?: Record<string, string>;
  /** Contract fields a query parameter of another name gives: field name → parameter name. */
  queryFields?: Record<string, string>;
  /**
   * The contract input (camelCase) for a request, or a 400 for REST-level input errors.
   * Default: the JSON body's snake_case fields plus the path fields.
   */
  input?: (r: RestRequest) => Read<Record<string, unknown>>;
  render: (data: OperationOutput<K>, r: RestRequest) => Rendered;
}

type Route = Omit<RouteDef<OperationName>, 'input'> & {
  segments: string[];
  input: (r: RestRequest) => Read<Record<string, unknown>>;
};

const route = <K extends OperationName>(def: RouteDef<K>): Route =>
  ({
    ...def,
    segments: def.path.split('/'),
    input: def.input ?? bodyInput(def.op, def.pathFields),
  }) as unknown as Route;

const ok200 = (body: unknown): Rendered => ({ status: 200, body });
const ok201 = (body: unknown): Rendered => ({ status: 201, body });

// ---------------------------------------------------------------------------------------
// Bodies

/** The input fields an operation's schema declares. */
function inputKeys(op: OperationName): Set<string> {
  const schema: unknown = operations[op].input;
  return new Set(schema instanceof z.ZodObject ? Object.keys(schema.shape) : []);
}

/**
 * A snake_case JSON body as the operation's camelCase input. Only the operation's own fields
 * in snake_case are accepted, so that an unknown field is named as the client wrote it.
 */
function bodyInput(
  op: OperationName,
  fromPath: Record<string, string> = {},
): (r: RestRequest) => Read<Record<string, unknown>> {
  const allowed = inputKeys(op);
  for (const key of Object.keys(fromPath)) allowed.delete(key);
  return (r) => {
    const body = r.body ?? {};
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return { ok: false, failure: failure(400, 'validation', 'The body must be a JSON object') };
    }
    const unknown = Object.keys(body).filter((key) => {
      const camel = camelCase(key);
      return snakeCase(camel) !== key || !allowed.has(camel);
    });
    if (unknown.length > 0) {
      const list = unknown.join(', ');
      return {
        ok: false,
        failure: failure(
          400,
          'validation',
          `Unknown field${unknown.length > 1 ? 's' : ''}: ${list}`,
          unknown[0],
        ),
      };
    }
    const input: Record<string, unknown> = Object.fromEntries(
      Object.entries(body).map(([key, value]) => [camelCase(key), value]),
    );
    for (const [field, param] of Object.entries(fromPath)) input[field] = r.params[param];
    return { ok: true, value: input };
  };
}

// ---------------------------------------------------------------------------------------
// The table

export const ROUTES: Route[] = [
  route({
    method: 'POST',
    path: 'payments/process',
    op: 'payments.process',
    render: (p) => ok201(presentPayment(p)),
  }),
  route({
    method: 'POST',
    path: 'payments/process-recurring',
    op: 'recurring.run',
    render: (run) => ok200(presentRun(run)),
  }),
  route({
    method: 'GET',
    path: 'payments',
    op: 'payments.list',
    input: listInput(
      [
        'status',
        'customer_email',
        'subscription_id',
        'search',
        'currency',
        'min_amount',
        'max_amount',
        'created_after',
        'created_before',
      ],
      'created_at',
      {
        sorts: {
          created_at: 'createdAt',
          amount: 'amount',
          status: 'status',
          customer_email: 'customerEmail',
          currency: 'currency',
        },
        rename: { created_after: 'from', created_before: 'to' },
      },
    ),
    queryFields: { from: 'created_after', to: 'created_before' },
    render: renderPage(presentPayment),
  }),
  route({
    method: 'GET',
    path: 'payments/:id',
    op: 'payments.get',
    pathFields: { id: 'id' },
    render: (p) => ok200(presentPaymentDetail(p)),
  }),
  route({
    method: 'POST',
    path: 'payments/:id/refund',
    op: 'payments.refund',
    pathFields: { paymentId: 'id' },
    render: (p) => ok200(presentPayment(p)),
  }),
  route({
    method: 'GET',
    path: 'subscriptions',
    op: 'subscriptions.list',
    input: listInput(['status', 'customer_email', 'search', 'review'], 'created_at', {
      sorts: {
        created_at: 'createdAt',
        amount: 'amount',
        status: 'status',
        customer_email: 'customerEmail',
        next_payment_date: 'nextPaymentDate',
      },
      booleans: ['review'],
    }),
    render: renderPage(presentSubscription),
  }),
  route({
    method: 'POST',
    path: 'subscriptions',
    op: 'subscriptions.create',
    render: (s) => ok201(presentSubscription(s)),
  }),
  route({
    method: 'GET',
    path: 'subscriptions/:id',
    op: 'subscriptions.get',
    pathFields: { id: 'id' },
    render: (s) => ok200(presentSubscriptionDetail(s)),
  }),
  ...(['pause', 'resume', 'cancel'] as const).map((action) =>
    route({
      method: 'POST',
      path: `subscriptions/:id/${action}`,
      op: `subscriptions.${action}`,
      pathFields: { id: 'id' },
      render: (s) => ok200(presentSubscription(s)),
    }),
  ),
  route({
    method: 'POST',
    path: 'subscriptions/:id/charge-missed',
    op: 'subscriptions.chargeMissed',
    pathFields: { id: 'id' },
    render: (run) => ok200(presentRun(run)),
  }),
  route({
    method: 'POST',
    path: 'subscriptions/:id/skip-missed',
    op: 'subscriptions.skipMissed',
    pathFields: { id: 'id' },
    render: (s) => ok200(presentSubscription(s)),
  }),
  route({
    method: 'POST',
    path: 'subscriptions/:id/retry-failed',
    op: 'subscriptions.retryFailed',
    pathFields: { id: 'id' },
    render: (p) => ok200(presentPayment(p)),
  }),
  route({
    method: 'POST',
    path: 'subscriptions/:id/forgive-failed',
    op: 'subscriptions.forgiveFailed',
    pathFields: { id: 'id' },
    render: (s) => ok200(presentSubscription(s)),
  }),
  route({
    method: 'GET',
    path: 'customers',
    op: 'customers.list',
    input: listInput(['search', 'currency'], 'net', {
      sorts: {
        email: 'email',
        charged: 'charged',
        refunded: 'refunded',
        net: 'net',
        monthly_recurring_revenue: 'monthlyRecurringRevenue',
        active_subscriptions: 'activeSubscriptions',
        failed_payments: 'failedPayments',
        last_payment_at: 'lastPaymentAt',
      },
    }),
    render: (data, r) => {
      const page = renderPage(presentCustomer)(data, r);
      // The currency the amounts were sorted in, and the others a client may ask for.
      if (page.status !== 200) return page;
      return {
        ...page,
        body: { ...(page.body as object), currency: data.currency, currencies: data.currencies },
      };
    },
  }),
  route({
    method: 'GET',
    path: 'customers/:email',
    op: 'customers.get',
    pathFields: { email: 'email' },
    render: (c) => ok200(presentCustomerDetail(c)),
  }),
  route({
    method: 'GET',
    path: 'history',
    op: 'history.get',
    render: (h) => ok200(presentHistory(h)),
  }),
  route({
    method: 'GET',
    path: 'audit',
    op: 'audit.list',
    input: listInput(['origin', 'outcome', 'from', 'to'], 'at'),
    render: renderPage(presentAuditEntry),
  }),
  ...(['undo', 'redo'] as const).map((action) =>
    route({
      method: 'POST',
      path: `history/${action}`,
      op: `history.${action}`,
      render: (h) => ok200(presentHistory(h)),
    }),
  ),
  route({
    method: 'GET',
    path: 'scheduler',
    op: 'scheduler.status',
    render: (s) => ok200(presentScheduler(s)),
  }),
  ...(['start', 'stop'] as const).map((action) =>
    route({
      method: 'POST',
      path: `scheduler/${action}`,
      op: `scheduler.${action}`,
      render: (s) => ok200(presentScheduler(s)),
    }),
  ),
  route({
    method: 'POST',
    path: 'scheduler/run',
    op: 'scheduler.run',
    render: (run) => ok200(presentRun(run)),
  }),
  route({
    method: 'GET',
    path: 'clock',
    op: 'clock.get',
    render: (c) => ok200(c),
  }),
  route({
    method: 'POST',
    path: 'clock/advance',
    op: 'clock.advance',
    render: (c) => ok200(c),
  }),
  route({
    method: 'POST',
    path: 'backup',
    op: 'backup.create',
    render: (b) => ok201(presentBackup(b)),
  }),
  route({
    method: 'GET',
    path: 'backup',
    op: 'backup.list',
    render: (v) => ok200(presentBackups(v)),
  }),
  route({
    method: 'GET',
    path: 'operators/me',
    op: 'operators.me',
    render: (s) => ok200(presentSession(s)),
  }),
  route({
    method: 'GET',
    path: 'operators',
    op: 'operators.list',
    render: (list) => ok200({ results: list.map(presentOperator) }),
  }),
  route({
    method: 'POST',
    path: 'operators',
    op: 'operators.create',
    render: (made) => ok201({ operator: presentOperator(made.operator), token: made.token }),
  }),
  route({
    method: 'POST',
    path: 'operators/:id/revoke',
    op: 'operators.revoke',
    pathFields: { id: 'id' },
    render: (o) => ok200(presentOperator(o)),
  }),
];

// ---------------------------------------------------------------------------------------
// Matching and running

/**
 * The CSV exports: `<list path>/export.csv` beside each exportable list's GET route (so
 * `GET payments/export.csv`), taking that list's query minus its paging.
 */
interface ExportRoute {
  kind: ExportKind;
  list: Route;
  segments: string[];
}
export const EXPORT_ROUTES: ExportRoute[] = EXPORT_KINDS.flatMap((kind) => {
  const list = ROUTES.find((r) => r.method === 'GET' && r.op === EXPORTS[kind]);
  return list ? [{ kind, list, segments: [...list.segments, 'export.csv'] }] : [];
});
const PAGING_PARAMS = ['page', 'page_size'];

export type Match =
  | { kind: 'export'; route: ExportRoute }
  | { kind: 'route'; route: Route; params: Record<string, string> }
  | { kind: 'method'; allow: string[] }
  | { kind: 'none' };

function decodeSegment(segment: string): string | null {
  try {
    const decoded = decodeURIComponent(segment);
    return decoded === '' ? null : decoded;
  } catch {
    return null;
  }
}

/** The route for a method and a path below the prefix (a trailing slash is optional). */
export function matchRoute(method: string, subpath: string): Match {
  const segments = subpath.replace(/\/$/, '').split('/');
  const path = segments.join('/');
  const csv = EXPORT_ROUTES.find((e) => e.segments.join('/') === path);
  if (csv)
    return method === 'GET' ? { kind: 'export', route: csv } : { kind: 'method', allow: ['GET'] };
  let best: { route: Route; params: Record<string, string> }[] = [];
  let bestParams = Infinity;
  for (const candidate of ROUTES) {
    if (candidate.segments.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let paramCount = 0;
    const matches = candidate.segments.every((seg, i) => {
      const actual = segments[i] ?? '';
      if (!seg.startsWith(':')) return seg === actual;
      const decoded = decodeSegment(actual);
      if (decoded === null) return false;
      params[seg.slice(1)] = decoded;
      paramCount++;
      return true;
    });
    if (!matches) continue;
    // The most literal routes win: GET payments/process is a wrong method, not a payment id.
    if (paramCount < bestParams) [best, bestParams] = [[], paramCount];
    if (paramCount === bestParams) best.push({ route: candidate, params });
  }
  const hit = best.find((b) => b.route.method === method);
  if (hit) return { kind: 'route', ...hit };
  if (best.length > 0) return { kind: 'method', allow: best.map((b) => b.route.method) };
  return { kind: 'none' };
}

const STATUS_OF: Record<ErrorCode, number> = {
  validation: 400,
  not_found: 404,
  conflict: 409,
  unavailable: 409,
  in_progress: 409,
  forbidden: 403,
  unauthorized: 401,
  gateway: 502,
  internal: 500,
  storage_unavailable: 503,
};

/** What a route answers: a status and the JSON text of the body. */
interface Response {
  status: number;
  body: string;
}

/** The name REST gives a contract field: the path parameter, the header, or snake_case. */
function restField(route: Route, field: string): string {
  if (field === 'idempotencyKey') return 'Idempotency-Key';
  const [head = '', ...rest] = field.split('.');
  const name = route.pathFields?.[head] ?? route.queryFields?.[head] ?? snakeCase(head);
  return [name, ...rest].join('.');
}

/** A core error in REST terms: the field (and the message's leading field) in snake_case. */
function renderError(error: AppError, route: Route): Response {
  let { field, message } = error;
  if (field !== undefined) {
    const restName = restField(route, field);
    if (message.startsWith(`${field}:`)) message = restName + message.slice(field.length);
    field = restName;
  }
  return {
    status: STATUS_OF[error.code] ?? 500,
    body: errorBody({ code: error.code, message, ...(field === undefined ? {} : { field }) }),
  };
}

/**
 * Serve one request below /command/api/ (the caller has checked the Host and the token).
 * `url` is the request's absolute URL without its query.
 */
export async function handleRest(
  core: Core,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const subpath = url.pathname.slice(API_PREFIX.length);
  const match = matchRoute(req.method ?? '', subpath);
  if (match.kind === 'none') {
    return sendFailure(res, failure(404, 'not_found', `No API endpoint at ${url.pathname}`));
  }
  if (match.kind === 'method') {
    const allow = match.allow.join(', ');
    return sendFailure(
      res,
      failure(405, 'method_not_allowed', `${url.pathname} accepts ${allow}`, undefined, { allow }),
    );
  }
  if (match.kind === 'export') return handleExport(core, match.route, res, url);
  const { route: r, params } = match;
  let body: unknown;
  if (r.method === 'POST') {
    const read = await readJson(req, res);
    if (read === null) return;
    if (!read.ok) return sendFailure(res, read.failure);
    body = read.value;
  }
  const request: RestRequest = {
    params,
    query: url.searchParams,
    body,
    url: `${url.origin}${url.pathname}`,
  };
  const input = r.input(request);
  if (!input.ok) return sendFailure(res, input.failure);

  const render = (result: Result<unknown>): Response => {
    if (!result.ok) return renderError(result.error, r);
    const out = r.render(result.data as never, request);
    return { status: out.status, body: JSON.stringify(out.body) };
  };

  const header = r.method === 'POST' ? req.headers['idempotency-key'] : undefined;
  const key = header === undefined ? undefined : idempotencyKey.safeParse(header);
  if (key?.success === false) return sendFailure(res, idempotencyKeyInvalid);
  const answer = await core.call(
    r.op,
    input.value,
    'api',
    key === undefined ? {} : { idempotencyKey: key.data },
  );
  const { status, body: text } = render(answer);
  sendJsonText(res, status, text, answer.replayed ? { 'idempotent-replayed': 'true' } : {});
}

const idempotencyKeyInvalid: HttpFailure = failure(
  400,
  'validation',
  'Idempotency-Key must be 1 to 255 visible ASCII characters',
  'Idempotency-Key',
);

/**
 * A CSV export: the list's own query mapping (its filters, `ordering`) without paging; a
 * refused query or filter is the list's 400, answered before any CSV byte.
 */
async function handleExport(
  core: Core,
  e: ExportRoute,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const paging = PAGING_PARAMS.find((name) => url.searchParams.has(name));
  if (paging !== undefined) {
    const message = `${paging}: an export is the whole list, it takes no paging`;
    return sendFailure(res, failure(400, 'validation', message, paging));
  }
  const request: RestRequest = {
    params: {},
    query: url.searchParams,
    body: undefined,
    url: `${url.origin}${url.pathname}`,
  };
  const input = e.list.input(request);
  if (!input.ok) return sendFailure(res, input.failure);
  const { offset: _offset, limit: _limit, ...filters } = input.value;
  const opened = await openCsvExport(core, e.kind, filters, 'api');
  if (!opened.ok) {
    const { status, body } = renderError(opened.error, e.list);
    return sendJsonText(res, status, body);
  }
  await sendCsv(res, opened.data);
}
