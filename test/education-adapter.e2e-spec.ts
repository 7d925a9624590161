import { Queue } from 'bullmq';
import request from 'supertest';
import { hubIntakeQueue } from '#contracts';
import { TEST_APP_DATABASE_URL, TEST_REDIS_URL, deleteRedisKeys, freePort, resetDatabase, uniquePrefix, waitFor, withDatabase } from './support/environment.js';
import { schoolConcern, virtualSchoolConcern } from './support/education-concerns.js';
import { issueTestCredential, type TestCredential } from './support/partner-credentials.js';
import { APPS, AppProcess, hubEnv } from './support/processes.js';
import { policeNotice } from './support/police-notices.js';
import { staff } from './support/staff.js';
import { notificationJobs } from './support/queues.js';

const prefix = uniquePrefix();
const env = { DATABASE_URL: TEST_APP_DATABASE_URL, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix };
let hub: AppProcess;
let adapter: AppProcess;
let intakeQueue: Queue;
let school: TestCredential;
let otherSchool: TestCredential;
let virtualSchool: TestCredential;
let police: TestCredential;

const count = (sql: string, params: unknown[] = []) => withDatabase(async (db) => Number((await db.query(sql, params)).rows[0].count));

/** The contacts a notification joined, once the hub has stored it, as a screener sees them. */
async function contactsOf(notificationId: string) {
  const contactIds = await waitFor('the notification to reach its contacts', () =>
    withDatabase(async (db) => {
      const rows = await db.query('SELECT contact_id FROM contact_notification WHERE notification_id = $1 ORDER BY child_index', [notificationId]);
      return rows.rows.length ? (rows.rows.map((row) => row.contact_id) as string[]) : undefined;
    }),
  );
  return Promise.all(contactIds.map(async (id) => (await request(hub.url).get(`/api/contacts/${id}`).set(staff.screener).expect(200)).body));
}

beforeAll(async () => {
  await resetDatabase();
  [school, otherSchool, virtualSchool, police] = await Promise.all([
    issueTestCredential(prefix, 'education', { organisation: '123456', system: 'Example Primary safeguarding records' }),
    issueTestCredential(prefix, 'education', { organisation: '654321', system: 'Sample Academy safeguarding records' }),
    issueTestCredential(prefix, 'education', { organisation: 'E09000028', system: 'Exampleshire virtual school' }),
    issueTestCredential(prefix, 'police'),
  ]);
  hub = new AppProcess('hub', APPS.hub, hubEnv({ ...env, INTAKE_CONCURRENCY: '4' }), await freePort());
  adapter = new AppProcess('education-adapter', APPS.educationAdapter, { ...env, LOG_LEVEL: 'warn' }, await freePort());
  await Promise.all([hub.ready(), adapter.ready()]);
  intakeQueue = new Queue(hubIntakeQueue('education'), { connection: { url: TEST_REDIS_URL }, prefix });
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

describe("a school's concern reaches a screener", () => {
  it('becomes a contact for the pupil it is about, with DfE factors, referral source 2A and the sender urgency', async () => {
    const concern = schoolConcern();
    const submitted = await request(adapter.url).post('/notifications').set(school.headers).send(concern).expect(202);
    expect(submitted.body).toEqual({ notificationId: expect.any(String), correlationId: expect.any(String), status: 'queued', duplicate: false });

    const [contact, ...others] = await contactsOf(submitted.body.notificationId);
    expect(others).toEqual([]);
    expect(contact).toMatchObject({
      status: 'awaiting_screening',
      senderUrgency: 'amber',
      child: { givenName: 'Maya', familyName: 'Example', dateOfBirth: '2016-09-03' },
    });
    expect(contact.notifications[0]).toMatchObject({
      id: submitted.body.notificationId,
      sourceAgency: 'education',
      sourceOrganisation: '123456',
      partnerReference: concern.concernReference,
      categories: ['18A'],
      referralSource: '2A',
    });
    expect(contact.notifications[0].message.details).toMatchObject({
      agency: 'education',
      version: 1,
      sender: 'school',
      schoolUrn: '123456',
      dslDecision: 'refer_to_mash',
      pupils: [{ upn: 'D820400126001', yearGroup: '5', bodyMap: [{ location: 'left upper arm, outer side' }, { location: 'left forearm, inner side' }] }],
      linkedPupils: [{ givenName: 'Leo', connection: 'sibling' }],
    });
    expect(contact.notifications[0].message.subjects.children[0].voice.words).toBe(concern.pupils[0].voiceOfChild.words);

    const receipt = await waitFor('the receipt to show the hub accepted it', async () => {
      const response = await request(adapter.url).get(`/notifications/${submitted.body.notificationId}`).set(school.headers).expect(200);
      return response.body.status === 'accepted' ? response.body : undefined;
    });
    expect(receipt.contactIds).toEqual([contact.id]);
  });

  it('never makes a linked pupil a subject: a sibling, a witness and a pupil alleged to have harmed get no child record and no contact', async () => {
    const concern = schoolConcern({
      linkedPupils: [
        { forename: 'Leo', surname: 'Linkedsibling', yearGroup: '2', connection: 'SIBLING' },
        { forename: 'Zara', surname: 'Linkedwitness', yearGroup: '5', connection: 'WITNESS' },
        { forename: 'Noah', surname: 'Linkedharmer', yearGroup: '6', connection: 'ALLEGED_TO_HAVE_HARMED' },
      ],
    });
    const submitted = await request(adapter.url).post('/notifications').set(school.headers).send(concern).expect(202);
    const contacts = await contactsOf(submitted.body.notificationId);
    expect(contacts.map((c) => c.child.givenName)).toEqual(['Maya']);
    expect(contacts[0].notifications.find((n: { id: string }) => n.id === submitted.body.notificationId).message.subjects.children).toHaveLength(1);
    expect(await count("SELECT count(*) FROM child WHERE family_name LIKE 'Linked%'")).toBe(0);
    expect(await count('SELECT count(*) FROM contact_notification WHERE notification_id = $1', [submitted.body.notificationId])).toBe(1);
  });

  it('is sent red when the DSL judges the pupil in immediate danger', async () => {
    const submitted = await request(adapter.url).post('/notifications').set(school.headers).send(schoolConcern({ immediateDanger: true })).expect(202);
    await contactsOf(submitted.body.notificationId);
    expect(await count("SELECT count(*) FROM notification WHERE id = $1 AND sender_urgency = 'red'", [submitted.body.notificationId])).toBe(1);
  });
});

describe("the virtual school's concern reaches a screener", () => {
  it("under the council's ONS code, with the child's looked-after status and referral source 5B", async () => {
    const concern = virtualSchoolConcern();
    const submitted = await request(adapter.url).post('/notifications').set(virtualSchool.headers).send(concern).expect(202);
    const contacts = await contactsOf(submitted.body.notificationId);
    expect(contacts.map((c) => c.child.givenName)).toEqual(['Jordan']);
    expect(contacts[0].notifications[0]).toMatchObject({
      sourceAgency: 'education',
      sourceOrganisation: 'E09000028',
      partnerReference: concern.concernReference,
      categories: ['24A', '10A'],
      referralSource: '5B',
    });
    expect(contacts[0].notifications[0].message.details).toMatchObject({
      sender: 'virtual_school',
      pupils: [{ lookedAfterStatus: 'looked_after_s31_care_order', responsibleLocalAuthority: 'E09000028' }],
      linkedPupils: [{ givenName: 'Kai', connection: 'alleged_to_have_harmed' }],
    });
    expect(await count("SELECT count(*) FROM child WHERE given_name = 'Kai'")).toBe(0);
  });
});

describe('the same concern twice', () => {
  it('gives one notification, with the same id and correlation id', async () => {
    const concern = schoolConcern();
    const first = await request(adapter.url).post('/notifications').set(school.headers).send(concern).expect(202);
    const again = await request(adapter.url).post('/notifications').set(school.headers).send(concern).expect(202);
    expect(again.body).toEqual({ ...first.body, duplicate: true, status: expect.stringMatching(/^(queued|accepted)$/) });
    await contactsOf(first.body.notificationId);
    expect(await count('SELECT count(*) FROM notification WHERE partner_reference = $1', [concern.concernReference])).toBe(1);

    // The same reference with different content is refused once the first is queued.
    const changed = await request(adapter.url).post('/notifications').set(school.headers).send({ ...concern, immediateDanger: true }).expect(409);
    expect(changed.body.message).toEqual(expect.any(String));
  });
});

describe('refusals', () => {
  it('refuses an invalid concern with every error and its path, and queues nothing', async () => {
    const before = await notificationJobs(intakeQueue);
    const concern = schoolConcern({ concernReference: 'concern 1', concerns: ['BULLYING'], dslDecision: 'WAIT', immediateDanger: 'yes' });
    const pupil = concern.pupils[0] as Record<string, unknown>;
    pupil.upn = 'A820400126001';
    pupil.dateOfBirth = '2016-02-30';
    (concern.linkedPupils[0] as Record<string, unknown>).connection = 'VICTIM';
    const response = await request(adapter.url).post('/notifications').set(school.headers).send(concern).expect(400);
    expect(response.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(
      ['concernReference', 'concerns', 'dslDecision', 'immediateDanger', 'linkedPupils[0].connection', 'pupils[0].dateOfBirth', 'pupils[0].upn'].sort(),
    );
    for (const error of response.body.errors) expect(error.message).toEqual(expect.any(String));

    // A virtual school's concern without the looked-after status, and with a URN of its own.
    const virtual = virtualSchoolConcern({ schoolUrn: '123456' });
    delete (virtual.pupils[0] as Record<string, unknown>).lookedAfter;
    const refused = await request(adapter.url).post('/notifications').set(virtualSchool.headers).send(virtual).expect(400);
    expect(refused.body.errors.map((e: { path: string }) => e.path)).toEqual(['schoolUrn', 'pupils[0].lookedAfter']);

    expect(await notificationJobs(intakeQueue)).toBe(before);
    for (const reference of [concern.concernReference, virtual.concernReference]) {
      expect(await count('SELECT count(*) FROM notification WHERE partner_reference = $1', [reference])).toBe(0);
    }
  });

  it("refuses a concern whose sender is not the credential's school or virtual school, and queues nothing", async () => {
    const before = await notificationJobs(intakeQueue);
    const wrongUrn = await request(adapter.url).post('/notifications').set(otherSchool.headers).send(schoolConcern()).expect(400);
    expect(wrongUrn.body.errors).toEqual([{ path: 'schoolUrn', message: 'schoolUrn must be 654321, the URN of the school this credential belongs to' }]);
    const schoolAsVirtual = await request(adapter.url).post('/notifications').set(school.headers).send(virtualSchoolConcern()).expect(400);
    expect(schoolAsVirtual.body.errors).toEqual([{ path: 'raisedBy', message: 'raisedBy must be SCHOOL: this credential is the school with URN 123456' }]);
    expect(await notificationJobs(intakeQueue)).toBe(before);
  });

  it("refuses a police credential with 403, and lets it read no education receipt", async () => {
    const accepted = await request(adapter.url).post('/notifications').set(school.headers).send(schoolConcern()).expect(202);
    const refused = await request(adapter.url).post('/notifications').set(police.headers).send(policeNotice()).expect(403);
    expect(refused.body.message).toBe('this credential belongs to police (organisation 01); the education adapter accepts only education systems');
    await request(adapter.url).get(`/notifications/${accepted.body.notificationId}`).set(police.headers).expect(403);
    await request(adapter.url).post('/notifications').send(schoolConcern()).expect(401);
  });
});

describe('two schools using the same reference', () => {
  it("both land, and neither sees the other's receipt", async () => {
    const concern = schoolConcern();
    const first = await request(adapter.url).post('/notifications').set(school.headers).send(concern).expect(202);
    const second = await request(adapter.url).post('/notifications').set(otherSchool.headers).send({ ...concern, schoolUrn: '654321' }).expect(202);
    expect(second.body).toMatchObject({ status: 'queued', duplicate: false });
    expect(second.body.notificationId).not.toBe(first.body.notificationId);
    await contactsOf(first.body.notificationId);
    await contactsOf(second.body.notificationId);
    const stored = await withDatabase(
      async (db) =>
        (await db.query('SELECT id, source_organisation FROM notification WHERE partner_reference = $1 ORDER BY source_organisation', [concern.concernReference])).rows,
    );
    expect(stored).toEqual([
      { id: first.body.notificationId, source_organisation: '123456' },
      { id: second.body.notificationId, source_organisation: '654321' },
    ]);
    await request(adapter.url).get(`/notifications/${first.body.notificationId}`).set(otherSchool.headers).expect(404);
    await request(adapter.url).get(`/notifications/${second.body.notificationId}`).set(school.headers).expect(404);
    await request(adapter.url).get(`/notifications/${first.body.notificationId}`).set(school.headers).expect(200);
    await request(adapter.url).get(`/notifications/${second.body.notificationId}`).set(otherSchool.headers).expect(200);
  });
});
