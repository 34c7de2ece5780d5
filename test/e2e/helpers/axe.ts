/**
 * axe-core, the engine of the browsers' own accessibility audits, run in a page as it is
 * now. It is injected as an inline script, which the UI's CSP refuses: the page's context
 * must be opened with `bypassCSP: true`.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_SOURCE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** What axe-core reports of one rule broken. */
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[]; failureSummary?: string }>;
}

/** Every violation axe-core finds in the page (injected on the first call). */
export async function runAxe(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) {
    await page.addScriptTag({ content: await readFile(AXE_SOURCE, 'utf8') });
  }
  // A string: the test's own types know no DOM (window.axe is the injected engine).
  const results = (await page.evaluate(
    `window.axe.run(document, { resultTypes: ['violations'] })`,
  )) as { violations: AxeViolation[] };
  return results.violations;
}

/** The violations as "rule: elements" lines, short enough to read in a failed expectation. */
export async function axeViolations(page: Page): Promise<string[]> {
  return (await runAxe(page)).map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(', ')}`);
}
