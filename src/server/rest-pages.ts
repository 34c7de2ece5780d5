/**
 * The REST API's list endpoints, as the MVP's DRF pagination has them: ?page (1-based),
 * ?page_size (50, at most 500), ?ordering=created_at|-created_at and filters, answered as
 * {count, next, previous, results} with absolute links. Query errors name the parameter.
 */
import { z } from 'zod';
import type { Page } from '../shared/contract';
import { errorJson, failure, type Read } from './http-util';
import { camelCase } from './rest-format';

/** What a list needs of a request. */
export interface ListRequest {
  query: URLSearchParams;
  /** Absolute URL of the request without its query. */
  url: string;
}

const positiveInt = (max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1, 'must be at least 1').max(max, `must be at most ${max}`));

/**
 * A list's query; `orderBy` is the field `ordering` names by default (created_at; at for the
 * audit log), `orderings` every field it may name (the default when absent).
 */
const listQuery = (orderBy: string, orderings: readonly string[] = [orderBy]) =>
  z
    .object({
      page: positiveInt(1_000_000_000).default(1),
      page_size: positiveInt(500).default(50),
      ordering: z
        .enum(
          orderings.flatMap((o) => [o, `-${o}`]),
          { error: `must be one of ${orderings.map((o) => `${o}, -${o}`).join(', ')}` },
        )
        .default(`-${orderBy}`),
      status: z.string().optional(),
      customer_email: z.string().optional(),
      subscription_id: z.string().optional(),
      origin: z.string().optional(),
      outcome: z.string().optional(),
      from: z.string().optional(),
      to: z.string().optional(),
    })
    // Other filters (those `listInput` is given) as they come.
    .catchall(z.string());
type ListQuery = z.infer<ReturnType<typeof listQuery>>;

function parseListQuery(
  query: URLSearchParams,
  filters: string[],
  schema: ReturnType<typeof listQuery>,
): Read<ListQuery> {
  const raw: Record<string, string> = {};
  for (const [key, value] of query) {
    if (Object.hasOwn(raw, key)) {
      return { ok: false, failure: failure(400, 'validation', `${key} is given twice`, key) };
    }
    // An empty filter means no filter (as django-filter has it).
    if (value !== '' || !filters.includes(key)) raw[key] = value;
  }
  const unknown = Object.keys(raw).filter(
    (k) => !['page', 'page_size', 'ordering', ...filters].includes(k),
  );
  if (unknown.length > 0) {
    return {
      ok: false,
      failure: failure(400, 'validation', `Unknown query parameter: ${unknown[0]}`, unknown[0]),
    };
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const field = String(issue?.path[0] ?? 'query');
  return { ok: false, failure: failure(400, 'validation', `${field}: ${issue?.message}`, field) };
}

/** How a list's query maps to its operation's input beyond snake_case to camelCase. */
export interface ListOptions {
  /** `ordering` field → the operation's `sort` value: any of them may be asked. */
  sorts?: Readonly<Record<string, string>>;
  /** Filters whose input field has another name (created_after → from). */
  rename?: Readonly<Record<string, string>>;
  /** Filters that are booleans (`true` or `false`). */
  booleans?: readonly string[];
}

/** The contract input of a list operation from the query (filters are snake_case names). */
export function listInput(
  filters: string[],
  orderBy = 'created_at',
  options: ListOptions = {},
): (r: ListRequest) => Read<Record<string, unknown>> {
  const sorts = options.sorts;
  const schema = listQuery(orderBy, sorts === undefined ? undefined : Object.keys(sorts));
  return (r) => {
    const q = parseListQuery(r.query, filters, schema);
    if (!q.ok) return q;
    const { page, page_size: limit, ordering, ...rest } = q.value;
    const field = ordering.replace(/^-/, '');
    const input: Record<string, unknown> = {
      offset: (page - 1) * limit,
      limit,
      order: ordering === field ? 'asc' : 'desc',
    };
    if (sorts !== undefined) input.sort = sorts[field];
    for (const [key, value] of Object.entries(rest)) {
      if (value === undefined) continue;
      let v: unknown = value;
      if (options.booleans?.includes(key)) {
        if (value !== 'true' && value !== 'false') {
          const message = `${key}: must be true or false`;
          return { ok: false, failure: failure(400, 'validation', message, key) };
        }
        v = value === 'true';
      }
      input[options.rename?.[key] ?? camelCase(key)] = v;
    }
    return { ok: true, value: input };
  };
}

const pageLink = (r: ListRequest, page: number): string => {
  const query = new URLSearchParams(r.query);
  if (page === 1) query.delete('page');
  else query.set('page', String(page));
  const search = query.toString();
  return search === '' ? r.url : `${r.url}?${search}`;
};

/** A page of the core as the MVP's JSON; a page past the last one is a 404 naming page. */
export function renderPage<T>(present: (item: T) => unknown) {
  return (data: Page<T>, r: ListRequest): { status: number; body: unknown } => {
    const page = Math.floor(data.offset / data.limit) + 1;
    const unreadable = data.unreadable ?? [];
    if (page > 1 && data.items.length === 0 && unreadable.length === 0) {
      const last = Math.max(1, Math.ceil(data.total / data.limit));
      const message = `Invalid page ${page}: the last page is ${last}`;
      return { status: 404, body: errorJson({ code: 'not_found', message, field: 'page' }) };
    }
    return {
      status: 200,
      body: {
        count: data.total,
        next: data.offset + data.limit < data.total ? pageLink(r, page + 1) : null,
        previous: page > 1 ? pageLink(r, page - 1) : null,
        results: data.items.map(present),
        // Records of this page whose stored body cannot be read: named, not a failed page.
        ...(unreadable.length > 0 && { unreadable }),
      },
    };
  };
}
