import type { Type } from '@nestjs/common';
import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { PARTNER_ACCESS_POLICY } from '#adapter-kit';
import { MessagePatterns, hubIntakeQueue } from '#contracts';
import { controllersOf, routeInventory } from '#platform';
import { ACCESS_POLICY } from '../apps/hub/src/access/access-policy.js';
import { HubConfig } from '../apps/hub/src/config.js';
import { HubModule } from '../apps/hub/src/hub.module.js';
import { PAGE_POLICY } from '../apps/hub/src/web/page-policy.js';
import { PAGE_CONTROLLERS } from '../apps/hub/src/web/web.module.js';
import { PoliceAdapterConfig } from '../apps/police-adapter/src/config.js';
import { PoliceAdapterModule } from '../apps/police-adapter/src/police-adapter.module.js';
import {
  TEST_APP_DATABASE_URL,
  TEST_REDIS_URL,
  deleteRedisKeys,
  freePort,
  resetDatabase,
  uniquePrefix,
  waitFor,
  withDatabase,
} from './support/environment.js';
import { issueTestCredential } from './support/partner-credentials.js';
import { APPS, AppProcess, hubEnv } from './support/processes.js';
import { policeNotice } from './support/police-notices.js';
import { staff } from './support/staff.js';
import { notificationJobs } from './support/queues.js';

/*
 * Input that Postgres would keep in another form than it was given in.
 *
 * A uuid is stored in lower case whatever case it was given in: an id hashed
 * into the audit chain as given but stored in lower case makes the event look
 * changed after it was written. Every route that takes an id is sent one in
 * upper case here, and the chain must still verify.
 *
 * Text with NUL characters or unpaired surrogates cannot be stored as given at
 * all: such a notice must be refused at the adapter, not accepted and lost later.
 */

const INTAKE_QUEUE = hubIntakeQueue('police');
const prefix = uniquePrefix();
const env = { DATABASE_URL: TEST_APP_DATABASE_URL, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix };
let hub: AppProcess;
let adapter: AppProcess;
let intakeQueue: Queue;

/** The routes this test sends an upper-case id to: a path parameter, or an id in the query. */
const EXERCISED = [
  'GET /api/contacts/:id',
  'GET /api/audit/events',
  'GET /api/audit/events/export',
  'GET /api/audit/children/:childId/access',
  'POST /api/admin/dead-letters/:queue/:id/replay',
  'POST /api/admin/outbox/parked/:id/retry',
  'GET /notifications/:id',
  'POST /notifications',
  'GET /inbox',
  'POST /inbox/:messageId/acknowledge',
  'POST /api/alerts/:id/resolve',
  'GET /api/contacts/:id/sharing',
  'POST /api/contacts/:id/consent',
  'POST /api/contacts/:id/consent/override',
  'POST /api/contacts/:id/owner-agreements',
  'POST /api/contacts/:id/shares',
  'POST /api/contacts/:id/feedback',
  'POST /api/contacts/:id/screening',
  'POST /api/contacts/:id/rag',
  'POST /api/contacts/:id/ready-for-decision',
  'POST /api/contacts/:id/decision',
  'POST /api/contacts/:id/decision/sign-off',
  'POST /api/contacts/:id/decision/return',
  'POST /api/contacts/:id/information-requests',
  'GET /api/contacts/:id/information-requests',
  'POST /api/information-requests/:id/withdraw',
  'POST /information-requests/:id/answer',
  'POST /api/identity/possible-matches/:id/link',
  'POST /api/identity/possible-matches/:id/keep-apart',
  'POST /api/children/:id/unmerge',
];

beforeAll(async () => {
  await resetDatabase();
  hub = new AppProcess('hub', APPS.hub, hubEnv(env), await freePort());
  adapter = new AppProcess('police-adapter', APPS.policeAdapter, { ...env, LOG_LEVEL: 'warn' }, await freePort());
  await Promise.all([hub.ready(), adapter.ready()]);
  intakeQueue = new Queue(INTAKE_QUEUE, { connection: { url: TEST_REDIS_URL }, prefix });
}, 60_000);

afterAll(async () => {
  await intakeQueue?.close();
  await Promise.all([hub?.stop(), adapter?.stop()]);
  await deleteRedisKeys(prefix);
});

describe('ids in upper case', () => {
  it('covers every route that takes an id', () => {
    // The staff pages are sent upper-case ids in test/staff-pages.e2e-spec.ts.
    const pages = new Set(routeInventory(PAGE_CONTROLLERS as Type[], PAGE_POLICY).map((route) => `${route.method} ${route.path}`));
    const hubRoutes = routeInventory(controllersOf(HubModule.forRoot(new HubConfig())) as Type[], ACCESS_POLICY).filter((route) => !pages.has(`${route.method} ${route.path}`));
    const adapterRoutes = routeInventory(controllersOf(PoliceAdapterModule.forRoot(new PoliceAdapterConfig())) as Type[], PARTNER_ACCESS_POLICY);
    // A route with a parameter other than a queue's name or a case management reference takes an id; so do those listed above for their query or headers.
    const withIdParameter = [...hubRoutes, ...adapterRoutes]
      .filter((route) => route.path.split('/').some((part) => part.startsWith(':') && part !== ':queue' && part !== ':caseReference'))
      .map((route) => `${route.method} ${route.path}`);
    for (const route of withIdParameter) expect(EXERCISED).toContain(route);
  });

  it('are stored and hashed in one form, so the chain still verifies', async () => {
    const police = await issueTestCredential(prefix, 'police');
    const correlationId = randomUUID().toUpperCase();
    const submitted = await request(adapter.url)
      .post('/notifications')
      .set(police.headers)
      .set('X-Correlation-Id', correlationId)
      .send(policeNotice())
      .expect(202);
    expect(submitted.body.correlationId).toBe(correlationId.toLowerCase());
    const notificationId: string = submitted.body.notificationId;

    const receipt = await request(adapter.url).get(`/notifications/${notificationId.toUpperCase()}`).set(police.headers).expect(200);
    expect(receipt.body.notificationId).toBe(notificationId);

    // The hub's acceptance in the force's inbox: paged from, and acknowledged, by an upper-case id.
    const accepted = await waitFor('the acceptance in the inbox', async () => {
      const inbox = await request(adapter.url).get('/inbox').set(police.headers).expect(200);
      return (inbox.body.items as { messageId: string; body: { notificationId: string } }[]).find((item) => item.body.notificationId === notificationId);
    });
    await request(adapter.url).get('/inbox').query({ after: accepted.messageId.toUpperCase() }).set(police.headers).expect(200);
    const acknowledged = await request(adapter.url).post(`/inbox/${accepted.messageId.toUpperCase()}/acknowledge`).set(police.headers).expect(200);
    expect(acknowledged.body.messageId).toBe(accepted.messageId);

    const { contactId, childId } = await waitFor('the notification to reach a contact', () =>
      withDatabase(async (db) => {
        const rows = await db.query(
          'SELECT link.contact_id, contact.child_id FROM contact_notification link JOIN contact ON contact.id = link.contact_id WHERE link.notification_id = $1',
          [notificationId],
        );
        return rows.rows[0] ? { contactId: rows.rows[0].contact_id as string, childId: rows.rows[0].child_id as string } : undefined;
      }),
    );

    const contact = await request(hub.url).get(`/api/contacts/${contactId.toUpperCase()}`).set(staff.screener).expect(200);
    expect(contact.body.id).toBe(contactId);

    // Sharing and screening, every route by the contact's id in upper case (and the notification's, in a body).
    const upper = contactId.toUpperCase();
    const act = (path: string, headers: Record<string, string>, body: object, status: number) =>
      request(hub.url).post(`/api/contacts/${upper}/${path}`).set(headers).send(body).expect(status);
    await request(hub.url).get(`/api/contacts/${upper}/sharing`).set(staff.screener).expect(200);
    await act('consent', staff.screener, { status: 'not_required' }, 201);
    await act('consent/override', staff.manager, { justification: 'Nothing to override: consent is not required here.' }, 409);
    await act('owner-agreements', staff.screener, { ownerAgency: 'police', recipientAgency: 'health', agreedBy: 'DS Example, public protection' }, 201);
    const passed = await act('shares', staff.screener, { purpose: 'information_passed_on', notificationId: notificationId.toUpperCase(), recipient: { agency: 'health', organisation: 'RJ1' } }, 201);
    expect(passed.body.notificationId).toBe(notificationId);
    await act('screening', staff.screener, {}, 201);
    await act('rag', staff.screener, { rag: 'amber', reason: 'Domestic abuse with the child present.' }, 201);
    const asked = await act(
      'information-requests',
      staff.screener,
      { recipients: [{ agency: 'police', organisation: '01' }, { agency: 'health', organisation: 'RJ1' }], question: 'What do you know of the family?' },
      201,
    );
    const requests = (await request(hub.url).get(`/api/contacts/${upper}/information-requests`).set(staff.screener).expect(200)).body as {
      id: string;
      recipientAgency: string;
    }[];
    expect(requests.map((item) => item.id).sort()).toEqual(asked.body.requests.map((item: { id: string }) => item.id).sort());
    const toHealth = requests.find((item) => item.recipientAgency === 'health')!;
    const toPolice = requests.find((item) => item.recipientAgency === 'police')!;
    await request(hub.url).post(`/api/information-requests/${toHealth.id.toUpperCase()}/withdraw`).set(staff.screener).send({ reason: 'Asked the wrong trust.' }).expect(201);
    // The force answers by the request's id in upper case, once its adapter has the request.
    await waitFor('the request in the force’s inbox', async () =>
      ((await request(adapter.url).get('/inbox').set(police.headers).expect(200)).body.items as { kind: string }[]).find((item) => item.kind === 'share.information_request'),
    );
    await request(adapter.url).post(`/information-requests/${toPolice.id.toUpperCase()}/answer`).set(police.headers).send({ answer: 'Two earlier call-outs this year.' }).expect(202);
    await waitFor('the answer to move the contact on', async () => ((await request(hub.url).get(`/api/contacts/${contactId}`).set(staff.screener).expect(200)).body.status === 'awaiting_decision' ? true : undefined));
    // Already awaiting a decision: the act is refused, naming the state.
    await act('ready-for-decision', staff.screener, {}, 409);
    const decision = { outcome: 'early_help', primaryNeed: 'N1', levelOfNeed: 2, rationale: 'Early help offered and accepted by the family.' };
    await act('decision', staff.screener, decision, 201);
    await act('decision/return', staff.manager, { reason: 'Add the school’s view.' }, 201);
    await act('decision', staff.screener, decision, 201);
    await act('decision/sign-off', staff.manager, {}, 201);
    await act('feedback', staff.manager, { outcome: 'early_help' }, 201);

    // Two children who may be one (a typo and the day and month swapped): a possible match, decided by upper-case ids.
    const possiblePair = async (familyName: string) => {
      for (const [forename, dateOfBirth] of [['Amelia', '2015-06-04'], ['Amelai', '2015-04-06']]) {
        const notice = policeNotice();
        await request(adapter.url)
          .post('/notifications')
          .set(police.headers)
          .send({ ...notice, children: [{ ...notice.children[0], forename, surname: familyName, dateOfBirth, nhsNumber: undefined, address: undefined }] })
          .expect(202);
      }
      return waitFor('the possible match', async () => {
        const page = (await request(hub.url).get('/api/identity/possible-matches').set(staff.screener).expect(200)).body as {
          items: { id: string; status: string; child: { id: string; familyName: string } }[];
        };
        return page.items.find((item) => item.status === 'open' && item.child.familyName === familyName);
      });
    };
    const first = await possiblePair('Upperfirst');
    // Both have a contact waiting in the MASH: linking them is refused, by the id in any case.
    await request(hub.url).post(`/api/identity/possible-matches/${first.id.toUpperCase()}/link`).set(staff.screener).expect(409);
    await request(hub.url).post(`/api/identity/possible-matches/${first.id.toUpperCase()}/keep-apart`).set(staff.screener).expect(200);
    await request(hub.url).post(`/api/children/${first.child.id.toUpperCase()}/unmerge`).set(staff.manager).expect(409);

    const search = await request(hub.url)
      .get('/api/audit/events')
      .query({ childId: childId.toUpperCase(), correlationId })
      .set(staff.auditor)
      .expect(200);
    expect(search.body.total).toBeGreaterThan(0);
    await request(hub.url).get('/api/audit/events/export').query({ format: 'ndjson', childId: childId.toUpperCase() }).set(staff.auditor).expect(200);
    const access = await request(hub.url).get(`/api/audit/children/${childId.toUpperCase()}/access`).set(staff.auditor).expect(200);
    expect(access.body.childId).toBe(childId);

    // A dead letter to replay: a message that can never be valid is dead-lettered at once.
    const deadId = randomUUID();
    await intakeQueue.add(MessagePatterns.notificationReceived, { sourceAgency: 'police' }, { jobId: deadId, attempts: 1 });
    await waitFor('the invalid message to be dead-lettered', async () => (await intakeQueue.getJobState(deadId)) === 'failed');
    await request(hub.url).post(`/api/admin/dead-letters/${INTAKE_QUEUE}/${deadId.toUpperCase()}/replay`).set(staff.admin).expect(204);

    // A parked outbox message to retry: one the relay gave up on.
    const parkedId = randomUUID();
    await withDatabase((db) =>
      db.query(
        `INSERT INTO outbox_message (id, queue, pattern, payload, created_at, publish_attempts, last_error, parked_at)
         VALUES ($1, 'police-deliveries', 'notification.accepted', '{}', now(), 20, 'Redis did not answer', now())`,
        [parkedId],
      ),
    );
    await request(hub.url).post(`/api/admin/outbox/parked/${parkedId.toUpperCase()}/retry`).set(staff.admin).expect(204);

    // The notice was of domestic abuse long ago: its Operation Encompass share is overdue at once, and alerts the manager.
    const alertId = await waitFor('the overdue Encompass alert', () =>
      withDatabase(async (db) => (await db.query("SELECT id FROM alert WHERE kind = 'encompass_unacknowledged'")).rows[0]?.id as string | undefined),
    );
    const resolved = await request(hub.url).post(`/api/alerts/${alertId.toUpperCase()}/resolve`).set(staff.manager).expect(200);
    expect(resolved.body.id).toBe(alertId);

    await waitFor('the acknowledgement in the audit trail', () =>
      withDatabase(async (db) => (await db.query("SELECT 1 FROM audit_event WHERE action = 'inbox.acknowledged'")).rows.length > 0),
    );
    const stored = await withDatabase(async (db) =>
      db.query(
        `SELECT action, subject_id, child_id, correlation_id, details FROM audit_event
          WHERE action IN ('contact.viewed', 'audit.searched', 'audit.exported', 'audit.child_access_viewed', 'dead_letter.replayed', 'outbox.retried', 'notification.received', 'inbox.delivered', 'inbox.acknowledged',
                           'shares.listed', 'consent.recorded', 'owner_agreement.recorded', 'information.shared', 'contact.state_changed', 'rag.changed', 'decision.recorded',
                           'decision.returned', 'decision.signed_off', 'information_request.sent', 'information_request.withdrawn', 'information_request.answered',
                           'information_requests.listed', 'identity.kept_apart', 'possible_matches.listed')
          ORDER BY sequence`,
      ),
    );
    const actions = stored.rows.map((row) => row.action);
    for (const action of ['notification.received', 'contact.viewed', 'audit.searched', 'audit.exported', 'audit.child_access_viewed', 'dead_letter.replayed', 'outbox.retried', 'inbox.delivered', 'inbox.acknowledged', 'shares.listed', 'consent.recorded', 'owner_agreement.recorded', 'information.shared', 'contact.state_changed', 'rag.changed', 'decision.recorded', 'decision.returned', 'decision.signed_off', 'information_request.sent', 'information_request.withdrawn', 'information_request.answered', 'information_requests.listed', 'identity.kept_apart', 'possible_matches.listed']) {
      expect(actions).toContain(action);
    }
    // What is kept is the canonical (lower-case) form, in the columns and in the details alike.
    expect(JSON.stringify(stored.rows)).not.toMatch(/[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}/);

    const verification = await request(hub.url).get('/api/audit/verification').set(staff.auditor).expect(200);
    expect(verification.body).toMatchObject({ intact: true });
  });
});

describe('text Postgres cannot store', () => {
  it('is refused at the edge with the path of every such field, and nothing is queued', async () => {
    const police = await issueTestCredential(prefix, 'police');
    const before = await notificationJobs(intakeQueue);
    const notice = policeNotice();
    notice.incident.circumstances = 'Shouting heard\u0000 from the flat.';
    notice.children[0].voiceOfChild.account = 'I hid \ud83d in my room.';
    const response = await request(adapter.url).post('/notifications').set(police.headers).send(notice).expect(400);
    expect(response.body.errors).toEqual([
      { path: 'incident.circumstances', message: expect.stringMatching(/NUL characters or unpaired surrogates/) },
      { path: 'children[0].voiceOfChild.account', message: expect.stringMatching(/NUL characters or unpaired surrogates/) },
    ]);
    expect(await notificationJobs(intakeQueue)).toBe(before);

    // Staff routes too: a sign-in with such a name is refused, not half-recorded.
    const login = await request(hub.url).post('/api/auth/login').send({ username: 'sam\u0000', password: 'development only' }).expect(400);
    expect(login.body.errors).toEqual([{ path: 'username', message: expect.stringMatching(/NUL characters/) }]);
  });
});
