/**
 * The benchmark's own databases on a PostgreSQL server (`npm run bench -- --database URL`):
 * created empty or as a copy of another, each named `paydesk_bench_<pid>_<name>`, and all
 * dropped at the end (also when the run fails or is interrupted), whatever connections to
 * them are left.
 */
import pg from 'pg';

export class BenchDatabases {
  private readonly made: string[] = [];

  /** `server`: the URL of any database on the server (its `test`, say). */
  constructor(private readonly server: string) {}

  private async admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: this.server });
    await client.connect();
    try {
      return await run(client);
    } finally {
      await client.end();
    }
  }

  private urlOf(name: string): string {
    const url = new URL(this.server);
    url.pathname = `/${name}`;
    return url.toString();
  }

  /**
   * A new database (a copy of `template`'s database, which nothing may be connected to,
   * when given); its URL.
   */
  async create(name: string, template?: string): Promise<string> {
    const full = `paydesk_bench_${process.pid}_${name.replace(/[^a-z0-9_]/g, '_')}`;
    // A copy of files, not of WAL records: a 1M-payment database copies in seconds.
    const from = template === undefined ? '' : ` TEMPLATE ${nameOf(template)} STRATEGY FILE_COPY`;
    await this.admin(async (client) => {
      await client.query(`DROP DATABASE IF EXISTS ${full} WITH (FORCE)`);
      await client.query(`CREATE DATABASE ${full}${from}`);
    });
    this.made.push(full);
    return this.urlOf(full);
  }

  async drop(url: string): Promise<void> {
    const name = nameOf(url);
    await this.admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    const i = this.made.indexOf(name);
    if (i >= 0) this.made.splice(i, 1);
  }

  async dropAll(): Promise<void> {
    const names = this.made.splice(0);
    if (names.length === 0) return;
    await this.admin(async (client) => {
      for (const name of names) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    });
  }

  /** The server's version and the settings that matter to a commit's time. */
  async describe(): Promise<Record<string, string>> {
    return this.admin(async (client) => {
      const settings = ['server_version', 'shared_buffers', 'synchronous_commit', 'fsync'];
      const out: Record<string, string> = {};
      for (const name of settings) {
        const { rows } = await client.query<Record<string, string>>(`SHOW ${name}`);
        out[name] = rows[0]?.[name] ?? '';
      }
      return out;
    });
  }
}

function nameOf(url: string): string {
  const name = new URL(url).pathname.slice(1);
  if (!/^paydesk_bench_[a-z0-9_]+$/.test(name)) throw new Error(`not a bench database: ${url}`);
  return name;
}
