/**
 * The encodings a record layout declares its fields with (layout/*.ts): what a value must be
 * (exactly what the domain's zod schema accepts for the field: the property tests hold the
 * two together) and how it is written in a tuple, a body or a journal line.
 *
 * An encoding is data plus three functions, from which the codecs and the checks of a
 * layout are made (derive.ts, compile.ts):
 *  - `is(v, record)`: whether `v` is a valid value of the field of `record`;
 *  - `encode(v, record)` / `decode(raw, record, pools)`: the value as written, and back
 *    (absent: written as it is). Decoding never throws: what is not in the encoding comes
 *    back as it is, for the check to refuse. `record` is the whole record, being decoded in
 *    field order, so that an encoding may refer to a field before it (`sameAs`).
 * `kind` and the parameters say what the encoding is, for the tests' generators.
 */
import type { z } from 'zod';
import { isoInstant } from '../../../../shared/domain';
import { compileCheck, compileDecode, compileEncode, make, prop } from './compile';

/** Shares equal strings, up to `cap` distinct ones (past that it lets strings through). */
export class Interner {
  private readonly seen = new Map<string, string>();
  constructor(private readonly cap: number) {}
  get(v: unknown): unknown {
    if (typeof v !== 'string') return v;
    const known = this.seen.get(v);
    if (known !== undefined) return known;
    if (this.seen.size < this.cap) this.seen.set(v, v);
    return v;
  }
}

/** Interned strings while decoding: values that repeat a lot. */
export interface Pools {
  /** Currencies, payment methods, failure codes and messages. */
  common: { get(v: unknown): unknown };
  /** Customer e-mails (more of them). */
  emails: { get(v: unknown): unknown };
}

export type Pool = keyof Pools;

type Obj = Record<string, unknown>;

export interface Encoding {
  readonly kind: string;
  /** The key must be there, even though its value may be undefined (zod's unknown). */
  readonly present?: boolean;
  is(v: unknown, record: Obj): boolean;
  encode?(v: unknown, record: Obj): unknown;
  decode?(raw: unknown, record: Obj, pools: Pools): unknown;
}

/** An encoding of a field of an object: its name, and its encoding. */
export interface Member {
  readonly name: string;
  readonly enc: Encoding;
}

export const isObj = (v: unknown): v is Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

// The very pattern zod checks isoInstant with, so the two cannot drift apart.
const ISO_INSTANT: RegExp = isoInstant.def.pattern ?? /^$/;
const CURRENCY_CODE = /^[A-Z]{3}$/;

export const isInstant = (v: unknown): v is string => typeof v === 'string' && ISO_INSTANT.test(v);

/** Text; `max` in UTF-16 units (as zod's .max counts). */
export function text(max?: number): Encoding & { kind: 'text'; max: number | undefined } {
  return {
    kind: 'text',
    max,
    is:
      max === undefined
        ? (v) => typeof v === 'string'
        : (v) => typeof v === 'string' && v.length <= max,
  };
}

/** An integer from `min` to `max` (a safe integer when no `max`). */
export function int(
  min: number,
  max?: number,
): Encoding & { kind: 'int'; min: number; max: number | undefined } {
  return {
    kind: 'int',
    min,
    max,
    is: (v) =>
      Number.isSafeInteger(v) &&
      (v as number) >= min &&
      (max === undefined || (v as number) <= max),
  };
}

export const TEXT = text();
/** An amount in minor units (also a count of periods, attempts...): a safe integer, 0 or more. */
export const MINOR = int(0);
export const INSTANT: Encoding = { kind: 'instant', is: isInstant };
export const CURRENCY: Encoding = {
  kind: 'currency',
  is: (v) => typeof v === 'string' && CURRENCY_CODE.test(v),
};
export const BOOL: Encoding = { kind: 'bool', is: (v) => typeof v === 'boolean' };
/** Anything (zod's unknown), but there: written as it is. */
export const ANY: Encoding = { kind: 'any', present: true, is: () => true };

/** One of `values` (written as the text itself; as its place in `values` in a column). */
export function oneOf<T extends string>(
  values: readonly T[],
): Encoding & { kind: 'oneOf'; values: readonly T[] } {
  const set: ReadonlySet<unknown> = new Set(values);
  return { kind: 'oneOf', values, is: (v) => set.has(v) };
}

export function nullable(enc: Encoding): Encoding & { kind: 'nullable'; of: Encoding } {
  const { is, encode, decode } = enc;
  return {
    kind: 'nullable',
    of: enc,
    is: make([is], 'return function (v, r) { return v === null || f0(v, r); };'),
    ...(encode === undefined
      ? {}
      : { encode: make([encode], 'return (v, r) => (v === null ? null : f0(v, r));') }),
    ...(decode === undefined
      ? {}
      : { decode: make([decode], 'return (raw, r, p) => (raw === null ? null : f0(raw, r, p));') }),
  };
}

/** May be absent (zod's optional); written as it is. */
export function optional(enc: Encoding): Encoding & { kind: 'optional'; of: Encoding } {
  return {
    kind: 'optional',
    of: enc,
    is: make([enc.is], 'return function (v, r) { return v === undefined || f0(v, r); };'),
  };
}

export const TEXT_OR_NULL = nullable(TEXT);
export const INSTANT_OR_NULL = nullable(INSTANT);

/** A list of values of one encoding. */
export function list(of: Encoding): Encoding & { kind: 'list'; of: Encoding } {
  const { is, encode, decode } = of;
  const map = (f: unknown, args: string): Encoding['encode'] =>
    make(
      [f],
      `return function (v, ${args}) {
        if (!Array.isArray(v)) return v;
        const out = new Array(v.length);
        for (let i = 0; i < v.length; i++) out[i] = f0(v[i], ${args});
        return out;
      };`,
    );
  return {
    kind: 'list',
    of,
    is: make(
      [is],
      `return function (v, r) {
        if (!Array.isArray(v)) return false;
        for (let i = 0; i < v.length; i++) if (!f0(v[i], r)) return false;
        return true;
      };`,
    ),
    ...(encode === undefined ? {} : { encode: map(encode, 'r') }),
    ...(decode === undefined ? {} : { decode: map(decode, 'r, p') as Encoding['decode'] }),
  };
}

/** An object of named members, written as it is (a JSON object). */
export function object(members: readonly Member[]): Encoding & {
  kind: 'object';
  members: readonly Member[];
} {
  const check = compileCheck(members);
  return { kind: 'object', members, is: (v, r) => isObj(v) && check(v, r) };
}

interface Case {
  readonly tag: string | boolean;
  readonly members: readonly Member[];
}

/**
 * Objects of several shapes told apart by a tag (zod's discriminated union). Written as a
 * tuple `[tag, ...the variant's members in order]` when `tuple`, else as they are.
 */
export function variants(
  tag: string,
  cases: readonly Case[],
  form: 'tuple' | 'object',
): Encoding & { kind: 'variants'; tag: string; cases: readonly Case[] } {
  const tags = cases.map((c) => JSON.stringify(c.tag));
  /** `switch (on) { case <tag i>: return f<i>(args); ... default: return otherwise; }` */
  const dispatch = (fns: readonly unknown[], on: string, args: string, otherwise: string) =>
    `switch (${on}) {\n` +
    fns.map((_, i) => `  case ${tags[i] as string}: return f${i}(${args});\n`).join('') +
    `  default: return ${otherwise};\n}`;
  const checks = cases.map((c) => compileCheck(c.members));
  const is: Encoding['is'] = make(
    checks,
    `return function (v, r) {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
      ${dispatch(checks, prop('v', tag), 'v, r', 'false')}
    };`,
  );
  const base = { kind: 'variants' as const, tag, cases, is };
  if (form === 'object') return base;
  const encoders = cases.map((c) => compileEncode(c.members, tag));
  const decoders = cases.map((c) => compileDecode(c.members, { offset: 1, head: tag }));
  return {
    ...base,
    encode: make(
      encoders,
      `return function (v, r) {
        if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
        ${dispatch(encoders, prop('v', tag), 'v, r', 'v')}
      };`,
    ),
    decode: make(
      decoders,
      `return function (raw, r, p) {
        if (!Array.isArray(raw)) return raw;
        ${dispatch(decoders, 'raw[0]', 'raw, r, p', 'raw')}
      };`,
    ),
  };
}

/**
 * A text that often repeats another field of the record: written as the place of the first
 * of `fields` it equals (0, 1...), else as itself. Only for text: a number written would
 * read as a place. The fields named must come before this one (decoding goes in order).
 */
export function sameAs(
  of: Encoding,
  ...fields: readonly string[]
): Encoding & { kind: 'sameAs'; of: Encoding; fields: readonly string[] } {
  const refs = fields.map((f) => prop('r', f));
  return {
    kind: 'sameAs',
    of,
    fields,
    // A repeat of a field that the record's own check checks needs no check of its own.
    is: make(
      [of.is],
      `return function (v, r) {
        return (typeof v === 'string' && (${refs.map((ref) => `v === ${ref}`).join(' || ')})) ||
          f0(v, r);
      };`,
    ),
    encode: make(
      [],
      `return function (v, r) {
        ${refs.map((ref, i) => `if (v === ${ref}) return ${i};`).join('\n')}
        return v;
      };`,
    ),
    decode: make(
      [],
      `return function (raw, r) {
        switch (raw) {
          ${refs.map((ref, i) => `case ${i}: return ${ref};`).join('\n')}
          default: return raw;
        }
      };`,
    ),
  };
}

/** Decoded through a pool of shared strings (values that repeat across records). */
export function pooled<E extends Encoding>(enc: E, pool: Pool): E & { pool: Pool } {
  const inner = enc.decode;
  const pools = prop('p', pool);
  return {
    ...enc,
    pool,
    decode:
      inner === undefined
        ? make([], `return (raw, r, p) => ${pools}.get(raw);`)
        : make([inner], `return (raw, r, p) => ${pools}.get(f0(raw, r, p));`),
  };
}

/**
 * A value whose rule is the domain's own schema and nothing simpler (a refined path):
 * checked by zod. `examples` are valid values, for the tests' generators.
 */
export function rule(
  schema: z.ZodType,
  examples: readonly unknown[],
): Encoding & { kind: 'rule'; schema: z.ZodType; examples: readonly unknown[] } {
  return { kind: 'rule', schema, examples, is: (v) => schema.safeParse(v).success };
}

export const member = (name: string, enc: Encoding): Member => ({ name, enc });
