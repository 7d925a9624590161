import { Queue } from 'bullmq';
import type { Bundle, OperationOutcome, Organization, Patient } from '@medplum/fhirtypes';
import request from 'supertest';
import { notificationIdFor } from '#adapter-kit';
import { hubIntakeQueue } from '#contracts';
import { baseDefinitionIssues } from '../apps/health-adapter/src/fhir-definitions.js';
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
import { communicationOf, containedReferral, healthReferral, referenceOf, resourceOf } from './support/health-referrals.js';
import { notificationJobs } from './support/queues.js';
import { issueTestCredential, type TestCredential } from './support/partner-credentials.js';
import { APPS, AppProcess, hubEnv } from './support/processes.js';
import { staff } from './support/staff.js';

const FHIR_JSON = 'application/fhir+json';
const prefix = uniquePrefix();
const env = { DATABASE_URL: TEST_APP_DATABASE_URL, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix };
let hub: AppProcess;
let adapter: AppProcess;
let intakeQueue: Queue;
let trust: TestCredential;

const count = (sql: string, params: unknown[] = []) => withDatabase(async (db) => Number((await db.query(sql, params)).rows[0].count));
const allJobs = () => notificationJobs(intakeQueue);

/** Sends a Bundle as a FHIR client does: application/fhir+json, serialised by hand so supertest keeps the media type. */
function send(bundle: unknown, credential: TestCredential | null = trust) {
  const post = request(adapter.url).post('/fhir').set('Content-Type', FHIR_JSON).set('Accept', FHIR_JSON);
  if (credential) post.set(credential.headers);
  return post.send(JSON.stringify(bundle));
}

/** Bodies in application/fhir+json, which supertest leaves as text. */
const json = <T>(response: request.Response): T => JSON.parse(response.text) as T;

function notificationIdOf(response: request.Response): string {
  const bundle = json<Bundle>(response);
  return bundle.identifier!.value!.replace('urn:uuid:', '');
}

function receiptOf(response: request.Response): Record<string, unknown> {
  const bundle = json<Bundle>(response);
  const outcome = bundle.entry!.find((e) => e.response?.outcome)!.response!.outcome!;
  return Object.fromEntries(outcome.extension![0].extension!.map((e) => [e.url, e.valueUuid ?? e.valueCode ?? e.valueBoolean]));
}

async function contactOf(notificationId: string) {
  const contactId = await waitFor('the referral to reach a contact', () =>
    withDatabase(async (db) => {
      const rows = await db.query('SELECT contact_id FROM contact_notification WHERE notification_id = $1', [notificationId]);
      return rows.rows[0]?.contact_id as string | undefined;
    }),
  );
  return (await request(hub.url).get(`/api/contacts/${contactId}`).set(staff.screener).expect(200)).body;
}

/** Issues of an OperationOutcome answer, as expression → text; every issue must name its path. */
function issuesOf(response: request.Response): Record<string, string> {
  expect(response.headers['content-type']).toMatch(/^application\/fhir\+json/);
  const outcome = json<OperationOutcome>(response);
  expect(outcome.resourceType).toBe('OperationOutcome');
  expect(baseDefinitionIssues(outcome)).toEqual([]);
  for (const issue of outcome.issue) expect(issue.expression?.length).toBeGreaterThan(0);
  return Object.fromEntries(outcome.issue.map((i) => [i.expression![0], i.details!.text!]));
}

beforeAll(async () => {
  await resetDatabase();
  trust = await issueTestCredential(prefix, 'health', { organisation: 'RJ1', system: 'Example Hospitals EPR' });
  hub = new AppProcess('hub', APPS.hub, hubEnv({ ...env, LOG_LEVEL: 'log' }), await freePort());
  adapter = new AppProcess('health-adapter', APPS.healthAdapter, { ...env, LOG_LEVEL: 'log' }, await freePort());
  await Promise.all([hub.ready(), adapter.ready()]);
  intakeQueue = new Queue(hubIntakeQueue('health'), { connection: { url: TEST_REDIS_URL }, prefix });
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

describe('a FHIR referral travels from the health adapter to a screener', () => {
  it('becomes a contact with its child, DfE categories, referral source and urgency', async () => {
    const bundle = healthReferral();
    const submitted = await send(bundle).expect(202);
    expect(submitted.headers['content-type']).toMatch(/^application\/fhir\+json/);
    const answer = json<Bundle>(submitted);
    expect(answer).toMatchObject({ resourceType: 'Bundle', type: 'transaction-response' });
    expect(answer.entry).toHaveLength(bundle.entry!.length);
    expect(baseDefinitionIssues(answer)).toEqual([]);
    const notificationId = notificationIdOf(submitted);
    expect(notificationId).toBe(notificationIdFor('health', 'RJ1', referenceOf(bundle)));
    expect(receiptOf(submitted)).toMatchObject({ status: 'queued', duplicate: false });

    const contact = await contactOf(notificationId);
    expect(contact).toMatchObject({
      status: 'awaiting_screening',
      senderUrgency: 'amber',
      child: { givenName: 'Poppy', familyName: 'Sample', dateOfBirth: '2026-08-02', nhsNumber: '9990001014' },
    });
    expect(contact.notifications).toHaveLength(1);
    expect(contact.notifications[0]).toMatchObject({
      id: notificationId,
      sourceAgency: 'health',
      sourceOrganisation: 'RJ1',
      partnerReference: referenceOf(bundle),
      categories: ['18A'],
      referralSource: '3F',
    });
    expect(contact.notifications[0].message.details).toMatchObject({
      agency: 'health',
      version: 1,
      fhirPriority: 'urgent',
      gpPracticeOdsCode: 'A81001',
      communicationIdentifier: communicationOf(bundle).identifier![0],
      previousUnscheduledAttendances: [expect.objectContaining({ attendedOn: '2026-10-03', encounterClass: 'EMER' })],
    });
    expect(contact.notifications[0].message.submittedBy).toEqual({ credentialId: trust.credential.id, system: 'Example Hospitals EPR' });

    // The hub's acceptance reaches the kit's receipt.
    const receipt = await waitFor('the receipt to show the hub accepted it', async () => {
      const response = await request(adapter.url).get(`/notifications/${notificationId}`).set(trust.headers).expect(200);
      return response.body.status === 'accepted' ? response.body : undefined;
    });
    expect(receipt.contactIds).toEqual([contact.id]);
    // Nothing personal in the adapter's log.
    expect(adapter.output.join('\n')).not.toMatch(/9990001014|Poppy|Sample/);
  });

  it('the same Bundle twice gives one notification; a changed one under the same identifier is a 409 OperationOutcome', async () => {
    const bundle = healthReferral();
    const first = await send(bundle).expect(202);
    const again = await send(bundle).expect(202);
    expect(notificationIdOf(again)).toBe(notificationIdOf(first));
    expect(receiptOf(again)).toMatchObject({ duplicate: true, correlationId: receiptOf(first).correlationId });
    await contactOf(notificationIdOf(first));
    expect(await count('SELECT count(*) FROM contact_notification WHERE notification_id = $1', [notificationIdOf(first)])).toBe(1);

    communicationOf(bundle).priority = 'stat';
    const changed = await send(bundle).expect(409);
    expect(Object.values(issuesOf(changed))).toEqual([expect.stringMatching(/already received with different content/)]);
    expect(json<OperationOutcome>(changed).issue[0].code).toBe('duplicate');

  });

  it('keys a referral by its identifier system and value: the same value from another of the trust\'s systems is another referral', async () => {
    const bundle = healthReferral();
    const first = await send(bundle).expect(202);
    communicationOf(bundle).identifier![0].system = 'https://fhir.example-hospitals.nhs.uk/Id/maternity-referral';
    const second = await send(bundle).expect(202);
    expect(receiptOf(second)).toMatchObject({ duplicate: false });
    expect(notificationIdOf(second)).not.toBe(notificationIdOf(first));
    const contact = await contactOf(notificationIdOf(second));
    const stored = contact.notifications.find((n: { id: string }) => n.id === notificationIdOf(second));
    const { value } = communicationOf(bundle).identifier![0];
    expect(stored.partnerReference).toBe(`https://fhir.example-hospitals.nhs.uk/Id/maternity-referral|${value}`);
  });

  it('takes the same referral as a Communication with contained resources, and knows it again whatever its fullUrls', async () => {
    const bundle = healthReferral();
    const submitted = await request(adapter.url)
      .post('/fhir/Communication')
      .set(trust.headers)
      .set('Content-Type', FHIR_JSON)
      .send(JSON.stringify(containedReferral(bundle)))
      .expect(202);
    expect(submitted.headers['content-type']).toMatch(/^application\/fhir\+json/);
    const outcome = json<OperationOutcome>(submitted);
    expect(baseDefinitionIssues(outcome)).toEqual([]);
    const receipt = Object.fromEntries(outcome.extension![0].extension!.map((e) => [e.url, e.valueUuid ?? e.valueCode ?? e.valueBoolean]));
    expect(receipt).toMatchObject({ notificationId: `urn:uuid:${notificationIdFor('health', 'RJ1', referenceOf(bundle))}`, status: 'queued', duplicate: false });
    const contact = await contactOf(notificationIdFor('health', 'RJ1', referenceOf(bundle)));
    expect(contact.notifications[0]).toMatchObject({ categories: ['18A'], referralSource: '3F' });

    // The same referral as a Bundle, with fresh urn:uuid fullUrls as a client may make on resending: a duplicate.
    const resent = JSON.parse(JSON.stringify(bundle).replaceAll('6a1f0d2e-5b7c-4e8a-9f10-2c3d4e5f6a0', '0c9d8e7f-1a2b-4c3d-8e4f-5a6b7c8d9e0')) as Bundle;
    expect(receiptOf(await send(resent).expect(202))).toMatchObject({ duplicate: true });

    const invalid = containedReferral(healthReferral());
    (invalid.contained![0] as Patient).identifier![0].value = '9990001015';
    const refused = await request(adapter.url).post('/fhir/Communication').set(trust.headers).set('Content-Type', FHIR_JSON).send(JSON.stringify(invalid)).expect(400);
    expect(issuesOf(refused)).toEqual({ 'Communication.contained[0].identifier[0].value': expect.stringMatching(/check digit/) });
    const anonymous = await request(adapter.url).post('/fhir/Communication').set('Content-Type', FHIR_JSON).send(JSON.stringify(invalid)).expect(401);
    expect(issuesOf(anonymous)).toEqual({ Communication: expect.stringMatching(/Authorization: Bearer/) });
  });

  it('accepts plain application/json too', async () => {
    const bundle = healthReferral();
    await request(adapter.url).post('/fhir').set(trust.headers).send(bundle).expect(202);
  });

  it('refuses an invalid Bundle with an OperationOutcome naming each problem, queuing nothing', async () => {
    const before = await allJobs();

    const wrongSystem = healthReferral();
    resourceOf<Patient>(wrongSystem, 'Patient').identifier![0].system = 'http://fhir.nhs.uk/Id/nhs-number';
    communicationOf(wrongSystem).priority = 'soonish' as never;
    const refusedSystem = await send(wrongSystem).expect(400);
    expect(issuesOf(refusedSystem)).toEqual({ 'Bundle.entry[0].resource.priority': expect.stringMatching(/routine, urgent, asap, stat/) });
    communicationOf(wrongSystem).priority = 'urgent';
    expect(issuesOf(await send(wrongSystem).expect(400))).toEqual({
      'Bundle.entry[1].resource.identifier[0].system': expect.stringMatching(/exactly https:\/\/fhir\.nhs\.uk\/Id\/nhs-number/),
    });

    const noPatient = healthReferral();
    noPatient.entry = noPatient.entry!.filter((e) => e.resource?.resourceType !== 'Patient');
    const noPatientIssues = issuesOf(await send(noPatient).expect(400));
    expect(noPatientIssues['Bundle.entry']).toMatch(/no Patient/);

    const invalid = healthReferral();
    const patient = resourceOf<Patient>(invalid, 'Patient') as Patient & Record<string, unknown>;
    patient.birthDate = '02/08/2026';
    patient.hairColour = 'brown';
    patient.identifier![0].value = 9990001014 as never;
    const invalidIssues = issuesOf(await send(invalid).expect(400));
    expect(Object.keys(invalidIssues)).toEqual(
      expect.arrayContaining(['Bundle.entry[1].resource.hairColour', 'Bundle.entry[1].resource.identifier[0].value', 'Bundle.entry[1].resource.birthDate']),
    );

    const notJson = await request(adapter.url).post('/fhir').set(trust.headers).set('Content-Type', FHIR_JSON).send('{"resourceType": ');
    expect(notJson.status).toBe(400);
    expect(json<OperationOutcome>(notJson).resourceType).toBe('OperationOutcome');

    expect(await allJobs()).toBe(before);
    for (const refused of [wrongSystem, invalid]) {
      expect(await intakeQueue.getJob(notificationIdFor('health', 'RJ1', referenceOf(refused)))).toBeUndefined();
    }
  });

  it('answers 401 and 403 as OperationOutcomes, and refuses a sender other than the credential\'s organisation', async () => {
    const before = await allJobs();
    const anonymous = await send(healthReferral(), null).expect(401);
    expect(issuesOf(anonymous)).toEqual({ Bundle: expect.stringMatching(/Authorization: Bearer/) });
    expect(json<OperationOutcome>(anonymous).issue[0].code).toBe('login');
    expect(anonymous.headers['www-authenticate']).toMatch(/^Bearer realm="MASH health adapter"/);

    const police = await issueTestCredential(prefix, 'police');
    const forbidden = await send(healthReferral(), police).expect(403);
    expect(Object.values(issuesOf(forbidden))).toEqual([expect.stringMatching(/belongs to police .*accepts only health systems/)]);
    expect(json<OperationOutcome>(forbidden).issue[0].code).toBe('forbidden');

    const otherTrust = await issueTestCredential(prefix, 'health', { organisation: 'RXH' });
    const impersonated = await send(healthReferral(), otherTrust).expect(403);
    expect(issuesOf(impersonated)).toEqual({ 'Bundle.entry[0].resource.sender': expect.stringMatching(/RJ1 is not the organisation .*RXH/) });
    expect(await allJobs()).toBe(before);
  });

  it('two trusts using the same identifier both land, and neither sees the other\'s receipt', async () => {
    const otherTrust = await issueTestCredential(prefix, 'health', { organisation: 'RXH' });
    const ours = healthReferral();
    const theirs = structuredClone(ours);
    resourceOf<Organization>(theirs, 'Organization').identifier![0].value = 'RXH';
    const first = await send(ours).expect(202);
    const second = await send(theirs, otherTrust).expect(202);
    expect(receiptOf(second)).toMatchObject({ duplicate: false });
    expect(notificationIdOf(second)).not.toBe(notificationIdOf(first));
    await contactOf(notificationIdOf(first));
    await contactOf(notificationIdOf(second));
    await request(adapter.url).get(`/notifications/${notificationIdOf(first)}`).set(otherTrust.headers).expect(404);
    const notOurs = await request(adapter.url).get(`/notifications/${notificationIdOf(second)}`).set(trust.headers).expect(404);
    // The kit's receipts route keeps the kit's own answers.
    expect(notOurs.body).toMatchObject({ statusCode: 404, message: `No notification with id ${notificationIdOf(second)}` });
  });

  it('publishes a valid CapabilityStatement at /fhir/metadata', async () => {
    const response = await request(adapter.url).get('/fhir/metadata').expect(200);
    expect(response.headers['content-type']).toMatch(/^application\/fhir\+json/);
    const statement = json<Record<string, unknown>>(response);
    expect(statement).toMatchObject({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1', format: [FHIR_JSON] });
    expect(baseDefinitionIssues(statement as never)).toEqual([]);
    await request(adapter.url).get('/docs/openapi.json').expect(200).expect((r) => expect(r.body.paths).toHaveProperty(['/fhir']));
  });
});
