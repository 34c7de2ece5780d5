/**
 * Straight-line functions over a fixed list of members (a layout's fields, an event's
 * members): the check, the tuple encoder and the decoder, generated with `new Function` from
 * the list, the way a hand-written codec reads: `v.amount` rather than `v[names[i]]` in a
 * loop, whose property reads and calls see every field and go megamorphic (BENCHMARKS.md,
 * "Record layouts", has what that cost).
 *
 * What varies in the generated text is property names, each written as a JSON string
 * literal, and numbers; every function it calls (the members' encodings) is passed in as an
 * argument. It runs in the core, never in the renderer (whose content security policy
 * forbids it).
 */
import type { Encoding, Member, Pools } from './encodings';

type Obj = Record<string, unknown>;

/** `v` + the property `name`, as code. */
export const prop = (v: string, name: string): string => `${v}[${JSON.stringify(name)}]`;

/**
 * A function made from `body` with `fns` as its arguments f0, f1, ...: code of its own for
 * each encoding that calls others (a closure shares its type feedback with every other
 * closure of the same text, so a list's loop would see every kind of element).
 */
export function make<F>(fns: readonly unknown[], body: string): F {
  const params = fns.map((_, i) => `f${i}`);
  // Only property names (as JSON literals) and numbers vary in `body` (see the header).
  return new Function(...params, `"use strict";\n${body}`)(...fns) as F;
}

/** The check of every member of `v` as one expression, `r` the record. */
function checkTerms(members: readonly Member[]): { fns: unknown[]; code: string } {
  const terms = members.map(
    (m, i) =>
      `${m.enc.present === true ? `${JSON.stringify(m.name)} in v && ` : ''}` +
      `f${i}(${prop('v', m.name)}, r)`,
  );
  return {
    fns: members.map((m) => m.enc.is),
    code: terms.length === 0 ? 'true' : terms.join(' &&\n    '),
  };
}

/**
 * Whether every member of `v` is valid, `r` the record (for members checked against other
 * fields of it). `v` must be an object.
 */
export function compileCheck(members: readonly Member[]): (v: Obj, r: Obj) => boolean {
  const { fns, code } = checkTerms(members);
  return make(fns, `return function check(v, r) {\n  return ${code};\n};`);
}

/** Whether `v` is an object whose every member is valid (`v` the record). */
export function compileRecordCheck(members: readonly Member[]): (v: unknown) => boolean {
  const { fns, code } = checkTerms(members);
  return make(
    fns,
    `return function check(v) {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
      const r = v;
      return ${code};
    };`,
  );
}

/**
 * The members' values as written, in order, in a new array (after `head(v)` when given,
 * e.g. an event's type), `r` the record (`v` itself when not given).
 */
export function compileEncode(
  members: readonly Member[],
  head?: string,
): (v: Obj, r?: Obj) => unknown[] {
  const fns: Encoding['encode'][] = [];
  const items = members.map((m) => {
    const encode = m.enc.encode;
    if (encode === undefined) return prop('v', m.name);
    fns.push(encode);
    return `f${fns.length - 1}(${prop('v', m.name)}, r)`;
  });
  if (head !== undefined) items.unshift(prop('v', head));
  return make(fns, `return function encode(v, r = v) {\n  return [${items.join(', ')}];\n};`);
}

/** Where a decoded member's value comes from. */
export type Source =
  | { from: 'raw' }
  /** The object `columns` (a payment's fields that are in columns). */
  | { from: 'column' };

/**
 * An object of the members from `raw` (one value each, in order, from `offset`; members
 * past raw's end take `defaults`), `r` the record (null: the object being made is the
 * record). Members whose `sources` entry is a column read `columns` instead, and take no
 * place in `raw`. The caller checks raw's length.
 */
export function compileDecode(
  members: readonly Member[],
  options: {
    offset?: number;
    head?: string;
    sources?: readonly Source[];
    defaults?: Obj;
  } = {},
): (raw: readonly unknown[], r: Obj | null, pools: Pools, columns?: Obj) => Obj {
  const fns: unknown[] = [options.defaults ?? {}];
  const R = 'rec';
  const lines: string[] = [];
  let place = options.offset ?? 0;
  // Every key in the literal, in order: the object gets its final shape at once (added one
  // by one, most would go to a second allocation).
  const keys = [
    ...(options.head === undefined ? [] : [options.head]),
    ...members.map((m) => m.name),
  ].map((name) => `${JSON.stringify(name)}: undefined`);
  if (options.head !== undefined) lines.push(`${prop('o', options.head)} = raw[0];`);
  members.forEach((m, i) => {
    const target = prop('o', m.name);
    if (options.sources?.[i]?.from === 'column') {
      lines.push(`${target} = ${prop('columns', m.name)};`);
      return;
    }
    const decode = m.enc.decode;
    let value = `raw[${place}]`;
    if (decode !== undefined) {
      fns.push(decode);
      value = `f${fns.length - 1}(raw[${place}], ${R}, pools)`;
    }
    if (options.defaults !== undefined && Object.hasOwn(options.defaults, m.name)) {
      value = `raw.length > ${place} ? ${value} : ${prop('f0', m.name)}`;
    }
    lines.push(`${target} = ${value};`);
    place++;
  });
  return make(
    fns,
    `return function decode(raw, r, pools, columns) {\n` +
      `  const o = {${keys.join(', ')}};\n  const ${R} = r === null ? o : r;\n` +
      `  ${lines.join('\n  ')}\n  return o;\n};`,
  );
}
