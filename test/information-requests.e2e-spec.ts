import type { Bundle, OperationOutcome, Task } from '@medplum/fhirtypes';
import request from 'supertest';
import { notificationIdFor } from '#adapter-kit';
import { baseDefinitionIssues } from '../apps/health-adapter/src/fhir-definitions.js';
import { TEST_APP_DATABASE_URL, TEST_REDIS_URL, deleteRedisKeys, freePort, resetDatabase, uniquePrefix, waitFor, withDatabase } from './support/environment.js';
import { issueTestCredential, type TestCredential } from './support/partner-credentials.js';
import { policeNoticeAboutNewChild } from './support/police-notices.js';
import { APPS, AppProcess, hubEnv } from './support/processes.js';
import { staff } from './support/staff.js';

const FHIR_JSON = 'application/fhir+json';
const prefix = uniquePrefix();
const env = { DATABASE_URL: TEST_APP_DATABASE_URL, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix };
const QUESTION = 'Has the child attended A&E or been seen by a health visitor in the last six months?';
let hub: AppProcess;
let police: AppProcess;
let health: AppProcess;
let force: TestCredential;
let trust: TestCredential;
let otherTrust: TestCredential;
let noticeCount = 0;

interface RequestView {
  id: string;
  status: string;
  recipientAgency: string;
  recipientOrganisation: string;
  dueAt: string;
  question: string;
  reasons: { code: string; explanation: string; remedy: string }[];
  answer: { text: string; credentialId: string; system: string } | null;
  escalatedAt: string | null;
}

interface InboxItem {
  messageId: string;
  kind: string;
  body: { shareId: string; purpose: string; payload: Record<string, unknown>; requestId?: string };
}

/** A police notice about a new child; resolves to its contact's id. */
async function newContact(): Promise<string> {
  const notice = policeNoticeAboutNewChild(++noticeCount);
  await request(police.url).post('/notifications').set(force.headers).send(notice).expect(202);
  const notificationId = notificationIdFor('police', '01', notice.policeReference);
  return waitFor('the notice to make a contact', () =>
    withDatabase(async (db) => (await db.query('SELECT contact_id FROM contact_notification WHERE notification_id = $1', [notificationId])).rows[0]?.contact_id as string | undefined),
  );
}

/** A contact in screening, rated. */
async function ratedContact(rag = 'amber'): Promise<string> {
  const contactId = await newContact();
  await request(hub.url).post(`/api/contacts/${contactId}/screening`).set(staff.screener).expect(201);
  await request(hub.url).post(`/api/contacts/${contactId}/rag`).set(staff.screener).send({ rag, reason: 'Domestic abuse with the child present.' }).expect(201);
  return contactId;
}

const ask = (contactId: string, body: object, headers = staff.screener) => request(hub.url).post(`/api/contacts/${contactId}/information-requests`).set(headers).send(body);
const detail = async (contactId: string) => (await request(hub.url).get(`/api/contacts/${contactId}`).set(staff.manager).expect(200)).body;
const requestsOf = async (contactId: string) =>
  (await request(hub.url).get(`/api/contacts/${contactId}/information-requests`).set(staff.screener).expect(200)).body as RequestView[];
const countRequests = () => withDatabase(async (db) => (await db.query('SELECT count(*)::int AS n FROM information_request')).rows[0].n as number);
const countShares = () => withDatabase(async (db) => (await db.query('SELECT count(*)::int AS n FROM share')).rows[0].n as number);

const inboxOf = async (adapter: AppProcess, credential: TestCredential) =>
  (await request(adapter.url).get('/inbox').set(credential.headers).query({ limit: 200 }).expect(200)).body.items as InboxItem[];

const answer = (adapter: AppProcess, credential: TestCredential, requestId: string, body: object) =>
  request(adapter.url).post(`/information-requests/${requestId}/answer`).set(credential.headers).send(body);

/** A FHIR body; every one must be valid R4. */
function fhir<T>(response: request.Response): T {
  expect(response.headers['content-type']).toMatch(/^application\/fhir\+json/);
  const resource = JSON.parse(response.text) as T;
  expect(baseDefinitionIssues(resource as never)).toEqual([]);
  return resource;
}

const tasksOf = async (credential: TestCredential) =>
  ((fhir<Bundle>(await request(health.url).get('/fhir/Task').set(credential.headers).set('Accept', FHIR_JSON).expect(200)).entry ?? []).map((entry) => entry.resource as Task));

const putTask = (credential: TestCredential, id: string, task: object) =>
  request(health.url).put(`/fhir/Task/${id}`).set(credential.headers).set('Content-Type', FHIR_JSON).send(JSON.stringify(task));

const auditOf = (action: string, subjectId: string) =>
  withDatabase(
    async (db) =>
      (await db.query('SELECT actor_id, on_behalf_of, details FROM audit_event WHERE action = $1 AND subject_id = $2 ORDER BY sequence', [action, subjectId])).rows as {
        actor_id: string;
        on_behalf_of: string;
        details: Record<string, any>;
      }[],
  );

beforeAll(async () => {
  await resetDatabase();
  force = await issueTestCredential(prefix, 'police', { organisation: '01', system: 'Exampleshire Police PPN' });
  trust = await issueTestCredential(prefix, 'health', { organisation: 'RJ1', system: 'Example Hospitals EPR' });
  otherTrust = await issueTestCredential(prefix, 'health', { organisation: 'RXH', system: 'Other Hospitals EPR' });
  hub = new AppProcess('hub', APPS.hub, hubEnv({ ...env, DEADLINE_POLL_INTERVAL_MS: '200' }), await freePort());
  police = new AppProcess('police-adapter', APPS.policeAdapter, { ...env, LOG_LEVEL: 'warn' }, await freePort());
  health = new AppProcess('health-adapter', APPS.healthAdapter, { ...env, LOG_LEVEL: 'warn' }, await freePort());
  await Promise.all([hub.ready(), police.ready(), health.ready()]);
}, 90_000);

afterAll(async () => {
  await Promise.all([hub?.stop(), police?.stop(), health?.stop()]);
  await deleteRedisKeys(prefix);
});

describe('asking health and the police, and their answers', () => {
  it('goes to both through the sharing decision; each answers its own way; the contact then awaits its decision', async () => {
    const contactId = await newContact();
    await request(hub.url).post(`/api/contacts/${contactId}/screening`).set(staff.screener).expect(201);
    const recipients = [
      { agency: 'health', organisation: 'RJ1' },
      { agency: 'police', organisation: '01' },
    ];

    // Not rated yet: the answer's due time follows the RAG, so it must be set first; nothing is written.
    const unrated = await ask(contactId, { recipients, question: QUESTION }).expect(409);
    expect(unrated.body.message).toBe('Cannot request information: set the RAG first, with its reason; the answer is due by it.');
    await request(hub.url).post(`/api/contacts/${contactId}/rag`).set(staff.screener).send({ rag: 'red', reason: 'Violence at home; the child was present.' }).expect(201);

    // Bad input: every problem named at once, nothing written.
    const [requestsBefore, sharesBefore] = [await countRequests(), await countShares()];
    const bad = await ask(contactId, { recipients: [{ agency: 'nowhere', organisation: 'RJ1' }, { agency: 'police', organisation: 'RJ1' }], question: 'Why?', extra: true }).expect(400);
    expect(Object.fromEntries((bad.body.errors as { path: string; message: string }[]).map((e) => [e.path, e.message]))).toEqual({
      extra: 'property extra should not exist',
      'recipients[0].agency': expect.stringMatching(/^agency must be one of/),
      'recipients[1].organisation': expect.stringMatching(/police force code/),
      question: 'question must ask something, in 10 to 4000 characters',
    });
    expect((await ask(contactId, { recipients: [], question: QUESTION }).expect(400)).body.errors).toEqual([
      expect.objectContaining({ path: 'recipients', message: 'recipients must name at least one organisation to ask' }),
    ]);
    const twice = await ask(contactId, { recipients: [...recipients, recipients[0]], question: QUESTION }).expect(400);
    expect(twice.body.errors).toEqual([{ path: 'recipients[2]', message: 'recipients[2] names an organisation already named: ask each organisation once' }]);
    expect([await countRequests(), await countShares()]).toEqual([requestsBefore, sharesBefore]);

    const asked = (await ask(contactId, { recipients, question: QUESTION }).expect(201)).body as { sent: number; refused: number; requests: RequestView[] };
    expect(asked).toMatchObject({ sent: 2, refused: 0 });
    const [toHealth, toPolice] = asked.requests;
    expect(toHealth).toMatchObject({ status: 'sent', recipientAgency: 'health', recipientOrganisation: 'RJ1', question: QUESTION, reasons: [], answer: null });
    expect(toPolice).toMatchObject({ status: 'sent', recipientAgency: 'police', recipientOrganisation: '01' });
    // Red: partner information is due two hours from the request, round the clock.
    expect(Date.parse(toHealth.dueAt) - Date.now()).toBeGreaterThan(2 * 3600_000 - 60_000);
    expect(Date.parse(toHealth.dueAt) - Date.now()).toBeLessThanOrEqual(2 * 3600_000);
    expect((await detail(contactId)).status).toBe('awaiting_information');
    expect(await auditOf('information_request.sent', toHealth.id)).toEqual([
      expect.objectContaining({ actor_id: 'sam.screener', details: expect.objectContaining({ contactId, recipientAgency: 'health', recipientOrganisation: 'RJ1', rag: 'red' }) }),
    ]);

    // The trust sees a Task: the question, due by the RAG, for the child, owned by the trust.
    const task = await waitFor('the Task in the trust’s FHIR inbox', async () => (await tasksOf(trust)).find((t) => t.id === toHealth.id));
    expect(task).toMatchObject({
      resourceType: 'Task',
      status: 'requested',
      intent: 'order',
      description: QUESTION,
      restriction: { period: { end: toHealth.dueAt } },
      owner: { identifier: { system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'RJ1' } },
      for: { type: 'Patient', display: expect.stringMatching(/^Child .+ \(born 2015-06-14\)$/) },
    });
    // Another trust neither sees it nor can answer it: as if it did not exist.
    expect((await tasksOf(otherTrust)).map((t) => t.id)).not.toContain(toHealth.id);
    const completed = { ...task, status: 'completed', output: [{ type: { text: 'answer' }, valueString: 'Seen in A&E twice in March with bruising; safeguarding team informed.' }] };
    const foreign = fhir<OperationOutcome>(await putTask(otherTrust, toHealth.id, completed).expect(404));
    expect(foreign.issue[0]).toMatchObject({ code: 'not-found', expression: ['Task.id'] });
    await answer(health, otherTrust, toHealth.id, { answer: 'Not ours to answer.' }).expect(404);

    // A Task that does not answer is refused, naming each problem at its path.
    const unanswered = fhir<OperationOutcome>(await putTask(trust, toHealth.id, { ...task, status: 'in-progress' }).expect(400));
    expect(Object.fromEntries(unanswered.issue.map((i) => [i.expression![0], i.details!.text]))).toEqual({
      'Task.status': 'To answer the request, set Task.status to completed',
      'Task.output': 'Task.output must hold the answer: exactly one output, with valueString',
    });
    const invalid = fhir<OperationOutcome>(await putTask(trust, toHealth.id, { ...completed, intent: 'wish', id: undefined }).expect(400));
    expect(invalid.issue.map((i) => i.expression![0]).sort()).toEqual(['Task.id', 'Task.intent']);

    // The trust answers the FHIR way: the Task back, completed, with its output.
    const answered = fhir<Task>(await putTask(trust, toHealth.id, completed).expect(200));
    expect(answered).toMatchObject({ id: toHealth.id, status: 'completed' });
    // Answered, it leaves the trust's Tasks.
    expect((await tasksOf(trust)).map((t) => t.id)).not.toContain(toHealth.id);
    const healthAnswered = await waitFor('the trust’s answer at the hub', async () => (await requestsOf(contactId)).find((r) => r.id === toHealth.id && r.status === 'answered'));
    expect(healthAnswered.answer).toMatchObject({ text: completed.output[0].valueString, credentialId: trust.credential.id, system: 'Example Hospitals EPR' });
    // The police have not answered: still awaiting information.
    expect((await detail(contactId)).status).toBe('awaiting_information');

    // The force finds the request in its inbox, minimised for the police (no NHS number), with the id to answer by.
    const item = await waitFor('the request in the police inbox', async () =>
      (await inboxOf(police, force)).find((i) => i.kind === 'share.information_request' && i.body.payload['request.id'] === toPolice.id),
    );
    expect(item.body.payload).toMatchObject({ 'request.question': QUESTION, 'request.dueAt': toPolice.dueAt, 'contact.reference': (await detail(contactId)).number });
    expect(item.body.payload['child.nhsNumber']).toBeUndefined();

    // Bad answers are refused, naming the field.
    expect(JSON.stringify((await answer(police, force, toPolice.id, {}).expect(400)).body)).toMatch(/answer must be 1 to 20000 characters/);
    expect(JSON.stringify((await answer(police, force, toPolice.id, { answer: 'x'.repeat(20_001) }).expect(400)).body)).toMatch(/answer must be 1 to 20000 characters/);
    await answer(police, force, 'not-a-request', { answer: 'Two call-outs.' }).expect(400);

    const policeText = 'Two earlier call-outs to the address this year; the partner is on bail with conditions.';
    const receipt = (await answer(police, force, toPolice.id, { answer: policeText }).expect(202)).body;
    expect(receipt).toMatchObject({ requestId: toPolice.id, status: 'queued', duplicate: false });
    // The same answer again is the same answer; a different one is refused.
    expect((await answer(police, force, toPolice.id, { answer: policeText }).expect(202)).body).toEqual({ ...receipt, duplicate: true });
    const changed = await answer(police, force, toPolice.id, { answer: 'Something else entirely.' }).expect(409);
    expect(changed.body.message).toMatch(/already answered, with a different answer/);

    // The last answer moves the contact on to its decision.
    const decided = await waitFor('the contact to await its decision', async () => {
      const contact = await detail(contactId);
      return contact.status === 'awaiting_decision' && contact;
    });
    expect(decided.informationRequests).toEqual([
      expect.objectContaining({ id: toHealth.id, status: 'answered', answer: expect.objectContaining({ text: completed.output[0].valueString }) }),
      expect.objectContaining({ id: toPolice.id, status: 'answered', answer: expect.objectContaining({ text: policeText, credentialId: force.credential.id }) }),
    ]);
    const timeline = decided.timeline as { action: string; subjectId: string; details: Record<string, unknown> }[];
    expect(timeline.filter((e) => e.action === 'information_request.answered').map((e) => e.subjectId)).toEqual([toHealth.id, toPolice.id]);
    expect(timeline.filter((e) => e.action === 'contact.state_changed').map((e) => e.details.to)).toEqual(['in_screening', 'awaiting_information', 'awaiting_decision']);
    const [recorded] = await auditOf('information_request.answered', toPolice.id);
    expect(recorded).toMatchObject({ actor_id: force.credential.id, on_behalf_of: 'police', details: { organisation: '01', answerId: receipt.answerId } });
    // The trail names the answer, never holds it.
    expect(JSON.stringify(recorded.details)).not.toContain('bail');
    expect(await auditOf('information_request.answered', toPolice.id)).toHaveLength(1);
  });
});

describe('withdrawing a request', () => {
  it('stops answers to it, tells the organisation, and moves the contact on when it was the last', async () => {
    const contactId = await ratedContact('green');
    const { requests } = (await ask(contactId, { recipients: [{ agency: 'police', organisation: '01' }], question: QUESTION }).expect(201)).body;
    const requestId = requests[0].id as string;
    await waitFor('the request in the police inbox', async () => (await inboxOf(police, force)).find((i) => i.body.payload?.['request.id'] === requestId));

    expect(JSON.stringify((await request(hub.url).post(`/api/information-requests/${requestId}/withdraw`).set(staff.screener).send({}).expect(400)).body)).toMatch(
      /reason must say why/,
    );
    await request(hub.url).post(`/api/information-requests/${contactId}/withdraw`).set(staff.screener).send({ reason: 'Asked by mistake.' }).expect(404);
    const withdrawn = (await request(hub.url).post(`/api/information-requests/${requestId}/withdraw`).set(staff.screener).send({ reason: 'The police shared it by phone.' }).expect(201)).body;
    expect(withdrawn).toMatchObject({ status: 'withdrawn', withdrawnBy: 'sam.screener', withdrawReason: 'The police shared it by phone.' });
    expect((await detail(contactId)).status).toBe('awaiting_decision');
    const again = await request(hub.url).post(`/api/information-requests/${requestId}/withdraw`).set(staff.manager).send({ reason: 'Asked twice.' }).expect(409);
    expect(again.body.message).toBe('Cannot withdraw the request: it is already withdrawn; only a request awaiting its answer can be withdrawn.');

    // The force hears of it, and can no longer answer: 409, and nothing reaches the hub.
    const notice = await waitFor('the withdrawal in the police inbox', async () =>
      (await inboxOf(police, force)).find((i) => i.kind === 'information_request.withdrawn' && i.body.requestId === requestId),
    );
    expect(Object.keys(notice.body).sort()).toEqual(['correlationId', 'recipientAgency', 'recipientOrganisation', 'requestId', 'shareId', 'withdrawnAt']);
    const late = await answer(police, force, requestId, { answer: 'Here it is anyway.' }).expect(409);
    expect(late.body.message).toMatch(/was withdrawn by the MASH/);
    expect(await auditOf('information_request.withdrawn', requestId)).toEqual([expect.objectContaining({ actor_id: 'sam.screener', details: expect.objectContaining({ reason: 'The police shared it by phone.' }) })]);
    expect((await requestsOf(contactId))[0]).toMatchObject({ status: 'withdrawn', answer: null });

    // Withdrawn, it is never escalated, however late.
    await withDatabase((db) => db.query(`UPDATE information_request SET due_at = now() - interval '1 hour' WHERE id = $1`, [requestId]));
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(await auditOf('deadline.escalated', requestId)).toEqual([]);
  });
});

describe('a request the sharing decision refuses', () => {
  it('is recorded as refused with the reasons, sends nothing and leaves the contact where it was', async () => {
    const contactId = await ratedContact();
    await request(hub.url).post(`/api/contacts/${contactId}/consent`).set(staff.screener).send({ status: 'refused', notes: 'Mother refused.' }).expect(201);
    const refused = (await ask(contactId, { recipients: [{ agency: 'police', organisation: '01' }], question: QUESTION }).expect(422)).body;
    expect(refused).toMatchObject({ sent: 0, refused: 1, requests: [{ status: 'refused', reasons: [{ code: 'consent_refused' }] }] });
    expect(refused.message).toMatch(/Consent to share was refused, and the refusal has not been overridden/);
    expect((await detail(contactId)).status).toBe('in_screening');
    expect(await auditOf('information_request.refused', refused.requests[0].id)).toHaveLength(1);
    const outbox = await withDatabase(
      async (db) => (await db.query(`SELECT outbox_message_id FROM share WHERE id = (SELECT share_id FROM information_request WHERE id = $1)`, [refused.requests[0].id])).rows[0],
    );
    expect(outbox.outbox_message_id).toBeNull();
  });
});

describe('overdue requests', () => {
  it('are escalated to the manager once', async () => {
    const contactId = await ratedContact();
    const { requests } = (await ask(contactId, { recipients: [{ agency: 'health', organisation: 'RJ1' }], question: QUESTION }).expect(201)).body;
    const requestId = requests[0].id as string;
    await withDatabase((db) => db.query(`UPDATE information_request SET due_at = now() - interval '1 minute' WHERE id = $1`, [requestId]));
    const alerts = () => withDatabase(async (db) => (await db.query(`SELECT count(*)::int AS n FROM alert WHERE kind = 'information_overdue' AND contact_id = $1`, [contactId])).rows[0].n as number);
    await waitFor('the escalation', async () => (await alerts()) > 0);
    // Several more rounds of the watcher.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await alerts()).toBe(1);
    const events = await auditOf('deadline.escalated', requestId);
    expect(events).toEqual([expect.objectContaining({ actor_id: 'mash-hub', details: expect.objectContaining({ deadline: 'information_request', contactId, audience: 'manager' }) })]);
    expect((await requestsOf(contactId))[0].escalatedAt).toEqual(expect.any(String));
  });
});
