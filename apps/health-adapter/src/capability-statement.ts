import type { CapabilityStatement } from '@medplum/fhirtypes';
import {
  ACKNOWLEDGE_OPERATION,
  CONSENT_NOT_SOUGHT_EXTENSION,
  EXPECTED_DATE_OF_DELIVERY_EXTENSION,
  FHIR_JSON,
  INBOX_MESSAGE_KIND_SYSTEM,
  NHS_NUMBER_SYSTEM,
  SAFEGUARDING_CONCERN_SYSTEM,
  TASK_ACKNOWLEDGE_OPERATION,
} from './fhir-systems.js';

const shareInboxKindText = 'share.information_request';

const INBOX_SEARCH = [
  { name: '_count', type: 'number' as const, documentation: 'The most entries on a page: 1 to 200, 50 if not given.' },
  { name: '_cursor', type: 'token' as const, documentation: "Where a page starts: taken from the previous page's next link. No other search parameter is accepted." },
];

const IN_TRANSACTION = 'Accepted only as an entry of the transaction Bundle posted to the base.';

/** What this endpoint does, for FHIR clients (GET /fhir/metadata). */
export function capabilityStatement(): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2026-11-23',
    publisher: 'Multi-agency safeguarding hub',
    kind: 'instance',
    implementation: {
      description:
        'The MASH health adapter: health services send a safeguarding referral as a FHIR R4 transaction Bundle, and it reaches the MASH screeners as a contact. What the MASH sends back waits in the organisation\'s inbox: Communications to search and acknowledge.',
    },
    software: { name: 'MASH health adapter', version: '1' },
    fhirVersion: '4.0.1',
    format: [FHIR_JSON],
    rest: [
      {
        mode: 'server',
        documentation: `One referral per transaction Bundle: one Communication (identifier, priority, sent, category in ${SAFEGUARDING_CONCERN_SYSTEM}, payload), its subject Patient (the child), the Consent decision, and optionally RelatedPerson, Condition, Encounter and Organization entries.`,
        security: {
          description:
            'Authorization: Bearer mash_<credential id>_<secret>, the credential the MASH issued to your system; it names your organisation (ODS code).',
        },
        interaction: [{ code: 'transaction', documentation: 'POST [base] with a Bundle of type transaction: 202 when it is safe with the hub.' }],
        resource: [
          {
            type: 'Communication',
            documentation: `The referral. Communication.identifier is your reference: the same referral again is recognised as a duplicate. Sent in the transaction Bundle, or on its own with the other resources contained (referred to as #id).`,
            interaction: [
              { code: 'create', documentation: 'POST [base]/Communication with the Patient, Consent and the rest contained: 202 when it is safe with the hub.' },
              {
                code: 'search-type',
                documentation: `GET [base]/Communication: what the MASH has told your organisation and you have not yet acknowledged, oldest first, paged by the link next. Today one kind (category in ${INBOX_MESSAGE_KIND_SYSTEM}): notification.accepted, your referral (inResponseTo, by your Communication.identifier) accepted and the MASH contacts it joined (payload).`,
              },
            ],
            searchParam: INBOX_SEARCH,
            operation: [
              {
                name: 'acknowledge',
                definition: ACKNOWLEDGE_OPERATION,
                documentation:
                  'POST [base]/Communication/[id]/$acknowledge, no body: the Communication leaves your inbox. Answers Parameters with acknowledgedAt, the same however often it is acknowledged.',
              },
            ],
          },
          {
            type: 'Task',
            documentation: `What the MASH asks of your organisation: information requests (code ${shareInboxKindText} in ${INBOX_MESSAGE_KIND_SYSTEM}), the question as description, due by restriction.period.end, for the child, owned by your organisation. Task.id is the request id.`,
            interaction: [
              { code: 'search-type', documentation: 'GET [base]/Task: requests not yet answered or acknowledged, oldest first, paged by the link next; requested, or cancelled when the MASH withdrew one.' },
              {
                code: 'update',
                documentation: 'PUT [base]/Task/[id] with the Task, status completed and the answer as its one output valueString: the answer, once safe with the hub (200 with the Task). One answer per Task; a cancelled Task takes none (409).',
              },
            ],
            searchParam: INBOX_SEARCH,
            operation: [
              {
                name: 'acknowledge',
                definition: TASK_ACKNOWLEDGE_OPERATION,
                documentation: 'POST [base]/Task/[id]/$acknowledge, no body: the Task (a cancelled one, say) is no longer listed. Answering a Task acknowledges it.',
              },
            ],
          },
          {
            type: 'Patient',
            documentation: `The child: identifier ${NHS_NUMBER_SYSTEM}, or for an unborn child the extension ${EXPECTED_DATE_OF_DELIVERY_EXTENSION}. ${IN_TRANSACTION}`,
          },
          { type: 'RelatedPerson', documentation: `Adults in the child's life, relationship in v3 RoleCode. ${IN_TRANSACTION}` },
          { type: 'Consent', documentation: `The consent decision: active (given), rejected (refused), or not sought with ${CONSENT_NOT_SOUGHT_EXTENSION}. ${IN_TRANSACTION}` },
          { type: 'Condition', documentation: `Injuries, as code.text and bodySite. ${IN_TRANSACTION}` },
          { type: 'Encounter', documentation: `Earlier unscheduled attendances of the child. ${IN_TRANSACTION}` },
          { type: 'Organization', documentation: `The sender and the GP practice, by ODS code. ${IN_TRANSACTION}` },
        ],
      },
    ],
  };
}
