/**
 * One end-to-end session, set up the same way by every test: Chromium launched first (in CI
 * a missing browser fails there, at once), `npm run serve` on a fresh data directory with
 * the test clock and a seeded mock gateway, its token read from the token file, clients of
 * the REST API and of /rpc, and pages opened on the UI as an operator in en-US and UTC sees
 * it. `close` closes the browser, stops the server and removes the data; a set-up that fails
 * half-way does so itself before it throws.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { launchBrowser } from './browser';
import {
  ready,
  restClient,
  rpcClient,
  serve,
  stop,
  type Ready,
  type RestClient,
  type Served,
} from './serve';

/** How long a page (and a poll of what it shows) waits before the test fails. */
export const WAIT = 20_000;

export interface SessionOptions {
  /** Names the temporary directory: paydesk-e2e-<name>-… */
  name: string;
  /** The mock gateway's --seed, --gateway-success-rate and (when given) --gateway-latency-ms. */
  seed: number;
  successRate: number;
  latencyMs?: number;
  /** false: --no-scheduler. */
  scheduler?: boolean;
}

export interface Session {
  browser: Browser;
  /** The server running now (`serveAgain` replaces it). */
  served: Served;
  info: Ready;
  token: string;
  api: RestClient;
  rpc: ReturnType<typeof rpcClient>;
  dataDir: string;
  /**
   * A page in a new browser context (1280×800, en-US, UTC, unless `context` says otherwise)
   * showing the UI's Dashboard; `beforeLoad` sees the page before it loads (to listen to its
   * requests from the first).
   */
  openPage(context?: BrowserContextOptions, beforeLoad?: (page: Page) => void): Promise<Page>;
  /** The CLI again on the same data directory with the same flags, on `port`: the new `served`. */
  serveAgain(port: number | string): Served;
  close(): Promise<void>;
}

export async function openSession(options: SessionOptions): Promise<Session> {
  const browser = await launchBrowser();
  let tmp = '';
  let served: Served | null = null;
  const close = async (): Promise<void> => {
    await browser.close().catch(() => undefined);
    if (served) await stop(served);
    if (tmp) await rm(tmp, { recursive: true, force: true });
  };
  try {
    tmp = await mkdtemp(join(tmpdir(), `paydesk-e2e-${options.name}-`));
    const dataDir = join(tmp, 'data');
    const flags = [
      '--clock',
      'test',
      '--seed',
      String(options.seed),
      '--gateway-success-rate',
      String(options.successRate),
      ...(options.latencyMs === undefined
        ? []
        : ['--gateway-latency-ms', String(options.latencyMs)]),
      ...(options.scheduler === false ? ['--no-scheduler'] : []),
    ];
    const args = (port: number | string) => [
      '--port',
      String(port),
      '--data-dir',
      dataDir,
      ...flags,
    ];
    served = serve(args(0));
    const info = await ready(served);
    const token = (await readFile(info.tokenFile ?? '', 'utf8')).trim();
    const session: Session = {
      browser,
      served,
      info,
      token,
      api: restClient(info.apiUrl, token),
      rpc: rpcClient(info.url, token),
      dataDir,
      async openPage(context = {}, beforeLoad) {
        const opened = await browser.newContext({
          viewport: { width: 1280, height: 800 },
          locale: 'en-US',
          timezoneId: 'UTC',
          ...context,
        });
        const page = await opened.newPage();
        page.setDefaultTimeout(WAIT);
        beforeLoad?.(page);
        await page.goto(session.info.uiUrl);
        await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
        return page;
      },
      serveAgain(port) {
        served = serve(args(port));
        session.served = served;
        return served;
      },
      close,
    };
    return session;
  } catch (error) {
    await close();
    throw error;
  }
}
