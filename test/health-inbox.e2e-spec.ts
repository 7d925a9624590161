import { randomUUID } from 'node:crypto';
import type { Bundle, CapabilityStatement, Communication, OperationOutcome, Organization, Parameters } from '@medplum/fhirtypes';
import request from 'supertest';
import { notificationIdFor } from '#adapter-kit';
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
import { communicationOf, healthReferral, referenceOf, resourceOf } from './support/health-referrals.js';
import { issueTestCredential, type TestCredential } from './support/partner-credentials.js';
import { APPS, AppProcess, hubEnv } from './support/processes.js';

const FHIR_JSON = 'application/fhir+json';
const prefix = uniquePrefix();
const env = { DATABASE_URL: TEST_APP_DATABASE_URL, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix };
let hub: AppProcess;
let adapter: AppProcess;
/** Two NHS trusts: two organisations of health, each with its own inbox. */
let rj1: TestCredential;
let rxh: TestCredential;

/** Bodies in application/fhir+json, which supertest leaves as text; every one must be valid R4. */
function fhir<T>(response: request.Response): T {
  expect(response.headers['content-type']).toMatch(/^application\/fhir\+json/);
  const resource = JSON.parse(response.text) as T;
  expect(baseDefinitionIssues(resource as never)).toEqual([]);
  return resource;
}

/** Issues of an OperationOutcome answer, as expression → text; every issue must name where. */
function issuesOf(response: request.Response): Record<string, string> {
  const outcome = fhir<OperationOutcome>(response);
  expect(outcome.resourceType).toBe('OperationOutcome');
  for (const issue of outcome.issue) expect(issue.expression?.length).toBeGreaterThan(0);
  return Object.fromEntries(outcome.issue.map((i) => [i.expression![0], i.details!.text!]));
}

function send(bundle: Bundle, credential: TestCredential) {
  return request(adapter.url).post('/fhir').set(credential.headers).set('Content-Type', FHIR_JSON).send(JSON.stringify(bundle)).expect(202);
}

/** A referral from the trust: the example Bundle, its sender the trust. */
function referralFrom(organisation: string): Bundle {
  const bundle = healthReferral();
  resourceOf<Organization>(bundle, 'Organization').identifier![0].value = organisation;
  return bundle;
}

const search = async (credential: TestCredential, type = 'Communication', query: Record<string, string | number> = {}) =>
  fhir<Bundle>(await request(adapter.url).get(`/fhir/${type}`).set(credential.headers).set('Accept', FHIR_JSON).query(query).expect(200));

const communications = async (credential: TestCredential) =>
  ((await search(credential, 'Communication', { _count: 200 })).entry ?? []).map((entry) => entry.resource as Communication);

/** Waits for the MASH's acceptance of the referral in the trust's FHIR inbox. */
const acceptanceOf = (credential: TestCredential, reference: string) =>
  waitFor(`the acceptance of ${reference} in the FHIR inbox`, async () =>
    (await communications(credential)).find((c) => {
      const identifier = c.inResponseTo?.[0]?.identifier;
      return `${identifier?.system}|${identifier?.value}` === reference;
    }),
  );

const acknowledge = (id: string, credential: TestCredential) =>
  request(adapter.url).post(`/fhir/Communication/${id}/$acknowledge`).set(credential.headers).set('Accept', FHIR_JSON);

const auditEvents = (action: string, messageId: string) =>
  withDatabase(
    async (db) =>
      (
        await db.query("SELECT actor_id, details FROM audit_event WHERE action = $1 AND subject_type = 'outbox_message' AND subject_id = $2", [
          action,
          messageId,
        ])
      ).rows as { actor_id: string; details: Record<string, unknown> }[],
  );

const eventually = (action: string, messageId: string) =>
  waitFor(`${action} of ${messageId} in the audit trail`, async () => {
    const events = await auditEvents(action, messageId);
    return events.length ? events : undefined;
  });

beforeAll(async () => {
  await resetDatabase();
  rj1 = await issueTestCredential(prefix, 'health', { organisation: 'RJ1', system: 'Example Hospitals EPR' });
  rxh = await issueTestCredential(prefix, 'health', { organisation: 'RXH', system: 'Otherplace EPR' });
  hub = new AppProcess('hub', APPS.hub, hubEnv({ ...env }), await freePort());
  adapter = new AppProcess('health-adapter', APPS.healthAdapter, { ...env, LOG_LEVEL: 'warn' }, await freePort());
  await Promise.all([hub.ready(), adapter.ready()]);
}, 60_000);

afterAll(async () => {
  const stopped = await Promise.all([hub?.stop(), adapter?.stop()]);
  expect(stopped).toEqual([
    { code: null, signal: 'SIGTERM' },
    { code: null, signal: 'SIGTERM' },
  ]);
  await deleteRedisKeys(prefix);
});

describe("a health organisation's inbox in FHIR", () => {
  let bundle: Bundle;
  let communication: Communication;
  let messageId: string;

  it("gives the MASH's acceptance of a referral as a Communication in that trust's inbox, and not another trust's", async () => {
    bundle = referralFrom('RJ1');
    await send(bundle, rj1);
    const notificationId = notificationIdFor('health', 'RJ1', referenceOf(bundle));
    communication = await acceptanceOf(rj1, referenceOf(bundle));
    messageId = communication.id!;

    const { outboxId, contactId } = await withDatabase(async (db) => ({
      outboxId: (await db.query("SELECT id FROM outbox_message WHERE payload->>'notificationId' = $1", [notificationId])).rows[0].id as string,
      contactId: (await db.query('SELECT contact_id FROM contact_notification WHERE notification_id = $1', [notificationId])).rows[0].contact_id as string,
    }));
    const receipt = (await request(adapter.url).get(`/notifications/${notificationId}`).set(rj1.headers).expect(200)).body;
    expect(communication).toEqual({
      resourceType: 'Communication',
      id: outboxId,
      identifier: [{ system: 'https://mash.example.gov.uk/fhir/Id/inbox-message', value: outboxId }],
      // The referral by its Communication.identifier exactly as the trust sent it.
      inResponseTo: [{ type: 'Communication', identifier: communicationOf(bundle).identifier![0] }],
      status: 'completed',
      category: [
        { coding: [{ system: 'https://mash.example.gov.uk/fhir/CodeSystem/inbox-message-kind', code: 'notification.accepted', display: 'Referral accepted by the MASH' }] },
      ],
      about: [{ identifier: { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${notificationId}` }, display: 'The MASH notification made of the referral' }],
      sent: receipt.acceptedAt,
      recipient: [{ type: 'Organization', identifier: { system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'RJ1' } }],
      sender: { display: 'Multi-agency safeguarding hub' },
      payload: [
        { contentString: 'Accepted by the MASH: it joined one contact.' },
        { contentReference: { identifier: { system: 'https://mash.example.gov.uk/fhir/Id/contact', value: contactId }, display: 'MASH contact' } },
      ],
    });

    // The other trust sees nothing of it, and cannot acknowledge it: not found, exactly like an unknown id.
    expect((await communications(rxh)).map((c) => c.id)).not.toContain(messageId);
    const foreign = issuesOf(await acknowledge(messageId, rxh).expect(404));
    const unknownId = randomUUID();
    const unknown = issuesOf(await acknowledge(unknownId, rxh).expect(404));
    expect(foreign).toEqual({ 'Communication.id': `No Communication with id ${messageId} in your inbox` });
    expect(unknown).toEqual({ 'Communication.id': `No Communication with id ${unknownId} in your inbox` });
    // Nor page from it.
    const cursor = await request(adapter.url).get('/fhir/Communication').set(rxh.headers).query({ _cursor: messageId }).expect(400);
    expect(issuesOf(cursor)).toEqual({ _cursor: `_cursor must be the one in the previous page's next link: there is no message ${messageId} in your inbox` });
    // The first listing is on the audit trail, once, as the trust's system.
    const [delivered] = await eventually('inbox.delivered', messageId);
    expect(delivered).toMatchObject({ actor_id: rj1.credential.id, details: { organisation: 'RJ1', messageId, kind: 'notification.accepted' } });
  });

  it('pages oldest first by the link next', async () => {
    const later = [referralFrom('RJ1'), referralFrom('RJ1')];
    for (const referral of later) {
      await send(referral, rj1);
      await acceptanceOf(rj1, referenceOf(referral));
    }
    const all = (await communications(rj1)).map((c) => c.id);
    expect(all.length).toBeGreaterThanOrEqual(3);
    expect(all[0]).toBe(messageId);

    const paged: string[] = [];
    let page = await search(rj1, 'Communication', { _count: 1 });
    expect(page.link).toEqual([
      { relation: 'self', url: `${adapter.url}/fhir/Communication?_count=1` },
      { relation: 'next', url: `${adapter.url}/fhir/Communication?_count=1&_cursor=${messageId}` },
    ]);
    for (;;) {
      expect(page).toMatchObject({ resourceType: 'Bundle', type: 'searchset' });
      for (const entry of page.entry ?? []) {
        expect(entry.fullUrl).toBe(`${adapter.url}/fhir/Communication/${entry.resource!.id}`);
        paged.push(entry.resource!.id!);
      }
      const next = page.link?.find((link) => link.relation === 'next')?.url;
      if (!next) break;
      page = fhir<Bundle>(await request(next).get('').set(rj1.headers).expect(200));
    }
    expect(paged).toEqual(all);
  });

  it('acknowledges a Communication once: it leaves the inbox, again gives the same answer, one audit event', async () => {
    const first = fhir<Parameters>(await acknowledge(messageId, rj1).expect(200));
    expect(first).toEqual({ resourceType: 'Parameters', parameter: [{ name: 'acknowledgedAt', valueInstant: expect.stringMatching(/Z$/) }] });
    const again = fhir<Parameters>(await acknowledge(messageId.toUpperCase(), rj1).expect(200));
    expect(again).toEqual(first);
    // A client that percent-encodes the $ reaches the same operation.
    const encoded = await request(adapter.url).post(`/fhir/Communication/${messageId}/%24acknowledge`).set(rj1.headers).expect(200);
    expect(fhir<Parameters>(encoded)).toEqual(first);

    expect((await communications(rj1)).map((c) => c.id)).not.toContain(messageId);
    // The same inbox as the plain routes: gone there too, and acknowledging it there answers the same time.
    expect((await request(adapter.url).get('/inbox').query({ limit: 200 }).set(rj1.headers).expect(200)).body.items.map((i: { messageId: string }) => i.messageId)).not.toContain(
      messageId,
    );
    const plain = await request(adapter.url).post(`/inbox/${messageId}/acknowledge`).set(rj1.headers).expect(200);
    expect(plain.body).toEqual({ messageId, acknowledgedAt: first.parameter![0].valueInstant });

    const [acknowledged] = await eventually('inbox.acknowledged', messageId);
    expect(acknowledged).toMatchObject({ actor_id: rj1.credential.id, details: { organisation: 'RJ1', credentialId: rj1.credential.id, messageId } });
    // Listed many times, acknowledged three times: still one event of each.
    expect(await auditEvents('inbox.acknowledged', messageId)).toHaveLength(1);
    expect(await auditEvents('inbox.delivered', messageId)).toHaveLength(1);
  });

  it('has no Tasks while the MASH asks nothing: an empty searchset', async () => {
    const tasks = await search(rj1, 'Task');
    expect(tasks).toEqual({
      resourceType: 'Bundle',
      type: 'searchset',
      timestamp: expect.any(String),
      link: [{ relation: 'self', url: `${adapter.url}/fhir/Task?_count=50` }],
      entry: [],
    });
  });

  it('refuses malformed requests with OperationOutcomes naming where', async () => {
    expect(issuesOf(await acknowledge('not-a-message', rj1).expect(400))).toEqual({ 'Communication.id': 'The id must be a UUID: the id of a Communication from your inbox' });
    const bad = await request(adapter.url).get('/fhir/Communication').set(rj1.headers).query({ _count: 0, status: 'in-progress' }).expect(400);
    expect(issuesOf(bad)).toEqual({
      status: 'status is not a search parameter of the inbox: use _count and _cursor',
      _count: '_count must be at least 1',
    });
    expect(fhir<OperationOutcome>(bad).issue.map((i) => i.code)).toEqual(['not-supported', 'invalid']);
    expect(issuesOf(await request(adapter.url).get('/fhir/Task').set(rj1.headers).query({ _cursor: 'page-2' }).expect(400))).toEqual({
      _cursor: "_cursor must be the one in the previous page's next link (a message id)",
    });
    const anonymous = await request(adapter.url).get('/fhir/Task').expect(401);
    expect(issuesOf(anonymous)).toEqual({ Task: expect.stringMatching(/Authorization: Bearer/) });
    const anonymousAcknowledgement = await request(adapter.url).post(`/fhir/Communication/${messageId}/$acknowledge`).expect(401);
    expect(issuesOf(anonymousAcknowledgement)).toEqual({ Communication: expect.stringMatching(/Authorization: Bearer/) });
    expect(fhir<OperationOutcome>(anonymousAcknowledgement).issue[0].code).toBe('login');
    // Another agency's system is refused before it learns anything of the inbox.
    const police = await issueTestCredential(prefix, 'police');
    const forbidden = await request(adapter.url).get('/fhir/Communication').set(police.headers).expect(403);
    expect(issuesOf(forbidden)).toEqual({ Communication: expect.stringMatching(/accepts only health systems/) });
  });

  it('declares the searches and $acknowledge in the CapabilityStatement', async () => {
    const statement = fhir<CapabilityStatement>(await request(adapter.url).get('/fhir/metadata').expect(200));
    const resource = (type: string) => statement.rest![0].resource!.find((r) => r.type === type)!;
    expect(resource('Communication').interaction!.map((i) => i.code)).toEqual(['create', 'search-type']);
    expect(resource('Communication').operation).toEqual([
      expect.objectContaining({ name: 'acknowledge', definition: 'https://mash.example.gov.uk/fhir/OperationDefinition/Communication-acknowledge' }),
    ]);
    expect(resource('Task').interaction!.map((i) => i.code)).toEqual(['search-type', 'update']);
    const openapi = (await request(adapter.url).get('/docs/openapi.json').expect(200)).body;
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/fhir/Communication', '/fhir/Task', '/fhir/Communication/{id}/$acknowledge']));
  });
});
