/**
 * A recurring run's claims on PostgreSQL (Store.claimSubscriptions): the rows of
 * paydesk_subscription_claims (schema.ts, migration 5) locked FOR UPDATE SKIP LOCKED, batch
 * by batch, in one transaction on a connection of the run's own, until the run lets them go.
 * A row another run holds is skipped, not waited for. The locks go with the transaction: at
 * release, or when the connection closes with a dead instance, so nothing has to clear them.
 *
 * Within the writers' turn no other run can hold one. They matter when two runs overlap all
 * the same: an instance that lost its turn (its lock's connection cut) while its run is at
 * the gateway, and a new leader that runs meanwhile; the new run leaves the old one's
 * subscriptions alone instead of asking for their PENDING charges at the same moment.
 */
import type pg from 'pg';
import type { SubscriptionClaims } from '../ports';
import { StoreError } from '../store/errors';

const CLAIM = `SELECT subscription_id FROM paydesk_subscription_claims
  WHERE subscription_id = ANY($1) FOR UPDATE SKIP LOCKED`;

export function claimsOn(pool: pg.Pool, log: (message: string) => void): SubscriptionClaims {
  /** The claims' connection, in its transaction; opened by the first claim. */
  let held: Promise<pg.PoolClient> | null = null;
  // An error on a checked-out client with no listener would crash the process; the next
  // claim (or the release) then fails on the closed connection and says why.
  const onError = (error: Error) =>
    log(`PostgreSQL: the recurring run's claims' connection failed: ${error.message}`);

  const open = async (): Promise<pg.PoolClient> => {
    const client = await pool.connect();
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      return client;
    } catch (error) {
      client.off('error', onError);
      client.release(error as Error);
      throw error;
    }
  };

  return {
    async claim(ids) {
      if (ids.length === 0) return new Set();
      try {
        held ??= open();
        const { rows } = await (await held).query<{ subscription_id: string }>(CLAIM, [ids]);
        return new Set(rows.map((row) => row.subscription_id));
      } catch (error) {
        throw new StoreError(
          'write_failed',
          `PostgreSQL: claiming subscriptions to charge failed (${(error as Error).message})`,
        );
      }
    },

    async release() {
      const client = await held?.catch(() => null);
      held = null;
      if (client == null) return;
      client.off('error', onError);
      try {
        await client.query('ROLLBACK');
        client.release();
      } catch (error) {
        // The connection is gone, and its locks with it: the pool must not hand it out again.
        client.release(error as Error);
      }
    },
  };
}
