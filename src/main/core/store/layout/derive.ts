/**
 * What a layout (declare.ts) gives: the record check, the tuple codec (the journal's, and
 * schema 1 snapshots'), and the body codec of records split between columns and a body (the
 * snapshot's payments). Each is made once per layout, as straight-line code over its fields
 * (compile.ts).
 *
 * A tuple or body shorter than the layout was written before its last fields existed: those
 * read as `defaults` (the values their migrations give older records; migrations.ts), and a
 * field without one is left out, for the check to refuse. A longer one, or anything else
 * than a list, comes back as it is (decoding never throws).
 */
import { compileDecode, compileEncode, compileRecordCheck, type Source } from './compile';
import type { Layout } from './declare';
import type { Pools } from './encodings';

type Obj = Record<string, unknown>;

/** The number of leading fields a record must have: the rest have defaults. */
function required(names: readonly string[], defaults: Obj): number {
  let n = names.length;
  while (n > 0 && Object.hasOwn(defaults, names[n - 1] as string)) n--;
  return n;
}

/** Whether `v` is a valid record of the layout (exactly what its domain schema accepts). */
export function recordCheck(layout: Layout): (v: unknown) => boolean {
  return compileRecordCheck(layout.fields);
}

export interface TupleCodec {
  /** The record as a tuple of its fields in order. */
  encode(record: object): unknown[];
  /** A tuple back into a record-shaped object (not checked); anything else as it is. */
  decode(raw: unknown, pools: Pools): unknown;
}

export function tupleCodec(layout: Layout, defaults: Obj = {}): TupleCodec {
  const n = layout.fields.length;
  const least = required(
    layout.fields.map((f) => f.name),
    defaults,
  );
  const encode = compileEncode(layout.fields);
  const decode = compileDecode(layout.fields, { defaults });
  return {
    encode: encode as (record: object) => unknown[],
    decode: (raw, pools) =>
      !Array.isArray(raw) || raw.length > n || raw.length < least ? raw : decode(raw, null, pools),
  };
}

export interface BodyCodec {
  /** The fields read from the columns, in layout order. */
  readonly indexed: readonly string[];
  /** How many values a body holds (one written before the last fields were added, fewer). */
  readonly size: number;
  /** The body: the fields that are not only in columns, in order, as one JSON line. */
  encode(record: object): string;
  /**
   * A parsed body plus the fields read from the columns (`columns`, by name) as a
   * record-shaped object (not checked); anything else than a body as it is.
   */
  decode(raw: unknown, columns: Obj, pools: Pools): unknown;
}

export function bodyCodec(layout: Layout, defaults: Obj = {}): BodyCodec {
  const inColumn = (f: Layout['fields'][number]): boolean =>
    f.column !== undefined && f.column.inBody !== true;
  const bodyFields = layout.fields.filter((f) => !inColumn(f));
  const size = bodyFields.length;
  const least = required(
    bodyFields.map((f) => f.name),
    defaults,
  );
  const encode = compileEncode(bodyFields);
  const sources: Source[] = layout.fields.map((f) => ({ from: inColumn(f) ? 'column' : 'raw' }));
  const decode = compileDecode(layout.fields, { sources, defaults });
  return {
    indexed: layout.fields.filter(inColumn).map((f) => f.name),
    size,
    encode: (record) => JSON.stringify(encode(record as Obj)),
    decode: (raw, columns, pools) =>
      !Array.isArray(raw) || raw.length > size || raw.length < least
        ? raw
        : decode(raw, null, pools, columns),
  };
}
