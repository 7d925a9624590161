import { Queue } from 'bullmq';
import request from 'supertest';
import { notificationIdFor } from '#adapter-kit';
import { MessagePatterns, agencyQueue, hubIntakeQueue } from '#contracts';
import {
  TEST_APP_DATABASE_URL,
  TEST_REDIS_URL,
  deleteRedisKeys,
  resetDatabase,
  uniquePrefix,
  waitFor,
  withDatabase,
} from './support/environment.js';
import { notificationJobs } from './support/queues.js';
import { issueTestCredential, type TestCredential } from './support/partner-credentials.js';
import { APPS, AppProcess, hubEnv } from './support/processes.js';
import { policeNotice, policeNoticeAboutNewChild } from './support/police-notices.js';
import { staff } from './support/staff.js';

/** The police adapter's intake queue on the hub. */
const INTAKE_QUEUE = hubIntakeQueue('police');
const prefix = uniquePrefix();
const env = { DATABASE_URL: TEST_APP_DATABASE_URL, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix };
let hub: AppProcess;
let adapter: AppProcess;
let intakeQueue: Queue;
let police: TestCredential;

const count = (sql: string, params: unknown[] = []) =>
  withDatabase(async (db) => Number((await db.query(sql, params)).rows[0].count));

async function contactOf(notificationId: string) {
  const contactId = await waitFor('the notification to reach a contact', () =>
    withDatabase(async (db) => {
      const rows = await db.query('SELECT contact_id FROM contact_notification WHERE notification_id = $1', [notificationId]);
      return rows.rows[0]?.contact_id as string | undefined;
    }),
  );
  const response = await request(hub.url).get(`/api/contacts/${contactId}`).set(staff.screener).expect(200);
  return response.body;
}

beforeAll(async () => {
  await resetDatabase();
  police = await issueTestCredential(prefix, 'police', { system: 'Exampleshire Police PPN' });
  hub = new AppProcess('hub', APPS.hub, hubEnv({ ...env, INTAKE_CONCURRENCY: '4', LOG_LEVEL: 'log' }), 3300);
  adapter = new AppProcess('police-adapter', APPS.policeAdapter, { ...env, LOG_LEVEL: 'log', INTAKE_ATTEMPTS: '3', INTAKE_BACKOFF_MS: '200' }, 3301);
  await Promise.all([hub.ready(), adapter.ready()]);
  intakeQueue = new Queue(INTAKE_QUEUE, { connection: { url: TEST_REDIS_URL }, prefix });
}, 60_000);

afterAll(async () => {
  await intakeQueue?.close();
  const stopped = await Promise.all([hub?.stop(), adapter?.stop()]);
  expect(stopped).toEqual([
    { code: null, signal: 'SIGTERM' },
    { code: null, signal: 'SIGTERM' },
  ]);
  // Both closed their consumers on the way out rather than being cut off.
  for (const app of [hub, adapter]) expect(app.output.join('\n')).toMatch(/stopped consuming queue/);
  await deleteRedisKeys(prefix);
});

describe('a police notice travels from the adapter to a screener', () => {
  it('appears as a contact with its child, its notification and audit events', async () => {
    const notice = policeNotice();
    const submitted = await request(adapter.url).post('/notifications').set(police.headers).send(notice).expect(202);
    expect(submitted.body).toEqual({
      notificationId: expect.any(String),
      correlationId: expect.any(String),
      status: 'queued',
      duplicate: false,
    });

    const contact = await contactOf(submitted.body.notificationId);
    expect(contact).toMatchObject({
      status: 'awaiting_screening',
      rag: null,
      senderUrgency: 'amber',
      notificationCount: 1,
      child: { givenName: 'Amy', familyName: 'Example', dateOfBirth: '2015-06-14', nhsNumber: '9990000379' },
    });
    expect(contact.notifications).toHaveLength(1);
    expect(contact.notifications[0]).toMatchObject({
      id: submitted.body.notificationId,
      sourceAgency: 'police',
      sourceOrganisation: '01',
      partnerReference: notice.policeReference,
      categories: ['3A'],
    });
    expect(contact.notifications[0]).toMatchObject({ referralSource: '6', categories: expect.arrayContaining(['3A']) });
    expect(contact.notifications[0].message.details).toMatchObject({ agency: 'police', version: 1, dashRiskLevel: 'medium', domesticAbuse: true });
    expect(contact.timeline.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['notification.received', 'contact.created']),
    );
    const received = contact.timeline.find((e: { action: string }) => e.action === 'notification.received');
    expect(received).toMatchObject({ actor: 'police-adapter', onBehalfOf: 'police' });
    // It names the partner system that submitted it: its credential's id and name, never the secret.
    const submittedBy = { credentialId: police.credential.id, system: 'Exampleshire Police PPN' };
    expect(contact.notifications[0].message.submittedBy).toEqual(submittedBy);
    const receivedEvent = await withDatabase(async (db) =>
      (await db.query("SELECT details FROM audit_event WHERE action = 'notification.received' AND subject_id = $1", [submitted.body.notificationId])).rows[0],
    );
    expect(receivedEvent.details.submittedBy).toEqual(submittedBy);
    expect(JSON.stringify(receivedEvent.details)).not.toContain(police.token.slice(-43));

    // The child's match is audited against the same correlation id as the submission.
    expect(
      await count("SELECT count(*) FROM audit_event WHERE correlation_id = $1 AND action = 'child.created'", [
        submitted.body.correlationId,
      ]),
    ).toBe(1);

    // The list shows it, newest first, and filters by status and RAG.
    const list = await request(hub.url).get('/api/contacts').set(staff.screener).query({ status: 'open', rag: 'unrated', sort: 'newest' }).expect(200);
    expect(list.body.items[0].id).toBe(contact.id);
    expect(list.body).toMatchObject({ pageSize: 25, totalIsExact: true });
    expect(list.body).toHaveProperty('next');
    const red = await request(hub.url).get('/api/contacts').set(staff.screener).query({ rag: 'red' }).expect(200);
    expect(red.body).toEqual({ items: [], sort: 'newest', pageSize: 25, next: null, total: 0, totalIsExact: true });

    // The hub's acceptance travels back through the outbox to the adapter's receipt.
    const receipt = await waitFor('the receipt to show the hub accepted it', async () => {
      const response = await request(adapter.url).get(`/notifications/${submitted.body.notificationId}`).set(police.headers).expect(200);
      return response.body.status === 'accepted' ? response.body : undefined;
    });
    expect(receipt.contactIds).toEqual([contact.id]);
  });

  it('a second notice about the same child joins the open contact', async () => {
    const first = await request(adapter.url).post('/notifications').set(police.headers).send(policeNotice()).expect(202);
    const firstContact = await contactOf(first.body.notificationId);
    const second = await request(adapter.url)
      .post('/notifications')
      .set(police.headers)
      .send(policeNotice({ ragGrading: 'RED' }))
      .expect(202);
    const contact = await contactOf(second.body.notificationId);
    expect(contact.id).toBe(firstContact.id);
    expect(contact).toMatchObject({ senderUrgency: 'red' });
    expect(contact.notificationCount).toBeGreaterThanOrEqual(2);
    expect(contact.timeline.map((e: { action: string }) => e.action)).toContain('contact.linked');
  });

  it('the same notice sent twice, and the same message redelivered, leave one notification and one audit event', async () => {
    const notice = policeNotice();
    const first = await request(adapter.url).post('/notifications').set(police.headers).send(notice).expect(202);
    const again = await request(adapter.url).post('/notifications').set(police.headers).send(notice).expect(202);
    expect(again.body).toMatchObject({ notificationId: first.body.notificationId, duplicate: true });
    expect(again.body.correlationId).toBe(first.body.correlationId);
    await contactOf(first.body.notificationId);

    // Redelivery: the same canonical message under another job id, as after a removed job or a replay.
    const original = await intakeQueue.getJob(first.body.notificationId);
    expect(original).toBeDefined();
    const redelivered = await intakeQueue.add(MessagePatterns.notificationReceived, original!.data, {
      jobId: `redelivery-${first.body.notificationId}`,
    });
    await waitFor('the redelivered message to be processed', async () => (await redelivered.isCompleted()) || undefined);

    const id = first.body.notificationId;
    expect(await count('SELECT count(*) FROM notification WHERE partner_reference = $1', [notice.policeReference])).toBe(1);
    expect(
      await count("SELECT count(*) FROM audit_event WHERE subject_id = $1 AND action = 'notification.received'", [id]),
    ).toBe(1);
    expect(await count('SELECT count(*) FROM contact_notification WHERE notification_id = $1', [id])).toBe(1);
    expect(await count('SELECT count(*) FROM outbox_message WHERE payload->>$1 = $2', ['notificationId', id])).toBe(1);
  });

  it('takes a version 1 message still in a queue, storing it in the current version; a version 1 copy of a stored notice is a redelivery', async () => {
    const asVersionOne = (message: Record<string, unknown>) => {
      const { details, referralSource: _source, ...core } = message as { details: Record<string, unknown>; referralSource: string };
      const { agency: _agency, version: _version, ...police } = details;
      return { ...core, schemaVersion: 1, police };
    };
    // A notice queued by the adapter, then sent again as the previous version would have queued it.
    const submitted = await request(adapter.url).post('/notifications').set(police.headers).send(policeNotice()).expect(202);
    await contactOf(submitted.body.notificationId);
    const current = (await intakeQueue.getJob(submitted.body.notificationId))!.data as Record<string, unknown>;
    const copy = await intakeQueue.add(MessagePatterns.notificationReceived, asVersionOne(current), { jobId: `v1-${submitted.body.notificationId}` });
    await waitFor('the version 1 copy to be processed', async () => (await copy.isCompleted()) || undefined);
    expect(await count('SELECT count(*) FROM notification WHERE id = $1', [submitted.body.notificationId])).toBe(1);

    // A new notice that only ever existed as version 1.
    const notice = policeNotice();
    const id = notificationIdFor('police', '01', notice.policeReference);
    const versionOne = asVersionOne({ ...current, notificationId: id, partnerReference: notice.policeReference });
    await intakeQueue.add(MessagePatterns.notificationReceived, versionOne, { jobId: id });
    const contact = await contactOf(id);
    const stored = contact.notifications.find((n: { id: string }) => n.id === id);
    expect(stored).toMatchObject({ referralSource: '6', message: { schemaVersion: 2, referralSource: '6', details: { agency: 'police', version: 1 } } });
    expect(stored.message.police).toBeUndefined();
    expect(stored.message.details).toEqual({ agency: 'police', version: 1, ...(versionOne.police as object) });
  });

  it('keeps apart two forces that use the same reference: two notifications, and neither reads the other\'s receipt', async () => {
    const otherForce = await issueTestCredential(prefix, 'police', { organisation: '44', system: 'Otherplace Police PPN' });
    const notice = policeNotice();
    const first = await request(adapter.url).post('/notifications').set(police.headers).send(notice).expect(202);
    const second = await request(adapter.url).post('/notifications').set(otherForce.headers).send({ ...notice, ragGrading: 'RED' }).expect(202);
    expect(second.body).toMatchObject({ status: 'queued', duplicate: false });
    expect(second.body.notificationId).not.toBe(first.body.notificationId);
    await contactOf(first.body.notificationId);
    await contactOf(second.body.notificationId);
    const stored = await withDatabase(async (db) =>
      (await db.query('SELECT id, source_organisation FROM notification WHERE partner_reference = $1 ORDER BY source_organisation', [notice.policeReference])).rows,
    );
    expect(stored).toEqual([
      { id: first.body.notificationId, source_organisation: '01' },
      { id: second.body.notificationId, source_organisation: '44' },
    ]);
    // Another force's receipt is not there for it, exactly as an unknown id is not.
    const foreign = await request(adapter.url).get(`/notifications/${first.body.notificationId}`).set(otherForce.headers).expect(404);
    const unknown = await request(adapter.url).get('/notifications/00000000-0000-4000-8000-000000000000').set(otherForce.headers).expect(404);
    expect(foreign.body.message).toBe(`No notification with id ${first.body.notificationId}`);
    expect(Object.keys(foreign.body).sort()).toEqual(Object.keys(unknown.body).sort());
    await request(adapter.url).get(`/notifications/${second.body.notificationId}`).set(otherForce.headers).expect(200);
    await request(adapter.url).get(`/notifications/${first.body.notificationId}`).set(police.headers).expect(200);
  });

  it('dead-letters, not drops, a different message under a stored notification id', async () => {
    const submitted = await request(adapter.url).post('/notifications').set(police.headers).send(policeNotice()).expect(202);
    await contactOf(submitted.body.notificationId);
    const original = await intakeQueue.getJob(submitted.body.notificationId);
    const changed = await intakeQueue.add(
      MessagePatterns.notificationReceived,
      { ...original!.data, narrative: 'A different account under the same id.' },
      { jobId: `changed-${submitted.body.notificationId}`, attempts: 3 },
    );
    const failed = await waitFor('the changed message to be dead-lettered', async () => ((await changed.isFailed()) ? intakeQueue.getJob(changed.id!) : undefined));
    expect(failed!.failedReason).toMatch(new RegExp(`notification ${submitted.body.notificationId} .* differs from the notification`));
    // Not retried: refused for good.
    expect(failed!.attemptsMade).toBe(1);
    const stored = await withDatabase(async (db) => (await db.query('SELECT message FROM notification WHERE id = $1', [submitted.body.notificationId])).rows[0]);
    expect(stored.message.narrative).toBe(original!.data.narrative);
  });

  it('refuses an invalid notice with every field error, queuing and storing nothing', async () => {
    const notice = policeNotice({ ragGrading: 'PURPLE', consent: { status: 'GIVEN' } });
    notice.children[0].dateOfBirth = '2015-13-40';
    notice.children[0].nhsNumber = '9990000378';
    // Every job the intake queue holds, in any state: only an added job changes it.
    const allJobs = () => notificationJobs(intakeQueue);
    const before = { jobs: await allJobs(), notifications: await count('SELECT count(*) FROM notification') };

    const response = await request(adapter.url).post('/notifications').set(police.headers).send(notice).expect(400);
    expect(response.body.message).toBe('The request has 4 invalid fields');
    expect(response.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'children[0].dateOfBirth',
      'children[0].nhsNumber',
      'consent.givenBy',
      'ragGrading',
    ]);
    expect(response.body.errors.find((e: { path: string }) => e.path === 'children[0].nhsNumber').message).toMatch(
      /check digit/,
    );

    const unknownField = await request(adapter.url).post('/notifications').set(police.headers).send({ ...policeNotice(), colour: 'blue' }).expect(400);
    expect(unknownField.body.errors).toEqual([{ path: 'colour', message: 'property colour should not exist' }]);

    const notJson = await request(adapter.url).post('/notifications').set(police.headers).set('content-type', 'application/json').send('{"policeRef');
    expect(notJson.status).toBe(400);

    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await allJobs()).toBe(before.jobs);
    expect(await intakeQueue.getJob(notificationIdFor('police', '01', notice.policeReference))).toBeUndefined();
    expect(await count('SELECT count(*) FROM notification')).toBe(before.notifications);
  });

  it('refuses a reused police reference with different content', async () => {
    const notice = policeNotice();
    await request(adapter.url).post('/notifications').set(police.headers).send(notice).expect(202);
    const changed = await request(adapter.url)
      .post('/notifications')
      .set(police.headers)
      .send({ ...notice, ragGrading: 'RED' })
      .expect(409);
    expect(changed.body.message).toMatch(/already received with different content/);
  });

  it('dead-letters a notice the hub cannot store, and replays it once fixed', async () => {
    // Break the hub's store the way an operator might meet it: the table is missing (SQLSTATE 42P01), which
    // no retry can fix, so the notice is dead-lettered at once, marked permanent, for the operator to replay.
    await withDatabase((db) => db.query('ALTER TABLE notification RENAME TO notification_unavailable'));
    let notificationId: string;
    try {
      const submitted = await request(adapter.url).post('/notifications').set(police.headers).send(policeNotice()).expect(202);
      notificationId = submitted.body.notificationId;
      const letter = await waitFor(
        'the notice to be dead-lettered',
        async () => {
          const page = await request(hub.url).get(`/api/admin/dead-letters/${INTAKE_QUEUE}`).set(staff.admin).expect(200);
          return page.body.items.find((item: { id: string }) => item.id === notificationId);
        },
        { timeoutMs: 20_000 },
      );
      expect(letter).toMatchObject({ pattern: MessagePatterns.notificationReceived, attemptsMade: 1, permanent: true });
      expect(letter.reason).toMatch(/notification/);
    } finally {
      await withDatabase((db) => db.query('ALTER TABLE notification_unavailable RENAME TO notification'));
    }

    await request(hub.url).post(`/api/admin/dead-letters/${INTAKE_QUEUE}/${notificationId}/replay`).set(staff.admin).expect(204);
    const contact = await contactOf(notificationId);
    expect(contact.notifications.map((n: { id: string }) => n.id)).toContain(notificationId);
    const page = await request(hub.url).get(`/api/admin/dead-letters/${INTAKE_QUEUE}`).set(staff.admin).expect(200);
    expect(page.body.items.find((item: { id: string }) => item.id === notificationId)).toBeUndefined();
    await request(hub.url).post(`/api/admin/dead-letters/${INTAKE_QUEUE}/not-there/replay`).set(staff.admin).expect(404);
  });

  it('dead-letters an invalid message on the intake queue at once, as permanent, without retrying', async () => {
    const job = await intakeQueue.add(
      MessagePatterns.notificationReceived,
      { schemaVersion: 2, sourceAgency: 'police', partnerReference: 'BROKEN/1' },
      { jobId: `invalid-${Date.now()}`, attempts: 5, removeOnFail: false },
    );
    const letter = await waitFor('the invalid message to be dead-lettered', async () => {
      const response = await request(hub.url).get(`/api/admin/dead-letters/${INTAKE_QUEUE}`).set(staff.admin).expect(200);
      return response.body.items.find((item: { id: string }) => item.id === job.id);
    });
    expect(letter).toMatchObject({ permanent: true, attemptsMade: 1 });
    expect(letter.reason).toMatch(/safeguarding notification is invalid: .*notificationId/);
    expect(await count('SELECT count(*) FROM notification WHERE partner_reference = $1', ['BROKEN/1'])).toBe(0);
  });

  it('records who viewed a contact and who listed contacts, and refuses the unnamed and the wrong role', async () => {
    const submitted = await request(adapter.url).post('/notifications').set(police.headers).send(policeNotice()).expect(202);
    const contact = await contactOf(submitted.body.notificationId);
    const viewed = await withDatabase(async (db) =>
      (
        await db.query(
          "SELECT actor_type, actor_id, on_behalf_of, child_id, purpose FROM audit_event WHERE action = 'contact.viewed' AND subject_id = $1 ORDER BY sequence DESC LIMIT 1",
          [contact.id],
        )
      ).rows,
    );
    expect(viewed).toEqual([
      { actor_type: 'person', actor_id: 'sam.screener', on_behalf_of: 'screener', child_id: contact.child.id, purpose: 'screening' },
    ]);

    await request(hub.url).get('/api/contacts').set(staff.manager).query({ pageSize: 5 }).expect(200);
    const listed = await withDatabase(async (db) =>
      (await db.query("SELECT actor_id, details FROM audit_event WHERE action = 'contacts.listed' ORDER BY sequence DESC LIMIT 1")).rows[0],
    );
    expect(listed.actor_id).toBe('meg.manager');
    expect(listed.details.filters).toEqual({ status: null, rag: null, repeat: null, agency: null, sort: 'newest', after: null, pageSize: 5 });
    expect(listed.details.contactIds.length).toBeGreaterThan(0);
    expect(listed.details.contactIds.length).toBeLessThanOrEqual(5);

    const unnamed = await request(hub.url).get(`/api/contacts/${contact.id}`).expect(401);
    expect(unnamed.body.message).toMatch(/Authorization: Bearer/);
    await request(hub.url).get(`/api/contacts/${contact.id}`).set(staff.auditor).expect(403);
    await request(hub.url).get(`/api/admin/dead-letters/${INTAKE_QUEUE}`).set(staff.screener).expect(403);

    // Each refusal is in the audit trail (counted, once its window closes): who asked (or that nobody said), for what, and why not.
    const denials = await waitFor('the refusals to reach the audit trail', () =>
      withDatabase(async (db) => {
        const { rows } = await db.query("SELECT actor_id, details FROM audit_event WHERE action = 'access.denied' ORDER BY sequence DESC LIMIT 3");
        return rows.length === 3 ? rows : undefined;
      }),
    );
    expect(denials.map((d: { actor_id: string }) => d.actor_id)).toEqual(['sam.screener', 'ada.auditor', 'anonymous']);
    expect(denials[1].details).toMatchObject({ method: 'GET', route: '/api/contacts/:id', status: 403 });
  });

  it('answers 404 for an unknown contact and 400 for a malformed id or filter', async () => {
    await request(hub.url).get('/api/contacts/00000000-0000-4000-8000-000000000000').set(staff.screener).expect(404);
    await request(hub.url).get('/api/contacts/not-a-uuid').set(staff.screener).expect(400);
    const bad = await request(hub.url).get('/api/contacts').set(staff.screener).query({ rag: 'blue', pageSize: 500, after: 'page-2' }).expect(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['after', 'pageSize', 'rag']);
    expect(JSON.stringify(bad.body)).toContain("after must be the previous page's next");
    // A contact id is not a cursor: the cursor holds the place in the order, not a contact to look up.
    const notCursor = await request(hub.url)
      .get('/api/contacts')
      .set(staff.screener)
      .query({ after: '00000000-0000-4000-8000-000000000000' })
      .expect(400);
    expect(JSON.stringify(notCursor.body)).toContain("after must be the previous page's next");
    // Paging by position was replaced by the cursor: the old parameter is refused, not ignored.
    await request(hub.url).get('/api/contacts').set(staff.screener).query({ page: 2 }).expect(400);
  });

  it('pages through the queue with the next cursor: newest first, each contact once, ending with null', async () => {
    const before = await count("SELECT count(*) FROM contact WHERE status <> 'closed'");
    for (let i = 0; i < 3; i++) {
      await request(adapter.url).post('/notifications').set(police.headers).send(policeNoticeAboutNewChild(900 + i)).expect(202);
    }
    const expected = await waitFor('three more contacts', () =>
      withDatabase(async (db) => {
        const { rows } = await db.query("SELECT id FROM contact WHERE status <> 'closed' ORDER BY received_at DESC, id DESC");
        return rows.length >= before + 3 ? rows.map((row: { id: string }) => row.id) : undefined;
      }),
    );
    const seen: string[] = [];
    let after: string | undefined;
    for (let pages = 0; pages <= expected.length; pages++) {
      const page = await request(hub.url)
        .get('/api/contacts')
        .set(staff.screener)
        .query({ status: 'open', sort: 'newest', pageSize: 2, ...(after && { after }) })
        .expect(200);
      seen.push(...page.body.items.map((item: { id: string }) => item.id));
      if (page.body.next === null) break;
      after = page.body.next;
    }
    expect(seen).toEqual(expected);
  });

  it('publishes its OpenAPI description and health on every app', async () => {
    for (const app of [hub, adapter]) {
      const docs = await request(app.url).get('/docs/openapi.json').expect(200);
      expect(Object.keys(docs.body.paths).length).toBeGreaterThan(1);
      const health = await request(app.url).get('/health').expect(200);
      expect(health.body.status).toBe('ok');
    }
    const adapterDocs = await request(adapter.url).get('/docs/openapi.json');
    expect(adapterDocs.body.paths['/notifications'].post).toBeDefined();
    expect(agencyQueue('police')).toBe('police-deliveries');
  });
});
