/// <reference lib="dom" />
import request from 'supertest';
import type { Browser, Page } from 'playwright-core';
import { DEVELOPMENT_PASSWORD } from '../apps/hub/src/access/staff-accounts.js';
import { checkPage, launchBrowser, signedInAt } from './support/browser.js';
import { TEST_APP_DATABASE_URL, TEST_REDIS_URL, deleteRedisKeys, freePort, resetDatabase, uniquePrefix, waitFor, withDatabase } from './support/environment.js';
import { issueTestCredential, type TestCredential } from './support/partner-credentials.js';
import { contactFromPoliceNotice } from './support/police-contacts.js';
import { policeNoticeAboutNewChild } from './support/police-notices.js';
import { APPS, AppProcess, hubEnv } from './support/processes.js';

const prefix = uniquePrefix();
const env = { DATABASE_URL: TEST_APP_DATABASE_URL, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix, DEADLINE_POLL_INTERVAL_MS: '200' };
let hub: AppProcess;
let police: AppProcess;
let force: TestCredential;
let browser: Browser;
/** Bearer headers for the development accounts, signed in through the API as the hub's own accounts are (so each carries its team). */
const bearer: Record<string, { authorization: string }> = {};
let noticeCount = 0;

const DECISION = { outcome: 'early_help', primaryNeed: 'N1', levelOfNeed: 2, rationale: 'Family agree to early help; no statutory threshold met.' };

/** A police notice about a new child; resolves to its contact's id and number once it has a decision deadline. */
const newContact = () => contactFromPoliceNotice(police.url, force, policeNoticeAboutNewChild(++noticeCount));

const post = (contactId: string, action: string, headers: { authorization: string }, body: object = {}) =>
  request(hub.url).post(`/api/contacts/${contactId}/${action}`).set(headers).send(body);

/** A contact screened, rated amber and decided (early help) by `decider` through the API, so it awaits sign-off. */
async function decidedBy(decider: string): Promise<{ id: string; number: string }> {
  const contact = await newContact();
  await post(contact.id, 'screening', bearer[decider]).expect(201);
  await post(contact.id, 'rag', bearer[decider], { rag: 'amber', reason: 'Domestic abuse with the child present.' }).expect(201);
  await post(contact.id, 'ready-for-decision', bearer[decider]).expect(201);
  await post(contact.id, 'decision', bearer[decider], DECISION).expect(201);
  return contact;
}

const row = (sql: string, parameters: unknown[]) => withDatabase(async (db) => (await db.query(sql, parameters)).rows[0]);

const signedIn = (username: string, path: string) => signedInAt(browser, hub.url, username, path);

const banner = (page: Page) => page.locator('.govuk-notification-banner').innerText();
const mainText = (page: Page) => page.locator('main').innerText();

beforeAll(async () => {
  browser = await launchBrowser();
  await resetDatabase();
  force = await issueTestCredential(prefix, 'police', { organisation: '01', system: 'Exampleshire Police PPN' });
  hub = new AppProcess('hub', APPS.hub, hubEnv(env), await freePort());
  police = new AppProcess('police-adapter', APPS.policeAdapter, { ...env, LOG_LEVEL: 'warn' }, await freePort());
  await Promise.all([hub.ready(60_000), police.ready(60_000)]);
  for (const username of ['sam.screener', 'meg.manager']) {
    const login = await request(hub.url).post('/api/auth/login').send({ username, password: DEVELOPMENT_PASSWORD }).expect(200);
    bearer[username] = { authorization: `Bearer ${login.body.accessToken}` };
  }
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([hub?.stop(), police?.stop()]);
  await deleteRedisKeys(prefix);
});

describe('the MASH manager in the browser', () => {
  it('signs off a screener’s decision, returns another with a reason (not without), and cannot sign off their own', async () => {
    const toSignOff = await decidedBy('sam.screener');
    const toReturn = await decidedBy('sam.screener');
    const own = await decidedBy('meg.manager');
    const { context, page, problems } = await signedIn('meg.manager', '/sign-off');

    expect(await page.title()).toBe('Decisions to sign off – MASH');
    const rows = page.locator('tbody tr');
    // The earliest deadline first: all three were rated amber in this order, so due in this order.
    expect(await rows.locator('td:first-child a').allTextContents()).toEqual([toSignOff, toReturn, own].map((contact) => `Contact ${contact.number}: see the decision`));
    expect(await rows.nth(0).innerText()).toContain('sam.screener, MASH North');
    expect(await rows.nth(2).innerText()).toContain('Your decision');
    expect(await rows.nth(0).innerText()).toContain('Early help');
    await checkPage(page, 'sign-off-list');

    // The decision in full, with the way to the contact; its address carries the contact's id, its title the number.
    await rows.nth(0).locator('a').click();
    await page.waitForURL(`${hub.url}/sign-off/${toSignOff.id}`);
    expect(await page.title()).toBe(`Decision on contact ${toSignOff.number} – MASH`);
    const decision = await mainText(page);
    for (const expected of ['Early help', 'N1 Abuse or neglect', DECISION.rationale, 'sam.screener']) expect(decision).toContain(expected);
    expect(await page.locator(`main a[href="/contacts/${toSignOff.id}"]`).innerText()).toBe(`Contact ${toSignOff.number}`);
    await checkPage(page, 'sign-off-decision');
    await page.click('button:has-text("Sign off the decision")');
    await page.waitForURL(`${hub.url}/sign-off`);
    expect(await banner(page)).toContain('Decision signed off: the contact is closed');
    expect(await row('SELECT c.status, d.signed_off_by_name FROM contact c JOIN contact_decision d ON d.contact_id = c.id WHERE c.id = $1', [toSignOff.id])).toEqual({
      status: 'closed',
      signed_off_by_name: 'meg.manager',
    });
    await checkPage(page, 'sign-off-list-signed');

    // Returning without a reason is refused with the error summary, and nothing changes.
    await page.goto(`${hub.url}/sign-off/${toReturn.id}`);
    await page.click('button:has-text("Return the decision")');
    expect(await page.title()).toBe(`Error: Decision on contact ${toReturn.number} – MASH`);
    const summary = page.locator('.govuk-error-summary');
    expect(await summary.innerText()).toContain('Enter what the screener should look at again');
    await waitFor('the error summary to take focus', () => page.evaluate(() => document.activeElement?.classList.contains('govuk-error-summary') ?? false));
    await checkPage(page, 'sign-off-return-error');
    expect(await row('SELECT c.status, d.returned_at FROM contact c JOIN contact_decision d ON d.contact_id = c.id WHERE c.id = $1', [toReturn.id])).toEqual({
      status: 'awaiting_sign_off',
      returned_at: null,
    });
    await summary.locator('a[href="#reason"]').click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('reason');
    await page.fill('#reason', 'Ask the school what they have seen this term first.');
    await page.click('button:has-text("Return the decision")');
    await page.waitForURL(`${hub.url}/sign-off`);
    expect(await banner(page)).toContain('Decision returned to the screener');
    expect(await row('SELECT c.status, d.returned_by_name, d.return_reason FROM contact c JOIN contact_decision d ON d.contact_id = c.id WHERE c.id = $1', [toReturn.id])).toEqual({
      status: 'awaiting_decision',
      returned_by_name: 'meg.manager',
      return_reason: 'Ask the school what they have seen this term first.',
    });
    expect(await rows.locator('td:first-child a').allTextContents()).toEqual([`Contact ${own.number}: see the decision`]);

    // Their own decision: the lifecycle's refusal is the page's message, and the decision still waits.
    await page.goto(`${hub.url}/sign-off/${own.id.toUpperCase()}`);
    await page.click('button:has-text("Sign off the decision")');
    await page.waitForURL(`${hub.url}/sign-off/${own.id}`);
    expect(await banner(page)).toContain('Cannot sign off your own decision: another manager must sign it off.');
    await checkPage(page, 'sign-off-own-refused');
    expect(await row('SELECT status FROM contact WHERE id = $1', [own.id])).toEqual({ status: 'awaiting_sign_off' });

    // A decision signed off already: nothing to act on, said plainly.
    await page.goto(`${hub.url}/sign-off/${toSignOff.id}`);
    expect(await mainText(page)).toContain('Nothing on this contact is waiting for sign-off: it is closed.');
    expect(await page.locator('button:has-text("Sign off the decision")').count()).toBe(0);

    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  it('sees late and escalated work and resolves an alert', async () => {
    const late = await newContact();
    await post(late.id, 'screening', bearer['sam.screener']).expect(201);
    await withDatabase((db) => db.query(`UPDATE contact SET decision_due_at = now() - interval '2 hours' WHERE id = $1`, [late.id]));
    const alertId = await waitFor('the overdue decision to be escalated', async () => (await row(`SELECT id FROM alert WHERE kind = 'decision_overdue' AND contact_id = $1`, [late.id]))?.id as string | undefined);

    const { context, page, problems } = await signedIn('meg.manager', '/alerts');
    expect(await page.title()).toBe('Late and escalated – MASH');
    const alert = page.locator('tbody tr', { has: page.locator(`a[href="/contacts/${late.id}"]`) }).first();
    expect(await alert.innerText()).toContain('Decision overdue');
    expect(await alert.locator('a').innerText()).toBe(`Contact ${late.number}`);
    const pastDeadline = page.locator('table[aria-labelledby="past-deadline"] tbody');
    expect(await pastDeadline.innerText()).toContain(`Contact ${late.number}`);
    expect(await pastDeadline.innerText()).toMatch(/Overdue by 2 hours/);
    await checkPage(page, 'alerts');

    // Only the manager's alerts.
    await page.selectOption('#audience', 'manager');
    await page.click('button:has-text("Show alerts")');
    expect(new URL(page.url()).searchParams.get('audience')).toBe('manager');
    expect(await page.locator(`form[action="/alerts/${alertId}/resolve"]`).count()).toBe(1);

    await page.locator(`form[action="/alerts/${alertId}/resolve"] button`).click();
    await page.waitForURL(`${hub.url}/alerts`);
    expect(await banner(page)).toContain('Alert resolved');
    expect(await page.locator(`form[action="/alerts/${alertId}/resolve"]`).count()).toBe(0);
    expect(await row('SELECT resolved_by_name FROM alert WHERE id = $1', [alertId])).toEqual({ resolved_by_name: 'meg.manager' });
    await checkPage(page, 'alerts-resolved');
    // Still past its deadline until someone decides: the alert is dealt with, the contact is not.
    expect(await pastDeadline.innerText()).toContain(`Contact ${late.number}`);

    // The same alert resolved again (from a page open elsewhere): said, not failed.
    const _csrf = await page.locator('input[name="_csrf"]').first().inputValue();
    expect((await context.request.post(`${hub.url}/alerts/${alertId}/resolve`, { form: { _csrf }, maxRedirects: 0 })).status()).toBe(303);
    await page.goto(`${hub.url}/alerts`);
    expect(await banner(page)).toContain('was already resolved');

    // A bad filter is refused with the error summary.
    const refused = await page.goto(`${hub.url}/alerts?audience=everybody`);
    expect(refused?.status()).toBe(400);
    expect(await page.locator('.govuk-error-summary').innerText()).toContain('Choose who the alerts are for from the list');
    await checkPage(page, 'alerts-error');

    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);

  it('overrides refused consent with a written justification, refusing one too short', async () => {
    const contact = await newContact();
    await post(contact.id, 'consent', bearer['sam.screener'], { status: 'refused', notes: 'Mother refused on the phone.' }).expect(201);
    const { context, page, problems } = await signedIn('meg.manager', `/contacts/${contact.id}`);

    await page.click('a:has-text("Override the refusal")');
    await page.waitForURL(`${hub.url}/contacts/${contact.id}/consent/override`);
    expect(await page.title()).toBe(`Override refused consent on contact ${contact.number} – MASH`);
    expect(await mainText(page)).toContain('Mother refused on the phone.');
    await checkPage(page, 'consent-override');

    await page.fill('#justification', 'Risk to the child.');
    await page.click('button:has-text("Override the refusal")');
    expect(await page.title()).toBe(`Error: Override refused consent on contact ${contact.number} – MASH`);
    expect(await page.locator('.govuk-error-summary').innerText()).toContain('in at least 20 characters');
    expect(await page.inputValue('#justification')).toBe('Risk to the child.');
    await checkPage(page, 'consent-override-error');
    const overrides = () => row(`SELECT count(*)::int AS n FROM consent_record WHERE contact_id = $1 AND kind = 'override'`, [contact.id]);
    expect(await overrides()).toEqual({ n: 0 });

    const justification = 'Seeking consent again would alert the alleged perpetrator and put the child at risk of significant harm.';
    await page.fill('#justification', justification);
    await page.click('button:has-text("Override the refusal")');
    await page.waitForURL(`${hub.url}/contacts/${contact.id}`);
    expect(await banner(page)).toContain('Consent refusal overridden');
    expect(await mainText(page)).toContain('Refusal overridden');
    expect(await mainText(page)).toContain(justification);
    expect(await page.locator('a:has-text("Override the refusal")').count()).toBe(0);
    expect(await overrides()).toEqual({ n: 1 });

    // Nothing is left to override: the form is not offered again.
    await page.goto(`${hub.url}/contacts/${contact.id}/consent/override`);
    expect(await mainText(page)).toContain('Only a refusal not yet overridden can be overridden');
    expect(await page.locator('#justification').count()).toBe(0);
    await checkPage(page, 'consent-override-none');

    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  it('sees the timeliness figures for the last four weeks, with charts, and refuses a period that is not one', async () => {
    const { context, page, problems } = await signedIn('meg.manager', '/timeliness');
    expect(await page.title()).toBe('Timeliness – MASH');
    // The first test signed off one decision, by sam.screener of MASH North, decided within its amber deadline.
    const figures = await page.locator('.mash-figures').innerText();
    expect(figures).toMatch(/Decided\s+1\b/);
    expect(figures).toMatch(/On time \(%\)\s+100%/);
    expect(figures).toMatch(/Waiting past their deadline now\s+1\b/);
    expect(await page.locator('figure svg[role="img"]').count()).toBe(3);
    for (const id of ['by-rag', 'by-agency', 'by-team']) {
      expect(await page.locator(`#${id}-table tbody`).innerText()).toMatch(/\t1\t1\t0\t100%\t/);
      expect(await page.locator(`figure:has(#${id}-table) svg rect.mash-chart__bar--on-time`).count()).toBe(1);
    }
    expect(await page.locator('#by-team-table tbody th').allInnerTexts()).toEqual(['MASH North']);
    expect(await page.locator('#by-agency-table tbody th').allInnerTexts()).toEqual(['Police']);
    // The period shown is the one chosen: the last 28 days, today included.
    const today = new Date();
    expect(await page.inputValue('#to-year')).toBe(String(today.getFullYear()));
    await checkPage(page, 'timeliness');

    // A date that does not exist, and an end before the start: the error summary, status 400, no figures.
    await page.fill('#from-day', '31');
    await page.fill('#from-month', '2');
    await page.fill('#from-year', '2026');
    await page.click('button:has-text("Show figures")');
    expect(await page.title()).toBe('Error: Timeliness – MASH');
    expect(await page.locator('.govuk-error-summary').innerText()).toContain('The start date must be a real date');
    expect(await page.locator('.mash-figures').count()).toBe(0);
    await checkPage(page, 'timeliness-error');
    const backwards = await page.goto(`${hub.url}/timeliness?from-day=9&from-month=3&from-year=2026&to-day=2&to-month=3&to-year=2026`);
    expect(backwards?.status()).toBe(400);
    expect(await page.locator('.govuk-error-summary').innerText()).toContain('The end date must be the same as or after the start date');

    // The API gives the same figures by team.
    const from = new Date(Date.now() - 27 * 86_400_000).toISOString().slice(0, 10);
    const api = await request(hub.url).get('/api/timeliness').query({ from, to: today.toISOString().slice(0, 10) }).set(bearer['meg.manager']).expect(200);
    expect(api.body.byTeam).toEqual([expect.objectContaining({ key: 'MASH North', decided: 1, onTime: 1 })]);
    expect(api.body.overall).toMatchObject({ decided: 1, onTime: 1, onTimeRate: 1 });

    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  it('is refused to a screener: the manager’s pages answer 403', async () => {
    const contact = await newContact();
    await post(contact.id, 'consent', bearer['sam.screener'], { status: 'refused' }).expect(201);
    const { context, page } = await signedIn('sam.screener', `/contacts/${contact.id}`);
    // Refused consent, but only a manager may override it: no way offered.
    expect(await mainText(page)).toContain('Refused');
    expect(await page.locator('a:has-text("Override the refusal")').count()).toBe(0);
    for (const [path, name] of [['/sign-off', 'forbidden-sign-off'], ['/timeliness', 'forbidden-timeliness'], [`/contacts/${contact.id}/consent/override`, 'forbidden-consent-override']]) {
      const response = await page.goto(`${hub.url}${path}`);
      expect(`${path} ${response?.status()}`).toBe(`${path} 403`);
      expect(await page.locator('h1').innerText()).toBe('You do not have access to this page');
      await checkPage(page, name);
    }
    // Late and escalated work is theirs too, without the manager's filter.
    const alerts = await page.goto(`${hub.url}/alerts`);
    expect(alerts?.status()).toBe(200);
    expect(await page.locator('#audience').count()).toBe(0);
    await checkPage(page, 'alerts-screener');
    await context.close();
  }, 60_000);
});
