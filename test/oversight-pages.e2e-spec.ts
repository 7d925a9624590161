/// <reference lib="dom" />
import { Queue } from 'bullmq';
import { parse } from 'csv-parse/sync';
import { readFile } from 'node:fs/promises';
import { Redis } from 'ioredis';
import request from 'supertest';
import type { Browser, Locator, Page } from 'playwright-core';
import { PartnerCredentialStore, notificationIdFor } from '#adapter-kit';
import { MessagePatterns, hubIntakeQueue } from '#contracts';
import { CSV_COLUMNS, unguardCsvField } from '../apps/hub/src/audit/auditor/audit-export-formats.js';
import { checkPage, launchBrowser, signedInAt } from './support/browser.js';
import { TEST_APP_DATABASE_URL, TEST_REDIS_URL, deleteRedisKeys, freePort, resetDatabase, tamperWithAuditTrail, uniquePrefix, waitFor, withDatabase } from './support/environment.js';
import { issueTestCredential, type TestCredential } from './support/partner-credentials.js';
import { policeNoticeAboutNewChild } from './support/police-notices.js';
import { APPS, AppProcess, hubEnv } from './support/processes.js';
import { staff } from './support/staff.js';

const INTAKE_QUEUE = hubIntakeQueue('police');
const HOUSING = 'E09000028';
const prefix = uniquePrefix();
const env = { DATABASE_URL: TEST_APP_DATABASE_URL, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix };
let hub: AppProcess;
let police: AppProcess;
let force: TestCredential;
let browser: Browser;
let intakeQueue: Queue;
/** The contact from a police notice, its child, and the share decisions made about it. */
let contact: { id: string; childId: string; notificationId: string };

const count = (sql: string, params: unknown[] = []) => withDatabase(async (db) => (await db.query(sql, params)).rows[0].n as number);
const eventsOf = (action: string) =>
  withDatabase(async (db) => (await db.query('SELECT actor_id, subject_id, details FROM audit_event WHERE action = $1 ORDER BY sequence', [action])).rows as { actor_id: string; subject_id: string | null; details: Record<string, any> }[]);

/** A police notice about a new child; resolves once it is a contact. */
async function newContact(index: number): Promise<{ id: string; childId: string; notificationId: string }> {
  const notice = policeNoticeAboutNewChild(index);
  await request(police.url).post('/notifications').set(force.headers).send(notice).expect(202);
  const notificationId = notificationIdFor('police', '01', notice.policeReference);
  return waitFor('the notice to make a contact', () =>
    withDatabase(async (db) => {
      const row = (await db.query('SELECT c.id, c.child_id FROM contact_notification cn JOIN contact c ON c.id = cn.contact_id WHERE cn.notification_id = $1', [notificationId])).rows[0];
      return row ? { id: row.id as string, childId: row.child_id as string, notificationId } : undefined;
    }),
  );
}

const signedIn = (username: string, path: string) => signedInAt(browser, hub.url, username, path);

const main = (page: Page) => page.locator('main').innerText();

/** Clicks a form's button and waits for the page it answers with (which may have the same address). */
async function submit(page: Page, button: Locator): Promise<void> {
  await Promise.all([page.waitForNavigation(), button.click()]);
}

beforeAll(async () => {
  browser = await launchBrowser();
  await resetDatabase();
  force = await issueTestCredential(prefix, 'police', { organisation: '01', system: 'Exampleshire Police PPN' });
  hub = new AppProcess('hub', APPS.hub, hubEnv(env), await freePort());
  police = new AppProcess('police-adapter', APPS.policeAdapter, { ...env, LOG_LEVEL: 'warn' }, await freePort());
  await Promise.all([hub.ready(60_000), police.ready(60_000)]);
  intakeQueue = new Queue(INTAKE_QUEUE, { connection: { url: TEST_REDIS_URL }, prefix });

  // A screener looks at the contact and asks to pass the police's information on to housing:
  // refused without the police's agreement, then allowed once it is recorded.
  contact = await newContact(1);
  await request(hub.url).get(`/api/contacts/${contact.id}`).set(staff.screener).expect(200);
  const passOn = () =>
    request(hub.url)
      .post(`/api/contacts/${contact.id}/shares`)
      .set(staff.screener)
      .send({ purpose: 'information_passed_on', notificationId: contact.notificationId, recipient: { agency: 'housing', organisation: HOUSING } });
  await passOn().expect(422);
  await request(hub.url)
    .post(`/api/contacts/${contact.id}/owner-agreements`)
    .set(staff.screener)
    .send({ ownerAgency: 'police', recipientAgency: 'housing', agreedBy: 'DS Example, public protection unit' })
    .expect(201);
  await passOn().expect(201);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await intakeQueue?.close();
  await Promise.all([hub?.stop(), police?.stop()]);
  await deleteRedisKeys(prefix);
});

describe('the auditor in the browser', () => {
  it('searches the log by child and by action, and is refused a bad filter with nothing searched', async () => {
    const { context, page, problems } = await signedIn('ada.auditor', '/audit');
    expect(await page.title()).toBe('Audit log – MASH');
    await checkPage(page, 'audit-log');

    // By child: the screener's look at the contact, and the share decisions, with who and why.
    await page.fill('#childId', contact.childId.toUpperCase());
    await page.click('button:has-text("Search")');
    await page.waitForURL(/childId=/);
    const byChild = page.locator('tbody');
    expect(await byChild.innerText()).toContain('contact.viewed');
    expect(await byChild.innerText()).toContain('sam.screener');
    expect(await byChild.innerText()).toContain('information.refused');
    // Every row is about the child; the address holds its id, never a name.
    // Every event about the child, and nothing else (the search's own event came after it).
    expect(await page.locator('tbody tr').count()).toBe(await count("SELECT count(*)::int AS n FROM audit_event WHERE child_id = $1 AND action NOT LIKE 'audit.%'", [contact.childId]));
    await checkPage(page, 'audit-log-by-child');
    const [searched] = (await eventsOf('audit.searched')).slice(-1);
    expect(searched.details.filters).toMatchObject({ childId: contact.childId, action: null });

    // By action: only the contact views.
    await page.goto(`${hub.url}/audit`);
    await page.selectOption('#action', 'contact.viewed');
    await page.click('button:has-text("Search")');
    await page.waitForURL(/action=contact.viewed/);
    const actions = await page.locator('tbody tr td:nth-child(3)').allInnerTexts();
    expect(actions.length).toBeGreaterThan(0);
    expect(new Set(actions)).toEqual(new Set(['contact.viewed']));

    // A child id that is not one, and dates the wrong way round: the error summary, 400, and no search made.
    const searches = (await eventsOf('audit.searched')).length;
    const refused = await page.goto(`${hub.url}/audit?childId=not-a-child&from-day=10&from-month=3&from-year=2026&to-day=9&to-month=3&to-year=2026`);
    expect(refused?.status()).toBe(400);
    expect(await page.title()).toBe('Error: Audit log – MASH');
    const summary = await page.locator('.govuk-error-summary').innerText();
    expect(summary).toContain('Enter the child’s id in full');
    expect(summary).toContain('The ‘to’ date must be the same as or after the ‘from’ date');
    await checkPage(page, 'audit-log-refused');
    const impossible = await page.goto(`${hub.url}/audit?from-day=31&from-month=2&from-year=2026`);
    expect(impossible?.status()).toBe(400);
    expect(await page.locator('.govuk-error-summary').innerText()).toContain('The ‘from’ date must be a real date');
    expect((await eventsOf('audit.searched')).length).toBe(searches);

    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  it("opens a child's who-has-seen-and-shared view and the sharing log, both recorded", async () => {
    const { context, page, problems } = await signedIn('ada.auditor', `/audit?childId=${contact.childId}`);
    await page.click('a:has-text("Who has seen and shared this child’s records")');
    await page.waitForURL(`${hub.url}/audit/children/${contact.childId}`);
    expect(await page.title()).toBe('Who has seen and shared a child’s records – MASH');
    const who = await page.locator('table').first().innerText();
    expect(who).toContain('sam.screener');
    const happened = page.locator('table').nth(1).locator('tbody tr');
    const whats = await happened.locator('td:nth-child(3)').allInnerTexts();
    expect(whats).toEqual(expect.arrayContaining(['contact.viewed', 'information.refused', 'information.shared']));
    // In time order: the view came before the refusal, which came before the share.
    expect(whats.indexOf('contact.viewed')).toBeLessThan(whats.indexOf('information.refused'));
    expect(whats.indexOf('information.refused')).toBeLessThan(whats.lastIndexOf('information.shared'));
    await checkPage(page, 'audit-child');
    const [viewed] = (await eventsOf('audit.child_access_viewed')).slice(-1);
    expect(viewed.subject_id).toBe(contact.childId);

    // A child nothing concerns: said plainly, 404.
    const unknown = await page.goto(`${hub.url}/audit/children/00000000-0000-4000-8000-000000000000`);
    expect(unknown?.status()).toBe(404);
    expect(await main(page)).toContain('Nothing in the audit trail concerns this child');

    // The sharing log: each decision with its purpose, recipient, reasons, basis, policy and field names
    // (and the Operation Encompass notice the hub sent the child's school on its own).
    await page.goto(`${hub.url}/audit/shares?childId=${contact.childId}`);
    expect(await page.title()).toBe('Sharing log – MASH');
    const cards = page.locator('.govuk-summary-card');
    const decisions = await withDatabase(
      async (db) => (await db.query("SELECT action FROM audit_event WHERE child_id = $1 AND action IN ('information.shared', 'information.refused') ORDER BY sequence", [contact.childId])).rows,
    );
    expect(decisions.length).toBe(3);
    expect(await cards.count()).toBe(decisions.length);
    const refusedCard = await cards.filter({ hasText: 'Refused' }).innerText();
    expect(refusedCard).toMatch(/Housing, organisation E09000028/);
    expect(refusedCard).toContain('police has not agreed to it going to housing');
    const allowedCard = await cards.filter({ hasText: 'Allowed' }).filter({ hasText: 'E09000028' }).innerText();
    expect(allowedCard).toContain('article6:public_task');
    const [shared] = (await eventsOf('information.shared')).filter((event) => event.details.recipientAgency === 'housing');
    expect(allowedCard).toContain(shared.details.policyVersion);
    expect(allowedCard).toContain((shared.details.fieldsShared as string[]).join(', '));
    expect(allowedCard).toContain((shared.details.fieldsWithheld as string[]).join(', '));
    await checkPage(page, 'audit-shares');
    await page.selectOption('#decision', 'refused');
    await page.click('button:has-text("Search")');
    await page.waitForURL(/decision=refused/);
    expect(await cards.count()).toBe(1);
    expect(await cards.first().innerText()).toContain('Refused');
    expect((await eventsOf('audit.searched')).slice(-1)[0].details.filters).toMatchObject({ childId: contact.childId, actions: ['information.refused'] });

    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  it('downloads the current search as CSV, quoted and formula-guarded, and the download is recorded', async () => {
    const { context, page } = await signedIn('ada.auditor', '/audit?action=contact.viewed');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a:has-text("CSV")')]);
    expect(download.suggestedFilename()).toMatch(/^audit-events-\d{8}T\d{6}Z\.csv$/);
    const text = await readFile((await download.path())!, 'utf8');
    const [header, ...rows] = parse(text, { relax_quotes: false }) as string[][];
    expect(header).toEqual(CSV_COLUMNS.map(([name]) => name));
    const expected = (await withDatabase((db) => db.query("SELECT sequence::text, actor_id, details FROM audit_event WHERE action = 'contact.viewed' ORDER BY sequence"))).rows;
    expect(rows.map((row) => row[0])).toEqual(expected.map((row) => row.sequence));
    for (const row of rows) expect(row[5]).toBe('contact.viewed');
    // The details are JSON in one field: quoted, with its quotes doubled, and read back whole.
    expect(text).toMatch(/,"\{""/);
    expect(JSON.parse(unguardCsvField(rows[0][12]))).toEqual(expected[0].details);
    // No field could be run as a formula by a spreadsheet.
    for (const row of rows) for (const field of row) expect(field).not.toMatch(/^[=+\-@\t\r]/);
    const [exported] = (await eventsOf('audit.exported')).slice(-1);
    expect(exported.details).toMatchObject({ format: 'csv', filters: { action: 'contact.viewed' } });

    // The sharing log's download holds only the share decisions.
    await page.goto(`${hub.url}/audit/shares?childId=${contact.childId}`);
    const [shares] = await Promise.all([page.waitForEvent('download'), page.click('a:has-text("NDJSON")')]);
    const lines = (await readFile((await shares.path())!, 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.map((event) => event.action).sort()).toEqual(['information.refused', 'information.shared', 'information.shared']);
    expect(new Set(lines.map((event) => event.childId))).toEqual(new Set([contact.childId]));
    await context.close();
  }, 60_000);

  it('verifies the chain: intact, against a checkpoint, and broken where an event was changed', async () => {
    const { context, page, problems } = await signedIn('ada.auditor', '/audit/verification');
    await checkPage(page, 'audit-verification');
    const verify = page.getByRole('button', { name: 'Verify', exact: true });
    await submit(page, verify);
    const result = page.locator('#verification-result');
    expect(await result.innerText()).toContain('The audit trail is intact');
    const verified = await eventsOf('audit.verified');
    expect(verified.slice(-1)[0].details).toMatchObject({ intact: true, from: 1, to: null });
    expect(await result.innerText()).toContain(`${verified.slice(-1)[0].details.verified} events checked, 1 to ${verified.slice(-1)[0].details.verified}`);
    await checkPage(page, 'audit-verification-intact');

    // A checkpoint signed now, then verified against.
    await submit(page, page.getByRole('button', { name: 'Sign a checkpoint now' }));
    expect(await page.locator('.govuk-notification-banner').innerText()).toMatch(/Checkpoint signed at event \d+/);
    await submit(page, page.locator('button:has-text("Verify against it")').first());
    expect(await result.innerText()).toMatch(/matching the checkpoint at event \d+/);

    // A range the wrong way round, and a checkpoint that was not signed by the hub.
    await page.fill('#from', '5');
    await page.fill('#to', '2');
    await page.fill('#checkpoint', '');
    await submit(page, verify);
    expect(await page.locator('.govuk-error-summary').innerText()).toContain('The last event’s number must be the same as or after the first’s');
    await checkPage(page, 'audit-verification-refused');
    const kept = JSON.parse(await page.inputValue('#newest-checkpoint'));
    await page.fill('#from', '');
    await page.fill('#to', '');
    await page.locator('summary:has-text("Verify against a checkpoint you kept")').click();
    await page.fill('#checkpoint', JSON.stringify({ ...kept, hash: 'f'.repeat(64) }));
    await submit(page, verify);
    expect(await page.locator('.govuk-error-summary').innerText()).toContain('The checkpoint was not signed by this hub’s audit key');

    // An event changed behind the hub's back: where, and how; put back, intact again.
    const [second] = (await withDatabase((db) => db.query('SELECT details FROM audit_event WHERE sequence = 2'))).rows;
    await tamperWithAuditTrail(`UPDATE audit_event SET details = details || '{"tampered": true}' WHERE sequence = 2`);
    try {
      await page.goto(`${hub.url}/audit/verification`);
      await submit(page, verify);
      const broken = await result.innerText();
      expect(broken).toContain('The audit trail is broken at event 2');
      expect(broken).toContain('An event was changed after it was written');
      await checkPage(page, 'audit-verification-broken');
    } finally {
      await tamperWithAuditTrail('UPDATE audit_event SET details = $1 WHERE sequence = 2', [second.details]);
    }
    await submit(page, verify);
    expect(await result.innerText()).toContain('The audit trail is intact');

    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);
});

describe('the admin in the browser', () => {
  it('issues a credential that the police adapter accepts, lists it, and revokes it so it is refused', async () => {
    const { context, page, problems } = await signedIn('al.admin', '/admin/partners');
    await checkPage(page, 'partners');
    await page.click('a:has-text("Issue a credential")');
    await page.waitForURL(`${hub.url}/admin/partners/new`);
    await checkPage(page, 'partner-new');

    // A police organisation code that is not one: refused with the form expected, nothing issued.
    const credentialKeys = async () => {
      const redis = new Redis(TEST_REDIS_URL);
      try {
        return (await new PartnerCredentialStore(redis, prefix).list()).length;
      } finally {
        redis.disconnect();
      }
    };
    const keysBefore = await credentialKeys();
    await page.check('input[name="agency"][value="police"]');
    await page.fill('#organisation', '1');
    await page.fill('#system', 'Exampleshire Police PPN (second)');
    await page.fill('#days', '731');
    await submit(page, page.getByRole('button', { name: 'Issue the credential' }));
    expect(await page.title()).toBe('Error: Issue a partner credential – MASH');
    const summary = await page.locator('.govuk-error-summary').innerText();
    expect(summary).toContain('Enter the organisation’s code: the Home Office police force code (2 digits, 01 to 99), for example 01');
    expect(summary).toContain('Enter how many days the credential lasts, a whole number from 1 to 730');
    expect(await page.isChecked('input[name="agency"][value="police"]')).toBe(true);
    await checkPage(page, 'partner-new-refused');
    expect(await credentialKeys()).toBe(keysBefore);

    await page.fill('#organisation', '02');
    await page.fill('#days', '365');
    await submit(page, page.getByRole('button', { name: 'Issue the credential' }));
    expect(await page.title()).toBe('Credential issued – MASH');
    expect(await main(page)).toContain('it will not be shown again');
    const token = await page.inputValue('#token');
    expect(token).toMatch(/^mash_[0-9a-f-]{36}_[A-Za-z0-9_-]{43}$/);
    const credentialId = token.slice(5, 41);
    await checkPage(page, 'partner-issued');
    const [issued] = (await eventsOf('partner_credential.issued')).slice(-1);
    expect(issued).toMatchObject({ subject_id: credentialId, details: { agency: 'police', organisation: '02', system: 'Exampleshire Police PPN (second)' } });
    expect(JSON.stringify(issued.details)).not.toContain(token.slice(42));

    // The token works at the police adapter: a notice sent with it is accepted.
    const notice = policeNoticeAboutNewChild(2);
    await request(police.url).post('/notifications').set('authorization', `Bearer ${token}`).send(notice).expect(202);

    // Listed under the police, active, with no secret on the page.
    await page.goto(`${hub.url}/admin/partners?agency=police`);
    const row = page.locator('tr', { hasText: credentialId });
    expect(await row.innerText()).toContain('Active');
    expect(await main(page)).not.toContain(token.slice(42));
    await checkPage(page, 'partners-police');

    await row.locator('a:has-text("Revoke")').click();
    await page.waitForURL(`${hub.url}/admin/partners/${credentialId}/revoke`);
    expect(await page.locator('h1').innerText()).toBe('Revoke this credential?');
    await checkPage(page, 'partner-revoke');
    await page.click('button:has-text("Revoke the credential")');
    await page.waitForURL(`${hub.url}/admin/partners?agency=police`);
    expect(await page.locator('.govuk-notification-banner').innerText()).toContain('revoked: it is refused from now on');
    expect(await page.locator('tr', { hasText: credentialId }).innerText()).toContain('Revoked');
    const [revoked] = (await eventsOf('partner_credential.revoked')).slice(-1);
    expect(revoked).toMatchObject({ subject_id: credentialId, details: { agency: 'police', organisation: '02' } });

    const refused = await request(police.url).post('/notifications').set('authorization', `Bearer ${token}`).send(policeNoticeAboutNewChild(3)).expect(401);
    expect(refused.body.message).toMatch(/revoked/);

    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  it('lists dead letters by queue and replays one, and many, counting them', async () => {
    // A notice the hub cannot store (its table is missing, which no retry fixes) is dead-lettered at once.
    await withDatabase((db) => db.query('ALTER TABLE notification RENAME TO notification_unavailable'));
    let stuckId: string;
    try {
      const notice = policeNoticeAboutNewChild(4);
      await request(police.url).post('/notifications').set(force.headers).send(notice).expect(202);
      stuckId = notificationIdFor('police', '01', notice.policeReference);
      await waitFor('the notice to be dead-lettered', async () => (await intakeQueue.getJobState(stuckId)) === 'failed');
    } finally {
      await withDatabase((db) => db.query('ALTER TABLE notification_unavailable RENAME TO notification'));
    }

    const { context, page, problems } = await signedIn('al.admin', '/admin');
    expect(await main(page)).toContain('1 dead letter');
    await checkPage(page, 'operations');
    await page.click('a:has-text("Every queue and its dead letters")');
    await page.waitForURL(`${hub.url}/admin/dead-letters`);
    await checkPage(page, 'dead-letters');
    await page.click(`a:has-text("${INTAKE_QUEUE}")`);
    await page.waitForURL(`${hub.url}/admin/dead-letters/${INTAKE_QUEUE}`);
    const row = page.locator('tbody tr', { hasText: stuckId! });
    expect(await row.innerText()).toMatch(/notification/);
    // When, why and how often: never the message's content.
    expect(await main(page)).not.toContain('I hid in my room');
    await checkPage(page, 'dead-letter-queue');
    expect((await eventsOf('dead_letters.listed')).slice(-1)[0].details).toMatchObject({ queue: INTAKE_QUEUE, messageIds: [stuckId!] });

    await submit(page, row.locator('button:has-text("Replay")'));
    expect(await page.locator('.govuk-notification-banner').innerText()).toContain(`1 dead letter replayed: message ${stuckId!} is back in the queue`);
    await waitFor('the replayed notice to make a contact', async () => (await count('SELECT count(*)::int AS n FROM contact_notification WHERE notification_id = $1', [stuckId])) === 1);
    expect((await eventsOf('dead_letter.replayed')).slice(-1)[0]).toMatchObject({ details: { queue: INTAKE_QUEUE, messageId: stuckId! } });

    // Many at once: two messages no one can read, replayed together (and dead again, as they must be).
    for (const n of [1, 2]) {
      await intakeQueue.add(MessagePatterns.notificationReceived, { schemaVersion: 2, sourceAgency: 'police', partnerReference: `BROKEN/${n}` }, { jobId: `broken-${n}`, removeOnFail: false });
    }
    await waitFor('both to be dead letters', async () => (await intakeQueue.getJobCounts('failed')).failed === 2);
    await page.goto(`${hub.url}/admin/dead-letters/${INTAKE_QUEUE}`);
    expect(await page.locator('tbody tr').count()).toBe(2);

    // A range the wrong way round is refused, and nothing is replayed.
    await page.fill('#failedFrom-day', '2');
    await page.fill('#failedFrom-month', '3');
    await page.fill('#failedFrom-year', '2026');
    await page.fill('#failedTo-day', '1');
    await page.fill('#failedTo-month', '3');
    await page.fill('#failedTo-year', '2026');
    await submit(page, page.getByRole('button', { name: 'Replay these dead letters' }));
    expect(await page.locator('.govuk-error-summary').innerText()).toContain('The ‘failed to’ time must be the same as or after the ‘failed from’ time');
    await checkPage(page, 'dead-letter-replay-refused');
    expect((await eventsOf('dead_letters.replayed')).length).toBe(0);

    for (const field of ['failedFrom-day', 'failedFrom-month', 'failedFrom-year', 'failedTo-day', 'failedTo-month', 'failedTo-year']) await page.fill(`#${field}`, '');
    await submit(page, page.getByRole('button', { name: 'Replay these dead letters' }));
    expect(await page.locator('.govuk-notification-banner').innerText()).toContain('2 dead letters replayed');
    expect((await eventsOf('dead_letters.replayed')).slice(-1)[0].details).toMatchObject({ queue: INTAKE_QUEUE, count: 2 });

    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);
});
