/**
 * The kill -9 chaos harness: the real headless server (`node scripts/serve.mjs`) as a child
 * process with gateway latency, a mixed load from several clients, SIGKILL of its process
 * group at a random moment, restart on the same data directory, checks, repeat.
 *
 * A round:
 *
 * 1. start the server and wait until start-up reconciliation is over (GET health/);
 * 2. after a kill: check the invariants (./invariants) against the gateway's ledger file,
 *    the app's state and the log of acknowledged answers; replay acknowledged keys and check
 *    that the replays answer the same and create nothing;
 * 3. retry, without a kill, the requests whose answers were lost when they need it (a
 *    request interrupted twice, or before the test clock moves); check that undo and redo
 *    still work; for some rounds, advance the test clock a day and run recurring charges
 *    (and undo the run) before the load, so that the kill lands in the undo (or redo);
 * 4. load: the clients send keyed requests (payments with declines and time-outs, partial
 *    and full refunds, subscriptions, recurring runs, undo and redo) and a timer SIGKILLs
 *    the group a few ms to a few hundred ms after the load started (some rounds send
 *    SIGTERM first and SIGKILL up to 3 s later: kills mid-shutdown and mid-compaction);
 *    wait until the group is gone. A round that ends in a SIGKILL is a kill point.
 *
 * The end: a restart and check, every lost request answered, undo and redo, a graceful
 * stop, one more start (which settles what a time-out left PENDING) and check.
 *
 * A request whose answer was lost is retried with the same key until it gets a final
 * answer (a 409 in_progress or a 503 means: later). A seed fixes the schedule: the rounds'
 * kinds, kill delays and each client's sequence of operations (what the answers are, and so
 * how far each client gets before the kill, depends on timing).
 */
import {
  appendFileSync,
  closeSync,
  fstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import {
  HistoryModel,
  apiPayment,
  apiSubscription,
  checkAcknowledged,
  checkMoney,
  checkNothingCreated,
  checkPeriodsChargedOnce,
  checkRequestsChargedOnce,
  checkStatus,
  checkSubscriptionsOnce,
  clockView,
  compareReplay,
  fromMinor,
  historyView,
  isCharged,
  mergeViolations,
  parseLedger,
  requestTag,
  subscriptionEmail,
  toMinor,
  type Ack,
  type ApiPayment,
  type ApiSubscription,
  type CheckResult,
  type Counts,
  type HistoryView,
  type InvariantName,
  type LedgerEntry,
  type Violation,
} from './invariants';
import {
  startGatewayService,
  type RunningGatewayService,
} from '../integration/helpers/gateway-service';
import { startCluster, type Cluster } from './postgres';
import {
  Api,
  NoAnswer,
  ensureBuilt,
  killGroup,
  startServer,
  stopServer,
  terminate,
  type Answer,
  type Server,
} from './server';

// ---------------------------------------------------------------------------------------
// Options and report

export interface ChaosOptions {
  /** Kill points (rounds). */
  rounds: number;
  seed: number;
  /** Start no new round after this many seconds (null: no limit). */
  durationS: number | null;
  /** Payment clients (besides the history, recurring and subscription clients). */
  clients: number;
  /** Mean latency of the mock gateway (ms). */
  latencyMs: number;
  /** Work directory (data/ and server.log in it); default a new temporary one. */
  dataDir: string | null;
  /** Keep the work directory at the end. */
  keep: boolean;
  /** Subscriptions to create (the size of a recurring run). */
  subscriptions: number;
  /** Concurrent subscription requests while the pool is being created. */
  subscriptionClients: number;
  /** Kill delays are drawn from 2 ms to this (skewed towards short ones). */
  maxKillDelayMs: number;
  /** Share of rounds that advance the test clock a day and run recurring charges. */
  recurringShare: number;
  /** Share of rounds that run recurring charges, then undo the run (the kill lands in it). */
  undoRunShare: number;
  /** Share of rounds that run recurring charges and undo the run, then redo it (killed). */
  redoRunShare: number;
  /**
   * Share of rounds that first stop the server gracefully (SIGTERM: it finishes what is in
   * flight and compacts its store) and SIGKILL it up to 3 s later unless it is gone by then:
   * kills then land mid-shutdown and mid-compaction, and the journal gets compacted.
   */
  stopShare: number;
  /** The longest a graceful stop is given before the SIGKILL (ms). */
  stopGraceMaxMs: number;
  /**
   * Serve instances. 1: the single desk (its embedded store, the mock gateway in its
   * process). 2 or more: every instance on one PostgreSQL database (a cluster of the
   * harness's own, ./postgres) and one gateway service, each on its own data directory and
   * port; a kill point SIGKILLs one instance (the load goes on at the others a while, a
   * retried key going to another instance) or all; PostgreSQL itself is crashed and started
   * again in some rounds.
   */
  instances: number;
  /** Several instances: share of rounds that crash PostgreSQL (round 2 always does). */
  pgRestartShare: number;
  /** Several instances: share of kill rounds that kill every instance at once. */
  killAllShare: number;
  /** The build to run (its main/server.js); null: out/, through scripts/serve.mjs. */
  outDir: string | null;
  /** The project's root (scripts/serve.mjs). */
  root: string;
  /** Progress lines. */
  log: (line: string) => void;
}

export const DEFAULT_OPTIONS: ChaosOptions = {
  rounds: 300,
  seed: 1,
  durationS: null,
  clients: 4,
  latencyMs: 30,
  dataDir: null,
  keep: false,
  subscriptions: 1000,
  subscriptionClients: 8,
  maxKillDelayMs: 400,
  recurringShare: 0.1,
  undoRunShare: 0.03,
  redoRunShare: 0.02,
  stopShare: 0.1,
  stopGraceMaxMs: 3_000,
  instances: 1,
  pgRestartShare: 0.04,
  killAllShare: 0.2,
  outDir: null,
  root: fileURLToPath(new URL('../..', import.meta.url)),
  log: () => undefined,
};

export interface ChaosReport {
  seed: number;
  /** Rounds that ended with a SIGKILL of the running server (several: each instance killed). */
  killPoints: number;
  instances: number;
  /** Crashes of PostgreSQL (several instances). */
  pgRestarts: number;
  /** Rounds that ended with a graceful stop (SIGTERM) that finished before the SIGKILL. */
  gracefulStops: number;
  /** Keyed requests made (each counted once however often it was retried). */
  requests: number;
  /** Requests that got a final answer. */
  acknowledged: number;
  /** HTTP attempts of keyed requests (first sends and retries). */
  attempts: number;
  /** Answers lost to a kill (or a time-out), each retried later. */
  lost: number;
  /** Acknowledged keys replayed after restarts. */
  replays: number;
  checks: number;
  violations: Violation[];
  byInvariant: Partial<Record<InvariantName, number>>;
  durationMs: number;
  workDir: string;
  kept: boolean;
  /** Why the run stopped before its end (the harness could not go on), or null. */
  aborted: string | null;
}

/** The one summary line (the CLI prints it; the test shows it). */
export function summaryLine(r: ChaosReport): string {
  const by = Object.entries(r.byInvariant)
    .map(([name, n]) => `${name}=${n}`)
    .join(',');
  return (
    `CHAOS seed=${r.seed}${r.instances > 1 ? ` instances=${r.instances} pg_restarts=${r.pgRestarts}` : ''} ` +
    `kill_points=${r.killPoints} graceful_stops=${r.gracefulStops} requests=${r.requests} ` +
    `acknowledged=${r.acknowledged} lost=${r.lost} replays=${r.replays} checks=${r.checks} ` +
    `violations=${r.violations.length}${by ? ` (${by})` : ''} duration_s=${Math.round(r.durationMs / 1000)}` +
    (r.aborted === null ? '' : ` ABORTED: ${r.aborted.split('\n')[0]}`)
  );
}

// ---------------------------------------------------------------------------------------
// Seeded randomness

/** FNV-1a over the parts: a 32-bit seed per (seed, round, stream). */
export function hashSeed(...parts: (string | number)[]): number {
  let h = 0x811c9dc5;
  for (const ch of parts.join('\u0000')) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: small, fast, good enough for schedules. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
}

// ---------------------------------------------------------------------------------------
// Requests and clients

type Kind = Ack['kind'];

interface Req {
  key: string;
  kind: Kind;
  client: string;
  path: string;
  body: Record<string, unknown>;
  /** Sends so far. */
  attempts: number;
  /** Sends whose answer was lost. */
  interruptions: number;
  /** Several instances: the one it was last sent to (a retry goes to another). */
  node?: number;
  /** Several instances: send it to this one only. */
  pin?: number;
}

type Flavor = 'mixed' | 'recurring' | 'undo-run' | 'redo-run';

interface Plan {
  flavor: Flavor;
  /** When the kill comes, after the load started. */
  killDelayMs: number;
  /** A graceful stop (SIGTERM) at the kill time, given this long before the SIGKILL. */
  stopGraceMs: number | null;
  /** Several instances: the ones killed (by index). */
  victims: number[];
  /** Several instances: PostgreSQL is crashed at the kill time instead (every instance exits). */
  pgRestart: boolean;
  /** Several instances: how long the load goes on at the survivors after the kill. */
  afterKillMs: number;
}

interface LoadContext {
  round: number;
  stopped: boolean;
  rng: (client: string) => Rng;
}

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));
const HOUR_MS = 3_600_000;
/** A request's time-out: long, since a kill usually ends it first (an undo of a run is slow). */
const REQUEST_TIMEOUT_MS = 15 * 60_000;
const QUERY_TIMEOUT_MS = 120_000;
/** How long a key may answer in_progress when nothing else runs. */
const LATER_LIMIT_MS = 120_000;

const errorAnswer = z.object({
  error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }),
});
function errorOf(text: string): { code: string; field?: string } | null {
  try {
    const parsed = errorAnswer.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.error : null;
  } catch {
    return null;
  }
}

/**
 * 409 in_progress, 409 unavailable (the key's work was interrupted and is not settled yet:
 * with several instances, one that died running it and has not started again) and 503
 * storage_unavailable: not an answer, ask again later.
 */
function isRetryLater(answer: Answer): boolean {
  if (answer.status === 503) return true;
  const code = answer.status === 409 ? errorOf(answer.text)?.code : undefined;
  return code === 'in_progress' || code === 'unavailable';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

abstract class Client {
  outstanding: Req | null = null;
  protected n = 0;

  constructor(
    readonly name: string,
    protected readonly chaos: Chaos,
  ) {}

  /** The next new request, or null when this client is done for the round. */
  protected abstract next(rng: Rng, ctx: LoadContext): Promise<Req | null>;

  /** A final answer to one of this client's requests. */
  abstract answered(req: Req, answer: Answer): void;

  protected request(kind: Kind, key: string, path: string, body: Record<string, unknown>): Req {
    this.chaos.counters.requests++;
    return { key, kind, client: this.name, path, body, attempts: 0, interruptions: 0 };
  }

  async loop(ctx: LoadContext): Promise<void> {
    const rng = ctx.rng(this.name);
    while (!ctx.stopped) {
      if (this.outstanding === null) {
        const req = await this.next(rng, ctx);
        if (req === null || ctx.stopped) {
          // A request made after the kill was never sent: it is sent next round.
          if (req !== null) this.outstanding = req;
          return;
        }
        this.outstanding = req;
      }
      const outcome = await this.chaos.send(this, this.outstanding, REQUEST_TIMEOUT_MS);
      if (outcome !== 'final' && !ctx.stopped) await sleep(outcome === 'later' ? 50 : 20);
    }
  }
}

interface Owned {
  currency: string;
  amount: number;
  refunded: number;
}

const DECLINES = [
  'pm_card_chargeDeclined',
  'pm_card_chargeDeclinedInsufficientFunds',
  'pm_card_chargeDeclinedExpiredCard',
  'pm_card_chargeDeclinedProcessingError',
] as const;

/** Charges (successes, declines, time-outs, seeded outcomes) and partial or full refunds. */
class PaymentClient extends Client {
  /** Its charged payments with something left to refund. */
  private readonly owned = new Map<string, Owned>();

  protected async next(rng: Rng, ctx: LoadContext): Promise<Req | null> {
    const key = `${this.name}-r${ctx.round}-${this.n++}`;
    const refundable = [...this.owned].filter(([, p]) => p.amount > p.refunded);
    if (refundable.length > 0 && rng.chance(0.3)) {
      const [id, p] = rng.pick(refundable);
      const left = p.amount - p.refunded;
      const body: Record<string, unknown> = {};
      if (left > 1 && rng.chance(0.55)) body.amount = fromMinor(rng.int(1, left - 1), p.currency);
      else if (rng.chance(0.5)) body.amount = fromMinor(left, p.currency);
      return this.request('refund', key, `payments/${id}/refund/`, body);
    }
    const currency = rng.chance(0.15) ? 'JPY' : 'USD';
    const amount = currency === 'JPY' ? rng.int(100, 90_000) : rng.int(50, 90_000);
    const r = rng.next();
    const method =
      r < 0.5
        ? 'pm_card_visa'
        : r < 0.65
          ? rng.pick(DECLINES)
          : r < 0.75
            ? 'pm_card_timeoutAfterCharge'
            : null;
    const body: Record<string, unknown> = {
      amount: fromMinor(amount, currency),
      currency,
      customer_email: `${this.name}@payments.example`,
      description: requestTag(key),
    };
    if (method !== null) body.payment_method = method;
    return this.request('pay', key, 'payments/process/', body);
  }

  answered(req: Req, answer: Answer): void {
    const parsed = apiPayment.safeParse(parseJson(answer.text));
    if (req.kind === 'refund' && !parsed.success) {
      // Refused (already refunded by an undo, say): stop refunding it.
      const id = /^payments\/([^/]+)\//.exec(req.path)?.[1];
      if (id !== undefined) this.owned.delete(id);
      return;
    }
    if (!parsed.success || answer.status >= 300) return;
    this.learn(parsed.data);
  }

  private learn(p: ApiPayment): void {
    const amount = toMinor(p.amount, p.currency);
    const refunded = toMinor(p.refunded_amount, p.currency);
    if (!isCharged(p.status) || amount === null || refunded === null || refunded >= amount) {
      this.owned.delete(p.id);
      return;
    }
    this.owned.set(p.id, { currency: p.currency, amount, refunded });
  }
}

/** The only client that undoes and redoes: what it knows is the HistoryModel. */
class HistoryClient extends Client {
  firstOp: 'undo' | 'redo' | null = null;
  private sendLimit = true;

  protected async next(rng: Rng, ctx: LoadContext): Promise<Req | null> {
    let op = this.firstOp;
    this.firstOp = null;
    if (op === null) {
      await sleep(rng.int(20, 150));
      if (ctx.stopped) return null;
      op = rng.chance(0.55) ? 'undo' : 'redo';
    }
    return this.make(op, `h-r${ctx.round}-${this.n++}`);
  }

  make(op: 'undo' | 'redo', key: string): Req {
    this.chaos.history.begin(op, key);
    // A small view in the answer: the whole history grows to tens of thousands of entries.
    return this.request(op, key, `history/${op}/`, this.sendLimit ? { limit: 20 } : {});
  }

  answered(req: Req, answer: Answer): void {
    const kind = req.kind === 'redo' ? 'redo' : 'undo';
    let view: HistoryView | null = null;
    if (answer.status === 200) {
      const parsed = historyView.safeParse(parseJson(answer.text));
      if (parsed.success) view = parsed.data;
      else
        this.chaos.violate('readable', `view:${req.key}`, `the answer to ${req.key} is no history`);
    }
    if (answer.status === 400 && errorOf(answer.text)?.field === 'limit') this.sendLimit = false;
    this.chaos.merge(
      this.chaos.history.answered(kind, req.key, answer.status, view, answer.replayed),
    );
    if (view !== null && !answer.replayed) this.chaos.seeHistory(view);
  }
}

/** Runs recurring charges when told to. */
class RecurringClient extends Client {
  runNow = false;

  protected async next(_rng: Rng, ctx: LoadContext): Promise<Req | null> {
    if (!this.runNow) return null;
    this.runNow = false;
    return this.makeRun(ctx.round);
  }

  makeRun(round: number): Req {
    return this.request('run', `run-r${round}-${this.n++}`, 'payments/process-recurring/', {});
  }

  answered(): void {}
}

/** Creates the pool of daily subscriptions that recurring runs charge, a burst at a time. */
class SubscriptionClient extends Client {
  protected async next(rng: Rng): Promise<Req | null> {
    const pool = this.chaos.pool;
    if (pool.issued >= this.chaos.options.subscriptions) return null;
    const key = `sub${pool.issued++}`;
    return this.request('subscribe', key, 'subscriptions/', {
      customer_email: subscriptionEmail(key),
      amount: fromMinor(rng.int(100, 9_999), 'USD'),
      currency: 'USD',
      interval: 'DAILY',
    });
  }

  answered(): void {}
}

// ---------------------------------------------------------------------------------------
// The gateway's ledger, read as it grows

/**
 * Reads the append-only ledger incrementally: the complete lines read before are kept (the
 * file is append-only), only what was appended since is parsed. An unterminated last line is
 * read each time: an entry when it parses whole, else a torn append, ignored (parseLedger).
 */
export class LedgerReader {
  private readonly complete: LedgerEntry[] = [];
  private offset = 0;

  constructor(private readonly path: string) {}

  read(): { entries: LedgerEntry[]; problems: string[] } {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], problems: [] };
      throw error;
    }
    try {
      const size = fstatSync(fd).size;
      if (size < this.offset) {
        return { entries: [], problems: [`the file shrank from ${this.offset} to ${size} bytes`] };
      }
      const bytes = Buffer.alloc(size - this.offset);
      let read = 0;
      while (read < bytes.length) {
        const n = readSync(fd, bytes, read, bytes.length - read, this.offset + read);
        if (n === 0) break;
        read += n;
      }
      const end = bytes.subarray(0, read).lastIndexOf(0x0a) + 1;
      const lines = parseLedger(bytes.subarray(0, end).toString('utf8'));
      const problems = lines.problems.map((p) => `after byte ${this.offset}: ${p}`);
      this.complete.push(...lines.entries);
      this.offset += end;
      const tail = parseLedger(bytes.subarray(end, read).toString('utf8'));
      return { entries: [...this.complete, ...tail.entries], problems };
    } finally {
      closeSync(fd);
    }
  }
}

// ---------------------------------------------------------------------------------------
// The run

/** An instance serving `--database` exits with this when its database write failed (cli.ts). */
const EXIT_WRITES_LOST = 75;

/** One serve instance of the run: its data directory and log, and its process while it runs. */
interface Node {
  name: string;
  dataDir: string;
  logFile: string;
  server: Server | null;
  api: Api | null;
  /** Its process exited (killed, stopped, or by itself) while it was the node's. */
  exited: boolean;
}

/** What the several-instance mode runs beside the instances. */
interface Shared {
  cluster: Cluster;
  database: string;
  gateway: RunningGatewayService;
}

interface Snapshot {
  ledger: LedgerEntry[];
  payments: ApiPayment[];
  subscriptions: ApiSubscription[];
  history: HistoryView;
  clockMs: number;
}

class Chaos {
  readonly counters = { requests: 0, acknowledged: 0, attempts: 0, lost: 0, replays: 0 };
  readonly history = new HistoryModel();
  readonly pool = { issued: 0 };
  private readonly violations = new Map<string, Violation>();
  private checks = 0;
  private killPoints = 0;
  private gracefulStops = 0;
  private readonly acks: Ack[] = [];
  private readonly nodes: Node[];
  /** The instance the checks read from: the one started last (nothing ran after its load). */
  private checker: Node;
  private shared: Shared | null = null;
  private pgRestarts = 0;
  /** PostgreSQL was crashed: the instances' exits (75) are expected until they start again. */
  private pgRestarting = false;
  /** Which instance a new request goes to. */
  private readonly routes: Rng;
  /** Why the run stopped early (the harness could not go on), if it did. */
  aborted: string | null = null;
  private clockMs = 0;
  private round = 0;
  /** The tops of the history stacks as last seen (to aim undo and redo at runs). */
  private historyTop: { undo: string | null; redo: string | null } = { undo: null, redo: null };
  private readonly historyClient: HistoryClient;
  private readonly recurringClient: RecurringClient;
  private readonly clients: Client[];
  private readonly startedAt = Date.now();
  private readonly ledger: LedgerReader;

  constructor(
    readonly options: ChaosOptions,
    readonly workDir: string,
  ) {
    const node = (name: string, dir: string, log: string): Node => ({
      name,
      dataDir: join(workDir, dir),
      logFile: join(workDir, log),
      server: null,
      api: null,
      exited: false,
    });
    const several = options.instances > 1;
    this.nodes = several
      ? Array.from({ length: options.instances }, (_, i) => {
          const name = String.fromCharCode(97 + i);
          return node(name, `data-${name}`, `server-${name}.log`);
        })
      : [node('server', 'data', 'server.log')];
    this.checker = this.nodes[0] as Node;
    this.routes = new Rng(hashSeed(options.seed, 'routes'));
    // The single desk's mock gateway keeps its ledger in its data directory; the service, in its own.
    this.ledger = new LedgerReader(
      join(workDir, several ? 'gateway' : 'data', 'gateway-ledger.jsonl'),
    );
    this.historyClient = new HistoryClient('h', this);
    this.recurringClient = new RecurringClient('rc', this);
    this.clients = [
      this.historyClient,
      this.recurringClient,
      ...Array.from({ length: options.clients }, (_, i) => new PaymentClient(`p${i}`, this)),
      ...Array.from(
        { length: options.subscriptionClients },
        (_, i) => new SubscriptionClient(`s${i}`, this),
      ),
    ];
  }

  // -- bookkeeping ------------------------------------------------------------------------

  merge(result: CheckResult): void {
    this.checks += result.checks;
    mergeViolations(this.violations, result, this.killPoints);
  }

  violate(invariant: InvariantName, subject: string, message: string): void {
    this.merge({ checks: 1, violations: [{ invariant, id: `${invariant}:${subject}`, message }] });
  }

  seeHistory(view: HistoryView): void {
    this.historyTop = { undo: view.undo[0]?.kind ?? null, redo: view.redo[0]?.kind ?? null };
  }

  private get live(): Api {
    if (this.checker.api === null) throw new Error('no server is running');
    return this.checker.api;
  }

  /**
   * The instance a request is sent to: the one (single desk); with several, a random one
   * for a first send and the next one for a retry (a client moving between instances), an
   * instance that is down skipped.
   */
  private route(req: Req): { node: Node; index: number } | null {
    const n = this.nodes.length;
    const start = req.pin ?? (req.node === undefined ? this.routes.int(0, n - 1) : req.node + 1);
    for (let i = 0; i < n; i++) {
      const index = (start + i) % n;
      const node = this.nodes[index];
      if (node?.api != null && !node.exited) return { node, index };
      if (req.pin !== undefined) return null;
    }
    return null;
  }

  /**
   * Send a client's request once: 'final' (an answer, recorded and handed to the client),
   * 'later' (409 in_progress or 503: ask again) or 'lost' (no full answer).
   */
  async send(client: Client, req: Req, timeoutMs: number): Promise<'final' | 'later' | 'lost'> {
    const to = this.route(req);
    if (to === null) return 'lost';
    const api = to.node.api as Api;
    req.node = to.index;
    req.attempts++;
    this.counters.attempts++;
    let answer: Answer;
    try {
      answer = await api.request('POST', req.path, {
        body: req.body,
        key: req.key,
        timeoutMs,
      });
    } catch (error) {
      if (!(error instanceof NoAnswer)) throw error;
      req.interruptions++;
      this.counters.lost++;
      return 'lost';
    }
    this.merge(checkStatus(req.key, req.path, answer.status, answer.text));
    if (isRetryLater(answer)) return 'later';
    const error = answer.status === 409 ? errorOf(answer.text) : null;
    if (error?.code === 'conflict' && error.field === 'Idempotency-Key') {
      this.violate(
        'replay-same-answer',
        `conflict:${req.key}`,
        `retrying ${req.key} (${req.path}) with the same body answered 409 conflict`,
      );
    }
    client.outstanding = null;
    this.counters.acknowledged++;
    this.acks.push({
      key: req.key,
      kind: req.kind,
      method: 'POST',
      path: req.path,
      body: req.body,
      status: answer.status,
      text: answer.text,
      replayed: answer.replayed,
      round: this.round,
      clockMs: this.clockMs,
    });
    if (this.options.keep) {
      // A trail of every answer, for a kept work directory (bodies cut short).
      const line = `${this.round} ${req.key} ${req.path} ${answer.status}${answer.replayed ? ' replayed' : ''} ${answer.text.slice(0, 400)}\n`;
      appendFileSync(join(this.workDir, 'answers.log'), line);
    }
    client.answered(req, answer);
    return 'final';
  }

  /**
   * Send until a final answer (no kill meanwhile). This runs right after a restart, when
   * nothing runs a lost request's key any more: a key still in_progress (or 503) after
   * LATER_LIMIT_MS (time for a core to finish interrupted work it resumed) is stuck.
   */
  private async settleRequest(client: Client, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let laterSince: number | null = null;
    for (let req = client.outstanding; req !== null; req = client.outstanding) {
      const left = deadline - Date.now();
      const stuck = laterSince !== null && Date.now() - laterSince > LATER_LIMIT_MS;
      if (left <= 0 || stuck) {
        this.violate(
          'retry-answered',
          req.key,
          stuck
            ? `${req.path} (key ${req.key}) still answers 409 in_progress or 503 ${LATER_LIMIT_MS / 1000} s after a restart`
            : `${req.path} (key ${req.key}) got no final answer in ${Math.round(timeoutMs / 1000)} s of retries`,
        );
        client.outstanding = null;
        if (client === this.historyClient) this.history.abandon(req.key);
        return;
      }
      const outcome = await this.send(client, req, left);
      if (outcome === 'final') return;
      if (this.nodes.some((n) => n.exited)) {
        throw new Error(`the server died while ${req.key} was retried`);
      }
      if (outcome === 'later') laterSince ??= Date.now();
      else laterSince = null;
      await sleep(outcome === 'later' ? 200 : 100);
    }
  }

  // -- the server ---------------------------------------------------------------------------

  /**
   * Start every instance that is not running, one after the other (each waited for until
   * its start-up reconciliation is over); the last one started is the one the checks read.
   */
  private async start(): Promise<void> {
    for (const node of this.nodes) {
      if (node.server !== null) continue;
      await this.startNode(node);
      this.checker = node;
    }
    this.pgRestarting = false;
  }

  private async startNode(node: Node): Promise<void> {
    let server: Server;
    const shared = this.shared;
    try {
      server = await startServer({
        root: this.options.root,
        dataDir: node.dataDir,
        logFile: node.logFile,
        ...(shared === null
          ? { latencyMs: this.options.latencyMs, seed: this.options.seed }
          : { gateway: { url: shared.gateway.url }, database: shared.database }),
        ...(this.options.outDir !== null && {
          entry: join(resolve(this.options.outDir), 'main', 'server.js'),
        }),
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const which = shared === null ? 'the server' : `instance ${node.name}`;
      this.violate('server-alive', `start:${this.round}`, `${which} did not start: ${message}`);
      throw error;
    }
    node.server = server;
    node.exited = false;
    node.api = new Api(server.apiUrl, server.token);
    const round = this.round;
    void server.exited.then(({ code, signal }) => {
      if (node.server === server) node.exited = true;
      // After a crash of PostgreSQL an instance leaves on its own (exit 75) to start again.
      const expected = server.killed || (this.pgRestarting && code === EXIT_WRITES_LOST);
      if (!expected) {
        const which = shared === null ? 'the server' : `instance ${node.name}`;
        this.violate(
          'server-alive',
          `exit:${round}:${server.pid}`,
          `${which} exited by itself (code ${code}, signal ${signal}) in round ${round}:\n${server.tail().slice(-2_000)}`,
        );
      }
    });
    await this.waitReconciled(node.api);
  }

  /** GET health/ until `reconciling` is false (a missing field is false). */
  private async waitReconciled(api: Api, timeoutMs = 300_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const answer = await api.request('GET', 'health/', { timeoutMs: QUERY_TIMEOUT_MS });
      const health = z
        .object({ reconciling: z.boolean().optional() })
        .safeParse(parseJson(answer.text));
      if (answer.status === 200 && health.success && health.data.reconciling !== true) return;
      if (Date.now() > deadline) {
        throw new Error(
          `health/ still answers ${answer.status} ${answer.text} after ${timeoutMs} ms`,
        );
      }
      await sleep(100);
    }
  }

  /** SIGKILL every instance (the single desk's one server). */
  private async kill(): Promise<void> {
    await Promise.all(this.nodes.map((node) => this.killNode(node)));
  }

  private async killNode(node: Node): Promise<void> {
    const server = node.server;
    if (server === null) return;
    await killGroup(server);
    node.api?.close();
    node.server = null;
    node.api = null;
  }

  async shutdown(): Promise<void> {
    await Promise.all(
      this.nodes.map(async (node) => {
        const server = node.server;
        if (server === null) return;
        node.server = null;
        node.api?.close();
        node.api = null;
        await stopServer(server).catch(() => killGroup(server));
      }),
    );
  }

  /** Several instances: the harness's own PostgreSQL and the gateway service, started. */
  private async startShared(): Promise<void> {
    const o = this.options;
    const cluster = await startCluster('paydesk', o.log);
    try {
      const gateway = await startGatewayService({
        dataDir: join(this.workDir, 'gateway'),
        logFile: join(this.workDir, 'gateway.log'),
        seed: o.seed,
        latencyMs: o.latencyMs,
      });
      this.shared = { cluster, database: cluster.url('paydesk'), gateway };
    } catch (error) {
      cluster.stop();
      throw error;
    }
  }

  /** Stops the gateway service and PostgreSQL (after the instances). */
  async stopShared(): Promise<void> {
    const shared = this.shared;
    if (shared === null) return;
    this.shared = null;
    await shared.gateway.stop().catch(() => shared.gateway.kill());
    shared.cluster.stop();
  }

  // -- queries ------------------------------------------------------------------------------

  private async get<T>(path: string, schema: z.ZodType<T>): Promise<T> {
    const answer = await this.live.request('GET', path, { timeoutMs: QUERY_TIMEOUT_MS });
    this.merge(checkStatus(`GET ${path}`, path, answer.status, answer.text));
    const parsed = schema.safeParse(parseJson(answer.text));
    if (answer.status !== 200 || !parsed.success) {
      throw new Error(`GET ${path} answered ${answer.status}: ${answer.text.slice(0, 500)}`);
    }
    return parsed.data;
  }

  private async listAll<T>(path: string, item: z.ZodType<T>): Promise<T[]> {
    const page = z.object({ count: z.number(), results: z.array(item) });
    const all: T[] = [];
    for (let n = 1; ; n++) {
      const data = await this.get(`${path}?page=${n}&page_size=500&ordering=created_at`, page);
      all.push(...data.results);
      if (data.results.length === 0 || all.length >= data.count) return all;
    }
  }

  private async count(path: string): Promise<number> {
    return (await this.get(`${path}?page_size=1`, z.object({ count: z.number() }))).count;
  }

  private readLedger(): LedgerEntry[] {
    const { entries, problems } = this.ledger.read();
    for (const problem of problems) {
      this.violate('readable', `ledger:${problem}`, `gateway ledger: ${problem}`);
    }
    return entries;
  }

  private async snapshot(): Promise<Snapshot> {
    const payments = await this.listAll('payments/', apiPayment);
    const subscriptions = await this.listAll('subscriptions/', apiSubscription);
    const history = await this.get('history/', historyView);
    const clock = await this.get('clock/', clockView);
    const clockMs = Date.parse(clock.now);
    return { ledger: this.readLedger(), payments, subscriptions, history, clockMs };
  }

  private async counts(): Promise<Counts> {
    const history = await this.get('history/', historyView);
    return {
      ledgerEntries: this.readLedger().length,
      payments: await this.count('payments/'),
      subscriptions: await this.count('subscriptions/'),
      undoTotal: history.undo_total,
      redoTotal: history.redo_total,
      undoTop: history.undo[0]?.id ?? null,
      redoTop: history.redo[0]?.id ?? null,
    };
  }

  // -- checks -------------------------------------------------------------------------------

  /** Every invariant against the state right after a restart (nothing else running). */
  private async checkState(): Promise<Snapshot> {
    const s = await this.snapshot();
    this.clockMs = s.clockMs;
    this.merge(checkMoney(s.ledger, s.payments));
    this.merge(checkPeriodsChargedOnce(s.ledger));
    this.merge(checkRequestsChargedOnce(s.ledger));
    this.merge(checkSubscriptionsOnce(s.subscriptions));
    this.merge(
      checkAcknowledged(this.acks, {
        payments: s.payments,
        subscriptions: s.subscriptions,
        clockMs: s.clockMs,
      }),
    );
    this.merge(this.history.afterRestart(s.history));
    this.seeHistory(s.history);
    return s;
  }

  /**
   * Replay acknowledged 2xx answers' keys: every one of the last round's and a sample of
   * older ones, acknowledged less than 23 hours ago by the test clock (keys are kept at least
   * 24 hours). Each replay must answer the same; all together must create nothing.
   */
  private async replaySweep(): Promise<void> {
    const eligible = this.acks.filter(
      (a) => a.status >= 200 && a.status < 300 && this.clockMs - a.clockMs < 23 * HOUR_MS,
    );
    const rng = new Rng(hashSeed(this.options.seed, this.round, 'replay'));
    const recent = eligible.filter((a) => a.round === this.round - 1);
    const older = eligible.filter((a) => a.round !== this.round - 1);
    const sample = [
      ...recent.filter(() => recent.length <= 150 || rng.chance(150 / recent.length)),
    ];
    for (let i = 0; i < 30 && older.length > 0; i++) sample.push(rng.pick(older));
    if (sample.length === 0) return;
    const before = await this.counts();
    for (const [i, ack] of sample.entries()) {
      const deadline = Date.now() + 60_000;
      // Several instances: the replays go to each in turn, whichever answered the key first.
      const api = this.nodes[i % this.nodes.length]?.api ?? this.live;
      for (;;) {
        const answer = await api.request('POST', ack.path, {
          body: ack.body,
          key: ack.key,
          timeoutMs: QUERY_TIMEOUT_MS,
        });
        this.counters.replays++;
        this.merge(checkStatus(ack.key, ack.path, answer.status, answer.text));
        if (isRetryLater(answer) && Date.now() < deadline) {
          await sleep(200);
          continue;
        }
        this.merge(compareReplay(ack, answer));
        break;
      }
    }
    // What another instance committed reaches the one read within moments (NOTIFY).
    if (this.nodes.length > 1) await sleep(500);
    this.merge(checkNothingCreated(before, await this.counts()));
  }

  /**
   * Undo and redo still work after a restart: one undo and one redo (new keys) answer 200 or
   * 409. Skipped for a run (undoing a recurring run of a thousand charges takes a while)
   * except at the end.
   */
  private async historyWorks(final: boolean): Promise<void> {
    if (this.historyClient.outstanding !== null) return;
    for (const op of ['undo', 'redo'] as const) {
      if (!final && this.historyTop[op] === 'RunRecurring') continue;
      for (const suffix of ['', '-nolimit']) {
        const req = this.historyClient.make(op, `works-${op}-r${this.round}${suffix}`);
        this.historyClient.outstanding = req;
        await this.settleRequest(this.historyClient, REQUEST_TIMEOUT_MS);
        const ack = this.acks.at(-1);
        if (ack?.key !== req.key) break;
        // A core without the `limit` field: the client has dropped it, ask again.
        if (ack.status === 400 && errorOf(ack.text)?.field === 'limit') continue;
        const works = ack.status === 200 || ack.status === 409;
        this.merge({
          checks: 1,
          violations: works
            ? []
            : [
                {
                  invariant: 'history-works',
                  id: `history-works:${req.key}`,
                  message: `POST history/${op}/ after a restart answered ${ack.status}: ${ack.text.slice(0, 300)}`,
                },
              ],
        });
        break;
      }
    }
  }

  /** Retry, with no kill, the lost requests that need it (`all`: every one). */
  private async settle(all: boolean): Promise<void> {
    const waiting = this.clients.filter(
      (c) => c.outstanding !== null && (all || c.outstanding.interruptions >= 2),
    );
    // The history client's last: an undo it finishes is then still on top of the redo stack
    // (a retried command of another client would clear it), for a redo of it to follow.
    const others = waiting.filter((c) => c !== this.historyClient);
    await Promise.all(others.map((c) => this.settleRequest(c, REQUEST_TIMEOUT_MS)));
    if (waiting.includes(this.historyClient)) {
      await this.settleRequest(this.historyClient, REQUEST_TIMEOUT_MS);
    }
  }

  private async advanceClock(): Promise<void> {
    const client = this.recurringClient;
    // The advance goes through the recurring client (its outstanding slot is free: settled).
    // Several instances share the test clock (it is the books'): one advance moves it for all.
    client.outstanding = {
      key: `advance-r${this.round}`,
      kind: 'advance',
      client: client.name,
      path: 'clock/advance/',
      body: { seconds: 86_400 },
      attempts: 0,
      interruptions: 0,
    };
    this.counters.requests++;
    await this.settleRequest(client, QUERY_TIMEOUT_MS);
    const ack = this.acks.at(-1);
    const now = ack?.status === 200 ? clockView.safeParse(parseJson(ack.text)) : null;
    if (now?.success) this.clockMs = Date.parse(now.data.now);
  }

  // -- rounds -------------------------------------------------------------------------------

  /**
   * The round's draws: its kind, its kill delay, and whether a graceful stop comes first
   * (with how long it gets before the SIGKILL).
   */
  private plan(round: number): Plan {
    const rng = new Rng(hashSeed(this.options.seed, round, 'plan'));
    const r = rng.next();
    const killDelayMs = Math.round(2 + (this.options.maxKillDelayMs - 2) * rng.next() ** 1.5);
    const { recurringShare: a, undoRunShare: b, redoRunShare: c } = this.options;
    const flavor: Flavor =
      r < a ? 'recurring' : r < a + b ? 'undo-run' : r < a + b + c ? 'redo-run' : 'mixed';
    const stop = rng.chance(this.options.stopShare);
    const stopGraceMs = rng.int(0, this.options.stopGraceMaxMs);
    const plan: Plan = {
      flavor,
      killDelayMs,
      stopGraceMs: stop ? stopGraceMs : null,
      victims: [0],
      pgRestart: false,
      afterKillMs: 0,
    };
    const n = this.nodes.length;
    if (n > 1) {
      // Drawn after the single desk's draws, which stay what they were.
      plan.pgRestart = round === 1 || rng.chance(this.options.pgRestartShare);
      const all = rng.chance(this.options.killAllShare);
      const one = rng.int(0, n - 1);
      plan.victims = all ? this.nodes.map((_, i) => i) : [one];
      plan.afterKillMs = rng.int(50, 800);
    }
    return plan;
  }

  /** Drain the clients' loops once the load is stopped. */
  private async drain(loops: Promise<void>[]): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((done) => (timer = setTimeout(() => done('late'), 60_000)));
    const outcome = await Promise.race([Promise.all(loops), late]);
    clearTimeout(timer);
    if (outcome === 'late') throw new Error('the clients did not stop within 60 s of the kill');
  }

  /**
   * Several instances: the load goes to every instance; at the kill time either PostgreSQL
   * is crashed (every instance then leaves, exit 75: waited for, then its group killed), or
   * the victims are killed (SIGTERM first in some rounds) and the load goes on at the others
   * for a while, lost requests retried there with their keys. Says how the round ended.
   */
  private async loadSeveral(round: number, plan: Plan): Promise<string> {
    const { ctx, loops } = await this.startLoad(round, plan.killDelayMs);
    const shared = this.shared;
    if (plan.pgRestart && shared !== null) {
      this.pgRestarting = true;
      const began = Date.now();
      await shared.cluster.restart();
      this.pgRestarts++;
      const stayed = await Promise.all(this.nodes.map((node) => this.awaitExit(node, 30_000)));
      ctx.stopped = true;
      await this.drain(loops);
      const late = stayed.filter((name) => name !== null);
      return (
        `PostgreSQL crashed after ${plan.killDelayMs} ms and started again in ${Date.now() - began} ms` +
        (late.length > 0 ? ` (${late.join(', ')} did not exit)` : '')
      );
    }
    const victims = plan.victims.map((i) => this.nodes[i]).filter((n) => n !== undefined);
    if (plan.stopGraceMs !== null) {
      const stopping = victims.flatMap((node) => (node.server === null ? [] : [node.server]));
      for (const server of stopping) terminate(server);
      await Promise.race([Promise.all(stopping.map((s) => s.exited)), sleep(plan.stopGraceMs)]);
    }
    const ends: string[] = [];
    for (const node of victims) {
      if (node.server === null) continue;
      const stopped = node.exited;
      await this.killNode(node);
      if (stopped) this.gracefulStops++;
      else this.killPoints++;
      ends.push(`${node.name} ${stopped ? 'stopped' : 'killed'}`);
    }
    const survivors = this.nodes.length - victims.length;
    if (survivors > 0) await sleep(plan.afterKillMs);
    ctx.stopped = true;
    await this.drain(loops);
    return (
      `${plan.stopGraceMs === null ? '' : 'SIGTERM, '}${ends.join(', ')} after ${plan.killDelayMs} ms` +
      (survivors > 0 ? `, load on the others ${plan.afterKillMs} ms more` : '')
    );
  }

  /**
   * After PostgreSQL crashed: wait for the instance to leave by itself, then kill its group.
   * Resolves with its name when it had not left in time (reported), else null.
   */
  private async awaitExit(node: Node, timeoutMs: number): Promise<string | null> {
    const server = node.server;
    if (server === null) return null;
    const outcome = await Promise.race([
      server.exited.then(() => 'gone' as const),
      sleep(timeoutMs).then(() => 'late' as const),
    ]);
    if (outcome === 'late') {
      this.violate(
        'server-alive',
        `stayed:${this.round}:${server.pid}`,
        `instance ${node.name} was still running ${timeoutMs / 1000} s after PostgreSQL crashed ` +
          `(an instance whose connection failed exits, code ${EXIT_WRITES_LOST})`,
      );
    }
    await this.killNode(node);
    return outcome === 'late' ? node.name : null;
  }

  /** Starts every client's load of `round` and resolves at its kill time. */
  private async startLoad(
    round: number,
    killDelayMs: number,
  ): Promise<{ ctx: LoadContext; loops: Promise<void>[] }> {
    const ctx: LoadContext = {
      round,
      stopped: false,
      rng: (name) => new Rng(hashSeed(this.options.seed, round, name)),
    };
    const startedAt = Date.now();
    // The history client goes first, so that its undo or redo of a run reaches the queue
    // before other commands push entries on top of the run.
    const loops: Promise<void>[] = [this.historyClient.loop(ctx)];
    await sleep(10);
    for (const c of this.clients) if (c !== this.historyClient) loops.push(c.loop(ctx));
    await sleep(Math.max(0, killDelayMs - (Date.now() - startedAt)));
    return { ctx, loops };
  }

  private async load(round: number, plan: Plan): Promise<'killed' | 'stopped'> {
    const { ctx, loops } = await this.startLoad(round, plan.killDelayMs);
    const server = this.checker.server;
    if (plan.stopGraceMs !== null && server !== null) {
      terminate(server);
      await Promise.race([server.exited, sleep(plan.stopGraceMs)]);
    }
    ctx.stopped = true;
    const ended = this.checker.exited ? 'stopped' : 'killed';
    await this.kill();
    if (ended === 'killed') this.killPoints++;
    else this.gracefulStops++;
    await this.drain(loops);
    return ended;
  }

  private async afterRestart(): Promise<void> {
    await this.checkState();
    await this.replaySweep();
  }

  async execute(): Promise<void> {
    try {
      await this.rounds();
    } catch (error) {
      this.aborted = error instanceof Error ? error.message : String(error);
      this.options.log(`aborted: ${this.aborted}`);
    }
  }

  private async rounds(): Promise<void> {
    const o = this.options;
    for (const node of this.nodes) mkdirSync(node.dataDir, { recursive: true });
    if (this.nodes.length > 1) await this.startShared();
    // Rounds until `rounds` kill points (a round whose graceful stop finished is not one),
    // within a bound for when few rounds end in a kill (a high stopShare).
    for (
      this.round = 0;
      this.killPoints < o.rounds && this.round < 3 * o.rounds + 10;
      this.round++
    ) {
      if (o.durationS !== null && Date.now() - this.startedAt > o.durationS * 1000) break;
      await this.start();
      if (this.round > 0) await this.afterRestart();
      const plan = this.plan(this.round);
      const clockMoves = plan.flavor !== 'mixed';
      // Before the clock moves a day, every lost request is retried (keys last 24 hours).
      await this.settle(clockMoves);
      await this.historyWorks(false);
      if (clockMoves) await this.advanceClock();
      if (plan.flavor === 'recurring') this.recurringClient.runNow = true;
      if (plan.flavor === 'undo-run' || plan.flavor === 'redo-run') {
        // A run done before the load, so that the kill lands in its undo (or its redo).
        this.recurringClient.outstanding = this.recurringClient.makeRun(this.round);
        await this.settleRequest(this.recurringClient, REQUEST_TIMEOUT_MS);
        if (plan.flavor === 'redo-run') {
          this.historyClient.outstanding = this.historyClient.make('undo', `h-undo-r${this.round}`);
          await this.settleRequest(this.historyClient, REQUEST_TIMEOUT_MS);
        }
        this.historyClient.firstOp = plan.flavor === 'undo-run' ? 'undo' : 'redo';
      }
      let how: string;
      if (this.nodes.length > 1) how = await this.loadSeveral(this.round, plan);
      else {
        const ended = await this.load(this.round, plan);
        how =
          plan.stopGraceMs === null
            ? `killed after ${plan.killDelayMs} ms`
            : `SIGTERM after ${plan.killDelayMs} ms, ${ended === 'stopped' ? 'stopped' : `killed ${plan.stopGraceMs} ms later`}`;
      }
      o.log(
        `round ${this.round + 1} (kill point ${this.killPoints}/${o.rounds}) ${plan.flavor}, ${how}: ` +
          `${this.counters.acknowledged}/${this.counters.requests} acknowledged, ` +
          `${this.violations.size} violation(s), ${Math.round((Date.now() - this.startedAt) / 1000)} s`,
      );
    }
    // The end: restart and check; answer every lost request; undo and redo; then a graceful
    // stop and one more start (which settles what a time-out left PENDING) and check.
    await this.start();
    await this.afterRestart();
    this.round++;
    await this.settle(true);
    await this.historyWorks(true);
    await this.stopGracefully();
    this.round++;
    await this.start();
    await this.afterRestart();
    await this.stopGracefully();
  }

  private async stopGracefully(): Promise<void> {
    const servers = this.nodes.flatMap((node) => (node.server === null ? [] : [node.server]));
    await this.shutdown();
    for (const server of servers) {
      const exit = await server.exited;
      if (exit.code !== 0) {
        this.options.log(`the server's graceful stop exited with ${exit.code ?? exit.signal}`);
      }
    }
  }

  report(): ChaosReport {
    const violations = [...this.violations.values()];
    const byInvariant: Partial<Record<InvariantName, number>> = {};
    for (const v of violations) byInvariant[v.invariant] = (byInvariant[v.invariant] ?? 0) + 1;
    return {
      seed: this.options.seed,
      killPoints: this.killPoints,
      instances: this.nodes.length,
      pgRestarts: this.pgRestarts,
      gracefulStops: this.gracefulStops,
      requests: this.counters.requests,
      acknowledged: this.counters.acknowledged,
      attempts: this.counters.attempts,
      lost: this.counters.lost,
      replays: this.counters.replays,
      checks: this.checks,
      violations,
      byInvariant,
      durationMs: Date.now() - this.startedAt,
      workDir: this.workDir,
      kept: this.options.keep,
      aborted: this.aborted,
    };
  }
}

/**
 * Run the harness: `options.rounds` kill points on a fresh data directory, then a final
 * restart and check. Resolves with the report (violations included); rejects only when the
 * harness itself cannot go on (the server does not start, a wait times out).
 */
export async function runChaos(input: Partial<ChaosOptions> = {}): Promise<ChaosReport> {
  const options: ChaosOptions = { ...DEFAULT_OPTIONS, ...input };
  if (options.outDir === null) ensureBuilt(options.root);
  let workDir: string;
  if (options.dataDir === null) {
    workDir = mkdtempSync(join(tmpdir(), 'paydesk-chaos-'));
  } else {
    workDir = resolve(options.dataDir);
    mkdirSync(workDir, { recursive: true });
    if (readdirSync(workDir).length > 0) {
      throw new Error(`${workDir} is not empty: the harness needs a fresh work directory`);
    }
  }
  const chaos = new Chaos(options, workDir);
  try {
    await chaos.execute();
  } finally {
    await chaos.shutdown();
    await chaos.stopShared();
    if (!options.keep) rmSync(workDir, { recursive: true, force: true });
  }
  const report = chaos.report();
  // Every violation, for a kept work directory.
  if (options.keep) writeFileSync(join(workDir, 'report.json'), JSON.stringify(report, null, 2));
  return report;
}
