import { Queue } from 'bullmq';
import request from 'supertest';
import { notificationIdFor } from '#adapter-kit';
import { AGENCY_REGISTRY } from '#contracts';
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
import { antiSocialBehaviourNotice, dutyToReferNotice, evictionNotice } from './support/housing-notices.js';
import { notificationJobs } from './support/queues.js';
import { issueTestCredential, type TestCredential } from './support/partner-credentials.js';
import { APPS, AppProcess, hubEnv } from './support/processes.js';
import { policeNotice } from './support/police-notices.js';
import { staff } from './support/staff.js';

const housing = AGENCY_REGISTRY.housing;
const prefix = uniquePrefix();
const env = { DATABASE_URL: TEST_APP_DATABASE_URL, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix };
let hub: AppProcess;
let adapter: AppProcess;
let intakeQueue: Queue;
/** Southwark's housing system, and another council's. */
let southwark: TestCredential;
let manchester: TestCredential;

const count = (sql: string, params: unknown[] = []) => withDatabase(async (db) => Number((await db.query(sql, params)).rows[0].count));

/** Every contact a notification joined (one per child), as a screener sees it, in the order of the children. */
async function contactsOf(notificationId: string, children: number) {
  const contactIds = await waitFor('the notification to reach its contacts', () =>
    withDatabase(async (db) => {
      const { rows } = await db.query('SELECT contact_id FROM contact_notification WHERE notification_id = $1', [notificationId]);
      return rows.length === children ? rows.map((row: { contact_id: string }) => row.contact_id) : undefined;
    }),
  );
  const contacts = [];
  for (const id of contactIds) contacts.push((await request(hub.url).get(`/api/contacts/${id}`).set(staff.screener).expect(200)).body);
  return contacts.sort((a, b) => a.child.dateOfBirth.localeCompare(b.child.dateOfBirth));
}

/** Every job the intake queue holds, in any state: only an added job changes it. */
const allJobs = () => notificationJobs(intakeQueue);

beforeAll(async () => {
  await resetDatabase();
  southwark = await issueTestCredential(prefix, 'housing', { organisation: 'E09000028', system: 'Southwark Housing Options' });
  manchester = await issueTestCredential(prefix, 'housing', { organisation: 'E08000003', system: 'Manchester Housing Solutions' });
  const [hubPort, adapterPort] = [await freePort(), await freePort()];
  hub = new AppProcess('hub', APPS.hub, hubEnv({ ...env, LOG_LEVEL: 'log' }), hubPort);
  adapter = new AppProcess(housing.adapter.name, APPS.housingAdapter, { ...env, LOG_LEVEL: 'log', INTAKE_ATTEMPTS: '3', INTAKE_BACKOFF_MS: '200' }, adapterPort);
  await Promise.all([hub.ready(), adapter.ready()]);
  intakeQueue = new Queue(housing.intakeQueue, { connection: { url: TEST_REDIS_URL }, prefix });
}, 60_000);

afterAll(async () => {
  await intakeQueue?.close();
  const stopped = await Promise.all([hub?.stop(), adapter?.stop()]);
  expect(stopped).toEqual([
    { code: null, signal: 'SIGTERM' },
    { code: null, signal: 'SIGTERM' },
  ]);
  await deleteRedisKeys(prefix);
});

describe('a council housing notice travels from the housing adapter to a screener', () => {
  it('a duty to refer becomes a contact for each child, with the DfE factors, referral source 4 and red urgency', async () => {
    const notice = dutyToReferNotice();
    const submitted = await request(adapter.url).post('/notifications').set(southwark.headers).send(notice).expect(202);
    expect(submitted.body).toEqual({ notificationId: expect.any(String), correlationId: expect.any(String), status: 'queued', duplicate: false });
    expect(submitted.body.notificationId).toBe(notificationIdFor('housing', 'E09000028', notice.caseReference));

    const [mia, leo] = await contactsOf(submitted.body.notificationId, 2);
    expect(mia).toMatchObject({ status: 'awaiting_screening', senderUrgency: 'red', child: { givenName: 'Mia', familyName: 'Okafor', dateOfBirth: '2018-09-03' } });
    expect(leo).toMatchObject({ senderUrgency: 'red', child: { givenName: 'Leo', familyName: 'Okafor', dateOfBirth: '2023-01-15' } });
    const stored = mia.notifications[0];
    expect(stored).toMatchObject({
      id: submitted.body.notificationId,
      sourceAgency: 'housing',
      sourceOrganisation: 'E09000028',
      partnerReference: notice.caseReference,
      categories: ['3A'],
      referralSource: '4',
    });
    expect(stored.message).toMatchObject({
      consent: { status: 'given', givenBy: 'parent' },
      lawfulBasis: { article6: 'legal_obligation', statutoryGateways: ['housing_act_1996_s213b', 'children_act_2004_s11'] },
      subjects: { adults: [{ givenName: 'Grace', role: 'household_member', relationshipToChild: 'mother' }] },
      details: {
        agency: 'housing',
        version: 1,
        kind: 'duty_to_refer',
        dutyToRefer: { reason: 'homeless', accommodationTonight: false, chosenCouncil: 'E09000022' },
        relationshipsToApplicant: { children: ['daughter', 'son'], adults: ['applicant'] },
      },
    });
    // The adult is not a subject of a contact of their own.
    expect(await count('SELECT count(*) FROM contact_notification WHERE notification_id = $1', [submitted.body.notificationId])).toBe(2);
    const received = mia.timeline.find((e: { action: string }) => e.action === 'notification.received');
    expect(received).toMatchObject({ actor: housing.adapter.name, onBehalfOf: 'housing' });

    const receipt = await waitFor('the receipt to show the hub accepted it', async () => {
      const response = await request(adapter.url).get(`/notifications/${submitted.body.notificationId}`).set(southwark.headers).expect(200);
      return response.body.status === 'accepted' ? response.body : undefined;
    });
    expect(receipt.contactIds.sort()).toEqual([mia.id, leo.id].sort());
  });

  it('an anti-social behaviour notice and an eviction notice land with their own details and urgency', async () => {
    const asb = await request(adapter.url).post('/notifications').set(southwark.headers).send(antiSocialBehaviourNotice()).expect(202);
    const [kyle] = await contactsOf(asb.body.notificationId, 1);
    expect(kyle).toMatchObject({ senderUrgency: 'amber', child: { givenName: 'Kyle' } });
    expect(kyle.notifications[0]).toMatchObject({ categories: ['14A', '24A'], referralSource: '4' });
    expect(kyle.notifications[0].message).toMatchObject({
      lawfulBasis: { article6: 'public_task', statutoryGateways: ['children_act_2004_s11', 'crime_and_disorder_act_1998_s115'] },
      details: { kind: 'anti_social_behaviour', antiSocialBehaviour: { householdRole: 'alleged_perpetrator', riskLevel: 'medium' } },
    });

    const eviction = await request(adapter.url).post('/notifications').set(southwark.headers).send(evictionNotice()).expect(202);
    const contacts = await contactsOf(eviction.body.notificationId, 2);
    const stored = contacts[0].notifications.find((n: { id: string }) => n.id === eviction.body.notificationId);
    expect(stored).toMatchObject({ categories: [], referralSource: '4' });
    expect(stored.message.details).toMatchObject({ kind: 'eviction', eviction: { noticeType: 'warrant_of_possession', arrearsPounds: 2140.5 } });
  });

  it('the same notice sent twice is one notification', async () => {
    const notice = dutyToReferNotice();
    const first = await request(adapter.url).post('/notifications').set(southwark.headers).send(notice).expect(202);
    const again = await request(adapter.url).post('/notifications').set(southwark.headers).send(notice).expect(202);
    // The hub may have accepted it between the two: the receipt says so, whichever it is.
    expect(again.body).toEqual({ ...first.body, duplicate: true, status: expect.stringMatching(/^(queued|accepted)$/) });
    await contactsOf(first.body.notificationId, 2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await count('SELECT count(*) FROM notification WHERE partner_reference = $1', [notice.caseReference])).toBe(1);
    expect(await count("SELECT count(*) FROM audit_event WHERE subject_id = $1 AND action = 'notification.received'", [first.body.notificationId])).toBe(1);

    const changed = await request(adapter.url).post('/notifications').set(southwark.headers).send({ ...notice, concerns: [] }).expect(409);
    expect(changed.body.message).toMatch(/already received with different content/);
  });

  it('refuses an invalid notice with every error and its path, queuing and storing nothing', async () => {
    const notice = dutyToReferNotice({ caseReference: 'case 1', consent: { status: 'REFUSED' }, concerns: ['HOMELESS'] });
    notice.household.members[1].dateOfBirth = '2018-02-30';
    notice.dutyToRefer = { reason: 'THREATENED_WITH_HOMELESSNESS', chosenCouncil: 'Lambeth' } as never;
    const before = { jobs: await allJobs(), notifications: await count('SELECT count(*) FROM notification') };

    const response = await request(adapter.url).post('/notifications').set(southwark.headers).send(notice).expect(400);
    expect([...new Set(response.body.errors.map((e: { path: string }) => e.path))].sort()).toEqual([
      'caseReference',
      'concerns',
      'consent',
      'dutyToRefer.chosenCouncil',
      'dutyToRefer.expectedHomelessOn',
      'household.members[1].dateOfBirth',
    ]);
    expect(response.body.message).toBe(`The request has ${response.body.errors.length} invalid fields`);
    expect(response.body.errors).toContainEqual({
      path: 'consent',
      message:
        'consent.status must be GIVEN for a duty to refer, not "REFUSED": Housing Act 1996 s213B allows a referral only with the consent of the person referred; without it, make no referral',
    });

    const eviction = evictionNotice({ dutyToRefer: dutyToReferNotice().dutyToRefer, colour: 'blue' });
    const wrongSection = await request(adapter.url).post('/notifications').set(southwark.headers).send(eviction).expect(400);
    expect(wrongSection.body.errors).toEqual(
      expect.arrayContaining([
        { path: 'dutyToRefer', message: 'dutyToRefer must be absent unless kind is DUTY_TO_REFER' },
        { path: 'colour', message: 'property colour should not exist' },
      ]),
    );

    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await allJobs()).toBe(before.jobs);
    expect(await intakeQueue.getJob(notificationIdFor('housing', 'E09000028', eviction.caseReference))).toBeUndefined();
    expect(await count('SELECT count(*) FROM notification')).toBe(before.notifications);
  });

  it("refuses another agency's credential with 403 and queues nothing", async () => {
    const police = await issueTestCredential(prefix, 'police', { system: 'Exampleshire Police PPN' });
    const notice = dutyToReferNotice();
    const refused = await request(adapter.url).post('/notifications').set(police.headers).send(notice).expect(403);
    expect(refused.body.message).toMatch(/belongs to police .*the housing adapter accepts only housing systems/);
    // Nor does the police format get through this adapter under a housing credential.
    await request(adapter.url).post('/notifications').set(southwark.headers).send(policeNotice()).expect(400);
    await request(adapter.url).post('/notifications').expect(401);
    expect(await count('SELECT count(*) FROM notification WHERE partner_reference = $1', [notice.caseReference])).toBe(0);
  });

  it("keeps apart two councils that use the same case reference: both land, and neither reads the other's receipt", async () => {
    const notice = dutyToReferNotice();
    const first = await request(adapter.url).post('/notifications').set(southwark.headers).send(notice).expect(202);
    const second = await request(adapter.url).post('/notifications').set(manchester.headers).send({ ...notice, concerns: [] }).expect(202);
    expect(second.body).toMatchObject({ status: 'queued', duplicate: false });
    expect(second.body.notificationId).not.toBe(first.body.notificationId);
    await contactsOf(first.body.notificationId, 2);
    await contactsOf(second.body.notificationId, 2);
    const stored = await withDatabase(
      async (db) =>
        (await db.query('SELECT id, source_organisation FROM notification WHERE partner_reference = $1 ORDER BY source_organisation', [notice.caseReference])).rows,
    );
    expect(stored).toEqual([
      { id: second.body.notificationId, source_organisation: 'E08000003' },
      { id: first.body.notificationId, source_organisation: 'E09000028' },
    ]);
    const foreign = await request(adapter.url).get(`/notifications/${first.body.notificationId}`).set(manchester.headers).expect(404);
    expect(foreign.body.message).toBe(`No notification with id ${first.body.notificationId}`);
    await request(adapter.url).get(`/notifications/${second.body.notificationId}`).set(southwark.headers).expect(404);
    await request(adapter.url).get(`/notifications/${first.body.notificationId}`).set(southwark.headers).expect(200);
    await request(adapter.url).get(`/notifications/${second.body.notificationId}`).set(manchester.headers).expect(200);
  });

  it('publishes its OpenAPI description, with the three kinds', async () => {
    const docs = await request(adapter.url).get('/docs/openapi.json').expect(200);
    expect(docs.body.paths['/notifications'].post).toBeDefined();
    expect(docs.body.components.schemas.HousingNoticeDto.properties.kind.enum).toEqual(['DUTY_TO_REFER', 'ANTI_SOCIAL_BEHAVIOUR', 'EVICTION']);
    await request(adapter.url).get('/health').expect(200);
  });
});
