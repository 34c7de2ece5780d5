/**
 * What a record layout declares (one per stored kind, in this folder): the kind's fields in
 * the order they are written, each with its encoding (encodings.ts) and, for payments, the
 * column it is indexed in. The snapshot's and the journal's codecs, the fast record check
 * and the payment columns' names derive from it (derive.ts, columns.ts).
 *
 * The order is part of the file format wherever records are written as tuples (payments
 * and subscriptions in the journal, payments' bodies in the snapshot): a new field goes
 * last, and a record written before it, shorter, reads with the default its migration gives
 * (ARCHITECTURE.md, "Adding a field").
 */
import type { z } from 'zod';
import type { Encoding } from './encodings';

export type RecordKind =
  'payment' | 'subscription' | 'refund' | 'audit' | 'history' | 'idempotency' | 'settings';

/**
 * A snapshot column (payments only; columns.ts reads them, payment-writer.ts writes them):
 *  - ids: the texts, in a JSON list;
 *  - digits: a oneOf's places, one digit per payment, in a JSON string;
 *  - instants: milliseconds since the previous payment's, or the text when it is not what
 *    toISOString() writes for them;
 *  - refs: places in the JSON list named `list` of distinct values (null for none);
 *  - counts: the numbers (null for none);
 *  - keys: the idempotency key as 0 (`charge_<id>`), n + 1 (the period key of attempt n),
 *    or the text (codec.ts encodeKey);
 *  - amounts: minor units.
 * A column `inBody` is a copy of a field that the body also holds (the money, which
 * customers' totals read without reading bodies); the others are the field itself.
 */
export interface ColumnSpec {
  readonly kind: 'ids' | 'digits' | 'instants' | 'refs' | 'counts' | 'keys' | 'amounts';
  readonly list?: string;
  readonly inBody?: boolean;
}

export interface Field<N extends string = string> {
  readonly name: N;
  readonly enc: Encoding;
  readonly column?: ColumnSpec;
}

export interface Layout {
  readonly kind: RecordKind;
  /** The domain's schema: the reference the fast check agrees with, and the words of errors. */
  readonly schema: z.ZodType;
  /** How the journal writes a record: as a tuple of the fields in order, or as the object. */
  readonly journal: 'tuple' | 'object';
  readonly fields: readonly Field[];
}

export function field<const N extends string>(
  name: N,
  enc: Encoding,
  column?: ColumnSpec,
): Field<N> {
  return column === undefined ? { name, enc } : { name, enc, column };
}

type Names<F extends readonly Field[]> = F[number]['name'];

/** Fails to compile unless the fields name every key of T, and nothing else. */
type Complete<T, F extends readonly Field[]> = [Exclude<keyof T, Names<F>>] extends [never]
  ? [Exclude<Names<F>, keyof T>] extends [never]
    ? unknown
    : { error: 'fields that the record does not have'; fields: Exclude<Names<F>, keyof T> }
  : { error: 'fields of the record missing here'; fields: Exclude<keyof T, Names<F>> };

/**
 * A layout of records of type T: `layoutOf<Payment>()({...})`. The field list must name
 * exactly T's keys (a field added to the domain schema and not here fails to compile).
 */
export function layoutOf<T>() {
  return <const F extends readonly Field[]>(
    layout: Omit<Layout, 'fields'> & { fields: F } & Complete<T, F>,
  ): Omit<Layout, 'fields'> & { fields: F } => layout;
}
