import { Queue } from 'bullmq';
import request from 'supertest';
import { notificationIdFor } from '#adapter-kit';
import { AGENCY_REGISTRY, hubIntakeQueue } from '#contracts';
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
import { notificationJobs } from './support/queues.js';
import { issueTestCredential, type TestCredential } from './support/partner-credentials.js';
import { APPS, AppProcess, hubEnv } from './support/processes.js';
import { probationNotice } from './support/probation-notices.js';
import { staff } from './support/staff.js';

const INTAKE_QUEUE = hubIntakeQueue('probation');
const prefix = uniquePrefix();
const env = { DATABASE_URL: TEST_APP_DATABASE_URL, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix };
let hub: AppProcess;
let adapter: AppProcess;
let intakeQueue: Queue;
let region: TestCredential;

const count = (sql: string, params: unknown[] = []) =>
  withDatabase(async (db) => Number((await db.query(sql, params)).rows[0].count));

/** The contact the notification's child at `childIndex` joined, as a screener sees it. */
async function contactOf(notificationId: string, childIndex = 0) {
  const contactId = await waitFor('the notification to reach a contact', () =>
    withDatabase(async (db) => {
      const rows = await db.query('SELECT contact_id FROM contact_notification WHERE notification_id = $1 AND child_index = $2', [notificationId, childIndex]);
      return rows.rows[0]?.contact_id as string | undefined;
    }),
  );
  const response = await request(hub.url).get(`/api/contacts/${contactId}`).set(staff.screener).expect(200);
  return response.body;
}

/** Every job the intake queue holds, in any state: only an added job changes it. */
const allJobs = () => notificationJobs(intakeQueue);

beforeAll(async () => {
  await resetDatabase();
  region = await issueTestCredential(prefix, 'probation', { organisation: 'N07', system: 'Probation case management (N07)' });
  hub = new AppProcess('hub', APPS.hub, hubEnv({ ...env, LOG_LEVEL: 'log' }), await freePort());
  adapter = new AppProcess('probation-adapter', APPS.probationAdapter, { ...env, LOG_LEVEL: 'log', INTAKE_ATTEMPTS: '3', INTAKE_BACKOFF_MS: '200' }, await freePort());
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
  // Names, dates of birth, NHS numbers and the risk summary never reach a log.
  for (const app of [hub, adapter]) expect(app.output.join('\n')).not.toMatch(/Carl|Beth|Amy|Daisy|1988-09-02|2015-06-14|9990000379|sentencing remarks/);
  await deleteRedisKeys(prefix);
});

describe('a probation risk-to-children notice travels from the adapter to a screener', () => {
  it('listens on the port the agency registry gives it unless told otherwise', () => {
    expect(AGENCY_REGISTRY.probation.adapter).toEqual({ name: 'probation-adapter', port: 3105 });
    expect(adapter.output.join('\n')).toMatch(new RegExp(`probation-adapter listening on .*:${adapter.port}`));
  });

  it('becomes a contact for each child at risk, with the DfE factors, referral source 7 and red for high risk', async () => {
    const notice = probationNotice();
    const submitted = await request(adapter.url).post('/notifications').set(region.headers).send(notice).expect(202);
    expect(submitted.body).toEqual({ notificationId: expect.any(String), correlationId: expect.any(String), status: 'queued', duplicate: false });
    expect(submitted.body.notificationId).toBe(notificationIdFor('probation', 'N07', `X123456/${notice.noticeNumber}`));

    const contact = await contactOf(submitted.body.notificationId);
    expect(contact).toMatchObject({
      status: 'awaiting_screening',
      rag: null,
      senderUrgency: 'red',
      notificationCount: 1,
      child: { givenName: 'Amy', familyName: 'Example', dateOfBirth: '2015-06-14', nhsNumber: '9990000379' },
    });
    expect(contact.notifications).toHaveLength(1);
    const [stored] = contact.notifications;
    expect(stored).toMatchObject({
      id: submitted.body.notificationId,
      sourceAgency: 'probation',
      sourceOrganisation: 'N07',
      partnerReference: `X123456/${notice.noticeNumber}`,
      senderUrgency: 'red',
      referralSource: '7',
      categories: ['19B', '19C'],
      childIndex: 0,
    });
    expect(stored.message.subjects.adults).toEqual([
      { givenName: 'Carl', familyName: 'Sample', dateOfBirth: '1988-09-02', role: 'person_on_probation' },
      { givenName: 'Beth', familyName: 'Example', dateOfBirth: '1989-04-11', role: 'household_member' },
    ]);
    expect(stored.message.details).toMatchObject({
      agency: 'probation',
      version: 1,
      crn: 'X123456',
      riskOfSeriousHarmToChildren: 'high',
      mappa: { category: 1, level: 2 },
      childContact: 'likely',
      proposedAddress: { postcode: 'EX2 4BB', uprn: '100012345699' },
      childRelationships: [
        { childIndex: 0, personOnProbationIs: 'parents_partner' },
        { childIndex: 1, personOnProbationIs: 'parent' },
      ],
    });
    expect(stored.message.submittedBy).toEqual({ credentialId: region.credential.id, system: 'Probation case management (N07)' });
    const received = contact.timeline.find((e: { action: string }) => e.action === 'notification.received');
    expect(received).toMatchObject({ actor: 'probation-adapter', onBehalfOf: 'probation' });

    // His own daughter, at her mother's address, is a child at risk too: a contact of her own.
    const daisy = await contactOf(submitted.body.notificationId, 1);
    expect(daisy.id).not.toBe(contact.id);
    expect(daisy).toMatchObject({ senderUrgency: 'red', child: { givenName: 'Daisy', familyName: 'Sample', dateOfBirth: '2017-10-21' } });

    const receipt = await waitFor('the receipt to show the hub accepted it', async () => {
      const response = await request(adapter.url).get(`/notifications/${submitted.body.notificationId}`).set(region.headers).expect(200);
      return response.body.status === 'accepted' ? response.body : undefined;
    });
    expect(receipt.contactIds.sort()).toEqual([contact.id, daisy.id].sort());
  });

  it('gives a medium risk amber and a low risk green', async () => {
    for (const [rosh, rag] of [
      ['MEDIUM', 'amber'],
      ['LOW', 'green'],
    ]) {
      const submitted = await request(adapter.url).post('/notifications').set(region.headers).send(probationNotice({ riskOfSeriousHarmToChildren: rosh })).expect(202);
      const contact = await contactOf(submitted.body.notificationId);
      const stored = contact.notifications.find((n: { id: string }) => n.id === submitted.body.notificationId);
      expect(stored.senderUrgency).toBe(rag);
    }
  });

  it('takes the same notice sent twice as one notification', async () => {
    const notice = probationNotice();
    const first = await request(adapter.url).post('/notifications').set(region.headers).send(notice).expect(202);
    const again = await request(adapter.url).post('/notifications').set(region.headers).send(notice).expect(202);
    expect(again.body).toEqual({ ...first.body, duplicate: true, status: expect.stringMatching(/^(queued|accepted)$/) });
    await contactOf(first.body.notificationId);
    const reference = `X123456/${notice.noticeNumber}`;
    expect(await count('SELECT count(*) FROM notification WHERE partner_reference = $1', [reference])).toBe(1);
    expect(await count("SELECT count(*) FROM audit_event WHERE subject_id = $1 AND action = 'notification.received'", [first.body.notificationId])).toBe(1);
    // One contact link per child at risk, not per submission.
    expect(await count('SELECT count(*) FROM contact_notification WHERE notification_id = $1', [first.body.notificationId])).toBe(2);
  });

  it('refuses the same notice number with different content', async () => {
    const notice = probationNotice();
    const first = await request(adapter.url).post('/notifications').set(region.headers).send(notice).expect(202);
    const changed = await request(adapter.url).post('/notifications').set(region.headers).send({ ...notice, riskOfSeriousHarmToChildren: 'VERY_HIGH' }).expect(409);
    expect(changed.body.message).toMatch(/already received with different content/);
    // Stored before the next test counts what is stored: nothing of this one may land in its count.
    await contactOf(first.body.notificationId);
  });

  it('refuses an invalid notice with every field error and its path, queuing and storing nothing', async () => {
    const notice = probationNotice({
      crn: 'x12345',
      riskOfSeriousHarmToChildren: 'SEVERE',
      mappa: { category: 4, level: 2 },
      childContact: 'MAYBE',
      sentence: { type: 'IMMEDIATE_CUSTODY', sentencedOn: '2024-08-16' },
    });
    notice.childrenAtRisk[0].nhsNumber = '9990000378';
    notice.childrenAtRisk[1].personOnProbationIs = 'UNCLE';
    notice.proposedAddress.uprn = '1000123456991';
    notice.offences[0].victimRelationship = undefined;
    const before = { jobs: await allJobs(), notifications: await count('SELECT count(*) FROM notification') };

    const response = await request(adapter.url).post('/notifications').set(region.headers).send(notice).expect(400);
    // A missing length fails each of its checks (a whole number, at least 1, at most 1200): three errors, one field.
    expect(response.body.message).toBe('The request has 11 invalid fields');
    expect([...new Set(response.body.errors.map((e: { path: string }) => e.path))].sort()).toEqual([
      'childContact',
      'childrenAtRisk[0].nhsNumber',
      'childrenAtRisk[1].personOnProbationIs',
      'crn',
      'mappa.category',
      'offences[0].victimRelationship',
      'proposedAddress.uprn',
      'riskOfSeriousHarmToChildren',
      'sentence.lengthMonths',
    ]);
    const message = (path: string) => response.body.errors.find((e: { path: string }) => e.path === path).message;
    expect(message('crn')).toBe('crn must be a case reference number: a capital letter and 6 digits, e.g. X123456');
    expect(message('mappa.category')).toBe('category must be a MAPPA category: 1, 2 or 3');
    expect(response.body.errors.filter((e: { path: string }) => e.path === 'sentence.lengthMonths').map((e: { message: string }) => e.message)).toContain(
      'lengthMonths is required, in whole months, unless the sentence is LIFE_SENTENCE',
    );
    expect(message('childrenAtRisk[0].nhsNumber')).toMatch(/check digit/);

    const noChildren = await request(adapter.url).post('/notifications').set(region.headers).send(probationNotice({ childrenAtRisk: [], oasysScore: 12 })).expect(400);
    expect(noChildren.body.errors).toEqual(
      expect.arrayContaining([
        { path: 'childrenAtRisk', message: 'a notice must name at least one child at risk' },
        { path: 'oasysScore', message: 'property oasysScore should not exist' },
      ]),
    );

    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await allJobs()).toBe(before.jobs);
    expect(await count('SELECT count(*) FROM notification')).toBe(before.notifications);
  });

  it("refuses another agency's credential with 403 and no credential with 401, queuing no notice", async () => {
    const police = await issueTestCredential(prefix, 'police', { organisation: '01', system: 'Exampleshire Police PPN' });
    const notice = probationNotice();
    const forbidden = await request(adapter.url).post('/notifications').set(police.headers).send(notice).expect(403);
    expect(forbidden.body.message).toBe('this credential belongs to police (organisation 01); the probation adapter accepts only probation systems');
    await request(adapter.url).post('/notifications').send(notice).expect(401);
    for (const organisation of ['01', 'N07']) {
      expect(await intakeQueue.getJob(notificationIdFor('probation', organisation, `X123456/${notice.noticeNumber}`))).toBeUndefined();
    }
    expect(await count('SELECT count(*) FROM notification WHERE partner_reference = $1', [`X123456/${notice.noticeNumber}`])).toBe(0);
  });

  it("keeps apart two regions that send the same reference: both land, and neither reads the other's receipt", async () => {
    const otherRegion = await issueTestCredential(prefix, 'probation', { organisation: 'N52', system: 'Probation case management (N52)' });
    const notice = probationNotice();
    const first = await request(adapter.url).post('/notifications').set(region.headers).send(notice).expect(202);
    const second = await request(adapter.url).post('/notifications').set(otherRegion.headers).send({ ...notice, riskOfSeriousHarmToChildren: 'MEDIUM' }).expect(202);
    expect(second.body).toMatchObject({ status: 'queued', duplicate: false });
    expect(second.body.notificationId).not.toBe(first.body.notificationId);
    await contactOf(first.body.notificationId);
    await contactOf(second.body.notificationId);
    const stored = await withDatabase(async (db) =>
      (await db.query('SELECT id, source_organisation FROM notification WHERE partner_reference = $1 ORDER BY source_organisation', [`X123456/${notice.noticeNumber}`])).rows,
    );
    expect(stored).toEqual([
      { id: first.body.notificationId, source_organisation: 'N07' },
      { id: second.body.notificationId, source_organisation: 'N52' },
    ]);
    const foreign = await request(adapter.url).get(`/notifications/${first.body.notificationId}`).set(otherRegion.headers).expect(404);
    expect(foreign.body.message).toBe(`No notification with id ${first.body.notificationId}`);
    await request(adapter.url).get(`/notifications/${second.body.notificationId}`).set(region.headers).expect(404);
    await request(adapter.url).get(`/notifications/${second.body.notificationId}`).set(otherRegion.headers).expect(200);
    await request(adapter.url).get(`/notifications/${first.body.notificationId}`).set(region.headers).expect(200);
  });

  it('publishes its OpenAPI description and health', async () => {
    const docs = await request(adapter.url).get('/docs/openapi.json').expect(200);
    expect(docs.body.paths['/notifications'].post).toBeDefined();
    expect(docs.body.components.schemas.ProbationNoticeDto.required).toEqual(
      expect.arrayContaining(['crn', 'noticeNumber', 'childrenAtRisk', 'riskOfSeriousHarmToChildren', 'offences', 'sentence']),
    );
    const health = await request(adapter.url).get('/health').expect(200);
    expect(health.body.status).toBe('ok');
  });
});
