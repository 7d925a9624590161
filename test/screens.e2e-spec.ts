/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import { DEVELOPMENT_PASSWORD } from '../apps/hub/src/access/staff-accounts.js';
import { checkPage, launchBrowser, newContext, watchConsole } from './support/browser.js';
import { TEST_APP_DATABASE_URL, TEST_REDIS_URL, deleteRedisKeys, freePort, resetDatabase, uniquePrefix, waitFor, withDatabase } from './support/environment.js';
import { issueTestCredential, type TestCredential } from './support/partner-credentials.js';
import { contactFromPoliceNotice } from './support/police-contacts.js';
import { policeNoticeAboutNewChild } from './support/police-notices.js';
import { APPS, AppProcess, hubEnv } from './support/processes.js';

const prefix = uniquePrefix();
const env = { DATABASE_URL: TEST_APP_DATABASE_URL, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix, DEADLINE_POLL_INTERVAL_MS: '200' };
let hub: AppProcess;
/** A second hub on the same database whose page sessions end after 3 idle seconds. */
let hastyHub: AppProcess;
let police: AppProcess;
let force: TestCredential;
let browser: Browser;

/** A police notice about a new child; resolves to its contact's id and number. */
async function newContact(index: number): Promise<{ id: string; number: string; child: string }> {
  const notice = policeNoticeAboutNewChild(index);
  const { id, number } = await contactFromPoliceNotice(police.url, force, notice);
  return { id, number, child: notice.children[0].forename };
}

async function signIn(page: Page, username: string): Promise<void> {
  await page.fill('#username', username);
  await page.fill('#password', DEVELOPMENT_PASSWORD);
  await page.click('button:has-text("Sign in")');
}

beforeAll(async () => {
  browser = await launchBrowser();
  await resetDatabase();
  force = await issueTestCredential(prefix, 'police', { organisation: '01', system: 'Exampleshire Police PPN' });
  hub = new AppProcess('hub', APPS.hub, hubEnv(env), await freePort());
  hastyHub = new AppProcess('hub (short sessions)', APPS.hub, hubEnv({ ...env, WEB_SESSION_IDLE_SECONDS: '5' }), await freePort());
  police = new AppProcess('police-adapter', APPS.policeAdapter, { ...env, LOG_LEVEL: 'warn' }, await freePort());
  // Generous: three apps starting at once on a busy machine.
  await Promise.all([hub.ready(60_000), police.ready(60_000), hastyHub.ready(60_000)]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([hub?.stop(), hastyHub?.stop(), police?.stop()]);
  await deleteRedisKeys(prefix);
});

describe('the screener in the browser', () => {
  it('signs in, opens the newest contact from a police notice, starts screening and rates it amber with a reason', async () => {
    await newContact(1);
    const newest = await newContact(2);
    const context = await newContext(browser);
    const page = await context.newPage();
    const consoleProblems = watchConsole(page);

    // Anonymous: the queue sends them to sign in first.
    await page.goto(`${hub.url}/contacts`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    expect(await page.title()).toBe('Sign in – MASH');
    await checkPage(page, 'sign-in');

    // A wrong password: the error summary, focused, linking to the field.
    await page.fill('#username', 'sam.screener');
    await page.fill('#password', 'not the password');
    await page.click('button:has-text("Sign in")');
    expect(await page.locator('.govuk-error-summary').innerText()).toContain('Enter a correct username and password');
    expect(await page.title()).toBe('Error: Sign in – MASH');
    await checkPage(page, 'sign-in-error');

    // By keyboard alone: type, Tab to the password, Enter to submit.
    await page.focus('#username');
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('sam.screener');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('password');
    await page.keyboard.type(DEVELOPMENT_PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${hub.url}/contacts`);
    expect(await page.title()).toBe('Contacts – MASH');
    // Newest first on request (the queue opens soonest deadline first: see screener-pages.e2e-spec.ts).
    await page.selectOption('#sort', 'newest');
    await page.click('button:has-text("Apply filters")');
    const firstRow = page.locator('tbody tr').first();
    expect(await firstRow.locator('a').innerText()).toBe(`Contact ${newest.number}`);
    expect(await firstRow.innerText()).toMatch(/of working time left|Overdue by/);
    await checkPage(page, 'queue');

    // The RAG filter: nothing is rated red yet.
    await page.selectOption('#rag', 'red');
    await page.click('button:has-text("Apply filters")');
    expect(await page.locator('main').innerText()).toContain('No contacts match these filters');
    await checkPage(page, 'queue-filtered');
    await page.goto(`${hub.url}/contacts?sort=newest`);

    // The contact: its number in the title and its id in the address, never the child's name.
    await firstRow.locator('a').click();
    await page.waitForURL(`${hub.url}/contacts/${newest.id}`);
    expect(await page.title()).toBe(`Contact ${newest.number} – MASH`);
    expect(page.url()).not.toContain(newest.child);
    expect(await page.locator('h1').innerText()).toBe(`Contact ${newest.number}`);
    // The child's voice, prominent, in the police's words.
    expect(await page.locator('.govuk-inset-text.mash-voice').innerText()).toContain('I hid in my room when they were shouting.');
    expect(await page.locator('main').innerText()).toContain('In the police’s words');
    await checkPage(page, 'contact');

    await page.click('button:has-text("Start screening")');
    await page.waitForURL(`${hub.url}/contacts/${newest.id}`);
    expect(await page.locator('.govuk-notification-banner').innerText()).toContain('You are screening this contact');

    await page.click('a:has-text("Set RAG")');
    await page.waitForURL(`${hub.url}/contacts/${newest.id}/rag`);
    await checkPage(page, 'rag-form');

    // Amber without a reason: refused with the error summary, and the choice kept.
    await page.check('input[name="rag"][value="amber"]');
    await page.click('button:has-text("Save RAG")');
    expect(await page.title()).toBe(`Error: Set the RAG for contact ${newest.number} – MASH`);
    const summary = page.locator('.govuk-error-summary');
    expect(await summary.innerText()).toContain('Enter why you chose this RAG');
    expect(await page.isChecked('input[name="rag"][value="amber"]')).toBe(true);
    // GOV.UK Frontend's script ran (under the page's CSP) and moved focus to the summary.
    await waitFor('the error summary to take focus', () => page.evaluate(() => document.activeElement?.classList.contains('govuk-error-summary') ?? false));
    await checkPage(page, 'rag-form-error');
    await summary.locator('a[href="#reason"]').click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('reason');
    expect((await withDatabase((db) => db.query('SELECT count(*)::int AS n FROM rag_change WHERE contact_id = $1', [newest.id]))).rows[0].n).toBe(0);

    await page.fill('#reason', 'Domestic abuse with the child present; second incident this year.');
    await page.click('button:has-text("Save RAG")');
    await page.waitForURL(`${hub.url}/contacts/${newest.id}`);
    expect(await page.locator('.govuk-notification-banner').innerText()).toContain('RAG set to amber');
    expect(await page.locator('main').innerText()).toContain('Domestic abuse with the child present; second incident this year.');
    await checkPage(page, 'contact-rated');

    // The form cannot be posted without the session's CSRF token.
    const forged = await context.request.post(`${hub.url}/contacts/${newest.id}/rag`, { form: { rag: 'red', reason: 'A forged request from another site.' }, maxRedirects: 0 });
    expect(forged.status()).toBe(403);
    expect((await withDatabase((db) => db.query('SELECT to_rag FROM rag_change WHERE contact_id = $1', [newest.id]))).rows).toEqual([{ to_rag: 'amber' }]);

    expect(consoleProblems).toEqual([]);
    await context.close();
  }, 120_000);

  it("cannot open the auditor's or the admin's pages", async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(`${hub.url}/sign-in`);
    await signIn(page, 'sam.screener');
    await page.waitForURL(`${hub.url}/contacts`);
    for (const [path, name] of [['/audit', 'forbidden-audit'], ['/admin', 'forbidden-admin']]) {
      const response = await page.goto(`${hub.url}${path}`);
      expect(response?.status()).toBe(403);
      expect(await page.title()).toBe('You do not have access – MASH');
      expect(await page.locator('h1').innerText()).toBe('You do not have access to this page');
      await checkPage(page, name);
    }
    // Signing out ends the session: the queue asks for sign-in again.
    await page.click('button:has-text("Sign out")');
    await page.waitForURL(/\/sign-in\?signedOut=1$/);
    expect(await page.locator('.govuk-notification-banner').innerText()).toContain('You have signed out');
    await checkPage(page, 'signed-out');
    await page.goto(`${hub.url}/contacts`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await context.close();
  }, 60_000);

  it('sends the auditor to the audit log and the admin to operations', async () => {
    for (const [username, path, name] of [['ada.auditor', '/audit', 'audit-log'], ['al.admin', '/admin', 'operations']]) {
      const context = await newContext(browser);
      const page = await context.newPage();
      await page.goto(`${hub.url}/`);
      await signIn(page, username);
      await page.waitForURL(`${hub.url}${path}`);
      await checkPage(page, name);
      const contacts = await page.goto(`${hub.url}/contacts`);
      expect(contacts?.status()).toBe(403);
      await context.close();
    }
    // The auditor's page lists what the screener did, through the auditor's (audited) search.
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(`${hub.url}/audit?action=contact.viewed`);
    await signIn(page, 'ada.auditor');
    await page.waitForURL(`${hub.url}/audit?action=contact.viewed`);
    expect(await page.locator('tbody').innerText()).toContain('sam.screener');
    await context.close();
  }, 60_000);
});

describe('an ended session', () => {
  it('sends the screener to sign in with a message, then back to the page they were on', async () => {
    const contact = await newContact(3);
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(`${hastyHub.url}/contacts/${contact.id}`);
    await signIn(page, 'sam.screener');
    await page.waitForURL(`${hastyHub.url}/contacts/${contact.id}`);

    await new Promise((resolve) => setTimeout(resolve, 6000));
    await page.reload();
    const url = new URL(page.url());
    expect(url.pathname).toBe('/sign-in');
    expect(url.searchParams.get('returnTo')).toBe(`/contacts/${contact.id}`);
    expect(await page.locator('.govuk-notification-banner').innerText()).toContain('You were signed out because you had done nothing for');
    await checkPage(page, 'session-ended');

    await signIn(page, 'sam.screener');
    await page.waitForURL(`${hastyHub.url}/contacts/${contact.id}`);
    expect(await page.title()).toBe(`Contact ${contact.number} – MASH`);
    await context.close();
  }, 60_000);
});
