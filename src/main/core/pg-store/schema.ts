/**
 * The PostgreSQL store's schema: ordered migrations, each applied once in its own
 * transaction and recorded in `paydesk_schema`, by whichever instance starts first (an
 * advisory lock keeps two starting instances from applying one twice).
 *
 * The tables hold each record whole (`body`, the domain object of schema version `v`, as
 * the embedded store's layouts define it) beside the columns the database guards: money,
 * statuses and keys are checked by constraints and triggers as well as by the commands, so
 * that a bug, a second leader or a hand-written UPDATE cannot break the domain rules:
 *  - a payment's idempotency key and a refund's are unique; amounts are positive integers;
 *  - a period of a subscription has at most one live successful charge (COMPLETED or
 *    PARTIALLY_REFUNDED: a redo may charge a period again once its charge was refunded whole),
 *    and at most one attempt in flight (PENDING): the PENDING row is the period's claim,
 *    written before the gateway is called, so that a second writer (a second leader, a bug)
 *    is refused before any money moves, not after;
 *  - statuses only move forward (payment-rules.ts's transitions), and a payment's amount,
 *    currency, key, subscription, period and creation never change;
 *  - the refunds of a payment that are not FAILED never add up to more than its amount,
 *    checked when the transaction that writes them commits;
 *  - payments, refunds and audit entries are never deleted, audit entries never changed.
 * Every column the database guards is read from `body` by the commit function itself, so
 * the two cannot disagree.
 *
 * `paydesk_commits` is the log of every commit (its changes, as the journal would hold them):
 * instances catch up from it, and its primary key on `seq` makes a commit written without
 * the latest state fail instead of overwriting another instance's (store.ts).
 */
import type { PoolClient } from 'pg';

/** One migration: applied once, in order, in one transaction. */
interface Migration {
  version: number;
  name: string;
  sql: string;
}

const MOVES_FORWARD = `
  NEW.status = OLD.status OR (OLD.status, NEW.status) IN (
    ('PENDING', 'COMPLETED'), ('PENDING', 'FAILED'),
    ('COMPLETED', 'PARTIALLY_REFUNDED'), ('COMPLETED', 'REFUNDED'),
    ('PARTIALLY_REFUNDED', 'REFUNDED'))`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'tables, constraints and the commit function',
    sql: `
CREATE TABLE paydesk_meta (key text PRIMARY KEY, value jsonb NOT NULL);

CREATE TABLE paydesk_commits (
  seq bigint PRIMARY KEY CHECK (seq > 0),
  v integer NOT NULL,
  instance text NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  changes jsonb NOT NULL
);

CREATE TABLE paydesk_payments (
  id text PRIMARY KEY,
  ord bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  v integer NOT NULL,
  idempotency_key text NOT NULL UNIQUE,
  subscription_id text,
  period integer CHECK (period >= 0),
  status text NOT NULL
    CHECK (status IN ('PENDING', 'COMPLETED', 'FAILED', 'PARTIALLY_REFUNDED', 'REFUNDED')),
  amount bigint NOT NULL CHECK (amount > 0),
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  refunded_amount bigint NOT NULL CHECK (refunded_amount >= 0 AND refunded_amount <= amount),
  created_at timestamptz NOT NULL,
  body jsonb NOT NULL
);
CREATE UNIQUE INDEX paydesk_one_live_charge_per_period
  ON paydesk_payments (subscription_id, period)
  WHERE subscription_id IS NOT NULL AND status IN ('COMPLETED', 'PARTIALLY_REFUNDED');

CREATE TABLE paydesk_refunds (
  id text PRIMARY KEY,
  ord bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  v integer NOT NULL,
  payment_id text NOT NULL REFERENCES paydesk_payments (id) DEFERRABLE INITIALLY DEFERRED,
  idempotency_key text NOT NULL UNIQUE,
  amount bigint NOT NULL CHECK (amount > 0),
  currency text NOT NULL,
  status text NOT NULL CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED')),
  body jsonb NOT NULL
);
CREATE INDEX paydesk_refunds_of_payment ON paydesk_refunds (payment_id);

CREATE TABLE paydesk_subscriptions (
  id text PRIMARY KEY,
  ord bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  v integer NOT NULL,
  status text NOT NULL CHECK (status IN ('ACTIVE', 'PAST_DUE', 'PAUSED', 'CANCELLED')),
  body jsonb NOT NULL
);

CREATE TABLE paydesk_audit (pos bigint PRIMARY KEY CHECK (pos >= 0), v integer NOT NULL, body jsonb NOT NULL);

CREATE TABLE paydesk_history (
  stack text NOT NULL CHECK (stack IN ('undo', 'redo')),
  pos integer NOT NULL CHECK (pos >= 0),
  v integer NOT NULL,
  body jsonb NOT NULL,
  PRIMARY KEY (stack, pos)
);

CREATE TABLE paydesk_idempotency (key text PRIMARY KEY, v integer NOT NULL, body jsonb NOT NULL);

CREATE FUNCTION paydesk_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% (%)', TG_ARGV[0], TG_TABLE_NAME USING ERRCODE = 'check_violation';
END $$;
CREATE TRIGGER paydesk_payments_kept BEFORE DELETE ON paydesk_payments
  FOR EACH ROW EXECUTE FUNCTION paydesk_refuse('payments are never deleted');
CREATE TRIGGER paydesk_refunds_kept BEFORE DELETE ON paydesk_refunds
  FOR EACH ROW EXECUTE FUNCTION paydesk_refuse('refunds are never deleted');
CREATE TRIGGER paydesk_audit_kept BEFORE UPDATE OR DELETE ON paydesk_audit
  FOR EACH ROW EXECUTE FUNCTION paydesk_refuse('audit entries are never changed or deleted');

CREATE FUNCTION paydesk_payment_moves() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.amount <> OLD.amount OR NEW.currency <> OLD.currency
     OR NEW.idempotency_key <> OLD.idempotency_key
     OR NEW.subscription_id IS DISTINCT FROM OLD.subscription_id
     OR NEW.period IS DISTINCT FROM OLD.period OR NEW.created_at <> OLD.created_at THEN
    RAISE EXCEPTION 'payment %: its amount, currency, key, subscription, period and creation never change', OLD.id
      USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.refunded_amount < OLD.refunded_amount THEN
    RAISE EXCEPTION 'payment %: its refunded amount only grows', OLD.id USING ERRCODE = 'check_violation';
  END IF;
  IF NOT (${MOVES_FORWARD}) THEN
    RAISE EXCEPTION 'payment %: cannot go from % to %', OLD.id, OLD.status, NEW.status
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER paydesk_payments_move BEFORE UPDATE ON paydesk_payments
  FOR EACH ROW EXECUTE FUNCTION paydesk_payment_moves();

CREATE FUNCTION paydesk_refund_moves() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.payment_id <> OLD.payment_id OR NEW.amount <> OLD.amount
     OR NEW.idempotency_key <> OLD.idempotency_key OR NEW.currency <> OLD.currency THEN
    RAISE EXCEPTION 'refund %: its payment, amount, currency and key never change', OLD.id
      USING ERRCODE = 'check_violation';
  END IF;
  IF NOT (NEW.status = OLD.status OR (OLD.status = 'PENDING' AND NEW.status IN ('SUCCEEDED', 'FAILED'))) THEN
    RAISE EXCEPTION 'refund %: cannot go from % to %', OLD.id, OLD.status, NEW.status
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER paydesk_refunds_move BEFORE UPDATE ON paydesk_refunds
  FOR EACH ROW EXECUTE FUNCTION paydesk_refund_moves();

CREATE FUNCTION paydesk_refunds_within_amount() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  charged paydesk_payments%ROWTYPE;
  total bigint;
BEGIN
  SELECT * INTO charged FROM paydesk_payments WHERE id = NEW.payment_id;
  IF charged.currency <> NEW.currency THEN
    RAISE EXCEPTION 'refund %: in %, its payment % in %', NEW.id, NEW.currency, charged.id, charged.currency
      USING ERRCODE = 'check_violation';
  END IF;
  SELECT coalesce(sum(amount), 0) INTO total FROM paydesk_refunds
    WHERE payment_id = NEW.payment_id AND status <> 'FAILED';
  IF total > charged.amount THEN
    RAISE EXCEPTION 'refunds of payment % would add up to % of its %', charged.id, total, charged.amount
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER paydesk_refunds_within_amount AFTER INSERT OR UPDATE ON paydesk_refunds
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION paydesk_refunds_within_amount();

-- One commit group (store.ts's writer): its log rows and the records they put, in one
-- statement, so in one transaction and one round trip. Records come in the order they were
-- first put (their ord); a record put twice in the group comes once, as it was put last.
CREATE FUNCTION paydesk_commit(p jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  ver integer := (p->>'v')::integer;
  h jsonb;
BEGIN
  INSERT INTO paydesk_commits (seq, v, instance, changes)
    SELECT (c->>'seq')::bigint, ver, p->>'instance', c->'changes'
    FROM jsonb_array_elements(p->'commits') WITH ORDINALITY AS e(c, n) ORDER BY n;

  INSERT INTO paydesk_payments AS t (id, v, idempotency_key, subscription_id, period, status,
      amount, currency, refunded_amount, created_at, body)
    SELECT b->>'id', ver, b->>'idempotencyKey', b->>'subscriptionId', (b->>'period')::integer,
      b->>'status', (b->>'amount')::bigint, b->>'currency', (b->>'refundedAmount')::bigint,
      (b->>'createdAt')::timestamptz, b
    FROM jsonb_array_elements(p->'payments') WITH ORDINALITY AS e(b, n) ORDER BY n
  ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v, idempotency_key = EXCLUDED.idempotency_key,
    subscription_id = EXCLUDED.subscription_id, period = EXCLUDED.period, status = EXCLUDED.status,
    amount = EXCLUDED.amount, currency = EXCLUDED.currency,
    refunded_amount = EXCLUDED.refunded_amount, created_at = EXCLUDED.created_at, body = EXCLUDED.body;

  INSERT INTO paydesk_refunds AS t (id, v, payment_id, idempotency_key, amount, currency, status, body)
    SELECT b->>'id', ver, b->>'paymentId', b->>'idempotencyKey', (b->>'amount')::bigint,
      b->>'currency', b->>'status', b
    FROM jsonb_array_elements(p->'refunds') WITH ORDINALITY AS e(b, n) ORDER BY n
  ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v, payment_id = EXCLUDED.payment_id,
    idempotency_key = EXCLUDED.idempotency_key, amount = EXCLUDED.amount,
    currency = EXCLUDED.currency, status = EXCLUDED.status, body = EXCLUDED.body;

  INSERT INTO paydesk_subscriptions AS t (id, v, status, body)
    SELECT b->>'id', ver, b->>'status', b
    FROM jsonb_array_elements(p->'subscriptions') WITH ORDINALITY AS e(b, n) ORDER BY n
  ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v, status = EXCLUDED.status, body = EXCLUDED.body;

  INSERT INTO paydesk_audit (pos, v, body)
    SELECT (p->>'auditFrom')::bigint + n - 1, ver, b
    FROM jsonb_array_elements(p->'audit') WITH ORDINALITY AS e(b, n);

  FOR h IN SELECT * FROM jsonb_array_elements(p->'history') LOOP
    DELETE FROM paydesk_history WHERE stack = h->>'stack' AND pos >= (h->>'from')::integer;
    INSERT INTO paydesk_history (stack, pos, v, body)
      SELECT h->>'stack', (h->>'from')::integer + n - 1, ver, b
      FROM jsonb_array_elements(h->'rows') WITH ORDINALITY AS e(b, n);
  END LOOP;

  INSERT INTO paydesk_idempotency (key, v, body)
    SELECT b->>'key', ver, b FROM jsonb_array_elements(p->'idempotency') AS e(b)
  ON CONFLICT (key) DO UPDATE SET v = EXCLUDED.v, body = EXCLUDED.body;

  INSERT INTO paydesk_meta (key, value)
    SELECT m.key, m.value FROM jsonb_each(p->'meta') AS m
  ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;

  PERFORM pg_notify('paydesk_commits', (p->>'instance') || ' ' || (p->>'last'));
END $$;
`,
  },
  {
    version: 2,
    name: 'records read from the commits themselves; a turn taken in one call',
    sql: `
-- A record put by a group, as it was put last, with where it was first put (its order):
-- read from the commits' own changes, so that a write carries each record once.
CREATE FUNCTION paydesk_puts(p jsonb, kind text, key text)
  RETURNS TABLE (b jsonb, first_at bigint) LANGUAGE sql STABLE AS $$
  SELECT DISTINCT ON (k) b, first_at FROM (
    SELECT x.ch->'v' AS b, x.ch->'v'->>key AS k, c.n * 1000000 + x.n AS at,
           min(c.n * 1000000 + x.n) OVER (PARTITION BY x.ch->'v'->>key) AS first_at
    FROM jsonb_array_elements(p->'commits') WITH ORDINALITY AS c(cm, n),
         jsonb_array_elements(c.cm->'changes') WITH ORDINALITY AS x(ch, n)
    WHERE x.ch->>'t' = kind
  ) AS puts ORDER BY k, at DESC
$$;

CREATE OR REPLACE FUNCTION paydesk_commit(p jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  ver integer := (p->>'v')::integer;
  h jsonb;
BEGIN
  INSERT INTO paydesk_commits (seq, v, instance, changes)
    SELECT (c->>'seq')::bigint, ver, p->>'instance', c->'changes'
    FROM jsonb_array_elements(p->'commits') WITH ORDINALITY AS e(c, n) ORDER BY n;

  INSERT INTO paydesk_payments AS t (id, v, idempotency_key, subscription_id, period, status,
      amount, currency, refunded_amount, created_at, body)
    SELECT b->>'id', ver, b->>'idempotencyKey', b->>'subscriptionId', (b->>'period')::integer,
      b->>'status', (b->>'amount')::bigint, b->>'currency', (b->>'refundedAmount')::bigint,
      (b->>'createdAt')::timestamptz, b
    FROM paydesk_puts(p, 'payment', 'id') ORDER BY first_at
  ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v, idempotency_key = EXCLUDED.idempotency_key,
    subscription_id = EXCLUDED.subscription_id, period = EXCLUDED.period, status = EXCLUDED.status,
    amount = EXCLUDED.amount, currency = EXCLUDED.currency,
    refunded_amount = EXCLUDED.refunded_amount, created_at = EXCLUDED.created_at, body = EXCLUDED.body;

  INSERT INTO paydesk_refunds AS t (id, v, payment_id, idempotency_key, amount, currency, status, body)
    SELECT b->>'id', ver, b->>'paymentId', b->>'idempotencyKey', (b->>'amount')::bigint,
      b->>'currency', b->>'status', b
    FROM paydesk_puts(p, 'refund', 'id') ORDER BY first_at
  ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v, payment_id = EXCLUDED.payment_id,
    idempotency_key = EXCLUDED.idempotency_key, amount = EXCLUDED.amount,
    currency = EXCLUDED.currency, status = EXCLUDED.status, body = EXCLUDED.body;

  INSERT INTO paydesk_subscriptions AS t (id, v, status, body)
    SELECT b->>'id', ver, b->>'status', b
    FROM paydesk_puts(p, 'subscription', 'id') ORDER BY first_at
  ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v, status = EXCLUDED.status, body = EXCLUDED.body;

  INSERT INTO paydesk_idempotency (key, v, body)
    SELECT b->>'key', ver, b FROM paydesk_puts(p, 'idempotency', 'key')
  ON CONFLICT (key) DO UPDATE SET v = EXCLUDED.v, body = EXCLUDED.body;

  INSERT INTO paydesk_audit (pos, v, body)
    SELECT (p->>'auditFrom')::bigint + row_number() OVER (ORDER BY c.n, x.n) - 1, ver, x.ch->'v'
    FROM jsonb_array_elements(p->'commits') WITH ORDINALITY AS c(cm, n),
         jsonb_array_elements(c.cm->'changes') WITH ORDINALITY AS x(ch, n)
    WHERE x.ch->>'t' = 'audit';

  FOR h IN SELECT * FROM jsonb_array_elements(p->'history') LOOP
    DELETE FROM paydesk_history WHERE stack = h->>'stack' AND pos >= (h->>'from')::integer;
    INSERT INTO paydesk_history (stack, pos, v, body)
      SELECT h->>'stack', (h->>'from')::integer + n - 1, ver, b
      FROM jsonb_array_elements(h->'rows') WITH ORDINALITY AS e(b, n);
  END LOOP;

  INSERT INTO paydesk_meta (key, value)
    SELECT m.key, m.value FROM jsonb_each(p->'meta') AS m
  ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;

  PERFORM pg_notify('paydesk_commits', (p->>'instance') || ' ' || (p->>'last'));
END $$;

-- A writer's turn (store.ts): the lock, then the log rows after the given sequence number,
-- read once the lock is held (each statement of a plpgsql function sees what was committed before it).
CREATE FUNCTION paydesk_take_turn(lock_key bigint, after bigint)
  RETURNS TABLE (seq bigint, v integer, changes jsonb) LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_lock(lock_key);
  RETURN QUERY SELECT c.seq, c.v, c.changes FROM paydesk_commits AS c
    WHERE c.seq > after ORDER BY c.seq;
END $$;
`,
  },
  {
    version: 3,
    name: 'one attempt in flight per subscription period',
    sql: `
-- The PENDING charge of a period is its claim: a second one is refused before its gateway
-- call (run-recurring.ts's periodAttempt asks the first again instead of making another).
CREATE UNIQUE INDEX paydesk_one_attempt_in_flight_per_period
  ON paydesk_payments (subscription_id, period)
  WHERE subscription_id IS NOT NULL AND status = 'PENDING';
`,
  },
  {
    version: 4,
    name: 'a turn taken without waiting, when it is free',
    sql: `
-- The writers' turn if no instance holds it (got), with the log rows after the given
-- sequence number; else one row, got false, and nothing held (store.ts then asks the holder
-- for it and waits in paydesk_take_turn). The first row carries only the answer.
CREATE FUNCTION paydesk_try_turn(lock_key bigint, after bigint)
  RETURNS TABLE (got boolean, seq bigint, v integer, changes jsonb) LANGUAGE plpgsql AS $$
BEGIN
  IF NOT pg_try_advisory_lock(lock_key) THEN
    RETURN QUERY SELECT false, NULL::bigint, NULL::integer, NULL::jsonb;
    RETURN;
  END IF;
  RETURN QUERY SELECT true, NULL::bigint, NULL::integer, NULL::jsonb;
  RETURN QUERY SELECT true, c.seq, c.v, c.changes FROM paydesk_commits AS c
    WHERE c.seq > after ORDER BY c.seq;
END $$;
`,
  },
  {
    version: 5,
    name: 'claims of subscriptions for recurring runs',
    sql: `
-- One row per subscription for a recurring run to lock (FOR UPDATE SKIP LOCKED, claims.ts)
-- while it charges the subscription's due periods: another run skips it. Rows of their own,
-- never updated, so that the lock, held on a connection of its own across the gateway
-- calls, never stands in the way of the commits that move the subscription on. Made with
-- each subscription by the trigger below.
CREATE TABLE paydesk_subscription_claims (
  subscription_id text PRIMARY KEY REFERENCES paydesk_subscriptions (id)
);
INSERT INTO paydesk_subscription_claims SELECT id FROM paydesk_subscriptions;
CREATE FUNCTION paydesk_claim_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO paydesk_subscription_claims VALUES (NEW.id);
  RETURN NULL;
END $$;
CREATE TRIGGER paydesk_claim_row AFTER INSERT ON paydesk_subscriptions
  FOR EACH ROW EXECUTE FUNCTION paydesk_claim_row();
`,
  },
];

/** The advisory lock key of a start's migrations (any fixed number unlikely to clash). */
const MIGRATION_LOCK = 0x7061_7964; // "payd"

/** Applies the migrations this database lacks; returns the versions applied. */
export async function migrate(client: PoolClient): Promise<number[]> {
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    await client.query(
      `CREATE TABLE IF NOT EXISTS paydesk_schema (
         version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ version: number }>('SELECT version FROM paydesk_schema');
    const have = new Set(rows.map((r) => r.version));
    const newest = Math.max(0, ...have);
    const known = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
    if (newest > known) {
      throw new Error(
        `the database's schema is version ${newest}, written by a newer Paydesk (this one knows up to ${known}); nothing was changed`,
      );
    }
    const applied: number[] = [];
    for (const migration of MIGRATIONS) {
      if (have.has(migration.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO paydesk_schema (version, name) VALUES ($1, $2)', [
          migration.version,
          migration.name,
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
      applied.push(migration.version);
    }
    return applied;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
  }
}
