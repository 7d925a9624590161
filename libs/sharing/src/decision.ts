import type { Article6Basis, Article9Condition, StatutoryGateway } from '#contracts';
import { describeConsentStatus, type CaseConsent } from './consent.js';
import type { SharingPolicy } from './policy.js';
import { SPECIAL_CATEGORY_CLASSES, type DataClass, type InformationOwner, type SharePurpose, type ShareRecipient } from './purposes.js';

/** What is to be shared: named fields (as the policy names them) and whose information they are. */
export interface ShareContent {
  owner: InformationOwner;
  /** Field name → value; a field with no value (undefined or null) is not shared and not counted. */
  fields: Record<string, unknown>;
}

/** The lawful basis the person asking relies on, where they state one. */
export interface StatedBasis {
  article6?: Article6Basis;
  gateway?: StatutoryGateway;
  /** Why this share is necessary and proportionate, in their words. */
  justification?: string;
}

export interface ShareRequest {
  purpose: SharePurpose;
  recipient: ShareRecipient;
  content: ShareContent;
  /** The consent standing on the case; null when none is recorded. */
  consent: CaseConsent | null;
  statedBasis?: StatedBasis | null;
  /** Whether the owning agency's agreement to this recipient agency is recorded on the case. */
  ownerAgreed: boolean;
}

export const REFUSAL_CODES = [
  'recipient_not_permitted',
  'recipient_unknown',
  'consent_not_recorded',
  'consent_refused',
  'owner_agreement_missing',
  'basis_not_available',
  'nothing_to_share',
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

export interface RefusalReason {
  code: RefusalCode;
  /** Why, in a sentence a practitioner understands. */
  explanation: string;
  /** What would allow it. */
  remedy: string;
}

export interface ShareAllowed {
  outcome: 'allow';
  purpose: SharePurpose;
  recipient: ShareRecipient;
  policyVersion: string;
  article6: Article6Basis;
  /** Set when special-category data goes out. */
  article9: Article9Condition | null;
  gateways: StatutoryGateway[];
  /** The consent as it bore on the share, in words. */
  consent: string;
  /** The minimised payload: only the fields the policy lets this recipient have. */
  payload: Record<string, unknown>;
  fieldsShared: string[];
  /** Fields there were but the recipient may not have. */
  fieldsWithheld: string[];
  dataClasses: DataClass[];
}

export interface ShareRefused {
  outcome: 'refuse';
  purpose: SharePurpose;
  recipient: ShareRecipient;
  policyVersion: string;
  reasons: RefusalReason[];
  fieldsRequested: string[];
}

export type ShareDecision = ShareAllowed | ShareRefused;

const OVERRIDE_REMEDY = 'A MASH manager may override refused consent with a written safeguarding justification; or record consent if it is now given.';

/**
 * The one decision every share passes. Pure: the same request and policy always give the same
 * answer. Every reason to refuse is given, not only the first, so the person asking can put them all
 * right at once.
 */
export function decideShare(request: ShareRequest, policy: SharingPolicy): ShareDecision {
  const { purpose, recipient, content, consent } = request;
  const rule = policy.messages[purpose];
  const present = Object.keys(content.fields).filter((name) => content.fields[name] !== undefined && content.fields[name] !== null);
  const reasons: RefusalReason[] = [];
  const refuse = (code: RefusalCode, explanation: string, remedy: string) => reasons.push({ code, explanation, remedy });

  const allowedFields = rule.recipients[recipient.agency];
  if (!allowedFields) {
    refuse(
      'recipient_not_permitted',
      `The sharing policy (version ${policy.version}) does not let ${describePurpose(purpose)} go to ${recipient.agency}.`,
      'Choose another recipient, or ask the data protection officer whether the policy should allow it.',
    );
  }
  if (!recipient.organisation) {
    refuse(
      'recipient_unknown',
      purpose === 'operation_encompass'
        ? 'The child has no known school, so the Operation Encompass notice has nowhere to go.'
        : `No ${recipient.agency} organisation was named to receive it.`,
      purpose === 'operation_encompass'
        ? "Find the child's school and record its URN; the screener has been alerted."
        : 'Name the organisation that should receive it.',
    );
  }

  if (rule.consent === 'decided_per_case') {
    if (!consent) {
      refuse(
        'consent_not_recorded',
        'No consent decision is recorded on this contact, and sharing depends on it.',
        'Record the consent decision on the contact: given (and by whom), refused, not sought (with the reason) or not required (statutory enquiry).',
      );
    } else if (consent.decision.status === 'refused' && !consent.override) {
      refuse('consent_refused', 'Consent to share was refused, and the refusal has not been overridden.', OVERRIDE_REMEDY);
    }
  }

  const stated = request.statedBasis ?? {};
  const needsOwner =
    rule.onwardDisclosure === 'owner_agreement_or_stated_basis' && content.owner !== 'mash' && content.owner !== recipient.agency;
  if (needsOwner && !request.ownerAgreed && !(stated.gateway && stated.justification?.trim())) {
    refuse(
      'owner_agreement_missing',
      `This is ${content.owner}'s information, and ${content.owner} has not agreed to it going to ${recipient.agency}.`,
      `Record ${content.owner}'s agreement on the contact, or state the lawful basis (statutory gateway) and a justification for sharing without it.`,
    );
  }

  const consentGiven = consent?.decision.status === 'given';
  if (stated.article6 === 'consent' && !(rule.consent === 'decided_per_case' && consentGiven)) {
    refuse(
      'basis_not_available',
      'Consent cannot be the Article 6 basis: consent to this share is not recorded as given.',
      'Rely on public task (the usual basis for safeguarding) or legal obligation, or record consent as given.',
    );
  }

  const shareable = allowedFields ? present.filter((name) => allowedFields.includes(name)) : [];
  if (allowedFields && !shareable.length) {
    refuse(
      'nothing_to_share',
      `None of what was asked for may go to ${recipient.agency} as ${describePurpose(purpose)} under the sharing policy (version ${policy.version}).`,
      'Read the sharing policy for what this recipient may receive, or choose another recipient.',
    );
  }

  const base = { purpose, recipient, policyVersion: policy.version };
  if (reasons.length) return { ...base, outcome: 'refuse', reasons, fieldsRequested: present };

  const dataClasses = [...new Set(shareable.map((name) => policy.fields[name].class))].sort();
  const special = dataClasses.some((dataClass) => SPECIAL_CATEGORY_CLASSES.includes(dataClass));
  const considersConsent = rule.consent === 'decided_per_case';
  const statutoryEnquiry = considersConsent && consent?.decision.status === 'not_required';
  const gateways = [...rule.gateways];
  if (statutoryEnquiry && !gateways.includes('children_act_1989_s47')) gateways.push('children_act_1989_s47');
  if (stated.gateway && !gateways.includes(stated.gateway)) gateways.push(stated.gateway);
  return {
    ...base,
    outcome: 'allow',
    article6: stated.article6 ?? (statutoryEnquiry ? 'legal_obligation' : 'public_task'),
    article9: special ? article9Condition(content.owner, considersConsent && consentGiven) : null,
    gateways,
    consent: considersConsent ? describeConsentStatus(consent!) : `not a step: ${rule.consentNote ?? 'the policy says so'}`,
    payload: Object.fromEntries(shareable.map((name) => [name, content.fields[name]])),
    fieldsShared: shareable,
    fieldsWithheld: present.filter((name) => !shareable.includes(name)),
    dataClasses,
  };
}

/**
 * The Article 9 condition for special-category data: explicit consent where it was given; otherwise the
 * safeguarding condition, which allows sharing without consent when it cannot be given, cannot reasonably
 * be obtained or seeking it would prejudice the child's protection (DPA 2018 Schedule 1 para 18), or, for
 * the police's own information, Schedule 8 para 4.
 */
function article9Condition(owner: InformationOwner, consentGiven: boolean): Article9Condition {
  if (consentGiven) return 'explicit_consent';
  return owner === 'police' ? 'dpa2018_sch8_para4_safeguarding' : 'dpa2018_sch1_para18_safeguarding';
}

const PURPOSE_WORDS: Record<SharePurpose, string> = {
  operation_encompass: 'an Operation Encompass notice',
  information_request: 'an information request',
  information_passed_on: 'information passed on from another agency',
  outcome_feedback: 'feedback of the outcome',
};

export function describePurpose(purpose: SharePurpose): string {
  return PURPOSE_WORDS[purpose];
}
