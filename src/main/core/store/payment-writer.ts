/**
 * Writing payments into a snapshot (layout in snapshot.ts; which fields have a column and
 * how bodies are written in layout/payment.ts; the columns' encodings in codec.ts): first a
 * draft (the new file's columns, and the bodies of the payments to encode), then the columns
 * near the top of the file and the bodies at its end. In a compaction the body of a payment
 * that has not changed since its base was written is copied from the base's file as it is,
 * in runs of bytes, without being read as a payment; only changed and new payments are
 * encoded. The draft's columns then describe the new file, the table's next base.
 * The money columns are written when every payment's money is known: always, unless the
 * base is a file without them whose bodies were never read (columns.ts).
 */
import type { Payment } from '../../../shared/domain';
import { canonicalMs, encodeKey, STATUS_DIGITS } from './codec';
import type { SliceWriter } from './files';
import type { MoneyColumns, PaymentColumns } from './columns';
import { CURRENT_FORMAT, type StoreFormat } from './format';
import type { BodyCodec } from './layout/derive';
import { PaymentBase } from './payment-base';
import type { PaymentsCapture } from './payment-table';

/** Items between two calls of SliceWriter.breathe(). */
const BATCH = 256;
/** Bytes of bodies copied at a time. */
const COPY_CHUNK = 1 << 20;

const DIGIT = new Map(STATUS_DIGITS.map((s, i) => [s as string, i]));

/** Distinct values, numbered in order of first use. */
class Dictionary {
  readonly values: string[] = [];
  private readonly index = new Map<string, number>();
  add(v: string): number {
    let i = this.index.get(v);
    if (i === undefined) {
      i = this.values.length;
      this.values.push(v);
      this.index.set(v, i);
    }
    return i;
  }
}

/** The new file's payments: its columns (bodyStart set as bodies are written), the bodies. */
export interface PaymentsDraft {
  columns: PaymentColumns;
  /** Encoded bodies by slot; the other slots' bodies are copied from `base`. */
  bodies: Map<number, string>;
  base: PaymentBase;
}

/** Writes the draft's columns. */
export async function writePaymentColumns(out: SliceWriter, draft: PaymentsDraft): Promise<void> {
  const c = draft.columns;
  const n = c.count;
  const ids = c.ids;
  out.text(`"paymentColumns":{"count":${n},`);
  out.newline();
  await writeList(out, 'id', n, (s) => JSON.stringify(ids[s]));
  out.text('"status":"');
  for (let from = 0; from < n; from += BATCH) {
    let text = '';
    for (let s = from; s < Math.min(from + BATCH, n); s++) text += String(c.status[s]);
    out.text(text);
    await out.breathe();
  }
  out.text('",');
  out.newline();
  await writeList(out, 'createdAt', n, (s) => {
    const text = c.createdText.get(s);
    if (text !== undefined) return JSON.stringify(text);
    return String((c.createdMs[s] as number) - (s === 0 ? 0 : (c.createdMs[s - 1] as number)));
  });
  await writeList(out, 'customerEmail', n, (s) => String(c.email[s]));
  await writeList(out, 'customerEmails', c.emails.length, (i) => JSON.stringify(c.emails[i]));
  await writeList(out, 'subscriptionId', n, (s) => {
    const i = c.subscription[s] as number;
    return i < 0 ? 'null' : String(i);
  });
  await writeList(out, 'subscriptionIds', c.subscriptions.length, (i) =>
    JSON.stringify(c.subscriptions[i]),
  );
  await writeList(out, 'period', n, (s) => {
    const p = c.period[s] as number;
    return p < 0 ? 'null' : String(p);
  });
  await writeList(out, 'idempotencyKey', n, (s) => {
    const k = c.key[s] as number;
    return k < 0 ? JSON.stringify(c.keys.get(s)) : String(k);
  });
  const money = c.money;
  if (money !== null) {
    await writeList(out, 'amount', n, (s) => String(money.amount[s]));
    await writeList(out, 'refundedAmount', n, (s) => String(money.refunded[s]));
    await writeList(out, 'currency', n, (s) => String(money.currency[s]));
    await writeList(out, 'currencies', money.currencies.length, (i) =>
      JSON.stringify(money.currencies[i]),
    );
  }
  await writeList(out, 'bodyBytes', n, (s) => String(c.bodyLength[s]), '}');
}

/**
 * Writes the bodies (the file's position must be exact: call out.flush() first), recording
 * where each one starts in the draft's columns. The caller writes what follows the last.
 */
export async function writePaymentBodies(out: SliceWriter, draft: PaymentsDraft): Promise<void> {
  const c = draft.columns;
  const n = c.count;
  const base = draft.base;
  const bc = base.columns;
  let copyBuf: Buffer | null = null;
  /** Where the next byte goes, counting the text still queued. */
  let at = out.position;
  let slot = 0;
  while (slot < n) {
    const body = draft.bodies.get(slot);
    if (body !== undefined) {
      const last = slot === n - 1;
      c.bodyStart[slot] = at;
      out.text(body);
      if (!last) out.text(',');
      out.newline();
      at += (c.bodyLength[slot] as number) + (last ? 1 : 2);
      slot++;
      if ((slot & (BATCH - 1)) === 0) await out.breathe();
      continue;
    }
    // A run of unchanged payments: their bodies follow each other in the base's file.
    let end = slot + 1;
    while (end < n && !draft.bodies.has(end)) end++;
    const from = bc.bodyStart[slot] as number;
    const to = (bc.bodyStart[end - 1] as number) + (bc.bodyLength[end - 1] as number);
    for (let s = slot; s < end; s++) c.bodyStart[s] = (bc.bodyStart[s] as number) - from + at;
    copyBuf ??= Buffer.allocUnsafe(COPY_CHUNK);
    for (let chunk = from; chunk < to; chunk += COPY_CHUNK) {
      const length = Math.min(COPY_CHUNK, to - chunk);
      await base.copyBytes(copyBuf, length, chunk);
      await out.bytes(copyBuf, length, 0);
      await out.breathe();
    }
    out.lines += end - slot - 1;
    at += to - from;
    if (end < n) {
      out.text(',');
      at++;
    }
    out.newline();
    at++;
    slot = end;
  }
  await out.flush();
  if (at !== out.position)
    throw new Error(`payment bodies: wrote ${out.position} bytes, not ${at}`);
}

async function writeList(
  out: SliceWriter,
  name: string,
  count: number,
  item: (i: number) => string,
  close = '',
): Promise<void> {
  out.text(`"${name}":[`);
  for (let from = 0; from < count; from += BATCH) {
    let text = '';
    const to = Math.min(from + BATCH, count);
    for (let i = from; i < to; i++) text += (i === 0 ? '' : ',') + item(i);
    out.text(text);
    await out.breathe();
  }
  out.text(`]${close},`);
  out.newline();
}

/**
 * The draft of a capture: unchanged payments keep their base's values (and bodies), changed
 * ones are encoded. Yields to the event loop now and then.
 */
export async function draftCapture(out: SliceWriter, cap: PaymentsCapture): Promise<PaymentsDraft> {
  const n = cap.count;
  const bc = cap.base.columns;
  // Unchanged payments' money comes from the base: when the base does not know it (a file
  // written before the money columns, whose bodies were not read), neither does the draft.
  const baseMoney = cap.base.knownMoney();
  const c: PaymentColumns = {
    count: n,
    ids: cap.ids as string[],
    status: new Uint8Array(n),
    createdMs: new Float64Array(n),
    createdText: new Map(),
    email: new Int32Array(n),
    emails: [],
    subscription: new Int32Array(n),
    subscriptions: [],
    period: new Float64Array(n),
    key: new Int32Array(n),
    keys: new Map(),
    bodyStart: new Float64Array(n),
    bodyLength: new Int32Array(n),
    money: null,
  };
  const money = baseMoney === null && cap.base.count > 0 ? null : newMoney(n);
  const currencies = new Dictionary();
  const currencyOf = new Int32Array(baseMoney?.currencies.length ?? 0).fill(-1);
  const emails = new Dictionary();
  const subscriptions = new Dictionary();
  const emailOf = new Int32Array(bc.emails.length).fill(-1);
  const subscriptionOf = new Int32Array(bc.subscriptions.length).fill(-1);
  const bodies = new Map<number, string>();
  const body = cap.base.format.paymentBody;
  for (let slot = 0; slot < n; slot++) {
    const o = cap.overlay[slot];
    if (o !== undefined) {
      const e = encodeChanged(o, emails, subscriptions, body);
      c.status[slot] = e.status;
      c.createdMs[slot] = e.createdMs;
      if (e.createdText !== null) c.createdText.set(slot, e.createdText);
      c.email[slot] = e.email;
      c.subscription[slot] = e.subscription;
      c.period[slot] = e.period;
      c.key[slot] = typeof e.key === 'string' ? -1 : e.key;
      if (typeof e.key === 'string') c.keys.set(slot, e.key);
      c.bodyLength[slot] = e.bodyLength;
      bodies.set(slot, e.body);
      if (money !== null) setMoney(money, slot, o, currencies);
    } else {
      if (slot >= cap.base.count) throw new Error(`payment slot ${slot} is in no base`);
      c.status[slot] = bc.status[slot] as number;
      c.createdMs[slot] = bc.createdMs[slot] as number;
      const e = bc.email[slot] as number;
      if (emailOf[e] === -1) emailOf[e] = emails.add(bc.emails[e] as string);
      c.email[slot] = emailOf[e] as number;
      const sub = bc.subscription[slot] as number;
      if (sub >= 0 && subscriptionOf[sub] === -1) {
        subscriptionOf[sub] = subscriptions.add(bc.subscriptions[sub] as string);
      }
      c.subscription[slot] = sub < 0 ? -1 : (subscriptionOf[sub] as number);
      c.period[slot] = bc.period[slot] as number;
      c.key[slot] = bc.key[slot] as number;
      c.bodyLength[slot] = bc.bodyLength[slot] as number;
      if (money !== null && baseMoney !== null) {
        money.amount[slot] = baseMoney.amount[slot] as number;
        money.refunded[slot] = baseMoney.refunded[slot] as number;
        const cur = baseMoney.currency[slot] as number;
        if (currencyOf[cur] === -1) {
          currencyOf[cur] = currencies.add(baseMoney.currencies[cur] as string);
        }
        money.currency[slot] = currencyOf[cur] as number;
      }
    }
    if ((slot & (BATCH - 1)) === 0) await out.breathe();
  }
  if (money !== null) {
    money.currencies = currencies.values;
    c.money = money;
  }
  for (const [slot, text] of bc.createdText)
    if (cap.overlay[slot] === undefined) c.createdText.set(slot, text);
  for (const [slot, key] of bc.keys) if (cap.overlay[slot] === undefined) c.keys.set(slot, key);
  c.emails = emails.values;
  c.subscriptions = subscriptions.values;
  return { columns: c, bodies, base: cap.base };
}

/** The draft of payments given one by one (none is kept: only its columns and body). */
export function draftList(
  payments: Iterable<Payment>,
  format: StoreFormat = CURRENT_FORMAT,
): PaymentsDraft {
  const ids: string[] = [];
  const v = {
    status: [] as number[],
    createdMs: [] as number[],
    email: [] as number[],
    subscription: [] as number[],
    period: [] as number[],
    key: [] as number[],
    bodyLength: [] as number[],
  };
  const amount: number[] = [];
  const refunded: number[] = [];
  const currency: number[] = [];
  const currencies = new Dictionary();
  const createdText = new Map<number, string>();
  const keys = new Map<number, string>();
  const emails = new Dictionary();
  const subscriptions = new Dictionary();
  const bodies = new Map<number, string>();
  for (const p of payments) {
    const slot = ids.length;
    const e = encodeChanged(p, emails, subscriptions, format.paymentBody);
    ids.push(p.id);
    v.status.push(e.status);
    v.createdMs.push(e.createdMs);
    if (e.createdText !== null) createdText.set(slot, e.createdText);
    v.email.push(e.email);
    v.subscription.push(e.subscription);
    v.period.push(e.period);
    v.key.push(typeof e.key === 'string' ? -1 : e.key);
    if (typeof e.key === 'string') keys.set(slot, e.key);
    v.bodyLength.push(e.bodyLength);
    bodies.set(slot, e.body);
    amount.push(p.amount);
    refunded.push(p.refundedAmount);
    currency.push(currencies.add(p.currency));
  }
  return {
    columns: {
      count: ids.length,
      ids,
      status: Uint8Array.from(v.status),
      createdMs: Float64Array.from(v.createdMs),
      createdText,
      email: Int32Array.from(v.email),
      emails: emails.values,
      subscription: Int32Array.from(v.subscription),
      subscriptions: subscriptions.values,
      period: Float64Array.from(v.period),
      key: Int32Array.from(v.key),
      keys,
      bodyStart: new Float64Array(ids.length),
      bodyLength: Int32Array.from(v.bodyLength),
      money: {
        amount: Float64Array.from(amount),
        refunded: Float64Array.from(refunded),
        currency: Uint16Array.from(currency),
        currencies: currencies.values,
      },
    },
    bodies,
    base: PaymentBase.empty(ids, format),
  };
}

function newMoney(n: number): MoneyColumns {
  return {
    amount: new Float64Array(n),
    refunded: new Float64Array(n),
    currency: new Uint16Array(n),
    currencies: [],
  };
}

function setMoney(money: MoneyColumns, slot: number, p: Payment, currencies: Dictionary): void {
  money.amount[slot] = p.amount;
  money.refunded[slot] = p.refundedAmount;
  money.currency[slot] = currencies.add(p.currency);
}

/** A changed payment's column values and body. */
function encodeChanged(
  p: Payment,
  emails: Dictionary,
  subscriptions: Dictionary,
  codec: BodyCodec,
) {
  const ms = canonicalMs(p.createdAt);
  const body = codec.encode(p);
  return {
    status: DIGIT.get(p.status) as number,
    createdMs: ms ?? Date.parse(p.createdAt),
    createdText: ms === null ? p.createdAt : null,
    email: emails.add(p.customerEmail),
    subscription: p.subscriptionId === null ? -1 : subscriptions.add(p.subscriptionId),
    period: p.period ?? -1,
    key: encodeKey(p),
    body,
    bodyLength: Buffer.byteLength(body, 'utf8'),
  };
}
