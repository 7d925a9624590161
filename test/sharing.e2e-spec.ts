import type { Bundle, Communication } from '@medplum/fhirtypes';
import { baseDefinitionIssues } from '../apps/health-adapter/src/fhir-definitions.js';
import request from 'supertest';
import { notificationIdFor } from '#adapter-kit';
import { loadSharingPolicy } from '#sharing';
import { TEST_APP_DATABASE_URL, TEST_REDIS_URL, deleteRedisKeys, freePort, resetDatabase, uniquePrefix, waitFor, withDatabase } from './support/environment.js';
import { communicationOf, healthReferral, referenceOf } from './support/health-referrals.js';
import { issueTestCredential, type TestCredential } from './support/partner-credentials.js';
import { APPS, AppProcess, hubEnv } from './support/processes.js';
import { staff } from './support/staff.js';

const FHIR_JSON = 'application/fhir+json';
const prefix = uniquePrefix();
const env = { DATABASE_URL: TEST_APP_DATABASE_URL, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix };
const policy = loadSharingPolicy();
const COUNCIL = 'E09000028';
let hub: AppProcess;
let health: AppProcess;
let housing: AppProcess;
let trust: TestCredential;
let council: TestCredential;
let contactId: string;
let notificationId: string;
let referral: Bundle;

interface InboxItem {
  messageId: string;
  kind: string;
  body: { shareId: string; purpose: string; payload: Record<string, unknown>; policyVersion: string; lawfulBasis: Record<string, unknown> };
}

const inboxOf = async (adapter: AppProcess, credential: TestCredential) =>
  (await request(adapter.url).get('/inbox').set(credential.headers).query({ limit: 200 }).expect(200)).body.items as InboxItem[];

const shareInInbox = (adapter: AppProcess, credential: TestCredential, shareId: string) =>
  waitFor(`share ${shareId} in the inbox`, async () => (await inboxOf(adapter, credential)).find((item) => item.body.shareId === shareId));

const sharing = async () => (await request(hub.url).get(`/api/contacts/${contactId}/sharing`).set(staff.screener).expect(200)).body;

const passOn = (recipient: { agency: string; organisation: string }, headers = staff.screener, statedBasis?: object) =>
  request(hub.url)
    .post(`/api/contacts/${contactId}/shares`)
    .set(headers)
    .send({ purpose: 'information_passed_on', notificationId, recipient, ...(statedBasis && { statedBasis }) });

const auditOf = (actions: string[]) =>
  withDatabase(
    async (db) =>
      (
        await db.query(
          `SELECT action, actor_id, subject_id, details FROM audit_event
            WHERE action = ANY($1) AND (subject_id = $2 OR details->>'contactId' = $2::text) ORDER BY sequence`,
          [actions, contactId],
        )
      ).rows as { action: string; actor_id: string; subject_id: string; details: Record<string, any> }[],
  );

const countShares = () => withDatabase(async (db) => (await db.query('SELECT count(*)::int AS n FROM share')).rows[0].n as number);

beforeAll(async () => {
  await resetDatabase();
  trust = await issueTestCredential(prefix, 'health', { organisation: 'RJ1', system: 'Example Hospitals EPR' });
  council = await issueTestCredential(prefix, 'housing', { organisation: COUNCIL, system: 'Exampleshire Housing' });
  hub = new AppProcess('hub', APPS.hub, hubEnv({ ...env }), await freePort());
  health = new AppProcess('health-adapter', APPS.healthAdapter, { ...env, LOG_LEVEL: 'warn' }, await freePort());
  housing = new AppProcess('housing-adapter', APPS.housingAdapter, { ...env, LOG_LEVEL: 'warn' }, await freePort());
  await Promise.all([hub.ready(), health.ready(), housing.ready()]);

  // A health referral with injuries and earlier attendances: the medical history housing must never get.
  referral = healthReferral();
  await request(health.url).post('/fhir').set(trust.headers).set('Content-Type', FHIR_JSON).send(JSON.stringify(referral)).expect(202);
  notificationId = notificationIdFor('health', 'RJ1', referenceOf(referral));
  contactId = await waitFor('the referral to make a contact', async () =>
    withDatabase(async (db) => (await db.query('SELECT contact_id FROM contact_notification WHERE notification_id = $1', [notificationId])).rows[0]?.contact_id as string | undefined),
  );
}, 90_000);

afterAll(async () => {
  const stopped = await Promise.all([hub?.stop(), health?.stop(), housing?.stop()]);
  expect(stopped.every((exit) => exit?.signal === 'SIGTERM')).toBe(true);
  await deleteRedisKeys(prefix);
});

describe('passing a health referral on to housing', () => {
  it("carries health's consent decision forward onto the contact, as health recorded it", async () => {
    const { consent } = await sharing();
    expect(consent.standing).toMatchObject({ kind: 'decision', recordedBy: 'health', notificationId });
    expect(consent.history).toHaveLength(1);
  });

  it("is refused without health's agreement, with the reason and what would allow it, and recorded", async () => {
    const before = await countShares();
    const refused = (await passOn({ agency: 'housing', organisation: COUNCIL }).expect(422)).body;
    expect(refused.share).toMatchObject({ decision: 'refused', reasons: [{ code: 'owner_agreement_missing' }], fieldsShared: [] });
    expect(refused.message).toMatch(/This is health's information, and health has not agreed to it going to housing\. Record health's agreement/);
    expect(await countShares()).toBe(before + 1);
    const [event] = (await auditOf(['information.refused'])).filter((e) => e.subject_id === refused.share.id);
    expect(event.details).toMatchObject({ recipientAgency: 'housing', reasons: [{ code: 'owner_agreement_missing' }], policyVersion: policy.version });
  });

  it('with the agreement recorded, goes to the council’s inbox holding no medical history', async () => {
    await request(hub.url)
      .post(`/api/contacts/${contactId}/owner-agreements`)
      .set(staff.screener)
      .send({ ownerAgency: 'health', recipientAgency: 'housing', agreedBy: 'Named nurse for safeguarding, Example Hospitals' })
      .expect(201);
    const share = (await passOn({ agency: 'housing', organisation: COUNCIL }).expect(201)).body;
    expect(share).toMatchObject({ decision: 'allowed', policyVersion: policy.version, article6: 'public_task', article9: null });
    expect(share.fieldsWithheld).toEqual(expect.arrayContaining(['health.previousAttendances', 'health.injuries', 'notification.narrative', 'notification.categories']));

    const item = await shareInInbox(housing, council, share.id);
    expect(item.kind).toBe('share.information_passed_on');
    const fields = Object.keys(item.body.payload).sort();
    expect(fields).toEqual([...share.fieldsShared].sort());
    for (const field of fields) expect(policy.messages.information_passed_on.recipients.housing).toContain(field);
    expect(fields.filter((field) => field.startsWith('health.') || policy.fields[field].class === 'special_category')).toEqual([]);
    expect(item.body).toMatchObject({ policyVersion: policy.version, lawfulBasis: { article6: 'public_task' } });

    // The trail names the fields, never their values.
    const [event] = (await auditOf(['information.shared'])).filter((e) => e.subject_id === share.id);
    expect(event.details).toMatchObject({ fieldsShared: share.fieldsShared, recipientOrganisation: COUNCIL, ownerAgreed: true });
    const name = item.body.payload['child.name'] as { familyName: string };
    expect(JSON.stringify(event.details)).not.toContain(name.familyName);
  });
});

describe('refused consent and a manager’s override', () => {
  it('refuses the share while consent is refused, lets only a manager override with a justification, then allows it', async () => {
    await request(hub.url).post(`/api/contacts/${contactId}/consent`).set(staff.screener).send({ status: 'refused', notes: 'Mother refused on the phone.' }).expect(201);
    const refused = (await passOn({ agency: 'housing', organisation: COUNCIL }).expect(422)).body;
    expect(refused.share.reasons).toEqual([
      {
        code: 'consent_refused',
        explanation: 'Consent to share was refused, and the refusal has not been overridden.',
        remedy: expect.stringContaining('A MASH manager may override refused consent with a written safeguarding justification'),
      },
    ]);

    const justification = 'The children are at risk of significant harm tonight; housing must know to place them safely.';
    await request(hub.url).post(`/api/contacts/${contactId}/consent/override`).set(staff.screener).send({ justification }).expect(403);
    const short = await request(hub.url).post(`/api/contacts/${contactId}/consent/override`).set(staff.manager).send({ justification: 'because' }).expect(400);
    expect(JSON.stringify(short.body)).toMatch(/justification must be a written safeguarding justification of at least 20 characters/);
    const overridden = (await request(hub.url).post(`/api/contacts/${contactId}/consent/override`).set(staff.manager).send({ justification }).expect(201)).body;
    expect(overridden).toMatchObject({ standing: { status: 'refused' }, override: { kind: 'override', justification, recordedBy: 'meg.manager' } });
    expect(overridden.summary).toBe('refused, and overridden by a manager (meg.manager)');
    // Once is enough: a second override of the same refusal is refused.
    await request(hub.url).post(`/api/contacts/${contactId}/consent/override`).set(staff.manager).send({ justification }).expect(409);

    const allowed = (await passOn({ agency: 'housing', organisation: COUNCIL }).expect(201)).body;
    expect(allowed).toMatchObject({ decision: 'allowed', consent: 'refused, and overridden by a manager (meg.manager)' });
    await shareInInbox(housing, council, allowed.id);

    const trail = (await auditOf(['information.refused', 'consent.recorded', 'consent.overridden', 'information.shared'])).map((e) => e.action);
    expect(trail.slice(-4)).toEqual(['consent.recorded', 'information.refused', 'consent.overridden', 'information.shared']);
    const shown = await sharing();
    expect(shown.consent.override).toMatchObject({ justification });
    expect(shown.shares.map((s: { id: string }) => s.id)).toContain(allowed.id);
    // And on the contact itself: the override, and each decision in its timeline.
    const contact = (await request(hub.url).get(`/api/contacts/${contactId}`).set(staff.screener).expect(200)).body;
    expect(contact.consent).toMatchObject({ summary: 'refused, and overridden by a manager (meg.manager)', override: { justification } });
    const timeline = contact.timeline.map((entry: { action: string }) => entry.action);
    expect(timeline).toEqual(expect.arrayContaining(['consent.overridden', 'information.refused', 'information.shared']));
  });
});

describe('feedback to the referrer', () => {
  it("tells the trust the outcome through its inbox, and nothing else", async () => {
    const [share] = (await request(hub.url).post(`/api/contacts/${contactId}/feedback`).set(staff.manager).send({ outcome: 'early_help' }).expect(201)).body;
    expect(share).toMatchObject({ purpose: 'outcome_feedback', decision: 'allowed', recipientAgency: 'health', recipientOrganisation: 'RJ1' });
    const item = await shareInInbox(health, trust, share.id);
    expect(item).toMatchObject({ kind: 'share.outcome_feedback' });
    expect(Object.keys(item.body.payload).sort()).toEqual(['contact.reference', 'notification.reference', 'outcome.decidedAt', 'outcome.decision']);
    expect(item.body.payload['outcome.decision']).toBe('early_help');

    // A FHIR client sees it too: a valid Communication in response to its own referral.
    const bundle = JSON.parse(
      (await request(health.url).get('/fhir/Communication').set(trust.headers).set('Accept', FHIR_JSON).query({ _count: 200 }).expect(200)).text,
    ) as Bundle;
    const communication = bundle.entry!.map((entry) => entry.resource as Communication).find((resource) => resource.id === item.messageId)!;
    expect(baseDefinitionIssues(communication as never)).toEqual([]);
    expect(communication).toMatchObject({
      category: [{ coding: [{ code: 'share.outcome_feedback', display: 'Outcome of a referral to the MASH' }] }],
      inResponseTo: [{ type: 'Communication', identifier: communicationOf(referral).identifier![0] }],
      payload: [{ contentString: expect.stringMatching(/^The MASH decided early help on \d{4}-\d{2}-\d{2} on your referral \(MASH contact \d+\)\.$/) }, { contentAttachment: { contentType: 'application/json' } }],
      note: [{ text: expect.stringContaining('Article 6 public_task') }],
    });
    const attached = JSON.parse(Buffer.from(communication.payload![1].contentAttachment!.data!, 'base64').toString('utf8'));
    expect(attached).toEqual(item.body.payload);
  });
});

describe('bad requests', () => {
  it('are refused with every problem named, and write nothing', async () => {
    const before = await countShares();
    const consent = await request(hub.url).post(`/api/contacts/${contactId}/consent`).set(staff.screener).send({ status: 'given', notSoughtReason: 'undue_delay' }).expect(400);
    expect(JSON.stringify(consent.body)).toMatch(/givenBy is required when consent was given/);
    expect(JSON.stringify(consent.body)).toMatch(/notSoughtReason must be absent unless consent was not sought/);
    const same = await request(hub.url)
      .post(`/api/contacts/${contactId}/owner-agreements`)
      .set(staff.screener)
      .send({ ownerAgency: 'health', recipientAgency: 'health', agreedBy: 'Someone' })
      .expect(400);
    expect(JSON.stringify(same.body)).toMatch(/recipientAgency must differ from ownerAgency/);
    const foreign = await request(hub.url)
      .post(`/api/contacts/${contactId}/shares`)
      .set(staff.screener)
      .send({ purpose: 'information_passed_on', notificationId: '0b8e7f2c-3d4a-4e5f-8a9b-1c2d3e4f5a6b', recipient: { agency: 'housing', organisation: COUNCIL } })
      .expect(400);
    expect(JSON.stringify(foreign.body)).toMatch(/is not one of this contact's notifications/);
    const wrongCode = await request(hub.url)
      .post(`/api/contacts/${contactId}/shares`)
      .set(staff.screener)
      .send({ purpose: 'operation_encompass', notificationId, recipient: { agency: 'housing', organisation: '01' } })
      .expect(400);
    expect(JSON.stringify(wrongCode.body)).toMatch(/purpose must be one of information_passed_on/);
    expect(JSON.stringify(wrongCode.body)).toMatch(/recipient.organisation.*organisation must be the council's ONS local authority code/);
    await request(hub.url).post('/api/contacts/0b8e7f2c-3d4a-4e5f-8a9b-1c2d3e4f5a6b/consent').set(staff.screener).send({ status: 'not_required' }).expect(404);
    expect(await countShares()).toBe(before);
    const records = await withDatabase(async (db) => (await db.query('SELECT count(*)::int AS n FROM consent_record WHERE status = $1', ['not_required'])).rows[0].n);
    expect(records).toBe(0);
  });

  it('lets every member of staff read the policy in force', async () => {
    for (const role of ['screener', 'manager', 'auditor', 'admin'] as const) {
      const body = (await request(hub.url).get('/api/sharing/policy').set(staff[role]).expect(200)).body;
      expect(body.version).toBe(policy.version);
    }
    const body = (await request(hub.url).get('/api/sharing/policy').set(staff.auditor).expect(200)).body;
    expect(body.rows).toContainEqual(expect.objectContaining({ purpose: 'operation_encompass', recipient: 'education', consent: 'not_a_step' }));
  });
});
