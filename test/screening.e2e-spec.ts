import request from 'supertest';
import { notificationIdFor } from '#adapter-kit';
import { TEST_APP_DATABASE_URL, TEST_REDIS_URL, deleteRedisKeys, freePort, resetDatabase, uniquePrefix, waitFor, withDatabase } from './support/environment.js';
import { issueTestCredential, type TestCredential } from './support/partner-credentials.js';
import { policeNoticeAboutNewChild } from './support/police-notices.js';
import { APPS, AppProcess, hubEnv } from './support/processes.js';
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
  const notice = policeNoticeAboutNewChild(++noticeCount, overrides);
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

    await hub.stop();
    await startHub();
    // Several rounds of the restarted hub's watcher.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await escalations()).toEqual({ alerts: 1, events: 1 });
  });
});
