/**
 * The customers index: every customer's totals (customer-rules.ts says what counts), kept up
 * to date by the payment and subscription tables' puts, and sorted lists of customers for
 * the pages of the Customers screen, so that a page is read from a list, not from a scan.
 *
 * Built the first time it is asked for (StoreState.customers) from the payments' columns in
 * one pass, no body read, then told of every put: the old version of a record is taken out
 * of its customer's totals and the new one put in. Built lazily so that an open, and every
 * put of a session that never shows the customers, pay nothing for it. Nothing of it is
 * written to disk: it is the payments' columns summed, so it can never disagree with them
 * after a crash, a compaction or a reopen (persisted totals would be a second copy of the
 * facts, and the journal's replay would still need each old version's money to move them).
 *
 * Amounts in different currencies are never added: a customer has totals per currency, and
 * a page sorted by an amount is sorted by the amount in one currency, the one asked or else
 * the most used (by payments and subscriptions): the shop's own currency, in which most
 * customers can be compared. A customer without that currency counts 0 in it. Sorting
 * within a currency filter would hide the customers who never paid in it, and a list that
 * loses rows when sorted is not a sort.
 *
 * A sorted list (one per column, and per currency for the amounts) is made the first time a
 * page asks for it, and from then on each put moves only the customers whose value in it
 * changed (SortedSlots: a remove and an insert in one block). A search finds the customers
 * whose key contains it with indexOf over one string of every key, then orders them by the
 * page's list: sorted by themselves when they are few, else picked out of the list in order.
 */
import {
  MONEY_SORTS,
  type CustomerPage,
  type CustomerSort,
  type CustomerSummary,
  type CustomerTotals,
} from '../../../shared/contract';
import type { PaymentStatus, Subscription } from '../../../shared/domain';
import { isActiveSubscription, isFailed, subscriptionShare } from '../customer-rules';
import { wasCharged } from '../payment-rules';
import type { CustomerQuery } from '../ports';
import { STATUS_DIGITS } from './codec';
import type { MoneyColumns } from './columns';
import { SortedSlots } from './sorted';
import { compareStrings, emailKey } from './tables';

/** What the payment table tells the index of a payment version (see PaymentTable.watch). */
export interface CustomerWatcher {
  /** A version of a payment counts (`sign` 1) or no longer counts (-1). */
  payment(
    key: string,
    status: PaymentStatus,
    currency: string,
    amount: number,
    refunded: number,
    createdMs: number,
    sign: 1 | -1,
  ): void;
  subscription(s: Subscription, sign: 1 | -1): void;
  /** The put is done: settle what it changed (last payments, sorted lists). */
  settle(): void;
  /**
   * Counts the payments of a snapshot's columns at once (a build: typed arrays read in one
   * loop, no call per payment), those of slots below `count` for which `skip` is false.
   */
  paymentColumns(columns: PaymentColumnsView, count: number, skip: (slot: number) => boolean): void;
}

/** What the customers index reads of a snapshot's payment columns. */
export interface PaymentColumnsView {
  /** Index in `emailKeys`. */
  email: Int32Array;
  /** The lower-cased e-mails. */
  emailKeys: readonly string[];
  /** Index in STATUS_DIGITS. */
  status: Uint8Array;
  createdMs: Float64Array;
  money: MoneyColumns;
}

/** One currency's totals, by customer number. */
interface Ledger {
  code: string;
  /** Payments and subscriptions in this currency, all customers (for "most used"). */
  uses: number;
  /** Payments and subscriptions in this currency, by customer. */
  count: Int32Array;
  charged: Float64Array;
  refunded: Float64Array;
  mrr: Float64Array;
}

/** A sorted list of the customers that exist, by one value (then by e-mail). */
interface SortedCustomers {
  slots: SortedSlots;
  /** The list's order: by value, then by e-mail. */
  order: (a: number, b: number) => number;
  /** The value each customer was inserted with (the comparator reads it). */
  value: Float64Array;
  /** Whether each customer is in the list. */
  has: Uint8Array;
  /** The value of a customer now. */
  valueOf: (c: number) => number;
}

const INITIAL = 1024;
/** E-mails × currencies summed in flat arrays at a build (24 bytes each), at most. */
const FLAT_LIMIT = 1 << 22;
const FAILED_DIGIT = STATUS_DIGITS.indexOf('FAILED');
const CHARGED_DIGITS = Uint8Array.from(STATUS_DIGITS, (s) => (wasCharged(s) ? 1 : 0));

function grown<T extends Float64Array | Int32Array | Uint8Array>(a: T, size: number): T {
  if (a.length >= size) return a;
  const bigger = new (a.constructor as new (n: number) => T)(Math.max(size, 2 * a.length));
  bigger.set(a);
  return bigger;
}

export class CustomerIndex implements CustomerWatcher {
  /** Customer numbers by key; a number is never reused (a customer may come back). */
  private readonly numbers = new Map<string, number>();
  private keys: string[] = [];
  private payments = new Int32Array(INITIAL);
  private failed = new Int32Array(INITIAL);
  private subscriptions = new Int32Array(INITIAL);
  private active = new Int32Array(INITIAL);
  /** The createdAt of the newest payment that went through, -Infinity for none. */
  private last = new Float64Array(INITIAL).fill(-Infinity);
  /** Whether each customer exists (has a payment or a subscription) as of the last settle. */
  private existed = new Uint8Array(INITIAL);
  private readonly ledgers: Ledger[] = [];
  private readonly ledgerOf = new Map<string, Ledger>();
  /** Customers changed by the put under way, and those whose last payment must be sought. */
  private readonly touched = new Set<number>();
  private readonly seekLast = new Set<number>();
  private readonly lists = new Map<string, SortedCustomers>();
  /** Every key, each followed by a newline, in customer order: searched with one indexOf. */
  private text = '';
  /** Where each customer's key starts in `text`. */
  private starts = new Float64Array(INITIAL);
  private present = 0;
  private readonly byEmail = (a: number, b: number): number =>
    compareStrings(this.keys[a] as string, this.keys[b] as string);

  /**
   * `newestCharged(key)`: the createdAt milliseconds of the customer's newest payment that
   * went through, as the payment table holds it now (-Infinity for none).
   */
  constructor(private readonly newestCharged: (key: string) => number) {}

  // -- being told -------------------------------------------------------------------------

  payment(
    key: string,
    status: PaymentStatus,
    currency: string,
    amount: number,
    refunded: number,
    createdMs: number,
    sign: 1 | -1,
  ): void {
    const c = this.customer(key);
    const ledger = this.ledger(currency);
    this.payments[c] = (this.payments[c] as number) + sign;
    if (isFailed(status)) this.failed[c] = (this.failed[c] as number) + sign;
    ledger.uses += sign;
    ledger.count[c] = (ledger.count[c] as number) + sign;
    if (wasCharged(status)) {
      ledger.charged[c] = (ledger.charged[c] as number) + sign * amount;
      ledger.refunded[c] = (ledger.refunded[c] as number) + sign * refunded;
      const last = this.last[c] as number;
      if (sign > 0 && createdMs > last) this.last[c] = createdMs;
      // The newest one leaves: the next newest is sought once the put is done.
      else if (sign < 0 && createdMs >= last) this.seekLast.add(c);
    }
    this.touched.add(c);
  }

  subscription(s: Subscription, sign: 1 | -1): void {
    const c = this.customer(emailKey(s.customerEmail));
    const ledger = this.ledger(s.currency);
    this.subscriptions[c] = (this.subscriptions[c] as number) + sign;
    if (isActiveSubscription(s)) this.active[c] = (this.active[c] as number) + sign;
    ledger.uses += sign;
    ledger.count[c] = (ledger.count[c] as number) + sign;
    ledger.mrr[c] = (ledger.mrr[c] as number) + sign * subscriptionShare(s);
    this.touched.add(c);
  }

  paymentColumns(
    columns: PaymentColumnsView,
    count: number,
    skip: (slot: number) => boolean,
  ): void {
    const { email, status, createdMs, money } = columns;
    const refs = columns.emailKeys.length;
    const currencies = money.currencies.length;
    if (refs * currencies > FLAT_LIMIT) {
      // Thousands of currencies: not worth a flat table (never seen; correct all the same).
      for (let slot = 0; slot < count; slot++) {
        if (skip(slot)) continue;
        this.payment(
          columns.emailKeys[email[slot] as number] as string,
          STATUS_DIGITS[status[slot] as number] as PaymentStatus,
          money.currencies[money.currency[slot] as number] as string,
          money.amount[slot] as number,
          money.refunded[slot] as number,
          createdMs[slot] as number,
          1,
        );
      }
      return;
    }
    // Summed by e-mail (as written) and currency in flat arrays: no object is touched per
    // payment, and what one payment adds sits side by side (the e-mails come in no order:
    // the sums are read at random, one cache line each). Two e-mails written differently may
    // be one customer: merged below.
    const SUMS = 3; // payments, charged, refunded: by e-mail and currency
    const sums = new Float64Array(refs * currencies * SUMS);
    const BY_EMAIL = 2; // failed payments, newest charged createdAt: by e-mail
    const byEmail = new Float64Array(refs * BY_EMAIL);
    for (let e = 0; e < refs; e++) byEmail[e * BY_EMAIL + 1] = -Infinity;
    const currency = money.currency;
    const amount = money.amount;
    const refundedAmount = money.refunded;
    for (let slot = 0; slot < count; slot++) {
      if (skip(slot)) continue;
      const e = email[slot] as number;
      const k = (e * currencies + (currency[slot] as number)) * SUMS;
      const digit = status[slot] as number;
      sums[k] = (sums[k] as number) + 1;
      if (digit === FAILED_DIGIT) {
        byEmail[e * BY_EMAIL] = (byEmail[e * BY_EMAIL] as number) + 1;
      } else if (CHARGED_DIGITS[digit] === 1) {
        sums[k + 1] = (sums[k + 1] as number) + (amount[slot] as number);
        sums[k + 2] = (sums[k + 2] as number) + (refundedAmount[slot] as number);
        const ms = createdMs[slot] as number;
        if (ms > (byEmail[e * BY_EMAIL + 1] as number)) byEmail[e * BY_EMAIL + 1] = ms;
      }
    }
    const ledgers = money.currencies.map((code) => this.ledger(code));
    for (let e = 0; e < refs; e++) {
      let c = -1;
      for (let cur = 0; cur < currencies; cur++) {
        const k = (e * currencies + cur) * SUMS;
        const count = sums[k] as number;
        if (count === 0) continue;
        if (c === -1) c = this.customer(columns.emailKeys[e] as string);
        const l = ledgers[cur] as Ledger;
        this.payments[c] = (this.payments[c] as number) + count;
        l.uses += count;
        l.count[c] = (l.count[c] as number) + count;
        l.charged[c] = (l.charged[c] as number) + (sums[k + 1] as number);
        l.refunded[c] = (l.refunded[c] as number) + (sums[k + 2] as number);
      }
      if (c === -1) continue;
      this.failed[c] = (this.failed[c] as number) + (byEmail[e * BY_EMAIL] as number);
      const last = byEmail[e * BY_EMAIL + 1] as number;
      if (last > (this.last[c] as number)) this.last[c] = last;
      this.touched.add(c);
    }
  }

  settle(): void {
    for (const c of this.seekLast) this.last[c] = this.newestCharged(this.keys[c] as string);
    this.seekLast.clear();
    for (const c of this.touched) {
      const exists = this.exists(c);
      if (exists !== (this.existed[c] === 1)) {
        this.existed[c] = exists ? 1 : 0;
        this.present += exists ? 1 : -1;
      }
      for (const list of this.lists.values()) this.place(list, c, exists);
    }
    this.touched.clear();
  }

  // -- reading ----------------------------------------------------------------------------

  /** How many customers there are. */
  get size(): number {
    return this.present;
  }

  /** The customer of `email` (any case), or undefined. */
  get(email: string): CustomerSummary | undefined {
    const c = this.numbers.get(emailKey(email));
    return c === undefined || this.existed[c] !== 1 ? undefined : this.summary(c);
  }

  /** Every currency in use, most used first (then by code). */
  currencies(): string[] {
    return this.ledgers
      .filter((l) => l.uses > 0)
      .sort((a, b) => b.uses - a.uses || compareStrings(a.code, b.code))
      .map((l) => l.code);
  }

  page(q: CustomerQuery): CustomerPage {
    const currencies = this.currencies();
    const currency = q.currency ?? currencies[0] ?? null;
    const list = this.list(q.sort, currency);
    const search = (q.search ?? '').trim().toLowerCase();
    let total: number;
    let slots: number[];
    if (search === '') {
      total = list.slots.length;
      slots = list.slots.page(q.order, q.offset, q.limit);
    } else {
      const found = this.matching(search);
      total = found.length;
      slots = this.pageOfSome(list, found, q);
    }
    return {
      total,
      offset: q.offset,
      limit: q.limit,
      items: slots.map((c) => this.summary(c)),
      currency,
      currencies,
    };
  }

  // -- inside -----------------------------------------------------------------------------

  /** The customers whose key contains `search`: indexOf over all keys at once. */
  private matching(search: string): number[] {
    const found: number[] = [];
    const { text, starts, keys } = this;
    let from = 0;
    for (;;) {
      const at = text.indexOf(search, from);
      if (at < 0) return found;
      const c = this.customerAt(at);
      const end = (starts[c] as number) + (keys[c] as string).length;
      // (A match across the end of a key is no match; a later one in the same key neither.)
      if (at + search.length <= end && this.existed[c] === 1) found.push(c);
      from = end + 1;
    }
  }

  /** The customer whose key holds position `at` of `text`. */
  private customerAt(at: number): number {
    const starts = this.starts;
    let lo = 0;
    let hi = this.keys.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((starts[mid] as number) <= at) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** A page of `some` customers in the order of `list`. */
  private pageOfSome(list: SortedCustomers, some: number[], q: CustomerQuery): number[] {
    if (some.length * 8 < list.slots.length) {
      // A few: sorted by themselves.
      some.sort(list.order);
      if (q.order === 'desc') some.reverse();
      return some.slice(q.offset, q.offset + q.limit);
    }
    // Many: the list walked, the others skipped.
    const marked = new Uint8Array(this.keys.length);
    for (const c of some) marked[c] = 1;
    const page: number[] = [];
    let seen = 0;
    list.slots.scan(0, list.slots.length, q.order, (c) => {
      if (marked[c] === 1 && seen++ >= q.offset) page.push(c);
      return page.length < q.limit;
    });
    return page;
  }

  // -- inside -----------------------------------------------------------------------------

  private exists(c: number): boolean {
    return (this.payments[c] as number) > 0 || (this.subscriptions[c] as number) > 0;
  }

  private summary(c: number): CustomerSummary {
    const totals: CustomerTotals[] = [];
    for (const l of this.ledgers) {
      if ((l.count[c] as number) <= 0) continue;
      const charged = l.charged[c] as number;
      const refunded = l.refunded[c] as number;
      totals.push({
        currency: l.code,
        charged,
        refunded,
        net: charged - refunded,
        monthlyRecurringRevenue: l.mrr[c] as number,
      });
    }
    totals.sort((a, b) => compareStrings(a.currency, b.currency));
    const last = this.last[c] as number;
    return {
      email: this.keys[c] as string,
      payments: this.payments[c] as number,
      failedPayments: this.failed[c] as number,
      activeSubscriptions: this.active[c] as number,
      lastPaymentAt: last === -Infinity ? null : new Date(last).toISOString(),
      totals,
    };
  }

  private customer(key: string): number {
    let c = this.numbers.get(key);
    if (c !== undefined) return c;
    c = this.keys.length;
    this.keys.push(key);
    this.numbers.set(key, c);
    if (c >= this.payments.length) this.grow(c + 1);
    this.starts[c] = this.text.length;
    this.text += `${key}\n`;
    return c;
  }

  private grow(size: number): void {
    const before = this.last.length;
    this.payments = grown(this.payments, size);
    this.failed = grown(this.failed, size);
    this.subscriptions = grown(this.subscriptions, size);
    this.active = grown(this.active, size);
    this.last = grown(this.last, size);
    this.last.fill(-Infinity, before);
    this.existed = grown(this.existed, size);
    this.starts = grown(this.starts, size);
    for (const l of this.ledgers) this.growLedger(l);
    for (const list of this.lists.values()) {
      list.value = grown(list.value, this.last.length);
      list.has = grown(list.has, this.last.length);
    }
  }

  private growLedger(l: Ledger): void {
    const size = this.last.length;
    l.count = grown(l.count, size);
    l.charged = grown(l.charged, size);
    l.refunded = grown(l.refunded, size);
    l.mrr = grown(l.mrr, size);
  }

  private ledger(code: string): Ledger {
    let l = this.ledgerOf.get(code);
    if (l === undefined) {
      l = {
        code,
        uses: 0,
        count: new Int32Array(0),
        charged: new Float64Array(0),
        refunded: new Float64Array(0),
        mrr: new Float64Array(0),
      };
      this.growLedger(l);
      this.ledgers.push(l);
      this.ledgerOf.set(code, l);
    }
    return l;
  }

  /** The sorted list for a column (in `currency` for the amounts), made the first time. */
  private list(sort: CustomerSort, currency: string | null): SortedCustomers {
    // In a currency nobody uses every amount is 0: the order is the e-mails'.
    const ledger = currency === null ? undefined : this.ledgerOf.get(currency);
    const money = MONEY_SORTS.has(sort);
    const name = money && ledger !== undefined ? `${sort}:${ledger.code}` : money ? 'email' : sort;
    const known = this.lists.get(name);
    if (known !== undefined) return known;
    const valueOf = this.valueOf(money && ledger === undefined ? 'email' : sort, ledger);
    // (The arrays are replaced when they grow: the order reads them through `list`.)
    const order = (a: number, b: number): number => {
      const va = list.value[a] as number;
      const vb = list.value[b] as number;
      return va < vb ? -1 : va > vb ? 1 : this.byEmail(a, b);
    };
    const list: SortedCustomers = {
      slots: new SortedSlots(order),
      order,
      value: new Float64Array(this.last.length),
      has: new Uint8Array(this.last.length),
      valueOf,
    };
    let all: number[];
    if (name === 'email') {
      all = [];
      for (let c = 0; c < this.keys.length; c++) if (this.existed[c] === 1) all.push(c);
      all.sort(this.byEmail);
    } else {
      // In e-mail order first, then a stable sort by the value alone: numbers compared, the
      // ties already in order (no e-mails compared).
      all = [];
      this.list('email', null).slots.scan(0, Infinity, 'asc', (c) => {
        all.push(c);
        return true;
      });
      const value = list.value;
      for (const c of all) value[c] = valueOf(c);
      all.sort((a, b) => {
        const va = value[a] as number;
        const vb = value[b] as number;
        return va < vb ? -1 : va > vb ? 1 : 0;
      });
    }
    for (const c of all) list.has[c] = 1;
    list.slots.fill(all);
    this.lists.set(name, list);
    return list;
  }

  private valueOf(sort: CustomerSort, ledger: Ledger | undefined): (c: number) => number {
    switch (sort) {
      case 'email':
        return () => 0;
      case 'activeSubscriptions':
        return (c) => this.active[c] as number;
      case 'failedPayments':
        return (c) => this.failed[c] as number;
      case 'lastPaymentAt':
        return (c) => this.last[c] as number;
      default: {
        const l = ledger as Ledger;
        // (A ledger's arrays are replaced when they grow: read them through `l`.)
        if (sort === 'charged') return (c) => l.charged[c] as number;
        if (sort === 'refunded') return (c) => l.refunded[c] as number;
        if (sort === 'net') return (c) => (l.charged[c] as number) - (l.refunded[c] as number);
        return (c) => l.mrr[c] as number;
      }
    }
  }

  /** Puts customer `c` where it belongs in `list` (out of it when it no longer exists). */
  private place(list: SortedCustomers, c: number, exists: boolean): void {
    const inList = list.has[c] === 1;
    if (!exists) {
      if (inList) {
        list.slots.remove(c);
        list.has[c] = 0;
      }
      return;
    }
    const value = list.valueOf(c);
    if (inList) {
      if (value === list.value[c]) return;
      list.slots.remove(c);
    }
    list.value[c] = value;
    list.slots.insert(c);
    list.has[c] = 1;
  }
}
