/**
 * The CSV form of each exportable list (contract.ts EXPORTS): its columns, each cell as text
 * (amounts as decimal strings in the currency's exponent beside a currency column, instants
 * as the ISO-8601 strings the records hold, nothing as an empty cell), and the RFC 4180 text
 * of a batch of rows, written by csv-stringify: every non-empty cell quoted, CRLF line ends.
 * A cell that a spreadsheet would take for a formula (it begins with =, +, -, @, a tab or a
 * carriage return, or their full-width forms) gets a leading single quote (OWASP "CSV
 * injection"): customer e-mails, descriptions and failure messages come from outside.
 * Pure: the doors stream the text (src/main/core/export.ts reads the pages).
 */
import { stringify } from 'csv-stringify/sync';
import type { CustomerSummary, CustomerTotals, ExportItem, ExportKind } from './contract';
import type { AuditEntry, MovedMoney, Payment, Subscription } from './domain';
import { toDecimalString } from './money';

type Cell = string | number | null;
/** A column: its header and its cell of one row. */
type Column<R> = readonly [header: string, cell: (row: R) => Cell];
/** How a list is written: its headers, and the rows of cells of one item. */
interface Table<T> {
  headers: readonly string[];
  cells: (item: T) => Cell[][];
}
/** A table from the rows of one item (most items are one row) and the columns of a row. */
function table<T, R>(rows: (item: T) => readonly R[], columns: ReadonlyArray<Column<R>>): Table<T> {
  return {
    headers: columns.map(([header]) => header),
    cells: (item) => rows(item).map((row) => columns.map(([, cell]) => cell(row))),
  };
}
const one = <T>(item: T): readonly T[] => [item];

/** A customer's row in one currency (a customer without money yet has one row, no currency). */
interface CustomerRow {
  customer: CustomerSummary;
  totals: CustomerTotals | null;
}
const amountIn = (totals: CustomerTotals | null, amount: (t: CustomerTotals) => number): Cell =>
  totals === null ? null : toDecimalString(amount(totals), totals.currency);

/** An audit entry's row for the money it moved in one currency (or none moved: no currency). */
interface AuditRow {
  entry: AuditEntry;
  moved: MovedMoney | null;
}

/**
 * Header names are the REST API's snake_case field names. Amounts in different currencies
 * are never added: a customer with money in two currencies is two rows, and so is an audit
 * entry that moved money in two (its other cells repeated).
 */
export const CSV_TABLES: { [K in ExportKind]: Table<ExportItem<K>> } = {
  payments: table<Payment, Payment>(one, [
    ['id', (p) => p.id],
    ['created_at', (p) => p.createdAt],
    ['updated_at', (p) => p.updatedAt],
    ['status', (p) => p.status],
    ['amount', (p) => toDecimalString(p.amount, p.currency)],
    ['refunded_amount', (p) => toDecimalString(p.refundedAmount, p.currency)],
    ['currency', (p) => p.currency],
    ['customer_email', (p) => p.customerEmail],
    ['description', (p) => p.description],
    ['payment_method', (p) => p.paymentMethod],
    ['transaction_id', (p) => p.transactionId],
    ['failure_code', (p) => p.failureCode],
    ['failure_message', (p) => p.failureMessage],
    ['subscription_id', (p) => p.subscriptionId],
    ['period', (p) => p.period],
  ]),
  subscriptions: table<Subscription, Subscription>(one, [
    ['id', (s) => s.id],
    ['created_at', (s) => s.createdAt],
    ['updated_at', (s) => s.updatedAt],
    ['status', (s) => s.status],
    ['customer_email', (s) => s.customerEmail],
    ['amount', (s) => toDecimalString(s.amount, s.currency)],
    ['currency', (s) => s.currency],
    ['interval', (s) => s.interval],
    ['interval_count', (s) => s.intervalCount],
    ['billing_anchor', (s) => s.billingAnchor],
    ['next_payment_date', (s) => s.nextPaymentDate],
    ['failed_attempts', (s) => s.failedAttempts],
    ['paused_at', (s) => s.pausedAt],
    ['pause_reason', (s) => s.pauseReason],
    ['missed_from_period', (s) => s.review?.fromPeriod ?? null],
    ['missed_to_period', (s) => s.review?.toPeriod ?? null],
    ['unpaid_periods', (s) => s.unpaidPeriods.join(' ')],
  ]),
  customers: table<CustomerSummary, CustomerRow>(
    (customer) =>
      customer.totals.length === 0
        ? [{ customer, totals: null }]
        : customer.totals.map((totals) => ({ customer, totals })),
    [
      ['email', (r) => r.customer.email],
      ['currency', (r) => r.totals?.currency ?? null],
      ['charged', (r) => amountIn(r.totals, (t) => t.charged)],
      ['refunded', (r) => amountIn(r.totals, (t) => t.refunded)],
      ['net', (r) => amountIn(r.totals, (t) => t.net)],
      ['monthly_recurring_revenue', (r) => amountIn(r.totals, (t) => t.monthlyRecurringRevenue)],
      ['payments', (r) => r.customer.payments],
      ['failed_payments', (r) => r.customer.failedPayments],
      ['active_subscriptions', (r) => r.customer.activeSubscriptions],
      ['last_payment_at', (r) => r.customer.lastPaymentAt],
    ],
  ),
  audit: table<AuditEntry, AuditRow>(
    (entry) =>
      entry.moved === undefined || entry.moved.length === 0
        ? [{ entry, moved: null }]
        : entry.moved.map((moved) => ({ entry, moved })),
    [
      ['id', (r) => r.entry.id],
      ['at', (r) => r.entry.at],
      ['origin', (r) => r.entry.origin],
      ['operator', (r) => r.entry.operator?.name ?? null],
      ['action', (r) => r.entry.action],
      ['kind', (r) => r.entry.kind],
      ['label', (r) => r.entry.label],
      ['outcome', (r) => r.entry.outcome],
      ['message', (r) => r.entry.message],
      ['currency', (r) => r.moved?.currency ?? null],
      ['charged', (r) => r.moved && toDecimalString(r.moved.charged, r.moved.currency)],
      ['refunded', (r) => r.moved && toDecimalString(r.moved.refunded, r.moved.currency)],
    ],
  ),
};

const OPTIONS = {
  quoted: true,
  record_delimiter: 'windows',
  escape_formulas: true,
} as const;

/** RFC 4180 text of rows of cells, each line ended by CRLF, formula-like cells neutralised. */
export function csvText(rows: ReadonlyArray<ReadonlyArray<string | null>>): string {
  // csv-stringify takes mutable arrays; it only reads them.
  return stringify(rows as string[][], OPTIONS);
}

/** The header line of an export of `kind`. */
export const csvHeader = (kind: ExportKind): string => csvText([CSV_TABLES[kind].headers]);

/** The lines of a batch of items of `kind` (no header). */
export function csvLines<K extends ExportKind>(
  kind: K,
  items: ReadonlyArray<ExportItem<K>>,
): string {
  // The table of kind K writes items of kind K (CSV_TABLES is keyed so).
  const { cells } = CSV_TABLES[kind] as Table<ExportItem<K>>;
  const lines: Array<Array<string | null>> = [];
  for (const item of items) {
    for (const row of cells(item)) lines.push(row.map((v) => (v === null ? null : String(v))));
  }
  return csvText(lines);
}

/** The file an export is saved as: `payments-2026-03-10.csv` (the UTC date of `now`). */
export const exportFileName = (kind: ExportKind, now: Date): string =>
  `${kind}-${now.toISOString().slice(0, 10)}.csv`;
