import type { Parameters } from '@medplum/fhirtypes';
import type { StoredInboxMessage } from '#adapter-kit';
import { baseDefinitionIssues } from './fhir-definitions.js';
import { acceptanceCommunication, requestTask, searchset } from './fhir-inbox.js';
import { readAnsweredTask, readInboxSearch } from './fhir-inbox.controller.js';
import { FhirRefusal } from './operation-outcome.js';

const messageId = '5f0c3a9e-2b1d-4c7e-9a8f-1e2d3c4b5a69';
const notificationId = '0b6f2c1e-8d4a-5e3f-9c2b-7a1d0e9f8c7b';
const contactIds = ['c1a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a5b', 'd2b3c4d5-e6f7-4081-9bac-1d2e3f4a5b6c'];

const acceptance = (): StoredInboxMessage => ({
  messageId,
  kind: 'notification.accepted',
  correlationId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  createdAt: '2026-11-23T10:15:00.000Z',
  body: {
    notificationId,
    correlationId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
    sourceAgency: 'health',
    sourceOrganisation: 'RJ1',
    partnerReference: 'SGR-2026-000123',
    contactIds,
    acceptedAt: '2026-11-23T10:14:59.120Z',
  },
});

const REFERRAL_SYSTEM = 'https://fhir.example-hospitals.nhs.uk/Id/safeguarding-referral';

describe('an inbox message as FHIR', () => {
  it("gives an acceptance as a Communication in response to the partner's referral, valid against R4", () => {
    const communication = acceptanceCommunication(acceptance(), 'RJ1', { system: REFERRAL_SYSTEM, value: 'SGR-2026-000123' });
    expect(baseDefinitionIssues(communication)).toEqual([]);
    // The check can fail: a malformed instant is caught.
    expect(baseDefinitionIssues({ ...communication, sent: '23/11/2026' })).not.toEqual([]);
    expect(communication).toMatchObject({
      resourceType: 'Communication',
      id: messageId,
      identifier: [{ system: 'https://mash.example.gov.uk/fhir/Id/inbox-message', value: messageId }],
      status: 'completed',
      inResponseTo: [{ type: 'Communication', identifier: { system: REFERRAL_SYSTEM, value: 'SGR-2026-000123' } }],
      about: [{ identifier: { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${notificationId}` } }],
      category: [{ coding: [{ system: 'https://mash.example.gov.uk/fhir/CodeSystem/inbox-message-kind', code: 'notification.accepted' }] }],
      sent: '2026-11-23T10:14:59.120Z',
      recipient: [{ type: 'Organization', identifier: { system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'RJ1' } }],
    });
    expect(communication.payload!.slice(1).map((p) => p.contentReference?.identifier)).toEqual(
      contactIds.map((value) => ({ system: 'https://mash.example.gov.uk/fhir/Id/contact', value })),
    );
    expect(communication.payload![0].contentString).toBe('Accepted by the MASH: it joined 2 contacts.');
  });

  it('names the referral by its value alone when the system is no longer known, still valid', () => {
    const communication = acceptanceCommunication(acceptance(), 'RJ1', { value: 'SGR-2026-000123' });
    expect(communication.inResponseTo).toEqual([{ type: 'Communication', identifier: { value: 'SGR-2026-000123' } }]);
    expect(baseDefinitionIssues(communication)).toEqual([]);
  });

  it('pages them in a valid searchset Bundle with absolute links', () => {
    const communication = acceptanceCommunication(acceptance(), 'RJ1', { system: REFERRAL_SYSTEM, value: 'SGR-2026-000123' });
    const base = 'https://health-adapter.example/fhir';
    const bundle = searchset([communication], { self: `${base}/Communication?_count=1`, next: `${base}/Communication?_count=1&_cursor=${messageId}` }, base);
    expect(baseDefinitionIssues(bundle)).toEqual([]);
    expect(bundle).toMatchObject({
      type: 'searchset',
      link: [
        { relation: 'self', url: `${base}/Communication?_count=1` },
        { relation: 'next', url: `${base}/Communication?_count=1&_cursor=${messageId}` },
      ],
      entry: [{ fullUrl: `${base}/Communication/${messageId}`, search: { mode: 'match' } }],
    });
    const empty = searchset([], { self: `${base}/Task?_count=50`, next: null }, base);
    expect(baseDefinitionIssues(empty)).toEqual([]);
    expect(empty.link).toEqual([{ relation: 'self', url: `${base}/Task?_count=50` }]);
  });

  it('answers $acknowledge with valid Parameters', () => {
    const answer: Parameters = { resourceType: 'Parameters', parameter: [{ name: 'acknowledgedAt', valueInstant: '2026-11-23T10:20:00.000Z' }] };
    expect(baseDefinitionIssues(answer)).toEqual([]);
  });
});

describe('the inbox search parameters', () => {
  const refusal = async (query: Record<string, unknown>) => {
    const error = await readInboxSearch(query).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FhirRefusal);
    return Object.fromEntries((error as FhirRefusal).issues.map((i) => [i.expression![0], i.details!.text!]));
  };

  it('takes _count and a canonical _cursor, with 50 by default', async () => {
    expect(await readInboxSearch({})).toMatchObject({ _count: 50 });
    expect(await readInboxSearch({ _count: '2', _cursor: messageId.toUpperCase() })).toMatchObject({ _count: 2, _cursor: messageId });
  });

  it('refuses every bad or unknown parameter at its name', async () => {
    expect(await refusal({ _count: '0', _cursor: 'yesterday', status: 'completed' })).toEqual({
      status: expect.stringMatching(/status is not a search parameter of the inbox: use _count and _cursor/),
      _count: '_count must be at least 1',
      _cursor: "_cursor must be the one in the previous page's next link (a message id)",
    });
    expect(await refusal({ _count: '201' })).toEqual({ _count: '_count must be at most 200' });
    expect(await refusal({ _count: ['1', '2'] })).toEqual({ _count: expect.stringMatching(/_count/) });
  });
});

const requestId = '3e8d2f1a-6b4c-4d5e-8f7a-9b0c1d2e3f4a';

const informationRequest = (): StoredInboxMessage => ({
  messageId,
  kind: 'share.information_request',
  correlationId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  createdAt: '2026-11-23T10:15:00.000Z',
  body: {
    shareId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
    correlationId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
    purpose: 'information_request',
    recipientAgency: 'health',
    recipientOrganisation: 'RJ1',
    policyVersion: '2026-11.2',
    lawfulBasis: { article6: 'public_task', statutoryGateways: ['children_act_2004_s11'] },
    payload: {
      'child.name': { givenName: 'Amy', familyName: 'Example' },
      'child.dateOfBirth': '2015-06-14',
      'child.nhsNumber': '9990000379',
      'contact.reference': '1042',
      'request.id': requestId,
      'request.question': 'Has the child attended A&E this year?',
      'request.dueAt': '2026-11-23T16:15:00.000Z',
    },
    sharedAt: '2026-11-23T10:14:59.120Z',
  },
});

describe('an information request as a FHIR Task', () => {
  it('asks the question of the organisation, due by restriction.period.end, for the child by NHS number, valid against R4', () => {
    const task = requestTask(informationRequest(), 'RJ1', null);
    expect(baseDefinitionIssues(task)).toEqual([]);
    expect(task).toMatchObject({
      id: requestId,
      status: 'requested',
      intent: 'order',
      description: 'Has the child attended A&E this year?',
      restriction: { period: { end: '2026-11-23T16:15:00.000Z' } },
      for: { identifier: { system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9990000379' }, display: 'Amy Example (born 2015-06-14)' },
      owner: { identifier: { value: 'RJ1' } },
    });
  });

  it('is cancelled once the MASH withdrew it', () => {
    const task = requestTask(informationRequest(), 'RJ1', { requestId, messageId, withdrawnAt: '2026-11-23T11:00:00.000Z' });
    expect(baseDefinitionIssues(task)).toEqual([]);
    expect(task).toMatchObject({ status: 'cancelled', statusReason: { text: 'Withdrawn by the MASH at 2026-11-23T11:00:00.000Z' } });
  });

  it('takes an answer from the Task put back completed, and names every problem of one that is not', () => {
    const task = requestTask(informationRequest(), 'RJ1', null);
    const answered = { ...task, status: 'completed' as const, output: [{ type: { text: 'answer' }, valueString: 'Seen twice in March.' }] };
    expect(readAnsweredTask(requestId.toUpperCase(), answered).answer).toBe('Seen twice in March.');
    let refusal: FhirRefusal | undefined;
    try {
      readAnsweredTask(requestId, { ...task, id: messageId, priority: 'soon', output: [{ type: { text: 'answer' }, valueString: ' ' }] });
    } catch (error) {
      refusal = error as FhirRefusal;
    }
    expect(refusal?.issues.map((i) => i.expression![0])).toEqual(['Task.output[0].value[x]', 'Task.priority', 'Task.id', 'Task.status', 'Task.output[0].valueString']);
    expect(() => readAnsweredTask('not-an-id', answered)).toThrow(FhirRefusal);
    expect(() => readAnsweredTask(requestId, { resourceType: 'Communication' })).toThrow(FhirRefusal);
  });
});
