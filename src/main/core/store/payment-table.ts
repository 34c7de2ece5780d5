/**
 * The payment table (see tables.ts for the indexes it shares with subscriptions).
 *
 * Its records come from two places: the base (payment-base.ts: the payments of the last
 * snapshot file read or written, as columns, their bodies read from the file on demand) and
 * the overlay (the versions put since, as objects). A payment is read from the overlay if it
 * is there, else from a small cache of base payments read one at a time (the last
 * CACHE_LIMIT), else from the file; pages and allPayments() read past the cache.
 * After a compaction the table moves to the base just written, and drops from the overlay
 * what that base now holds.
 *
 * Idempotency keys are not indexed one by one: a key of the form `charge_<id>` or
 * `sub_<subscription>_p<period>_a<n>` is looked up through the id or the subscription index
 * (and checked), every other key through a Map.
 *
 * Once the customers index watches the table (`watch`), each put tells it the old version's
 * customer, status and money (from the overlay or the base's columns: no body is read) and
 * the new version's.
 */
import type { Page, UnreadableRecord } from '../../../shared/contract';
import type { Payment, PaymentStatus } from '../../../shared/domain';
import { amountValue } from '../../../shared/money';
import { wasCharged } from '../payment-rules';
import type { PaymentQuery, PeriodCharges, RefundMade } from '../ports';
import { instantMs, keyOwner, STATUS_DIGITS } from './codec';
import type { CustomerWatcher } from './customers';
import { GroupIndex } from './groups';
import { putMoney, type MoneyColumns } from './columns';
import { CURRENT_FORMAT, type StoreFormat } from './format';
import type { StoreError } from './errors';
import { PaymentBase } from './payment-base';
import { CREATED, valueRange, type SortColumn } from './query';
import { emailKey, Table, type Filter } from './tables';

const DIGIT = new Map(STATUS_DIGITS.map((s, i) => [s as string, i]));

const REFUNDED_STATUSES: readonly PaymentStatus[] = ['PARTIALLY_REFUNDED', 'REFUNDED'];

/** The refunds of a base's refunded payments, by slot (PaymentTable.refundsSince). */
interface RefundSummary {
  base: PaymentBase;
  bySlot: Map<number, RefundMade[]>;
  /** The refunded payments whose bodies could not be read, by slot. */
  unreadable: Map<number, UnreadableRecord>;
}

function refundsOf(p: Payment): RefundMade[] {
  const out: RefundMade[] = [];
  for (const e of p.events) {
    if (e.type === 'refunded') {
      out.push({ paymentId: p.id, currency: p.currency, amount: e.amount, at: e.at });
    }
  }
  return out;
}

/**
 * Base payments kept once read one at a time (about 1.3 KB each): the payment an operator
 * opens is read again by the refund that follows. Pages are not cached: re-reading 50
 * bodies costs about 0.2 ms, while keeping them made the garbage collector copy and
 * promote every page read, and its pauses were the slowest page reads.
 */
const CACHE_LIMIT = 256;
/** Slots whose bodies are read with one read of the file when they are this close. */
const RUN_GAP = 64;
/** Slots made room for beyond those loaded. */
const SLACK = 4096;
/** Payments read at a time by values(). */
const VALUES_RUN = 1024;

/** Which payments a query takes and the column they sort by (order and page come apart). */
export type PaymentFilter = Omit<PaymentQuery, 'order' | 'offset' | 'limit'>;

/** The columns payments sort by besides creation, each a value of a slot (PaymentTable). */
const PAYMENT_COLUMNS = ['amount', 'status', 'customerEmail', 'currency'] as const;
type PaymentColumn = (typeof PAYMENT_COLUMNS)[number];
const isPaymentColumn = (name: string): name is PaymentColumn =>
  (PAYMENT_COLUMNS as readonly string[]).includes(name);

/** The payments as of one moment, for a compaction to write while commits go on. */
export interface PaymentsCapture {
  readonly count: number;
  /** Ids by slot (the table's own list: its first `count` entries never change). */
  readonly ids: readonly string[];
  readonly base: PaymentBase;
  /** The overlay at that moment (a copy). */
  readonly overlay: readonly (Payment | undefined)[];
}

export class PaymentTable extends Table<Payment> {
  private base: PaymentBase;
  private overlay: (Payment | undefined)[] = [];
  /** Base payments read, by slot, in the order they were read: the oldest go first. */
  private readonly cache = new Map<number, Payment>();
  /** Keys not in one of the derived forms for their payment. */
  private readonly explicitKeys = new Map<string, number>();
  private readonly bySubscription = new GroupIndex();
  private refundSummary: RefundSummary | null = null;
  /** While queryReadable runs: the payments left out of its page as unreadable. */
  private skipped: UnreadableRecord[] | null = null;
  /** Told of every put once set (the customers index). */
  private watcher: CustomerWatcher | null = null;

  /** `format`: how payments given as objects are written at the next compaction. */
  constructor(private readonly format: StoreFormat = CURRENT_FORMAT) {
    super();
    this.base = PaymentBase.empty(this.ids, format);
  }

  /** Loads the payments of a snapshot into an empty table; returns a repeated id, or null. */
  loadBase(base: PaymentBase): string | null {
    const n = base.count;
    this.base = base;
    this.ids = base.columns.ids;
    // Room for the payments of the next while, so the first ones do not copy everything.
    this.createdMs = new Float64Array(n + SLACK);
    this.createdMs.set(base.columns.createdMs);
    this.overlay = new Array<Payment | undefined>(n + SLACK).fill(undefined);
    for (const [slot, key] of base.columns.keys) this.explicitKeys.set(key, slot);
    return this.indexLoaded(n);
  }

  /** Loads payments given as objects (an older snapshot) into an empty table. */
  loadObjects(rows: readonly Payment[]): string | null {
    this.base = PaymentBase.empty(this.ids, this.format);
    for (const row of rows) {
      this.setCreated(this.ids.length, instantMs(row.createdAt));
      this.ids.push(row.id);
      this.overlay.push(row);
      if (keyOwnerSlotMismatch(row)) this.explicitKeys.set(row.idempotencyKey, this.ids.length - 1);
    }
    return this.indexLoaded(rows.length);
  }

  /**
   * Tells `watcher` of every payment as it is now, then of every put from now on: the old
   * version out, the new one in. Reads no body, unless the base is a file without money
   * columns (PaymentBase.money reads them once; a damaged body throws, and nothing is watched).
   */
  watch(watcher: CustomerWatcher): void {
    const base = this.base;
    const overlay = this.overlay;
    watcher.paymentColumns(
      {
        email: base.columns.email,
        emailKeys: base.emailKeys,
        status: base.columns.status,
        createdMs: this.createdMs,
        money: base.money(),
      },
      base.count,
      (slot) => overlay[slot] !== undefined,
    );
    for (let slot = 0; slot < this.size; slot++) {
      if (overlay[slot] !== undefined) this.tell(watcher, slot, 1);
    }
    watcher.settle();
    this.watcher = watcher;
  }

  override put(row: Payment): void {
    const watcher = this.watcher;
    if (watcher === null) {
      super.put(row);
      return;
    }
    const old = this.slotOf(row.id);
    if (old !== undefined) this.tell(watcher, old, -1);
    super.put(row);
    this.tell(watcher, this.slotOf(row.id) as number, 1);
    watcher.settle();
  }

  /**
   * The createdAt milliseconds of the newest payment of a customer (lower-cased e-mail)
   * that went through, -Infinity for none: its e-mail list walked from the newest.
   */
  newestChargedMs(key: string): number {
    const list = this.emailSlots(key);
    for (let i = list.length - 1; i >= 0; i--) {
      const slot = list.at(i) as number;
      if (wasCharged(this.statusOf(slot) as PaymentStatus)) return this.createdMs[slot] as number;
    }
    return -Infinity;
  }

  /** Tells `watcher` of the payment in `slot` as the table holds it now. */
  private tell(watcher: CustomerWatcher, slot: number, sign: 1 | -1): void {
    const o = this.overlay[slot];
    if (o !== undefined) {
      watcher.payment(
        emailKey(o.customerEmail),
        o.status,
        o.currency,
        o.amount,
        o.refundedAmount,
        this.createdMs[slot] as number,
        sign,
      );
      return;
    }
    const money = this.base.money();
    watcher.payment(
      this.base.emailKeyOf(slot),
      this.base.statusOf(slot),
      money.currencies[money.currency[slot] as number] as string,
      money.amount[slot] as number,
      money.refunded[slot] as number,
      this.createdMs[slot] as number,
      sign,
    );
  }

  byIdempotencyKey(key: string): Payment | undefined {
    const slot = this.slotOfKey(key);
    return slot === undefined ? undefined : this.row(slot);
  }

  query(
    filter: PaymentFilter,
    order: 'asc' | 'desc',
    offset: number,
    limit: number,
  ): Page<Payment> {
    const filters: Filter[] = [];
    if (filter.status !== undefined) filters.push(this.statusFilter(filter.status));
    if (filter.customerEmail !== undefined) filters.push(this.emailFilter(filter.customerEmail));
    const sub = filter.subscriptionId;
    if (sub !== undefined) {
      filters.push({
        list: this.bySubscription.get(sub),
        test: (slot) => this.subscriptionOf(slot) === sub,
      });
    }
    if (filter.search) filters.push(this.emailPartFilter(filter.search));
    const currency = filter.currency;
    if (currency !== undefined) {
      const column = this.column('currency');
      filters.push({
        list: valueRange(this.orderList('currency'), column, currency, currency),
        test: (slot) => this.currencyAt(slot) === currency,
      });
    }
    const { minAmount: min, maxAmount: max } = filter;
    if (min !== undefined || max !== undefined) {
      const column = this.column('amount');
      filters.push({
        list: valueRange(this.orderList('amount'), column, min, max),
        // One amount: the range is in creation order, as ties are.
        sortedBy: min !== undefined && min === max ? CREATED : 'amount',
        test: (slot) => {
          const v = amountValue(this.amountAt(slot), this.currencyAt(slot));
          return (min === undefined || v >= min) && (max === undefined || v <= max);
        },
      });
    }
    if (filter.from !== undefined || filter.to !== undefined) {
      filters.push(
        this.createdFilter(
          filter.from === undefined ? undefined : instantMs(filter.from),
          filter.to === undefined ? undefined : instantMs(filter.to),
        ),
      );
    }
    const key = JSON.stringify([
      filter.status,
      filter.customerEmail?.toLowerCase(),
      sub,
      filter.search?.toLowerCase(),
      currency,
      min,
      max,
      filter.from,
      filter.to,
      filter.sort,
    ]);
    return this.page(filters, order, offset, limit, filter.sort ?? CREATED, key);
  }

  protected override sortColumn(name: string): SortColumn<Payment> | undefined {
    return isPaymentColumn(name) ? this.column(name) : undefined;
  }

  private column(name: PaymentColumn): SortColumn<Payment> {
    switch (name) {
      case 'amount':
        return {
          of: (slot) => amountValue(this.amountAt(slot), this.currencyAt(slot)),
          ofRow: (p) => amountValue(p.amount, p.currency),
        };
      case 'status':
        return { of: (slot) => this.statusOf(slot), ofRow: (p) => p.status };
      case 'customerEmail':
        return { of: (slot) => this.emailKeyOf(slot), ofRow: (p) => emailKey(p.customerEmail) };
      case 'currency':
        return { of: (slot) => this.currencyAt(slot), ofRow: (p) => p.currency };
    }
  }

  /** The amount of `slot` in minor units: the overlay's, else the base's money column. */
  private amountAt(slot: number): number {
    const o = this.overlay[slot];
    return o !== undefined ? o.amount : (this.base.money().amount[slot] as number);
  }

  private currencyAt(slot: number): string {
    const o = this.overlay[slot];
    if (o !== undefined) return o.currency;
    const money = this.base.money();
    return money.currencies[money.currency[slot] as number] as string;
  }

  pending(): Payment[] {
    return this.statusRows('PENDING');
  }

  ofSubscription(subscriptionId: string): Payment[] {
    return this.listRows(this.bySubscription.get(subscriptionId));
  }

  /** The attempts of one period of a subscription, from the columns: no body is read. */
  periodCharges(subscriptionId: string, period: number): PeriodCharges {
    const list = this.bySubscription.get(subscriptionId);
    let attempts = 0;
    let paid = false;
    let pending: string | null = null;
    for (let i = 0; i < list.length; i++) {
      const slot = list.at(i) as number;
      if (this.periodOf(slot) !== period) continue;
      attempts++;
      const status = this.statusOf(slot) as PaymentStatus;
      paid ||= wasCharged(status);
      if (status === 'PENDING') pending = this.ids[slot] as string;
    }
    return { attempts, paid, pending };
  }

  /**
   * Refunds made at or after `fromMs`. Those of base payments (unchanged since the snapshot)
   * come from a summary built from their bodies the first time it is asked (and carried over
   * to the next base by a compaction); those of payments changed since come from the overlay,
   * in memory.
   */
  refundsSince(fromMs: number, unreadable?: UnreadableRecord[]): RefundMade[] {
    const out: RefundMade[] = [];
    const keep = (r: RefundMade): void => {
      if (instantMs(r.at) >= fromMs) out.push(r);
    };
    const summary = this.baseRefunds();
    for (const [slot, refunds] of summary.bySlot) {
      if (this.overlay[slot] === undefined) refunds.forEach(keep);
    }
    for (const [slot, record] of summary.unreadable) {
      if (this.overlay[slot] === undefined) unreadable?.push(record);
    }
    for (const status of REFUNDED_STATUSES) {
      const slots = this.statusSlots(status);
      for (let i = 0; i < slots.length; i++) {
        const p = this.overlay[slots.at(i) as number];
        if (p !== undefined) refundsOf(p).forEach(keep);
      }
    }
    return out;
  }

  /** The refunds of the base's refunded payments, by slot, read once (those readable). */
  private baseRefunds(): RefundSummary {
    if (this.refundSummary?.base === this.base) return this.refundSummary;
    const base = this.base;
    const slots: number[] = [];
    for (let slot = 0; slot < base.count; slot++) {
      if (REFUNDED_STATUSES.includes(base.statusOf(slot))) slots.push(slot);
    }
    const bySlot = new Map<number, RefundMade[]>();
    const unreadable = new Map<number, UnreadableRecord>();
    const read = this.readMissing(slots, (slot, error) => {
      unreadable.set(slot, { id: this.ids[slot] as string, error: error.message });
    });
    for (const [slot, p] of read) bySlot.set(slot, refundsOf(p));
    this.refundSummary = { base, bySlot, unreadable };
    return this.refundSummary;
  }

  /**
   * The refund summary of the base written from `capture`, made from the old base's summary
   * and the captured overlay without reading the file again (null when there is nothing to
   * carry over: it is then built when first asked).
   */
  private carryRefunds(
    old: PaymentBase,
    base: PaymentBase,
    capture: PaymentsCapture,
  ): RefundSummary | null {
    if (this.refundSummary?.base !== old) return null;
    const bySlot = new Map<number, RefundMade[]>();
    for (const [slot, refunds] of this.refundSummary.bySlot) {
      if (capture.overlay[slot] === undefined) bySlot.set(slot, refunds);
    }
    // Their bodies were copied as they were: still unreadable.
    const unreadable = new Map<number, UnreadableRecord>();
    for (const [slot, record] of this.refundSummary.unreadable) {
      if (capture.overlay[slot] === undefined) unreadable.set(slot, record);
    }
    for (let slot = 0; slot < capture.count; slot++) {
      const p = capture.overlay[slot];
      if (p !== undefined && REFUNDED_STATUSES.includes(p.status)) bySlot.set(slot, refundsOf(p));
    }
    return { base, bySlot, unreadable };
  }

  /** Every payment in creation order, read in runs; base payments not cached are not kept. */
  *values(): IterableIterator<Payment> {
    for (let from = 0; from < this.size; from += VALUES_RUN) {
      // Each run is read from the base of the moment (a compaction may move to a new one).
      const to = Math.min(from + VALUES_RUN, this.size);
      const read: Payment[] = [];
      this.base.readRun(
        from,
        Math.min(to, this.base.count),
        (slot) => this.held(slot) === undefined,
        (p) => read.push(p),
      );
      const run: Payment[] = new Array(to - from);
      let next = 0;
      for (let slot = from; slot < to; slot++) {
        run[slot - from] = this.held(slot) ?? (read[next++] as Payment);
      }
      yield* run;
    }
  }

  /** The payments as they are now, for a compaction. */
  capture(): PaymentsCapture {
    return { count: this.size, ids: this.ids, base: this.base, overlay: this.overlay.slice() };
  }

  /**
   * Moves to `base`, just written from `capture`: the overlay keeps only the versions put
   * after the capture. Returns the base left behind, for the caller to close.
   */
  rebase(base: PaymentBase, capture: PaymentsCapture): PaymentBase {
    const old = this.base;
    const oldMoney = old.knownMoney();
    if (base.knownMoney() === null && oldMoney !== null) {
      // Written while the old base's money was still being read: carry it over.
      base.adoptMoney(moneyOf(capture, oldMoney));
    }
    this.base = base;
    this.refundSummary = this.carryRefunds(old, base, capture);
    for (let slot = 0; slot < capture.count; slot++) {
      const written = capture.overlay[slot];
      // Same object, now in the base: read from there from now on.
      if (written !== undefined && this.overlay[slot] === written) this.overlay[slot] = undefined;
    }
    return old;
  }

  /** Closes the base's file. */
  close(): Promise<void> {
    return this.base.close();
  }

  // -- slots ------------------------------------------------------------------------------

  protected row(slot: number): Payment {
    const held = this.held(slot);
    if (held !== undefined) return held;
    const p = this.base.read(slot);
    this.remember(slot, p);
    return p;
  }

  protected override rows(slots: readonly number[]): Payment[] {
    const out: (Payment | undefined)[] = new Array(slots.length);
    const missing: number[] = [];
    for (let i = 0; i < slots.length; i++) {
      const held = this.held(slots[i] as number);
      out[i] = held;
      if (held === undefined) missing.push(slots[i] as number);
    }
    if (missing.length === 0) return out as Payment[];
    const skipped = this.skipped;
    const read = this.readMissing(
      missing,
      skipped === null
        ? undefined
        : (slot, error) => {
            const index = slots.indexOf(slot);
            skipped.push({ id: this.ids[slot] as string, error: error.message, index });
          },
    );
    for (let i = 0; i < slots.length; i++) out[i] ??= read.get(slots[i] as number);
    return skipped === null ? (out as Payment[]) : out.filter((p) => p !== undefined);
  }

  /**
   * query(), except that a payment whose body cannot be read is left out of the items and
   * named in the page's `unreadable` (with the error naming its file and line), instead of
   * failing the page: for what the operator looks at, never for what a command acts on.
   */
  queryReadable(
    filter: PaymentFilter,
    order: 'asc' | 'desc',
    offset: number,
    limit: number,
  ): Page<Payment> {
    const skipped: UnreadableRecord[] = [];
    this.skipped = skipped;
    try {
      const page = this.query(filter, order, offset, limit);
      return skipped.length === 0 ? page : { ...page, unreadable: skipped };
    } finally {
      this.skipped = null;
    }
  }

  protected createdAtOf(slot: number): string {
    return this.overlay[slot]?.createdAt ?? this.base.createdAtOf(slot);
  }

  protected statusOf(slot: number): string {
    return this.overlay[slot]?.status ?? this.base.statusOf(slot);
  }

  protected emailKeyOf(slot: number): string {
    const o = this.overlay[slot];
    return o !== undefined ? emailKey(o.customerEmail) : this.base.emailKeyOf(slot);
  }

  protected keep(slot: number, row: Payment): void {
    if (this.overlay.length <= slot) {
      const more = Math.max(SLACK, this.overlay.length >> 1);
      for (let i = 0; i < more; i++) this.overlay.push(undefined);
    }
    this.overlay[slot] = row;
    this.forget(slot);
    if (keyOwnerSlotMismatch(row)) this.explicitKeys.set(row.idempotencyKey, slot);
  }

  protected override statusGroups(count: number): { keys: string[]; groupOf: Int32Array } {
    const digits = this.base.columns.status;
    const groupOf = new Int32Array(count);
    for (let slot = 0; slot < count; slot++) {
      const o = this.overlay[slot];
      groupOf[slot] = o !== undefined ? (DIGIT.get(o.status) as number) : (digits[slot] as number);
    }
    return { keys: STATUS_DIGITS.slice(), groupOf };
  }

  protected override emailGroups(count: number): { keys: string[]; groupOf: Int32Array } {
    const c = this.base.columns;
    return this.groups(count, c.emails.map(emailKey), c.email, (slot) => this.emailKeyOf(slot));
  }

  protected loadExtra(sorted: readonly number[]): void {
    const c = this.base.columns;
    const { keys, groupOf } = this.groups(sorted.length, c.subscriptions, c.subscription, (slot) =>
      this.subscriptionOf(slot),
    );
    this.bySubscription.load(keys, groupOf, sorted);
  }

  /**
   * Groups of the `count` loaded slots by a key: for base slots, `keys[refs[slot]]` (a
   * column that refers to a list of keys, -1 for none); for the others, `keyOf(slot)`.
   */
  private groups(
    count: number,
    values: readonly string[],
    refs: Int32Array,
    keyOf: (slot: number) => string | null,
  ): { keys: string[]; groupOf: Int32Array } {
    const keys: string[] = [];
    const index = new Map<string, number>();
    const group = (key: string): number => {
      let g = index.get(key);
      if (g === undefined) {
        g = keys.length;
        keys.push(key);
        index.set(key, g);
      }
      return g;
    };
    const valueGroup = values.map(group);
    const groupOf = new Int32Array(count);
    for (let slot = 0; slot < count; slot++) {
      if (slot < this.base.count && this.overlay[slot] === undefined) {
        const r = refs[slot] as number;
        groupOf[slot] = r < 0 ? -1 : (valueGroup[r] as number);
      } else {
        const key = keyOf(slot);
        groupOf[slot] = key === null ? -1 : group(key);
      }
    }
    return { keys, groupOf };
  }

  protected extraKeysChanged(slot: number, row: Payment): boolean {
    return (
      this.keyOf(slot) !== row.idempotencyKey || this.subscriptionOf(slot) !== row.subscriptionId
    );
  }

  protected indexExtra(slot: number): void {
    const sub = this.subscriptionOf(slot);
    if (sub !== null) this.bySubscription.insert(sub, slot, this.byCreation);
  }

  protected unindexExtra(slot: number): void {
    const key = this.keyOf(slot);
    if (this.explicitKeys.get(key) === slot) this.explicitKeys.delete(key);
    const sub = this.subscriptionOf(slot);
    if (sub !== null) this.bySubscription.remove(sub, slot, this.byCreation);
  }

  private held(slot: number): Payment | undefined {
    return this.overlay[slot] ?? this.cache.get(slot);
  }

  private subscriptionOf(slot: number): string | null {
    const o = this.overlay[slot];
    return o !== undefined ? o.subscriptionId : this.base.subscriptionOf(slot);
  }

  private periodOf(slot: number): number | null {
    const o = this.overlay[slot];
    return o !== undefined ? o.period : this.base.periodOf(slot);
  }

  private keyOf(slot: number): string {
    const o = this.overlay[slot];
    return o !== undefined ? o.idempotencyKey : this.base.keyOf(slot);
  }

  private slotOfKey(key: string): number | undefined {
    const explicit = this.explicitKeys.get(key);
    if (explicit !== undefined && this.keyOf(explicit) === key) return explicit;
    const owner = keyOwner(key);
    if (owner === null) return undefined;
    if ('id' in owner) {
      const slot = this.slotOf(owner.id);
      return slot !== undefined && this.keyOf(slot) === key ? slot : undefined;
    }
    const list = this.bySubscription.get(owner.subscriptionId);
    for (let i = 0; i < list.length; i++) {
      const slot = list.at(i) as number;
      if (this.periodOf(slot) === owner.period && this.keyOf(slot) === key) return slot;
    }
    return undefined;
  }

  /** Reads the base payments of `slots`, with one read per run of close slots (not cached). */
  private readMissing(
    slots: number[],
    unreadable?: (slot: number, error: StoreError) => void,
  ): Map<number, Payment> {
    const sorted = [...new Set(slots)].sort((a, b) => a - b);
    const read = new Map<number, Payment>();
    const want = new Set(sorted);
    let i = 0;
    while (i < sorted.length) {
      let j = i + 1;
      while (j < sorted.length && (sorted[j] as number) - (sorted[j - 1] as number) <= RUN_GAP) j++;
      const from = sorted[i] as number;
      this.base.readRun(
        from,
        (sorted[j - 1] as number) + 1,
        (slot) => want.has(slot),
        (p, slot) => read.set(slot, p),
        unreadable,
      );
      i = j;
    }
    return read;
  }

  private remember(slot: number, p: Payment): void {
    this.cache.delete(slot);
    this.cache.set(slot, p);
    if (this.cache.size > CACHE_LIMIT) {
      const oldest = this.cache.keys().next();
      if (oldest.done !== true) this.cache.delete(oldest.value);
    }
  }

  private forget(slot: number): void {
    this.cache.delete(slot);
  }
}

/** The money of the payments of `capture`: the overlay's, else the base's (`baseMoney`). */
function moneyOf(capture: PaymentsCapture, baseMoney: MoneyColumns): MoneyColumns {
  const n = capture.count;
  const money: MoneyColumns = {
    amount: new Float64Array(n),
    refunded: new Float64Array(n),
    currency: new Uint16Array(n),
    currencies: baseMoney.currencies.slice(),
  };
  const refOf = new Map(money.currencies.map((code, i) => [code, i]));
  for (let slot = 0; slot < n; slot++) {
    const o = capture.overlay[slot];
    if (o === undefined) {
      money.amount[slot] = baseMoney.amount[slot] as number;
      money.refunded[slot] = baseMoney.refunded[slot] as number;
      money.currency[slot] = baseMoney.currency[slot] as number;
      continue;
    }
    putMoney(money, refOf, slot, o);
  }
  return money;
}

/** Whether `p`'s key is not the derived form for `p` itself (so it must be indexed by text). */
function keyOwnerSlotMismatch(p: Payment): boolean {
  const owner = keyOwner(p.idempotencyKey);
  if (owner === null) return true;
  if ('id' in owner) return owner.id !== p.id;
  return owner.subscriptionId !== p.subscriptionId || owner.period !== p.period;
}
