/// <reference lib="dom" />
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { DEVELOPMENT_PASSWORD } from '../../apps/hub/src/access/staff-accounts.js';

/** Debian's Chromium: the tests drive the real browser, never one downloaded at run time. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where each page's screenshot is saved (git-ignored). */
export const SCREENSHOTS = resolve(import.meta.dirname, '../screenshots');

const AXE_SOURCE = join(resolve(import.meta.dirname, '../..'), 'node_modules', 'axe-core', 'axe.min.js');

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    // Said plainly rather than skipped: the staff pages are not tested without a browser.
    throw new Error(`Chromium is not installed at ${CHROMIUM}: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH. .ci/run installs it.`);
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** Runs axe-core on the page as it is now; the serious and critical violations. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe !== 'undefined');
  // Evaluated through the DevTools protocol, which the page's CSP does not govern (a script tag would be refused, rightly).
  if (!loaded) await page.evaluate(readFileSync(AXE_SOURCE, 'utf8'));
  const results = (await page.evaluate(() =>
    (window as unknown as { axe: { run: (context: Document, options: object) => Promise<unknown> } }).axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
    }),
  )) as { violations: AxeViolation[] };
  return results.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}

/**
 * What every page visit in the browser tests does: a screenshot of the whole page under
 * test/screenshots/<name>.png, and an accessibility check that fails on a serious or
 * critical violation, naming each with the elements it found.
 */
export async function checkPage(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const violations = await seriousViolations(page);
  if (violations.length) {
    const described = violations.map((v) => `${v.impact} ${v.id}: ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(' ')} ${n.failureSummary ?? ''}`).join('\n')}`);
    throw new Error(`The page "${name}" (${page.url()}) has accessibility violations:\n${described.join('\n')}`);
  }
}

/**
 * Collects what the browser refused or could not load (CSP violations, script errors, a missing
 * stylesheet or font), so a test can assert there were none. A page's own 4xx (a refused form)
 * is the test's to check, not a problem here.
 */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('response', (response) => {
    if (!response.request().isNavigationRequest() && response.status() >= 400) problems.push(`${response.status()} for ${response.url()}`);
  });
  page.on('requestfailed', (failed) => problems.push(`${failed.failure()?.errorText ?? 'failed'} for ${failed.url()}`));
  return problems;
}

export async function newContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'Europe/London' });
}

/**
 * A new browser signed in with a development account: it opens `path`, is sent to sign in, and is
 * brought back. The page, and what its console reports (see watchConsole).
 */
export async function signedInAt(browser: Browser, base: string, username: string, path: string): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await newContext(browser);
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.goto(`${base}${path}`);
  await page.fill('#username', username);
  await page.fill('#password', DEVELOPMENT_PASSWORD);
  await page.click('button:has-text("Sign in")');
  await page.waitForURL(`${base}${path}`);
  return { context, page, problems };
}
