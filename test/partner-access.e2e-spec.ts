import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { notificationIdFor } from '#adapter-kit';
import { MessagePatterns, exampleNotification, hubIntakeQueue, type SafeguardingNotification } from '#contracts';
import {
  TEST_APP_DATABASE_URL,
  TEST_REDIS_URL,
  deleteRedisKeys,
  resetDatabase,
  uniquePrefix,
  waitFor,
  withDatabase,
} from './support/environment.js';
import { issueTestCredential, revokeTestCredential, type TestCredential } from './support/partner-credentials.js';
import { APPS, AppProcess, hubEnv } from './support/processes.js';
import { policeNotice } from './support/police-notices.js';
import { staff } from './support/staff.js';

const prefix = uniquePrefix();
const env = { DATABASE_URL: TEST_APP_DATABASE_URL, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix };
let hub: AppProcess;
let adapter: AppProcess;
let police: TestCredential;
let health: TestCredential;
let revoked: TestCredential;
let expired: TestCredential;

interface DeniedEvent {
  actor_type: string;
  actor_id: string;
  on_behalf_of: string | null;
  purpose: string;
  details: Record<string, unknown>;
}

/** The hub's 'access.denied' event for a refusal by the adapter, once the hub has recorded it. */
function deniedEvent(where: string, params: unknown[]): Promise<DeniedEvent> {
  return waitFor(`the refusal (${where}) to reach the audit trail`, () =>
    withDatabase(async (db) => {
      const { rows } = await db.query(
        `SELECT actor_type, actor_id, on_behalf_of, purpose, details FROM audit_event
          WHERE action = 'access.denied' AND details->>'adapterAgency' = 'police' AND ${where} ORDER BY sequence`,
        params,
      );
      return rows.length ? (rows[0] as DeniedEvent) : undefined;
    }),
  );
}

const count = (sql: string, params: unknown[] = []) =>
  withDatabase(async (db) => Number((await db.query(sql, params)).rows[0].count));

beforeAll(async () => {
  await resetDatabase();
  [police, health, revoked, expired] = await Promise.all([
    issueTestCredential(prefix, 'police', { system: 'Exampleshire Police PPN' }),
    issueTestCredential(prefix, 'health', { system: 'Exampleshire NHS Trust safeguarding' }),
    issueTestCredential(prefix, 'police', { system: 'Old police system' }),
    // Issued three days ago for one day: expired two days ago.
    issueTestCredential(prefix, 'police', { system: 'Lapsed police system', days: 1, now: new Date(Date.now() - 3 * 86_400_000) }),
  ]);
  await revokeTestCredential(prefix, revoked.credential.id);
  // Refusals reach the audit trail counted, a window at a time: a short one, so the tests need not wait.
  hub = new AppProcess('hub', APPS.hub, hubEnv({ ...env, ACCESS_REFUSAL_WINDOW_SECONDS: '1' }), 3360);
  adapter = new AppProcess('police-adapter', APPS.policeAdapter, { ...env, LOG_LEVEL: 'warn' }, 3361);
  await Promise.all([hub.ready(), adapter.ready()]);
}, 60_000);

afterAll(async () => {
  await Promise.all([hub?.stop(), adapter?.stop()]);
  await deleteRedisKeys(prefix);
});

describe('the police adapter admits only police systems', () => {
  it('accepts a valid police credential, and shows it the receipt', async () => {
    const submitted = await request(adapter.url).post('/notifications').set(police.headers).send(policeNotice()).expect(202);
    expect(submitted.body).toMatchObject({ status: 'queued', duplicate: false });
    const receipt = await request(adapter.url).get(`/notifications/${submitted.body.notificationId}`).set(police.headers).expect(200);
    expect(receipt.body.notificationId).toBe(submitted.body.notificationId);
    // The scheme is case-insensitive (RFC 7235).
    await request(adapter.url).get(`/notifications/${submitted.body.notificationId}`).set('authorization', `bearer ${police.token}`).expect(200);
  });

  it("refuses a valid credential of another agency's system with 403, and the hub records the refusal", async () => {
    const notice = policeNotice();
    const refused = await request(adapter.url).post('/notifications').set(health.headers).send(notice).expect(403);
    expect(refused.body.message).toBe('this credential belongs to health (organisation RJ1); the police adapter accepts only police systems');
    // Nothing was taken in: no receipt, no notification.
    const notificationId = notificationIdFor('police', '01', notice.policeReference);
    await request(adapter.url).get(`/notifications/${notificationId}`).set(police.headers).expect(404);
    // Nor may it read police receipts.
    await request(adapter.url).get(`/notifications/${notificationId}`).set(health.headers).expect(403);

    const event = await deniedEvent("details->>'credentialId' = $1 AND details->>'method' = 'POST'", [health.credential.id]);
    expect(event).toEqual({
      actor_type: 'agency_system',
      actor_id: health.credential.id,
      on_behalf_of: 'health',
      purpose: 'access control',
      details: {
        adapterAgency: 'police',
        claimedAgency: 'health',
        claimedOrganisation: 'RJ1',
        credentialId: health.credential.id,
        reason: 'other_agency',
        status: 403,
        method: 'POST',
        route: '/notifications',
        count: 1,
        firstAt: expect.any(String),
        lastAt: expect.any(String),
        windowStart: expect.any(String),
        windowEnd: expect.any(String),
      },
    });
    await deniedEvent("details->>'credentialId' = $1 AND details->>'route' = '/notifications/:id'", [health.credential.id]);
    expect(await count('SELECT count(*) FROM notification WHERE partner_reference = $1', [notice.policeReference])).toBe(0);
  });

  it("refuses another agency's read of a police receipt, and the hub records it", async () => {
    const accepted = await request(adapter.url).post('/notifications').set(police.headers).send(policeNotice()).expect(202);
    await request(adapter.url).get(`/notifications/${accepted.body.notificationId}`).set(police.headers).expect(200);
    const read = await request(adapter.url).get(`/notifications/${accepted.body.notificationId}`).set(health.headers).expect(403);
    expect(JSON.stringify(read.body)).not.toContain(accepted.body.notificationId);
    const event = await deniedEvent("details->>'credentialId' = $1 AND details->>'method' = 'GET'", [health.credential.id]);
    expect(event).toMatchObject({
      actor_id: health.credential.id,
      on_behalf_of: 'health',
      details: { route: '/notifications/:id', reason: 'other_agency', status: 403, adapterAgency: 'police' },
    });
  });

  it('refuses no credential, and a malformed one, with 401', async () => {
    const none = await request(adapter.url).post('/notifications').send(policeNotice()).expect(401);
    expect(none.body.message).toMatch(/Authorization: Bearer mash_<credential id>_<secret>/);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="MASH police adapter"');
    await request(adapter.url).get(`/notifications/${randomUUID()}`).expect(401);

    const basic = await request(adapter.url).post('/notifications').set('authorization', 'Basic cG9saWNlOnBvbGljZQ==').send(policeNotice()).expect(401);
    expect(basic.body.message).toMatch(/must be Bearer mash_/);
    const truncated = await request(adapter.url).post('/notifications').set('authorization', `Bearer ${police.token.slice(0, -1)}`).expect(401);
    expect(truncated.body.message).toMatch(/malformed/);
    expect(truncated.headers['www-authenticate']).toMatch(/error="invalid_token"/);

    const anonymous = await deniedEvent("details->>'reason' = 'no_credential' AND details->>'method' = 'POST'", []);
    expect(anonymous).toMatchObject({ actor_type: 'agency_system', actor_id: 'anonymous', on_behalf_of: null });
    expect(anonymous.details).toMatchObject({ credentialId: null, claimedAgency: null, status: 401, route: '/notifications' });
    // The refusal carries no part of the request body.
    expect(JSON.stringify(anonymous.details)).not.toMatch(/PPN|Amy|Example/);
    await deniedEvent("details->>'reason' = 'malformed_credential'", []);
  });

  it('refuses a wrong secret as it refuses an unknown credential', async () => {
    const otherSecret = `mash_${police.credential.id}_${expired.token.slice(-43)}`;
    const wrong = await request(adapter.url).post('/notifications').set('authorization', `Bearer ${otherSecret}`).send(policeNotice()).expect(401);
    const unknown = await request(adapter.url)
      .post('/notifications')
      .set('authorization', `Bearer mash_${randomUUID()}_${police.token.slice(-43)}`)
      .send(policeNotice())
      .expect(401);
    expect(wrong.body.message).toBe('The credential is refused: it is not known, or its secret is wrong');
    expect(unknown.body.message).toBe(wrong.body.message);
    const event = await deniedEvent("details->>'reason' = 'wrong_secret'", []);
    // The id was presented, but without its secret it proves nothing: no agency is claimed.
    expect(event).toMatchObject({ actor_id: police.credential.id, on_behalf_of: null });
  });

  it('refuses a revoked and an expired credential with 401, saying why', async () => {
    const wasRevoked = await request(adapter.url).post('/notifications').set(revoked.headers).send(policeNotice()).expect(401);
    expect(wasRevoked.body.message).toMatch(/^The credential is refused: it was revoked at \d{4}-\d\d-\d\dT/);
    const hasExpired = await request(adapter.url).post('/notifications').set(expired.headers).send(policeNotice()).expect(401);
    expect(hasExpired.body.message).toBe(`The credential is refused: it expired at ${expired.credential.expiresAt}`);

    expect(await deniedEvent("details->>'reason' = 'revoked'", [])).toMatchObject({ actor_id: revoked.credential.id, on_behalf_of: 'police' });
    expect(await deniedEvent("details->>'reason' = 'expired'", [])).toMatchObject({ actor_id: expired.credential.id, on_behalf_of: 'police' });
  });

  it('leaves /health open', async () => {
    await request(adapter.url).get('/health').expect(200);
  });

  it("limits each partner system's requests", async () => {
    const limited = await new AppProcess(
      'police-adapter',
      APPS.policeAdapter,
      { ...env, LOG_LEVEL: 'warn', PARTNER_RATE_LIMIT_PER_MINUTE: '3' },
      3362,
    ).ready();
    try {
      const system = await issueTestCredential(prefix, 'police', { system: 'Busy police system' });
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await request(limited.url).get(`/notifications/${randomUUID()}`).set(system.headers)).status);
      expect(statuses).toEqual([404, 404, 404, 429]);
      const refused = await request(limited.url).get(`/notifications/${randomUUID()}`).set(system.headers).expect(429);
      expect(refused.body.message).toMatch(/Too many partner requests: at most 3 in 60 s/);
      // Another system has its own allowance (counted in Redis, so across every adapter instance).
      const other = await issueTestCredential(prefix, 'police', { system: 'Quiet police system' });
      await request(limited.url).get(`/notifications/${randomUUID()}`).set(other.headers).expect(404);
    } finally {
      await limited.stop();
    }
  });

  // After the limited adapter's test: this burst would use up the allowance it shares for this address.
  it("counts a partner's repeated refusals into a few events rather than one each", async () => {
    const statuses = await Promise.all(Array.from({ length: 30 }, () => request(adapter.url).get(`/notifications/${randomUUID()}`).set(expired.headers).then((r) => r.status)));
    expect(statuses.filter((status) => status !== 401)).toEqual([]);
    const events = await waitFor('all 30 refusals to be counted into the audit trail', () =>
      withDatabase(async (db) => {
        const { rows } = await db.query(
          "SELECT details FROM audit_event WHERE action = 'access.denied' AND actor_id = $1 AND details->>'reason' = 'expired' AND details->>'method' = 'GET'",
          [expired.credential.id],
        );
        const counted = rows.reduce((sum: number, row: { details: { count: number } }) => sum + row.details.count, 0);
        return counted === 30 ? rows : undefined;
      }),
    );
    // One event per window (of a second here); the burst spans one or two, three at the most.
    expect(events.length).toBeLessThanOrEqual(3);
  });
});

describe("the hub takes a message only for its intake queue's agency", () => {
  let policeQueue: Queue;
  let healthQueue: Queue;

  beforeAll(() => {
    policeQueue = new Queue(hubIntakeQueue('police'), { connection: { url: TEST_REDIS_URL }, prefix });
    healthQueue = new Queue(hubIntakeQueue('health'), { connection: { url: TEST_REDIS_URL }, prefix });
  });

  afterAll(async () => {
    await Promise.all([policeQueue?.close(), healthQueue?.close()]);
  });

  const healthNotification = () =>
    exampleNotification({
      notificationId: randomUUID(),
      correlationId: randomUUID(),
      sourceAgency: 'health',
      sourceOrganisation: 'RJ1',
      partnerReference: `HEALTH/${randomUUID().slice(0, 8)}`,
      lawfulBasis: { article6: 'public_task', article9: 'dpa2018_sch1_para18_safeguarding', statutoryGateways: ['children_act_2004_s11'] },
      referralSource: '3F',
      details: {
        agency: 'health',
        version: 1,
        communicationIdentifier: { system: 'https://trust.example.nhs.uk/Id/safeguarding-referral', value: `SGR-${randomUUID().slice(0, 8)}` },
        fhirPriority: 'urgent',
        injuryDescriptions: [],
        previousUnscheduledAttendances: [],
      } as SafeguardingNotification['details'],
    });

  it('dead-letters a message on the police queue that claims to be from health, stores nothing, and records it', async () => {
    const message = healthNotification();
    await policeQueue.add(MessagePatterns.notificationReceived, message, { jobId: message.notificationId, attempts: 5, removeOnFail: false });

    const letter = await waitFor('the message to be dead-lettered', async () => {
      const page = await request(hub.url).get(`/api/admin/dead-letters/${hubIntakeQueue('police')}`).set(staff.admin).expect(200);
      return page.body.items.find((item: { id: string }) => item.id === message.notificationId);
    });
    expect(letter).toMatchObject({ permanent: true, attemptsMade: 1 });
    expect(letter.reason).toMatch(/claiming to be from health arrived on the police intake queue/);
    expect(await count('SELECT count(*) FROM notification WHERE id = $1', [message.notificationId])).toBe(0);
    expect(await count('SELECT count(*) FROM audit_event WHERE correlation_id = $1 AND action <> $2', [message.correlationId, 'message.refused'])).toBe(0);

    const refused = await withDatabase(async (db) =>
      (await db.query("SELECT actor_id, on_behalf_of, correlation_id, details FROM audit_event WHERE action = 'message.refused'")).rows,
    );
    expect(refused).toEqual([
      {
        actor_id: 'police-adapter',
        on_behalf_of: 'police',
        correlation_id: message.correlationId,
        details: {
          queue: 'hub-intake-police',
          queueAgency: 'police',
          claimedAgency: 'health',
          pattern: MessagePatterns.notificationReceived,
          jobId: message.notificationId,
          notificationId: message.notificationId,
          partnerReference: message.partnerReference,
          reason: 'agency_mismatch',
        },
      },
    ]);
  });

  it("stores the same kind of message from health's own queue, so every agency's queue is consumed", async () => {
    const message = healthNotification();
    await healthQueue.add(MessagePatterns.notificationReceived, message, { jobId: message.notificationId });
    await waitFor('the health notification to be stored', async () => (await count('SELECT count(*) FROM notification WHERE id = $1', [message.notificationId])) === 1);
    const health = await request(hub.url).get('/health').expect(200);
    expect(health.body.info.intake).toEqual({ status: 'up' });
  });

  it("refuses a refusal report on the police queue that claims to be another adapter's", async () => {
    const refusalId = randomUUID();
    await policeQueue.add(
      MessagePatterns.partnerAccessRefused,
      { refusalId, adapterAgency: 'health', claimedAgency: null, credentialId: null, reason: 'no_credential', status: 401, method: 'POST', route: '/notifications', refusedAt: new Date().toISOString() },
      { jobId: refusalId, attempts: 5, removeOnFail: false },
    );
    const event = await waitFor('the forged refusal to be refused', () =>
      withDatabase(async (db) => (await db.query("SELECT details FROM audit_event WHERE action = 'message.refused' AND details->>'jobId' = $1", [refusalId])).rows[0]),
    );
    expect(event.details).toMatchObject({ queueAgency: 'police', claimedAgency: 'health', pattern: MessagePatterns.partnerAccessRefused });
    expect(await count("SELECT count(*) FROM audit_event WHERE action = 'access.denied' AND details->>'adapterAgency' = 'health'")).toBe(0);
    expect(await count("SELECT count(*) FROM access_refusal_tally WHERE details->>'adapterAgency' = 'health'")).toBe(0);
  });
});
