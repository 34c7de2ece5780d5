/**
 * A store's format: the schema version it writes, its records' layouts (layout/) and the
 * migrations that lead to it (migrations.ts), and what derives from them: the record
 * checks (records.ts), the journal's codec (journal-codec.ts), and the codecs of the
 * snapshot's payments (their bodies; the tuples of schema 1 files). openStore makes one,
 * the current format unless options.testing asks for another (a next version with a field
 * added), and the parts that read and write records take it from there.
 */
import { LAYOUTS, type Layouts } from './layout';
import { bodyCodec, tupleCodec, type BodyCodec } from './layout/derive';
import { Interner, type Pools } from './layout/encodings';
import { journalCodec, type JournalCodec } from './journal-codec';
import { defaultsOf, MIGRATIONS, SCHEMA_VERSION, type Migrations } from './migrations';
import { recordChecks, type RecordChecks } from './records';

export interface StoreFormat extends RecordChecks, JournalCodec {
  readonly version: number;
  readonly layouts: Layouts;
  readonly migrations: Migrations;
  /** Payment bodies in the snapshot (payment-base.ts reads them, payment-writer.ts writes them). */
  readonly paymentBody: BodyCodec;
  /** A decoder of payments written whole as tuples (schema 1 snapshots), sharing strings. */
  paymentTuples(): (raw: unknown) => unknown;
}

export interface FormatOptions {
  version?: number;
  layouts?: Layouts;
  migrations?: Migrations;
}

export const newPools = (): Pools => ({
  common: new Interner(20_000),
  emails: new Interner(200_000),
});

export function storeFormat(options: FormatOptions = {}): StoreFormat {
  const version = options.version ?? SCHEMA_VERSION;
  const layouts = options.layouts ?? LAYOUTS;
  const migrations = options.migrations ?? MIGRATIONS;
  const defaults = defaultsOf(version, migrations);
  const tuples = tupleCodec(layouts.payment, defaults.payment);
  return {
    version,
    layouts,
    migrations,
    ...recordChecks(layouts),
    ...journalCodec(layouts, version, migrations),
    paymentBody: bodyCodec(layouts.payment, defaults.payment),
    paymentTuples() {
      const pools = newPools();
      return (raw) => tuples.decode(raw, pools);
    },
  };
}

/** This Paydesk's format. */
export const CURRENT_FORMAT: StoreFormat = storeFormat();
