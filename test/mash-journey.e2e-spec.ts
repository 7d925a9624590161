/// <reference lib="dom" />
import type { Task } from '@medplum/fhirtypes';
import request from 'supertest';
import type { Browser, Page } from 'playwright-core';
import { checkPage, signedInAt } from './support/browser.js';
import { waitFor, withDatabase } from './support/environment.js';
import type { TestCredential } from './support/partner-credentials.js';
import { contactFromPoliceNotice } from './support/police-contacts.js';
import { policeNoticeAboutNewChild } from './support/police-notices.js';
import { startPagesSystem, stopPagesSystem, type PagesSystem } from './support/pages-system.js';
import type { AppProcess } from './support/processes.js';

/*
 * One contact's way through the MASH, as the people who work it see it: a police notice reaches
 * the queue, a screener rates it and asks health, the trust answers through its FHIR interface,
 * the screener decides, a manager signs off, and an auditor finds every act in the log.
 */

const FHIR_JSON = 'application/fhir+json';
const QUESTION = 'Has the child been seen in A&E or by a health visitor in the last six months?';
const ANSWER = 'Seen in A&E twice in March with bruising to the arm; the trust safeguarding team was told.';
const RAG_REASON = 'Domestic abuse with the child present; no injury reported.';
const RATIONALE = 'Repeated injuries and domestic abuse at home: the threshold for a child and family assessment is met.';

let system: PagesSystem | undefined;
let hub: AppProcess;
let police: AppProcess;
let health: AppProcess;
let force: TestCredential;
let trust: TestCredential;
let browser: Browser;

const mainText = (page: Page) => page.locator('main').innerText();

beforeAll(async () => {
  system = await startPagesSystem();
  ({ hub, police, health, force, trust, browser } = system);
}, 120_000);

afterAll(() => stopPagesSystem(system));

describe('a contact from a police notice to a signed-off decision, in the browser', () => {
  it('is screened, rated, asked about, answered, decided and signed off, and every act is in the audit log', async () => {
    // An older notice and then the one to work: the screener must pick the newest.
    await contactFromPoliceNotice(police.url, force, policeNoticeAboutNewChild(1));
    const contact = await contactFromPoliceNotice(police.url, force, policeNoticeAboutNewChild(2));

    // The screener signs in and opens the newest contact from a police notice.
    const screener = await signedInAt(browser, hub.url, 'sam.screener', '/contacts');
    let page = screener.page;
    await page.selectOption('#agency', 'police');
    await page.selectOption('#sort', 'newest');
    await page.click('button:has-text("Apply filters")');
    await checkPage(page, 'journey-queue');
    await page.locator('table tbody tr').first().locator('a').first().click();
    await page.waitForURL(`${hub.url}/contacts/${contact.id}`);
    expect(await page.title()).toBe(`Contact ${contact.number} – MASH`);
    await checkPage(page, 'journey-contact');

    // Screening starts; the RAG is set amber with a reason, by keyboard alone.
    await page.click('button:has-text("Start screening")');
    await page.click('a:has-text("Set RAG")');
    await page.waitForURL(`${hub.url}/contacts/${contact.id}/rag`);
    await page.locator('input[name="rag"][value="amber"]').focus();
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    await page.keyboard.type(RAG_REASON);
    await page.keyboard.press('Tab');
    await checkPage(page, 'journey-rag');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${hub.url}/contacts/${contact.id}`);
    expect(await page.locator('.govuk-notification-banner').innerText()).toContain('RAG set to amber');

    // Information is asked of the hospital trust.
    await page.click('a:has-text("Request information")');
    // The organisations connected to the MASH are offered as the code is typed.
    const offered = await page.locator('#connected-organisations option').evaluateAll((options) => options.map((option) => [(option as HTMLOptionElement).value, option.textContent]));
    expect(offered).toEqual([
      ['RJ1', 'Health: Example Hospitals EPR'],
      ['01', 'Police: Exampleshire Police PPN'],
    ]);
    expect(await page.getAttribute('#organisation', 'list')).toBe('connected-organisations');
    await page.check('input[name="agency"][value="health"]');
    await page.fill('#organisation', 'RJ1');
    await page.fill('#question', QUESTION);
    await page.fill('#why', 'The police report domestic abuse at home with the child present.');
    await page.click('button:has-text("Send request")');
    await page.waitForURL(`${hub.url}/contacts/${contact.id}`);
    expect(await mainText(page)).toContain('Awaiting answer');

    // The trust answers the FHIR way, through the health adapter: its Task back, completed.
    const task = await waitFor('the request as a Task in the trust’s FHIR inbox', async () => {
      const bundle = JSON.parse((await request(health.url).get('/fhir/Task').set(trust.headers).set('Accept', FHIR_JSON).expect(200)).text);
      return (bundle.entry ?? []).map((entry: { resource: Task }) => entry.resource).find((candidate: Task) => candidate.description?.startsWith(QUESTION)) as Task | undefined;
    });
    const completed = { ...task, status: 'completed', output: [{ type: { text: 'answer' }, valueString: ANSWER }] };
    await request(health.url).put(`/fhir/Task/${task.id}`).set(trust.headers).set('Content-Type', FHIR_JSON).send(JSON.stringify(completed)).expect(200);

    // The answer arrives on the contact page.
    await waitFor('the answer on the contact page', async () => {
      await page.reload();
      return (await mainText(page)).includes(ANSWER) || undefined;
    });
    await checkPage(page, 'journey-answered');

    // The screener moves to decision (if the answer has not already done so) and records the decision.
    if (await page.locator('button:has-text("Ready for decision")').count()) {
      await page.click('button:has-text("Ready for decision")');
      await page.waitForURL(`${hub.url}/contacts/${contact.id}`);
    }
    await page.click('a:has-text("Record a decision")');
    await page.check('input[name="outcome"][value="single_assessment_s17"]');
    await page.selectOption('#primaryNeed', 'N1');
    await page.check('input[name="levelOfNeed"][value="3"]');
    await page.fill('#rationale', RATIONALE);
    await checkPage(page, 'journey-decision');
    await page.click('button:has-text("Record decision")');
    await page.waitForURL(`${hub.url}/contacts/${contact.id}`);
    expect(await mainText(page)).toContain(RATIONALE);
    await screener.context.close();

    // A manager signs it off.
    const manager = await signedInAt(browser, hub.url, 'meg.manager', '/sign-off');
    page = manager.page;
    await page.locator(`a[href="/sign-off/${contact.id}"]`).click();
    await page.waitForURL(`${hub.url}/sign-off/${contact.id}`);
    expect(await mainText(page)).toContain(RATIONALE);
    await checkPage(page, 'journey-sign-off');
    await page.click('button:has-text("Sign off the decision")');
    await waitFor('the sign-off to be confirmed', async () => (await page.locator('.govuk-notification-banner').count()) > 0 || undefined);
    const status = await withDatabase(async (db) => (await db.query('SELECT status FROM contact WHERE id = $1', [contact.id])).rows[0].status as string);
    expect(status).toBe('closed');
    await manager.context.close();

    // The auditor finds every one of those acts in the log, by the child and what was done.
    const childId = await withDatabase(async (db) => (await db.query('SELECT child_id FROM contact WHERE id = $1', [contact.id])).rows[0].child_id as string);
    const auditor = await signedInAt(browser, hub.url, 'ada.auditor', '/audit');
    page = auditor.page;
    // What was done, who did it as the row names them, and whom to search by (a partner's system is
    // recorded by its credential, so the trust's answer is found by the child and the act alone).
    const acts: [action: string, shown: string, searchBy: string][] = [
      ['contacts.listed', 'sam.screener', 'sam.screener'],
      ['contact.viewed', 'sam.screener', 'sam.screener'],
      ['contact.state_changed', 'sam.screener', 'sam.screener'],
      ['rag.changed', 'sam.screener', 'sam.screener'],
      ['information_request.sent', 'sam.screener', 'sam.screener'],
      ['information_request.answered', 'Example Hospitals EPR', ''],
      ['decision.recorded', 'sam.screener', 'sam.screener'],
      ['decision.signed_off', 'meg.manager', 'meg.manager'],
    ];
    for (const [action, shown, searchBy] of acts) {
      // Listing the queue names no child: it is found by who listed it.
      await page.fill('#childId', action === 'contacts.listed' ? '' : childId);
      await page.fill('#actor', searchBy);
      await page.selectOption('#action', action);
      await page.click('button:has-text("Search")');
      const rows = page.locator('table tbody tr');
      expect({ action, found: (await rows.count()) > 0 }).toEqual({ action, found: true });
      const first = await rows.first().innerText();
      expect(first).toContain(action);
      expect(first).toContain(shown);
    }
    await checkPage(page, 'journey-audit');

    // The child's "who has seen and shared" view names the screener, the manager and the trust's answer.
    await page.goto(`${hub.url}/audit/children/${childId}`);
    const seen = await mainText(page);
    for (const expected of ['sam.screener', 'meg.manager', 'information_request.sent', 'decision.signed_off']) expect(seen).toContain(expected);
    await checkPage(page, 'journey-child-access');
    expect(auditor.problems).toEqual([]);
    await auditor.context.close();
  }, 180_000);
});
