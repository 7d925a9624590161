import type { Bundle, BundleEntry, BundleLink, Communication, Resource, Task } from '@medplum/fhirtypes';
import { MessagePatterns, NotificationAccepted, shareInboxKind, type ContactOutcome, type InformationShared, type SharePurpose } from '#contracts';
import type { ReceivedRequest, StoredInboxMessage } from '#adapter-kit';
import { INBOX_MESSAGE_KIND_SYSTEM, INBOX_MESSAGE_SYSTEM, INFORMATION_REQUEST_SYSTEM, MASH_CONTACT_SYSTEM, NHS_NUMBER_SYSTEM, ODS_ORGANISATION_SYSTEM, URI_SYSTEM } from './fhir-systems.js';

/** What the MASH shares with a health organisation and tells it as a Communication. */
export const COMMUNICATION_SHARE_PURPOSES: readonly SharePurpose[] = ['outcome_feedback', 'information_passed_on'];

/**
 * The inbox message kinds given as FHIR Communications: what the MASH tells
 * the organisation. Requests it makes of the organisation are Tasks (TASK_KINDS).
 */
export const COMMUNICATION_KINDS: readonly string[] = [MessagePatterns.notificationAccepted, ...COMMUNICATION_SHARE_PURPOSES.map(shareInboxKind)];

/** The inbox message kinds given as FHIR Tasks: what the MASH asks of the organisation. */
export const TASK_KINDS: readonly string[] = [shareInboxKind('information_request')];

const SHARE_DISPLAY: Partial<Record<SharePurpose, string>> = {
  outcome_feedback: 'Outcome of a referral to the MASH',
  information_passed_on: 'Information passed on by the MASH',
};

const OUTCOME_WORDS: Record<ContactOutcome, string> = {
  no_further_action: 'no further action',
  advice_and_signposting: 'advice and signposting',
  early_help: 'early help',
  single_assessment_s17: 'a single assessment (child in need, Children Act 1989 s17)',
  strategy_discussion_s47: 'a strategy discussion (child protection enquiry, Children Act 1989 s47)',
  request_to_become_looked_after: 'a request for the child to become looked after',
  private_fostering: 'private fostering',
};

/** The referral's Communication.identifier as the partner sent it; the system only while its receipt keeps it. */
export interface ReferralIdentifier {
  system?: string;
  value: string;
}

/**
 * The MASH's acceptance of a referral, as a Communication from the MASH to the
 * sending organisation: in response to the referral (by the identifier the
 * partner gave it), about the notification the MASH made of it, carrying the
 * contacts it joined. Its id and identifier are the inbox message id, which
 * $acknowledge takes.
 */
export function acceptanceCommunication(message: StoredInboxMessage, organisation: string, referral: ReferralIdentifier): Communication {
  const accepted = message.body as unknown as NotificationAccepted;
  return {
    resourceType: 'Communication',
    id: message.messageId,
    identifier: [{ system: INBOX_MESSAGE_SYSTEM, value: message.messageId }],
    inResponseTo: [{ type: 'Communication', identifier: { ...(referral.system && { system: referral.system }), value: referral.value } }],
    status: 'completed',
    category: [{ coding: [{ system: INBOX_MESSAGE_KIND_SYSTEM, code: MessagePatterns.notificationAccepted, display: 'Referral accepted by the MASH' }] }],
    about: [{ identifier: { system: URI_SYSTEM, value: `urn:uuid:${accepted.notificationId}` }, display: 'The MASH notification made of the referral' }],
    sent: accepted.acceptedAt,
    recipient: [{ type: 'Organization', identifier: { system: ODS_ORGANISATION_SYSTEM, value: organisation } }],
    sender: { display: 'Multi-agency safeguarding hub' },
    payload: [
      { contentString: `Accepted by the MASH: it joined ${accepted.contactIds.length === 1 ? 'one contact' : `${accepted.contactIds.length} contacts`}.` },
      ...accepted.contactIds.map((contactId) => ({ contentReference: { identifier: { system: MASH_CONTACT_SYSTEM, value: contactId }, display: 'MASH contact' } })),
    ],
  };
}

/**
 * Information the MASH shared with the organisation, as a Communication from the MASH: the shared
 * fields exactly as the sharing decision minimised them, as a JSON attachment, with a sentence a
 * clinician reads, and the lawful basis. Feedback of an outcome is in response to the organisation's
 * own referral.
 */
export function sharedCommunication(message: StoredInboxMessage, organisation: string, referral: (reference: string) => ReferralIdentifier): Communication {
  const shared = message.body as unknown as InformationShared;
  const payload = shared.payload;
  const reference = typeof payload['notification.reference'] === 'string' ? payload['notification.reference'] : null;
  const contact = payload['contact.reference'];
  const basis = shared.lawfulBasis;
  return {
    resourceType: 'Communication',
    id: message.messageId,
    identifier: [{ system: INBOX_MESSAGE_SYSTEM, value: message.messageId }],
    ...(shared.purpose === 'outcome_feedback' &&
      reference && { inResponseTo: [{ type: 'Communication', identifier: (({ system, value }) => ({ ...(system && { system }), value }))(referral(reference)) }] }),
    status: 'completed',
    category: [{ coding: [{ system: INBOX_MESSAGE_KIND_SYSTEM, code: shareInboxKind(shared.purpose), display: SHARE_DISPLAY[shared.purpose] ?? shared.purpose }] }],
    sent: shared.sharedAt,
    recipient: [{ type: 'Organization', identifier: { system: ODS_ORGANISATION_SYSTEM, value: organisation } }],
    sender: { display: 'Multi-agency safeguarding hub' },
    payload: [
      { contentString: summaryOf(shared, contact) },
      {
        contentAttachment: {
          contentType: 'application/json',
          title: `Shared fields, minimised under the MASH sharing policy ${shared.policyVersion}`,
          data: Buffer.from(JSON.stringify(payload)).toString('base64'),
        },
      },
    ],
    note: [
      {
        text: `Shared on the lawful basis: UK GDPR Article 6 ${basis.article6}${basis.article9 ? `, Article 9 ${basis.article9}` : ''}; ${basis.statutoryGateways.join(', ')}.`,
      },
    ],
  };
}

/**
 * An information request from the MASH as a Task for the organisation: the question as its
 * description, due by restriction.period.end, for the child (by NHS number where the MASH may share
 * it), owned by the organisation. Its id is the request id, which answers it (a PUT of the Task,
 * completed, with its answer as output valueString). Withdrawn by the MASH, it is cancelled.
 */
export function requestTask(message: StoredInboxMessage, organisation: string, request: ReceivedRequest | null): Task {
  const shared = message.body as unknown as InformationShared;
  const payload = shared.payload;
  const requestId = String(payload['request.id']);
  const name = payload['child.name'] as { givenName?: string; familyName?: string } | undefined;
  const born = typeof payload['child.dateOfBirth'] === 'string' ? ` (born ${payload['child.dateOfBirth']})` : typeof payload['child.expectedDateOfDelivery'] === 'string' ? ` (due ${payload['child.expectedDateOfDelivery']})` : '';
  const nhsNumber = typeof payload['child.nhsNumber'] === 'string' ? payload['child.nhsNumber'] : null;
  const contact = payload['contact.reference'];
  const basis = shared.lawfulBasis;
  return {
    resourceType: 'Task',
    id: requestId,
    identifier: [
      { system: INFORMATION_REQUEST_SYSTEM, value: requestId },
      { system: INBOX_MESSAGE_SYSTEM, value: message.messageId },
    ],
    status: request?.withdrawnAt ? 'cancelled' : 'requested',
    ...(request?.withdrawnAt && { statusReason: { text: `Withdrawn by the MASH at ${request.withdrawnAt}` } }),
    intent: 'order',
    code: { coding: [{ system: INBOX_MESSAGE_KIND_SYSTEM, code: shareInboxKind('information_request'), display: 'Information request from the MASH' }] },
    description: String(payload['request.question'] ?? ''),
    for: {
      type: 'Patient',
      ...(nhsNumber && { identifier: { system: NHS_NUMBER_SYSTEM, value: nhsNumber } }),
      display: `${[name?.givenName, name?.familyName].filter(Boolean).join(' ') || 'The child'}${born}`,
    },
    authoredOn: shared.sharedAt,
    requester: { display: 'Multi-agency safeguarding hub' },
    owner: { type: 'Organization', identifier: { system: ODS_ORGANISATION_SYSTEM, value: organisation } },
    ...(typeof payload['request.dueAt'] === 'string' && { restriction: { period: { end: payload['request.dueAt'] } } }),
    input: [
      ...(typeof contact === 'string' ? [{ type: { text: 'MASH contact number, to quote' }, valueString: contact }] : []),
      {
        type: { text: `Shared fields, minimised under the MASH sharing policy ${shared.policyVersion}` },
        valueAttachment: { contentType: 'application/json', data: Buffer.from(JSON.stringify(payload)).toString('base64') },
      },
    ],
    note: [
      {
        text: `Shared on the lawful basis: UK GDPR Article 6 ${basis.article6}${basis.article9 ? `, Article 9 ${basis.article9}` : ''}; ${basis.statutoryGateways.join(', ')}.`,
      },
    ],
  };
}

function summaryOf(shared: InformationShared, contact: unknown): string {
  const contactText = typeof contact === 'string' ? ` (MASH contact ${contact})` : '';
  if (shared.purpose === 'outcome_feedback') {
    const outcome = shared.payload['outcome.decision'] as ContactOutcome | undefined;
    const decidedAt = shared.payload['outcome.decidedAt'];
    const decided = typeof decidedAt === 'string' ? ` on ${decidedAt.slice(0, 10)}` : '';
    return outcome && OUTCOME_WORDS[outcome]
      ? `The MASH decided ${OUTCOME_WORDS[outcome]}${decided} on your referral${contactText}.`
      : `The MASH has decided the outcome of your referral${contactText}.`;
  }
  return `The MASH passes on what another agency told it about a child${contactText}: ${Object.keys(shared.payload).join(', ')}.`;
}

/** A page of search results, oldest first; `next` (when more may follow) and `self` are absolute URLs. */
export function searchset(resources: Resource[], links: { self: string; next: string | null }, base: string): Bundle {
  const link: BundleLink[] = [{ relation: 'self', url: links.self }];
  if (links.next) link.push({ relation: 'next', url: links.next });
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    timestamp: new Date().toISOString(),
    link,
    entry: resources.map(
      (resource): BundleEntry => ({ fullUrl: `${base}/${resource.resourceType}/${resource.id}`, resource, search: { mode: 'match' } }),
    ),
  };
}
