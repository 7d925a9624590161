import request from 'supertest';
import { notificationIdFor } from '#adapter-kit';
import { TEST_APP_DATABASE_URL, TEST_REDIS_URL, deleteRedisKeys, freePort, resetDatabase, uniquePrefix, waitFor, withDatabase } from './support/environment.js';
import { issueTestCredential, type TestCredential } from './support/partner-credentials.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { policeNotice, policeNoticeAboutNewChild } from './support/police-notices.js';
import { APPS, AppProcess, hubEnv, runCommand } from './support/processes.js';
import { asStaff, staff } from './support/staff.js';

const prefix = uniquePrefix();
const env = { DATABASE_URL: TEST_APP_DATABASE_URL, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix };
let hubPort: number;
let hub: AppProcess;
let police: AppProcess;
let force: TestCredential;
let noticeCount = 0;

const startHub = async () => {
  hub = new AppProcess('hub', APPS.hub, hubEnv({ ...env, DEADLINE_POLL_INTERVAL_MS: '200' }), hubPort);
  await hub.ready();
};

/** A police notice about a new child; resolves to its contact's id. */
async function newContact(overrides: Record<string, unknown> = {}): Promise<string> {
  return send(policeNoticeAboutNewChild(++noticeCount, overrides));
}

/** A notice about one named child (no NHS number), graded as given; resolves to its contact's id. */
function noticeAbout(child: { forename: string; surname: string; dateOfBirth: string }, ragGrading = 'GREEN') {
  const notice = policeNotice({ ragGrading });
  return { ...notice, children: [{ ...notice.children[0], nhsNumber: undefined, ...child }] };
}

async function send(notice: { policeReference: string }): Promise<string> {
  await request(police.url).post('/notifications').set(force.headers).send(notice).expect(202);
  const notificationId = notificationIdFor('police', '01', notice.policeReference);
  return waitFor('the notice to make a contact', () =>
    withDatabase(async (db) => (await db.query('SELECT contact_id FROM contact_notification WHERE notification_id = $1', [notificationId])).rows[0]?.contact_id as string | undefined),
  );
}

const post = (contactId: string, action: string, headers: Record<string, string>, body: object = {}) =>
  request(hub.url).post(`/api/contacts/${contactId}/${action}`).set(headers).send(body);

const detail = async (contactId: string) => (await request(hub.url).get(`/api/contacts/${contactId}`).set(staff.manager).expect(200)).body;

beforeAll(async () => {
  await resetDatabase();
  force = await issueTestCredential(prefix, 'police', { organisation: '01', system: 'Exampleshire Police PPN' });
  hubPort = await freePort();
  police = new AppProcess('police-adapter', APPS.policeAdapter, { ...env, LOG_LEVEL: 'warn' }, await freePort());
  await Promise.all([startHub(), police.ready()]);
}, 60_000);

afterAll(async () => {
  await Promise.all([hub?.stop(), police?.stop()]);
  await deleteRedisKeys(prefix);
});

describe('a contact from receipt to sign-off', () => {
  it('goes through every state to closed, signed off by a manager who did not decide, and the police hear the outcome', async () => {
    const contactId = await newContact();
    const first = await detail(contactId);
    expect(first).toMatchObject({ status: 'awaiting_screening', rag: null });
    // The decision is due by the sender's urgency (amber: one working day) until a screener rates it.
    await waitFor('a decision deadline', async () => (await detail(contactId)).decisionDueAt);

    // An illegal transition is refused, naming the state, and changes nothing.
    const early = await post(contactId, 'decision/sign-off', staff.manager).expect(409);
    expect(early.body.message).toBe('Cannot sign off: the contact is awaiting screening; that can only be done when it is awaiting sign-off.');
    await post(contactId, 'rag', staff.screener, { rag: 'amber', reason: 'Domestic abuse, child present.' }).expect(409);

    expect((await post(contactId, 'screening', staff.screener).expect(201)).body).toMatchObject({ status: 'in_screening' });
    const rated = (await post(contactId, 'rag', staff.screener, { rag: 'red', reason: 'Child present at a violent incident; perpetrator still at home.' }).expect(201)).body;
    expect(rated).toMatchObject({ rag: 'red' });
    // Red runs round the clock: due four hours after receipt.
    const receivedAt = Date.parse(first.receivedAt);
    expect(Date.parse(rated.decisionDueAt) - receivedAt).toBe(4 * 3600_000);
    const missingReason = await post(contactId, 'rag', staff.screener, { rag: 'amber' }).expect(400);
    expect(JSON.stringify(missingReason.body)).toMatch(/reason must say why/);
    await post(contactId, 'rag', staff.screener, { rag: 'amber', reason: 'Perpetrator arrested and bailed away from the address.' }).expect(201);

    await post(contactId, 'ready-for-decision', staff.screener).expect(201);
    const decision = { outcome: 'single_assessment_s17', primaryNeed: 'N1', levelOfNeed: 3, rationale: 'Repeated domestic abuse with the child present; an assessment is needed.' };
    await post(contactId, 'decision', staff.screener, decision).expect(201);

    // A screener cannot sign off; the manager who decided cannot sign their own; another manager can.
    await post(contactId, 'decision/sign-off', staff.screener).expect(403);
    await post(contactId, 'decision/return', staff.manager, { reason: 'Say what the school knows first.' }).expect(201);
    const deciding = await asStaff('dee.manager', ['manager']);
    await post(contactId, 'decision', deciding, decision).expect(201);
    const own = await post(contactId, 'decision/sign-off', deciding).expect(409);
    expect(own.body.message).toBe('Cannot sign off your own decision: another manager must sign it off.');
    expect((await post(contactId, 'decision/sign-off', staff.manager).expect(201)).body).toMatchObject({ status: 'closed' });

    const closed = await detail(contactId);
    expect(closed).toMatchObject({ status: 'closed', rag: 'amber' });
    expect(closed.ragHistory).toEqual([
      expect.objectContaining({ from: null, to: 'red', reason: 'Child present at a violent incident; perpetrator still at home.', changedBy: 'sam.screener' }),
      expect.objectContaining({ from: 'red', to: 'amber', reason: 'Perpetrator arrested and bailed away from the address.' }),
    ]);
    expect(closed.decisions).toEqual([
      expect.objectContaining({ decidedBy: 'sam.screener', returnedBy: 'meg.manager', returnReason: 'Say what the school knows first.', signedOffBy: null }),
      expect.objectContaining({ decidedBy: 'dee.manager', signedOffBy: 'meg.manager', outcome: 'single_assessment_s17' }),
    ]);
    const acts = closed.timeline.filter((entry: { action: string }) => entry.action === 'contact.state_changed').map((entry: { details: { to: string } }) => entry.details.to);
    expect(acts).toEqual(['in_screening', 'awaiting_decision', 'awaiting_sign_off', 'awaiting_decision', 'awaiting_sign_off', 'closed']);
    // Nothing changes a closed contact.
    await post(contactId, 'screening', staff.screener).expect(409);

    // The police force that referred hears the outcome in its inbox.
    const feedback = await waitFor('the outcome in the police inbox', async () => {
      const items = (await request(police.url).get('/inbox').set(force.headers).query({ limit: 200 }).expect(200)).body.items as { kind: string; body: { payload: Record<string, unknown> } }[];
      return items.find((item) => item.kind === 'share.outcome_feedback' && item.body.payload['contact.reference'] === closed.number);
    });
    expect(feedback.body.payload['outcome.decision']).toBe('single_assessment_s17');

    // The manager's timeliness figures count it: decided within its amber deadline, referred by the police.
    const today = new Date().toISOString().slice(0, 10);
    const figures = (await request(hub.url).get('/api/timeliness').query({ from: '2026-01-01', to: '2099-12-31' }).set(staff.manager).expect(200)).body;
    expect(figures.byRag).toContainEqual(expect.objectContaining({ key: 'amber', decided: expect.any(Number), onTime: expect.any(Number) }));
    expect(figures.byReferringAgency).toContainEqual(expect.objectContaining({ key: 'police' }));
    const amber = figures.byRag.find((group: { key: string }) => group.key === 'amber');
    expect(amber.onTime + amber.late).toBe(amber.decided);
    expect(amber.onTime).toBeGreaterThanOrEqual(1);
    await request(hub.url).get('/api/timeliness').query({ from: today, to: '2026-01-01' }).set(staff.manager).expect(400);
    await request(hub.url).get('/api/timeliness').query({ from: today, to: today }).set(staff.screener).expect(403);
  });
});

describe('decision deadlines', () => {
  it('escalates a breached deadline to the manager once, even across a restart of the hub', async () => {
    const contactId = await newContact();
    await waitFor('a decision deadline', async () => (await detail(contactId)).decisionDueAt);
    await withDatabase((db) => db.query(`UPDATE contact SET decision_due_at = now() - interval '1 minute' WHERE id = $1`, [contactId]));
    const escalations = () =>
      withDatabase(async (db) => ({
        alerts: (await db.query(`SELECT count(*)::int AS n FROM alert WHERE kind = 'decision_overdue' AND contact_id = $1`, [contactId])).rows[0].n as number,
        events: (await db.query(`SELECT count(*)::int AS n FROM audit_event WHERE action = 'deadline.escalated' AND subject_id = $1`, [contactId])).rows[0].n as number,
      }));
    await waitFor('the escalation', async () => ((await escalations()).alerts ? true : undefined));
    expect((await detail(contactId)).decisionEscalatedAt).toEqual(expect.any(String));
    // The manager reads the deadline as a time on the clock in England, not as ISO 8601.
    const [{ message }] = (await withDatabase((db) => db.query(`SELECT message FROM alert WHERE kind = 'decision_overdue' AND contact_id = $1`, [contactId]))).rows;
    expect(message).toMatch(/was due a decision at (Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}\.$/);

    await hub.stop();
    await startHub();
    // Several rounds of the restarted hub's watcher.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await escalations()).toEqual({ alerts: 1, events: 1 });
  });
});

describe('the open case check', () => {
  const child = { forename: 'Olly', surname: 'Allocated', dateOfBirth: '2014-02-02' };

  it("sends an allocated child's contact to the worker and team, not the MASH queue, and says so", async () => {
    await request(hub.url)
      .put('/api/allocations/LCS-000123')
      .set(staff.admin)
      .send({ givenName: 'Olly', familyName: 'Allocated', dateOfBirth: '2014-02-02', worker: 'Wendy Worker', team: 'Children in need team 2' })
      .expect(200);
    await request(hub.url).put('/api/allocations/LCS-000123').set(staff.screener).send({}).expect(403);
    const contactId = await send(noticeAbout(child));
    const contact = await detail(contactId);
    expect(contact).toMatchObject({ status: 'with_allocated_worker', allocatedWorker: 'Wendy Worker', allocatedTeam: 'Children in need team 2' });
    expect(contact.timeline.map((entry: { action: string }) => entry.action)).toContain('contact.routed');
    const queue = (await request(hub.url).get('/api/contacts').query({ status: 'open', pageSize: 100 }).set(staff.screener).expect(200)).body.items;
    expect(queue.map((item: { id: string }) => item.id)).not.toContain(contactId);

    // Once the allocation ends, the next notice waits in the MASH.
    await request(hub.url).delete('/api/allocations/LCS-000123').set(staff.admin).expect(200);
    await request(hub.url).delete('/api/allocations/LCS-000123').set(staff.admin).expect(404);
    const next = await send(noticeAbout(child));
    expect(next).not.toBe(contactId);
    expect(await detail(next)).toMatchObject({ status: 'awaiting_screening', allocatedWorker: null });
  });

  it('imports the nightly export whole or not at all, naming every problem by line', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'mash-allocations-'));
    const header = 'case_reference,nhs_number,given_name,family_name,date_of_birth,worker,team';
    const bad = join(folder, 'bad.csv');
    writeFileSync(bad, `${header}
LCS-1,9990000379,Ann,Example,2015-06-14,W One,Team A
LCS-2,1234567890,Bob,,2099-01-01,W Two,Team B
LCS-1,,Cat,Example,,W,T
`);
    const command = (file: string) => runCommand('dist/apps/hub/src/screening/import-allocations-command.js', [file], { DATABASE_URL: TEST_APP_DATABASE_URL });
    const refused = await command(bad);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/nothing imported/);
    expect(refused.stderr).toMatch(/line 3: nhsNumber: /);
    expect(refused.stderr).toMatch(/line 3: familyName: /);
    expect(refused.stderr).toMatch(/line 3: dateOfBirth: /);
    expect(refused.stderr).toMatch(/line 4: case_reference LCS-1 is also on line 2/);
    const count = () => withDatabase(async (db) => (await db.query('SELECT count(*)::int AS n FROM allocation WHERE ended_at IS NULL')).rows[0].n as number);
    const before = await count();

    const good = join(folder, 'good.csv');
    writeFileSync(good, `${header}
LCS-1,9990000379,Ann,Example,2015-06-14,W One,Team A
"LCS-2",,"Bob","O'Example",2016-01-01,"Two, W",Team B
`);
    const imported = await command(good);
    expect(imported.stdout).toMatch(/imported 2 allocations; \d+ no longer listed ended/);
    expect(imported.code).toBe(0);
    expect(await count()).toBe(2);
    expect(before).not.toBe(2);
    const listed = (await request(hub.url).get('/api/allocations').set(staff.admin).expect(200)).body;
    expect(listed.items.map((item: { caseReference: string }) => item.caseReference)).toEqual(['LCS-1', 'LCS-2']);
    expect(listed.items[1]).toMatchObject({ familyName: "O'Example", worker: 'Two, W' });
  });
});

describe('repeat contacts', () => {
  it('flags the third low-level notice about a child within three months', async () => {
    const child = { forename: 'Lola', surname: 'Repeat', dateOfBirth: '2013-03-03' };
    const first = await send(noticeAbout(child));
    await send(noticeAbout(child));
    expect((await detail(first)).lowLevelRepeats).toBeNull();
    const third = await send(noticeAbout(child));
    expect(third).toBe(first);
    expect((await detail(first)).lowLevelRepeats).toBe(3);
    const flagged = (await request(hub.url).get('/api/contacts').query({ status: 'open', repeat: 'low_level_repeats' }).set(staff.screener).expect(200)).body.items;
    expect(flagged.map((item: { id: string }) => item.id)).toEqual([first]);
  });

  it('flags a contact within twelve months of a referral of the same child as a re-referral', async () => {
    const child = { forename: 'Remy', surname: 'Referral', dateOfBirth: '2012-12-12' };
    const earlier = await send(noticeAbout(child, 'AMBER'));
    await post(earlier, 'screening', staff.screener).expect(201);
    await post(earlier, 'rag', staff.screener, { rag: 'amber', reason: 'Concerns about care at home.' }).expect(201);
    await post(earlier, 'decision', staff.screener, { outcome: 'single_assessment_s17', primaryNeed: 'N1', levelOfNeed: 3, rationale: 'An assessment of the family’s needs is required.' }).expect(201);
    await post(earlier, 'decision/sign-off', staff.manager).expect(201);
    // Signed off 11 months ago, as far as the trail of time is concerned.
    await withDatabase((db) => db.query(`UPDATE contact_decision SET signed_off_at = now() - interval '11 months' WHERE contact_id = $1`, [earlier]));

    const later = await send(noticeAbout(child, 'AMBER'));
    expect(later).not.toBe(earlier);
    expect((await detail(later)).reReferralOf).toBe(earlier);
    expect((await detail(later)).history).toEqual([expect.objectContaining({ id: earlier, outcome: 'single_assessment_s17', status: 'closed' })]);
    const filtered = (await request(hub.url).get('/api/contacts').query({ repeat: 're_referral' }).set(staff.screener).expect(200)).body.items;
    expect(filtered.map((item: { id: string }) => item.id)).toContain(later);
    await request(hub.url).get('/api/contacts').query({ repeat: 'sometimes' }).set(staff.screener).expect(400);
  });
});
