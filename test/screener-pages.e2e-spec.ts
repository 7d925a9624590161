/// <reference lib="dom" />
import request from 'supertest';
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { notificationIdFor } from '#adapter-kit';
import { DEVELOPMENT_PASSWORD } from '../apps/hub/src/access/staff-accounts.js';
import { checkPage, newContext, watchConsole } from './support/browser.js';
import { waitFor, withDatabase } from './support/environment.js';
import { healthReferral } from './support/health-referrals.js';
import type { TestCredential } from './support/partner-credentials.js';
import { policeNotice, policeNoticeAboutNewChild } from './support/police-notices.js';
import { startPagesSystem, stopPagesSystem, type PagesSystem } from './support/pages-system.js';
import type { AppProcess } from './support/processes.js';
import { staff } from './support/staff.js';

let system: PagesSystem | undefined;
let hub: AppProcess;
let police: AppProcess;
let health: AppProcess;
let force: TestCredential;
let trust: TestCredential;
let browser: Browser;
let noticeCount = 0;

const one = async <T>(sql: string, params: unknown[] = []) => (await withDatabase((db) => db.query(sql, params))).rows[0] as T;

/** The contact a stored notification joined, once it has its decision deadline: its id and number. */
async function contactOf(notificationId: string): Promise<{ id: string; number: string }> {
  return waitFor('the notification to make a contact with a deadline', async () => {
    const row = await one<{ id: string; number: string; decision_due_at: Date | null } | undefined>(
      'SELECT c.id, c.number::text AS number, c.decision_due_at FROM contact_notification l JOIN contact c ON c.id = l.contact_id WHERE l.notification_id = $1',
      [notificationId],
    );
    return row?.decision_due_at ? { id: row.id, number: row.number } : undefined;
  });
}

/** A police notice (about a new child unless a notice is given); resolves to its contact. */
async function policeContact(notice: { policeReference: string } = policeNoticeAboutNewChild(++noticeCount)) {
  await request(police.url).post('/notifications').set(force.headers).send(notice).expect(202);
  return contactOf(notificationIdFor('police', '01', notice.policeReference));
}

/** A contact in screening with a RAG, through the API (the pages for these are tested in screens.e2e-spec.ts). */
async function ratedContact(): Promise<{ id: string; number: string }> {
  const contact = await policeContact();
  await request(hub.url).post(`/api/contacts/${contact.id}/screening`).set(staff.screener).expect(201);
  await request(hub.url).post(`/api/contacts/${contact.id}/rag`).set(staff.screener).send({ rag: 'amber', reason: 'Domestic abuse with the child present.' }).expect(201);
  return contact;
}

async function signedIn(username = 'sam.screener'): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await newContext(browser);
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.goto(`${hub.url}/sign-in`);
  await page.fill('#username', username);
  await page.fill('#password', DEVELOPMENT_PASSWORD);
  await page.click('button:has-text("Sign in")');
  await page.waitForURL(`${hub.url}/contacts`);
  return { context, page, problems };
}

/** The contact numbers in the queue's table, in order. */
const numbersShown = async (page: Page) => (await page.locator('tbody tr td:first-child a').allInnerTexts()).map((text) => text.replace('Contact ', ''));
const banner = (page: Page) => page.locator('.govuk-notification-banner').innerText();
const count = async (sql: string, params: unknown[] = []) => (await one<{ n: number }>(sql, params)).n;

beforeAll(async () => {
  system = await startPagesSystem();
  ({ hub, police, health, force, trust, browser } = system);
}, 120_000);

afterAll(() => stopPagesSystem(system));

describe('the queue', () => {
  it('opens soonest deadline first, sorts newest first on request, and filters by referring agency', async () => {
    const amber = await policeContact();
    // Red is due within four hours round the clock, before any amber deadline: first by deadline, though newer.
    const red = await policeContact(policeNoticeAboutNewChild(++noticeCount, { ragGrading: 'RED' }));
    const referral = healthReferral();
    const accepted = await request(health.url).post('/fhir').set(trust.headers).set('Content-Type', 'application/fhir+json').send(JSON.stringify(referral)).expect(202);
    // The adapter answers with a FHIR Bundle whose identifier is the notification id.
    const fromHealth = await contactOf((JSON.parse(accepted.text) as { identifier: { value: string } }).identifier.value.replace('urn:uuid:', ''));
    const { context, page, problems } = await signedIn();

    expect(await page.locator('main').innerText()).toContain('soonest decision deadline first');
    const byDeadline = await numbersShown(page);
    expect(byDeadline.indexOf(red.number)).toBeLessThan(byDeadline.indexOf(amber.number));
    expect(await page.inputValue('#sort')).toBe('deadline');
    await checkPage(page, 'queue-by-deadline');

    await page.selectOption('#sort', 'newest');
    await page.click('button:has-text("Apply filters")');
    const newest = await numbersShown(page);
    expect(newest.indexOf(fromHealth.number)).toBeLessThan(newest.indexOf(red.number));
    expect(newest.indexOf(red.number)).toBeLessThan(newest.indexOf(amber.number));

    await page.selectOption('#agency', 'health');
    await page.click('button:has-text("Apply filters")');
    expect(new URL(page.url()).searchParams.get('agency')).toBe('health');
    expect(await numbersShown(page)).toEqual([fromHealth.number]);
    expect(await page.locator('tbody').innerText()).toContain('Health');
    await checkPage(page, 'queue-referred-by-health');

    // An agency that is not one: refused with the error summary, nothing listed.
    const refused = await page.goto(`${hub.url}/contacts?agency=fire`);
    expect(refused?.status()).toBe(400);
    expect(await page.locator('.govuk-error-summary').innerText()).toContain('Choose a referring agency from the list');
    expect(await page.title()).toBe('Error: Contacts – MASH');
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);
});

describe('a contact', () => {
  it('requests information from health through the sharing decision and lists it; withdraws it; a refusal shows its reasons', async () => {
    const contact = await ratedContact();
    const { context, page, problems } = await signedIn();
    await page.goto(`${hub.url}/contacts/${contact.id}`);
    expect(await page.locator('#information-requests + p').innerText()).toBe('No information requested.');
    await page.click('a:has-text("Request information")');
    await page.waitForURL(`${hub.url}/contacts/${contact.id}/information-requests/new`);
    expect(await page.title()).toBe(`Request information for contact ${contact.number} – MASH`);
    await checkPage(page, 'information-request-form');

    // Empty: every field named in the error summary, nothing asked.
    await page.click('button:has-text("Send request")');
    const summary = await page.locator('.govuk-error-summary').innerText();
    for (const text of ['Select the partner agency to ask', 'Enter the organisation’s code', 'Enter what you are asking', 'Enter why you need to know']) expect(summary).toContain(text);
    // A police force code is not a health organisation's.
    await page.check('input[name="agency"][value="health"]');
    await page.fill('#organisation', '01');
    await page.fill('#question', 'Has the child attended A&E or been seen by a health visitor in the last six months?');
    await page.fill('#why', 'Police report domestic abuse at home with the child present.');
    await page.click('button:has-text("Send request")');
    expect(await page.locator('.govuk-error-summary').innerText()).toContain('Enter the NHS ODS organisation code (3 to 6 capital letters and digits), for example RJ1');
    expect(await page.inputValue('#question')).toContain('A&E');
    await checkPage(page, 'information-request-form-error');
    expect(await count('SELECT count(*)::int AS n FROM information_request WHERE contact_id = $1', [contact.id])).toBe(0);

    await page.fill('#organisation', 'RJ1');
    await page.click('button:has-text("Send request")');
    await page.waitForURL(`${hub.url}/contacts/${contact.id}`);
    expect(await banner(page)).toContain('Information requested from Health (RJ1)');
    const card = page.locator('.govuk-summary-card', { hasText: 'Health (RJ1)' });
    expect(await card.innerText()).toMatch(/Awaiting answer[\s\S]*Has the child attended A&E[\s\S]*Why the MASH is asking: Police report domestic abuse/);
    const asked = await one<{ status: string; recipient_agency: string; recipient_organisation: string; allowed: string }>(
      `SELECT r.status, r.recipient_agency, r.recipient_organisation, s.decision AS allowed FROM information_request r JOIN share s ON s.id = r.share_id WHERE r.contact_id = $1`,
      [contact.id],
    );
    expect(asked).toEqual({ status: 'sent', recipient_agency: 'health', recipient_organisation: 'RJ1', allowed: 'allowed' });
    expect((await one<{ status: string }>('SELECT status FROM contact WHERE id = $1', [contact.id])).status).toBe('awaiting_information');
    await checkPage(page, 'contact-information-requested');

    await card.locator('a:has-text("Withdraw")').click();
    await checkPage(page, 'withdraw-request');
    await page.click('button:has-text("Withdraw request")');
    expect(await page.locator('.govuk-error-summary').innerText()).toContain('Enter why you are withdrawing the request');
    await page.fill('#reason', 'The health visitor called the MASH directly.');
    await page.click('button:has-text("Withdraw request")');
    await page.waitForURL(`${hub.url}/contacts/${contact.id}`);
    expect(await banner(page)).toContain('Request to Health (RJ1) withdrawn');
    expect(await card.innerText()).toContain('The health visitor called the MASH directly.');
    // The last open request gone, the contact waits for its decision.
    expect((await one<{ status: string }>('SELECT status FROM contact WHERE id = $1', [contact.id])).status).toBe('awaiting_decision');

    // Consent refused: the sharing decision refuses, and the page says why.
    await request(hub.url).post(`/api/contacts/${contact.id}/consent`).set(staff.screener).send({ status: 'refused', notes: 'Mother refused.' }).expect(201);
    await page.click('a:has-text("Request information")');
    await page.check('input[name="agency"][value="health"]');
    await page.fill('#organisation', 'RJ1');
    await page.fill('#question', 'What does the GP hold about the child’s attendance?');
    await page.fill('#why', 'To decide the next step.');
    await page.click('button:has-text("Send request")');
    await page.waitForURL(`${hub.url}/contacts/${contact.id}`);
    expect(await banner(page)).toMatch(/The sharing decision refused the request to Health \(RJ1\), so nothing was sent\. Consent to share was refused/);
    expect(await page.locator('.govuk-summary-card', { hasText: 'Refused: not sent' }).innerText()).toContain('Consent to share was refused');
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  it('moves to decision and records one; the empty form is refused with its error summary; a refused act is the page’s message', async () => {
    const contact = await ratedContact();
    const { context, page, problems } = await signedIn();
    await page.goto(`${hub.url}/contacts/${contact.id}`);
    await page.click('button:has-text("Ready for decision")');
    await page.waitForURL(`${hub.url}/contacts/${contact.id}`);
    expect(await banner(page)).toContain('The contact is ready for a decision');
    expect(await page.locator('.govuk-summary-list').first().innerText()).toContain('Awaiting decision');
    expect(await page.locator('button:has-text("Ready for decision")').count()).toBe(0);

    await page.click('a:has-text("Record a decision")');
    await page.waitForURL(`${hub.url}/contacts/${contact.id}/decision`);
    await checkPage(page, 'decision-form');
    await page.click('button:has-text("Record decision")');
    expect(await page.title()).toBe(`Error: Record a decision for contact ${contact.number} – MASH`);
    const summary = page.locator('.govuk-error-summary');
    for (const text of ['Select the outcome', 'Select the primary need', 'Select the level of need', 'Enter the reasons for the decision']) expect(await summary.innerText()).toContain(text);
    await waitFor('the error summary to take focus', () => page.evaluate(() => document.activeElement?.classList.contains('govuk-error-summary') ?? false));
    await summary.locator('a[href="#primaryNeed"]').click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('primaryNeed');
    await checkPage(page, 'decision-form-error');
    expect(await count('SELECT count(*)::int AS n FROM contact_decision WHERE contact_id = $1', [contact.id])).toBe(0);

    await page.check('input[name="outcome"][value="early_help"]');
    await page.selectOption('#primaryNeed', 'N4');
    await page.check('input[name="levelOfNeed"][value="2"]');
    await page.fill('#rationale', 'Family under acute stress; mother agrees to early help; no statutory threshold met.');
    await page.click('button:has-text("Record decision")');
    await page.waitForURL(`${hub.url}/contacts/${contact.id}`);
    expect(await banner(page)).toContain('Decision recorded');
    expect(await page.locator('main').innerText()).toMatch(/Early help[\s\S]*N4, level 2[\s\S]*Family under acute stress/);
    expect(await one('SELECT outcome, primary_need, level_of_need, decided_by_name FROM contact_decision WHERE contact_id = $1', [contact.id])).toEqual({
      outcome: 'early_help',
      primary_need: 'N4',
      level_of_need: 2,
      decided_by_name: 'sam.screener',
    });
    await checkPage(page, 'contact-decided');

    // Awaiting sign-off, the lifecycle refuses another move to decision (409): the contact page says why.
    const _csrf = await page.locator('input[name="_csrf"]').first().inputValue();
    const again = await context.request.post(`${hub.url}/contacts/${contact.id}/ready-for-decision`, { form: { _csrf }, maxRedirects: 0 });
    expect(again.status()).toBe(303);
    await page.goto(`${hub.url}/contacts/${contact.id}`);
    expect(await banner(page)).toContain('Cannot move to decision: the contact is awaiting sign-off');
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);
});

describe('possible matches', () => {
  /** A notice about a child with this name and date of birth, and no NHS number or address to settle who it is. */
  const noticeAbout = (forename: string, surname: string, dateOfBirth: string) => {
    const notice = policeNotice();
    return { ...notice, children: [{ ...notice.children[0], forename, surname, dateOfBirth, nhsNumber: undefined, address: undefined }] };
  };

  it('lists the pair, shows the two side by side, refuses to link while both have an open contact, then links them', async () => {
    const surname = `Hartley${randomUUID().replace(/[^a-f]/g, '').slice(0, 6)}`;
    const known = await policeContact(noticeAbout('Amelia', surname, '2015-06-04'));
    const newer = await policeContact(noticeAbout('Amelai', surname, '2015-04-06'));
    const pair = await waitFor('the pair to be listed', () =>
      one<{ id: string } | undefined>(
        `SELECT m.id FROM possible_match m JOIN contact c ON c.child_id = m.child_id WHERE c.id = $1 AND m.status = 'open'`,
        [newer.id],
      ),
    );
    const { context, page, problems } = await signedIn();
    await page.click('nav a:has-text("Possible matches")');
    await page.waitForURL(`${hub.url}/possible-matches`);
    const row = page.locator('tbody tr', { hasText: `Amelai ${surname}` });
    expect(await row.innerText()).toMatch(/date of birth has day and month swapped/);
    await checkPage(page, 'possible-matches');

    await row.locator('a').click();
    await page.waitForURL(`${hub.url}/possible-matches/${pair.id}`);
    expect(await page.title()).toBe('Possible match – MASH');
    const table = await page.locator('table').innerText();
    expect(table).toMatch(new RegExp(`Name\\s+Amelai ${surname}\\s+Differs\\s+Amelia ${surname}`));
    expect(table).toMatch(/Date of birth\s+6 April 2015\s+Differs\s+4 June 2015/);
    expect(table).toContain(`Contact ${newer.number}`);
    expect(table).toContain(`Contact ${known.number}`);
    await checkPage(page, 'possible-match');

    // Both children have an open contact: the identity desk refuses, and the page says why.
    await page.click('button:has-text("Link: the same child")');
    await page.waitForURL(`${hub.url}/possible-matches/${pair.id}`);
    expect(await banner(page)).toContain('Both children have an open contact');
    expect((await one<{ status: string }>('SELECT status FROM possible_match WHERE id = $1', [pair.id])).status).toBe('open');
    await checkPage(page, 'possible-match-refused');

    // The known child's contact decided and signed off (by another manager): now they can be one.
    await request(hub.url).post(`/api/contacts/${known.id}/screening`).set(staff.screener).expect(201);
    await request(hub.url).post(`/api/contacts/${known.id}/rag`).set(staff.screener).send({ rag: 'green', reason: 'Single incident; child safe at school.' }).expect(201);
    await request(hub.url)
      .post(`/api/contacts/${known.id}/decision`)
      .set(staff.screener)
      .send({ outcome: 'no_further_action', primaryNeed: 'N0', levelOfNeed: 1, rationale: 'Single incident; no further concerns from partners.' })
      .expect(201);
    await request(hub.url).post(`/api/contacts/${known.id}/decision/sign-off`).set(staff.manager).expect(201);

    await page.reload();
    await page.click('button:has-text("Link: the same child")');
    await page.waitForURL(`${hub.url}/possible-matches`);
    expect(await banner(page)).toContain('Linked as one child. 1 contact moved to the older record');
    expect(await page.locator('tbody tr', { hasText: `Amelai ${surname}` }).innerText()).toContain('Linked');
    const merged = await one<{ status: string; same: boolean }>(
      `SELECT m.status, (SELECT child_id FROM contact WHERE id = $2) = (SELECT child_id FROM contact WHERE id = $3) AS same FROM possible_match m WHERE m.id = $1`,
      [pair.id, newer.id, known.id],
    );
    expect(merged).toEqual({ status: 'linked', same: true });
    expect(await count("SELECT count(*)::int AS n FROM audit_event WHERE action = 'possible_match.viewed' AND subject_id = $1", [pair.id])).toBeGreaterThanOrEqual(2);
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);
});
