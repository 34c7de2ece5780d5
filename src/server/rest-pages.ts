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

const listQuery = z.object({
  page: positiveInt(1_000_000_000).default(1),
  page_size: positiveInt(500).default(50),
  ordering: z
    .enum(['created_at', '-created_at'], { error: 'must be created_at or -created_at' })
    .default('-created_at'),
  status: z.string().optional(),
  customer_email: z.string().optional(),
  subscription_id: z.string().optional(),
});
type ListQuery = z.infer<typeof listQuery>;

function parseListQuery(query: URLSearchParams, filters: string[]): Read<ListQuery> {
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
  const parsed = listQuery.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const field = String(issue?.path[0] ?? 'query');
  return { ok: false, failure: failure(400, 'validation', `${field}: ${issue?.message}`, field) };
}

/** The contract input of a list operation from the query (filters are snake_case names). */
export function listInput(filters: string[]): (r: ListRequest) => Read<Record<string, unknown>> {
  return (r) => {
    const q = parseListQuery(r.query, filters);
    if (!q.ok) return q;
    const { page, page_size: limit, ordering, ...rest } = q.value;
    const input: Record<string, unknown> = {
      offset: (page - 1) * limit,
      limit,
      order: ordering === 'created_at' ? 'asc' : 'desc',
    };
    for (const [key, value] of Object.entries(rest)) input[camelCase(key)] = value;
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
    if (page > 1 && data.items.length === 0) {
      const last = Math.max(1, Math.ceil(data.total / data.limit));
      const message = `Invalid page ${page}: the last page is ${last}`;
      return { status: 404, body: errorJson({ code: 'not_found', message, field: 'page' }) };
    }
    return {
      status: 200,
      body: {
        count: data.total,
        next: data.offset + data.items.length < data.total ? pageLink(r, page + 1) : null,
        previous: page > 1 ? pageLink(r, page - 1) : null,
        results: data.items.map(present),
      },
    };
  };
}
