/** Identifier and code systems the health adapter reads; the hub's own are under its FHIR base. */
export const NHS_NUMBER_SYSTEM = 'https://fhir.nhs.uk/Id/nhs-number';
export const ODS_ORGANISATION_SYSTEM = 'https://fhir.nhs.uk/Id/ods-organization-code';
/** NHS England's code system of ODS organisation roles: RO76 is a GP practice. */
export const ODS_ROLE_SYSTEM = 'https://fhir.nhs.uk/England/CodeSystem/England-ODSOrganisationRole';
export const ODS_ROLE_GP_PRACTICE = 'RO76';
export const V3_ROLE_CODE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-RoleCode';

/** The hub's canonical base for the extensions and code systems it defines. */
export const HUB_FHIR_BASE = 'https://mash.example.gov.uk/fhir';
/** Patient extension (valueDate) for an unborn child: base R4 has no element for the expected date of delivery. */
export const EXPECTED_DATE_OF_DELIVERY_EXTENSION = `${HUB_FHIR_BASE}/StructureDefinition/expected-date-of-delivery`;
/** Consent extension (valueCode from CONSENT_NOT_SOUGHT_SYSTEM): consent was not sought, and why. */
export const CONSENT_NOT_SOUGHT_EXTENSION = `${HUB_FHIR_BASE}/StructureDefinition/consent-not-sought-reason`;
export const CONSENT_NOT_SOUGHT_SYSTEM = `${HUB_FHIR_BASE}/CodeSystem/consent-not-sought-reason`;
/** Communication.category codes: the safeguarding concerns a health referral raises. */
export const SAFEGUARDING_CONCERN_SYSTEM = `${HUB_FHIR_BASE}/CodeSystem/safeguarding-concern`;
/** The submission receipt carried in the transaction-response's outcome. */
export const SUBMISSION_RECEIPT_EXTENSION = `${HUB_FHIR_BASE}/StructureDefinition/submission-receipt`;
/** Identifier.system of the MASH's messages to an organisation's inbox (the message id, also the resource id). */
export const INBOX_MESSAGE_SYSTEM = `${HUB_FHIR_BASE}/Id/inbox-message`;
/** Identifier.system of the MASH's contacts: the contact (one per child) a referral joined. */
export const MASH_CONTACT_SYSTEM = `${HUB_FHIR_BASE}/Id/contact`;
/** Communication.category and Task.code: what an inbox message is, by the kind the MASH gives it. */
export const INBOX_MESSAGE_KIND_SYSTEM = `${HUB_FHIR_BASE}/CodeSystem/inbox-message-kind`;
/** The $acknowledge operation on an inbox Communication. */
export const ACKNOWLEDGE_OPERATION = `${HUB_FHIR_BASE}/OperationDefinition/Communication-acknowledge`;
/** Identifier.system for a URI value: the notification id the MASH gave the referral, as urn:uuid. */
export const URI_SYSTEM = 'urn:ietf:rfc:3986';

export const FHIR_JSON = 'application/fhir+json';
/** Identifier.system of the MASH's information requests: the request id, also the Task id. */
export const INFORMATION_REQUEST_SYSTEM = `${HUB_FHIR_BASE}/Id/information-request`;
/** The $acknowledge operation on an inbox Task. */
export const TASK_ACKNOWLEDGE_OPERATION = `${HUB_FHIR_BASE}/OperationDefinition/Task-acknowledge`;
