/**
 * The browser of the end-to-end tests: Chromium at $CHROME_PATH or /usr/bin/chromium,
 * driven headless by playwright-core. Without it the tests are skipped on a developer's
 * machine (with the reason printed) but fail in CI, where a missing browser is an error.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROME_PATH = process.env.CHROME_PATH || '/usr/bin/chromium';

/** CI=true (or any value but "" / "0" / "false"): never skip there. */
export const IN_CI = !['', '0', 'false'].includes((process.env.CI ?? '').toLowerCase());

export const BROWSER_FOUND = existsSync(CHROME_PATH);

const MISSING = `Chromium was not found at ${CHROME_PATH}: install it (Debian: apt-get install chromium) or set CHROME_PATH`;

/**
 * Whether the end-to-end tests should be skipped: only outside CI, and only without a
 * browser (the reason is printed). In CI the tests run and launchBrowser fails loudly.
 */
export function skipWithoutBrowser(): boolean {
  if (BROWSER_FOUND || IN_CI) return false;
  console.warn(`Skipping the end-to-end tests: ${MISSING}.`);
  return true;
}

export async function launchBrowser(): Promise<Browser> {
  if (!BROWSER_FOUND) {
    throw new Error(`${MISSING}. In CI the end-to-end tests must run, so this is a failure.`);
  }
  return chromium.launch({
    executablePath: CHROME_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}
