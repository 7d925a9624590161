import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { MessagePatterns, agencyQueue, hubIntakeQueue, type InboxActivity } from '#contracts';
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
import { issueTestCredential, type TestCredential } from './support/partner-credentials.js';
import { APPS, AppProcess, hubEnv } from './support/processes.js';
import { policeNotice, policeNoticeAboutNewChild } from './support/police-notices.js';

const prefix = uniquePrefix();
const env = { DATABASE_URL: TEST_APP_DATABASE_URL, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix };
let hub: AppProcess;
let adapter: AppProcess;
let intakeQueue: Queue;
let deliveriesQueue: Queue;
/** Force 01 and force 44: two organisations of the police. */
let force01: TestCredential;
let force44: TestCredential;

interface InboxItem {
  messageId: string;
  kind: string;
  correlationId: string;
  createdAt: string;
  body: Record<string, unknown>;
}

const startAdapter = async () =>
  new AppProcess('police-adapter', APPS.policeAdapter, { ...env, LOG_LEVEL: 'warn' }, await freePort()).ready();

const inbox = async (partner: TestCredential, query: Record<string, unknown> = {}) =>
  (await request(adapter.url).get('/inbox').set(partner.headers).query(query).expect(200)).body as { items: InboxItem[]; next: string | null };

/** Waits for the hub's acceptance of a notification to reach the partner's inbox. */
const acceptanceIn = (partner: TestCredential, notificationId: string) =>
  waitFor(`the acceptance of ${notificationId} in the inbox`, async () =>
    (await inbox(partner, { limit: 200 })).items.find((item) => item.body.notificationId === notificationId),
  );

const auditEvents = (action: string, messageId: string) =>
  withDatabase(
    async (db) =>
      (
        await db.query(
          "SELECT actor_type, actor_id, on_behalf_of, correlation_id, details FROM audit_event WHERE action = $1 AND subject_type = 'outbox_message' AND subject_id = $2",
          [action, messageId],
        )
      ).rows as { actor_type: string; actor_id: string; on_behalf_of: string; correlation_id: string; details: Record<string, unknown> }[],
  );

const eventually = (action: string, messageId: string) =>
  waitFor(`${action} of ${messageId} in the audit trail`, async () => {
    const events = await auditEvents(action, messageId);
    return events.length ? events : undefined;
  });

/** Puts a message on the police intake queue, as the adapter would, and waits until the hub has handled it. */
async function reportToHub(activity: InboxActivity): Promise<'completed' | 'failed'> {
  const job = await intakeQueue.add(MessagePatterns.inboxActivity, activity, { jobId: activity.activityId, attempts: 3 });
  return waitFor('the hub to handle the report', async () => {
    const state = await job.getState();
    return state === 'completed' || state === 'failed' ? state : undefined;
  });
}

beforeAll(async () => {
  await resetDatabase();
  force01 = await issueTestCredential(prefix, 'police', { organisation: '01', system: 'Exampleshire Police PPN' });
  force44 = await issueTestCredential(prefix, 'police', { organisation: '44', system: 'Otherplace Police PPN' });
  hub = new AppProcess('hub', APPS.hub, hubEnv({ ...env }), await freePort());
  [adapter] = await Promise.all([startAdapter(), hub.ready()]);
  intakeQueue = new Queue(hubIntakeQueue('police'), { connection: { url: TEST_REDIS_URL }, prefix });
  deliveriesQueue = new Queue(agencyQueue('police'), { connection: { url: TEST_REDIS_URL }, prefix });
}, 60_000);

afterAll(async () => {
  await intakeQueue?.close();
  await deliveriesQueue?.close();
  await Promise.all([hub?.stop(), adapter?.stop()]);
  await deleteRedisKeys(prefix);
});

describe("each organisation's inbox", () => {
  let notificationId: string;
  let correlationId: string;
  let messageId: string;

  it("puts the hub's acceptance of a police notice in that force's inbox, and not another force's", async () => {
    const notice = policeNotice();
    const submitted = await request(adapter.url).post('/notifications').set(force01.headers).send(notice).expect(202);
    ({ notificationId, correlationId } = submitted.body);

    const item = await acceptanceIn(force01, notificationId);
    messageId = item.messageId;
    // The message id is the hub's outbox id, the one its 'information.shared' event names.
    const outboxId = await withDatabase(
      async (db) => (await db.query("SELECT id FROM outbox_message WHERE payload->>'notificationId' = $1", [notificationId])).rows[0].id as string,
    );
    expect(item).toEqual({
      messageId: outboxId,
      kind: 'notification.accepted',
      correlationId,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      body: {
        notificationId,
        correlationId,
        sourceAgency: 'police',
        sourceOrganisation: '01',
        partnerReference: notice.policeReference,
        contactIds: [expect.any(String)],
        acceptedAt: expect.any(String),
      },
    });
    expect(await auditEvents('information.shared', messageId)).toHaveLength(1);

    // Force 44 sees nothing of it, and cannot acknowledge it: it is not found, exactly like an unknown id.
    expect(await inbox(force44)).toEqual({ items: [], next: null });
    const foreign = await request(adapter.url).post(`/inbox/${messageId}/acknowledge`).set(force44.headers).expect(404);
    const unknown = await request(adapter.url).post(`/inbox/${randomUUID()}/acknowledge`).set(force44.headers).expect(404);
    expect(foreign.body.message).toBe(`No message with id ${messageId} in your inbox`);
    expect(Object.keys(foreign.body).sort()).toEqual(Object.keys(unknown.body).sort());
    // Nor page from it.
    const cursor = await request(adapter.url).get('/inbox').set(force44.headers).query({ after: messageId }).expect(400);
    expect(cursor.body.message).toBe(`after must be the previous page's next: there is no message ${messageId} in your inbox`);
    // Force 44's attempts left force 01's message as it was.
    expect((await inbox(force01)).items.map((i) => i.messageId)).toContain(messageId);
  });

  it('records the first delivery and the acknowledgement once each, however often they happen', async () => {
    // Listed above (several times while waiting): delivered once, by force 01's system.
    const [delivered] = await eventually('inbox.delivered', messageId);
    expect(delivered).toEqual({
      actor_type: 'agency_system',
      actor_id: force01.credential.id,
      on_behalf_of: 'police',
      correlation_id: correlationId,
      details: {
        agency: 'police',
        organisation: '01',
        credentialId: force01.credential.id,
        messageId,
        kind: 'notification.accepted',
        reportedAt: expect.any(String),
      },
    });

    const first = await request(adapter.url).post(`/inbox/${messageId}/acknowledge`).set(force01.headers).expect(200);
    const second = await request(adapter.url).post(`/inbox/${messageId.toUpperCase()}/acknowledge`).set(force01.headers).expect(200);
    expect(first.body).toEqual({ messageId, acknowledgedAt: expect.stringMatching(/Z$/) });
    expect(second.body).toEqual(first.body);
    const [acknowledged] = await eventually('inbox.acknowledged', messageId);
    expect(acknowledged).toMatchObject({ actor_id: force01.credential.id, details: { organisation: '01', credentialId: force01.credential.id, messageId } });

    // Acknowledged: it leaves the inbox.
    expect((await inbox(force01)).items.map((i) => i.messageId)).not.toContain(messageId);

    // The same acts reported again (a retry, two requests at once, a redelivered job) add nothing to the trail.
    const again = (event: InboxActivity['event']): InboxActivity => ({
      activityId: randomUUID(),
      adapterAgency: 'police',
      organisation: '01',
      credentialId: force01.credential.id,
      event,
      messages: [{ messageId, kind: 'notification.accepted', correlationId }],
      occurredAt: new Date().toISOString(),
    });
    expect(await reportToHub(again('delivered'))).toBe('completed');
    expect(await reportToHub(again('acknowledged'))).toBe('completed');
    expect(await auditEvents('inbox.delivered', messageId)).toHaveLength(1);
    expect(await auditEvents('inbox.acknowledged', messageId)).toHaveLength(1);
    // Reports of a message the trail does not have yet, arriving together, still record it once.
    const unseen = randomUUID();
    const together = Array.from({ length: 6 }, () => ({ ...again('delivered'), messages: [{ messageId: unseen, kind: 'notification.accepted', correlationId }] }));
    expect(await Promise.all(together.map(reportToHub))).toEqual(together.map(() => 'completed'));
    expect(await auditEvents('inbox.delivered', unseen)).toHaveLength(1);

    // A report that can never be valid is refused for good, with its paths, and records nothing.
    const invalid = await intakeQueue.add(MessagePatterns.inboxActivity, { ...again('delivered'), organisation: 'X1', messages: [] }, { jobId: randomUUID(), attempts: 3 });
    const failed = await waitFor('the invalid report to be dead-lettered', async () => ((await invalid.isFailed()) ? intakeQueue.getJob(invalid.id!) : undefined));
    expect(failed!.attemptsMade).toBe(1);
    expect(failed!.failedReason).toMatch(/organisation/);
    expect(failed!.failedReason).toMatch(/messages/);
    expect(await auditEvents('inbox.delivered', messageId)).toHaveLength(1);
  });

  it('adds nothing when the hub delivers the same message again, even once acknowledged', async () => {
    const job = await deliveriesQueue.getJob(messageId);
    expect(job).toBeDefined();
    const { data } = job!;
    await job!.remove();
    const redelivered = await deliveriesQueue.add(MessagePatterns.notificationAccepted, data, { jobId: messageId });
    await waitFor('the redelivery to be handled', async () => (await redelivered.isCompleted()) || undefined);
    expect((await inbox(force01)).items.map((i) => i.messageId)).not.toContain(messageId);
    const acknowledged = await request(adapter.url).post(`/inbox/${messageId}/acknowledge`).set(force01.headers).expect(200);
    expect(acknowledged.body.messageId).toBe(messageId);

    // A delivery that is not under an outbox id has no message id to keep: refused for good, and the inbox is unchanged.
    const stray = await deliveriesQueue.add(MessagePatterns.notificationAccepted, data, { jobId: 'not-an-outbox-id', attempts: 3 });
    const failed = await waitFor('the stray delivery to be dead-lettered', async () => ((await stray.isFailed()) ? deliveriesQueue.getJob(stray.id!) : undefined));
    expect(failed!.attemptsMade).toBe(1);
    expect(failed!.failedReason).toBe('notification.accepted delivered under job id "not-an-outbox-id", not an outbox id');
    expect(await inbox(force01)).toEqual({ items: [], next: null });
  });

  it("pages a force's inbox oldest first with after and limit, and refuses a bad limit or cursor with every field", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const submitted = await request(adapter.url).post('/notifications').set(force44.headers).send(policeNoticeAboutNewChild(700 + i)).expect(202);
      // One at a time, so the inbox's order is known.
      ids.push((await acceptanceIn(force44, submitted.body.notificationId)).messageId);
    }
    const first = await inbox(force44, { limit: 2 });
    expect(first.items.map((i) => i.messageId)).toEqual(ids.slice(0, 2));
    expect(first.next).toBe(ids[1]);
    const last = await inbox(force44, { limit: 2, after: first.next });
    expect(last).toEqual({ items: [expect.objectContaining({ messageId: ids[2] })], next: null });
    expect((await inbox(force44)).items.map((i) => i.messageId)).toEqual(ids);

    const bad = await request(adapter.url).get('/inbox').set(force44.headers).query({ limit: 500, after: 'page-2' }).expect(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['after', 'limit']);
    expect(JSON.stringify(bad.body)).toContain("after must be the previous page's next");
    await request(adapter.url).get('/inbox').set(force44.headers).query({ limit: 0 }).expect(400);
    await request(adapter.url).get('/inbox').set(force44.headers).query({ page: 2 }).expect(400);
    const malformed = await request(adapter.url).post('/inbox/not-a-uuid/acknowledge').set(force44.headers).expect(400);
    expect(malformed.body.message).toBe('messageId must be a UUID');
    // No credential, no inbox.
    await request(adapter.url).get('/inbox').expect(401);

    // Each delivered once, to force 44.
    for (const id of ids) {
      const events = await eventually('inbox.delivered', id);
      expect(events).toHaveLength(1);
      expect(events[0].details).toMatchObject({ organisation: '44', credentialId: force44.credential.id });
    }
  });

  it('keeps the inbox across an adapter restart', async () => {
    const before = await inbox(force44);
    expect(before.items).toHaveLength(3);
    const stopped = await adapter.stop();
    expect(stopped).toEqual({ code: null, signal: 'SIGTERM' });
    adapter = await startAdapter();
    expect(await inbox(force44)).toEqual(before);
    // What was acknowledged stays acknowledged.
    expect((await inbox(force01)).items.map((i) => i.messageId)).not.toContain(messageId);
    const again = await request(adapter.url).post(`/inbox/${messageId}/acknowledge`).set(force01.headers).expect(200);
    expect(again.body.messageId).toBe(messageId);
    expect(await auditEvents('inbox.acknowledged', messageId)).toHaveLength(1);
  });

  it('describes the inbox routes in its OpenAPI document', async () => {
    const docs = await request(adapter.url).get('/docs/openapi.json').expect(200);
    expect(docs.body.paths['/inbox'].get.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['after', 'limit']);
    expect(Object.keys(docs.body.paths['/inbox/{messageId}/acknowledge'].post.responses).sort()).toEqual(['200', '400', '401', '403', '404', '503']);
  });
});
