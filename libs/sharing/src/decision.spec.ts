import type { Agency, ConsentStatus } from '#contracts';
import type { CaseConsent } from './consent.js';
import { decideShare, type RefusalCode, type ShareRequest } from './decision.js';
import { loadSharingPolicy } from './policy.js';
import type { InformationOwner, SharePurpose } from './purposes.js';

const policy = loadSharingPolicy();
const at = new Date('2026-11-20T10:00:00Z');

function consent(state: ConsentStatus | 'none' | 'refused_overridden'): CaseConsent | null {
  if (state === 'none') return null;
  const recordedBy = { kind: 'staff', id: 'sam', name: 'sam.screener' } as const;
  if (state === 'refused_overridden') {
    return {
      decision: { status: 'refused', recordedBy, recordedAt: at },
      override: { managerId: 'mo', managerName: 'mo.manager', justification: 'Risk of significant harm outweighs the refusal.', recordedAt: at },
    };
  }
  return {
    decision: {
      status: state,
      givenBy: state === 'given' ? 'parent' : null,
      notSoughtReason: state === 'not_sought' ? 'risk_of_significant_harm_to_child' : null,
      recordedBy,
      recordedAt: at,
    },
    override: null,
  };
}

/** Plain data, or with special-category data, or only special-category data, as each purpose carries it. */
const CONTENT: Record<SharePurpose, Record<'plain' | 'special', Record<string, unknown>> & { special_only?: Record<string, unknown> }> = {
  operation_encompass: {
    plain: { 'child.name': { givenName: 'Amy', familyName: 'Example' }, 'notification.reference': 'PPN/1', 'police.incidentLocation': '1 Test Street' },
    special: { 'child.name': { givenName: 'Amy', familyName: 'Example' }, 'notification.categories': ['4B'], 'police.circumstances': 'Police attended.' },
  },
  information_request: {
    plain: { 'child.name': { givenName: 'Amy', familyName: 'Example' }, 'request.question': 'What do you hold?' },
    special: { 'child.name': { givenName: 'Amy', familyName: 'Example' }, 'child.nhsNumber': '9990000379', 'health.gpPractice': 'A81001', 'request.question': 'What do you hold?' },
  },
  information_passed_on: {
    plain: { 'child.name': { givenName: 'Amy', familyName: 'Example' }, 'notification.reference': 'REF-1' },
    special: { 'child.name': { givenName: 'Amy', familyName: 'Example' }, 'notification.narrative': 'Mother has depression.' },
    special_only: { 'notification.narrative': 'Mother has depression.', 'health.previousAttendances': [{ attendedOn: '2026-01-01' }] },
  },
  outcome_feedback: {
    plain: { 'contact.reference': '42', 'outcome.decision': 'early_help', 'outcome.summary': 'further_action' },
    special: { 'contact.reference': '42', 'outcome.decision': 'early_help', 'notification.narrative': 'Mother has depression.' },
  },
};

const OWNER: Record<SharePurpose, InformationOwner> = {
  operation_encompass: 'police',
  information_request: 'mash',
  information_passed_on: 'health',
  outcome_feedback: 'mash',
};

type DataKind = 'plain' | 'special' | 'special_only';
type Row = [SharePurpose, Agency, Parameters<typeof consent>[0], DataKind, 'allow' | RefusalCode, string | null];

// purpose × recipient × consent × data class → allow (with the Article 9 condition) or the refusal's reason.
const TABLE: Row[] = [
  // Operation Encompass: no consent step, only to schools, police's own data under Schedule 8 para 4.
  ['operation_encompass', 'education', 'none', 'plain', 'allow', null],
  ['operation_encompass', 'education', 'refused', 'plain', 'allow', null],
  ['operation_encompass', 'education', 'refused', 'special', 'allow', null],
  ['operation_encompass', 'housing', 'none', 'plain', 'recipient_not_permitted', null],
  ['operation_encompass', 'health', 'given', 'special', 'recipient_not_permitted', null],
  // Information requests: consent decided on the case.
  ['information_request', 'health', 'none', 'plain', 'consent_not_recorded', null],
  ['information_request', 'health', 'given', 'plain', 'allow', null],
  ['information_request', 'health', 'given', 'special', 'allow', null],
  ['information_request', 'police', 'refused', 'plain', 'consent_refused', null],
  ['information_request', 'police', 'refused_overridden', 'plain', 'allow', null],
  ['information_request', 'housing', 'not_sought', 'plain', 'allow', null],
  ['information_request', 'probation', 'not_required', 'plain', 'allow', null],
  // Passing on health's information: consent, then health's agreement; special category needs Article 9.
  ['information_passed_on', 'police', 'refused', 'special', 'consent_refused', null],
  ['information_passed_on', 'police', 'given', 'special', 'allow', 'explicit_consent'],
  ['information_passed_on', 'police', 'not_sought', 'special', 'allow', 'dpa2018_sch1_para18_safeguarding'],
  ['information_passed_on', 'police', 'refused_overridden', 'special', 'allow', 'dpa2018_sch1_para18_safeguarding'],
  ['information_passed_on', 'police', 'not_required', 'plain', 'allow', null],
  ['information_passed_on', 'education', 'given', 'special', 'allow', null],
  ['information_passed_on', 'education', 'given', 'plain', 'allow', null],
  ['information_passed_on', 'housing', 'not_sought', 'special', 'allow', null],
  ['information_passed_on', 'housing', 'not_sought', 'special_only', 'nothing_to_share', null],
  ['information_passed_on', 'health', 'refused', 'special', 'consent_refused', null],
  ['information_passed_on', 'health', 'given', 'special', 'allow', 'explicit_consent'],
  // Feedback to the referrer: the outcome only, whatever the consent.
  ['outcome_feedback', 'police', 'refused', 'plain', 'allow', null],
  ['outcome_feedback', 'housing', 'none', 'plain', 'allow', null],
  ['outcome_feedback', 'health', 'given', 'special', 'allow', null],
];

describe('the sharing decision, purpose × recipient × consent × data class', () => {
  it.each(TABLE)('%s to %s with consent %s and %s data: %s', (purpose, agency, consentState, dataClass, expected, article9) => {
    const request: ShareRequest = {
      purpose,
      recipient: { agency, organisation: 'ORG1' },
      content: { owner: OWNER[purpose], fields: CONTENT[purpose][dataClass]! },
      consent: consent(consentState),
      // Health's agreement to pass its information on is recorded, so only consent and minimisation decide.
      ownerAgreed: true,
    };
    const decision = decideShare(request, policy);
    if (expected === 'allow') {
      expect(decision).toMatchObject({ outcome: 'allow', policyVersion: policy.version, article9 });
      if (decision.outcome !== 'allow') return;
      expect(decision.gateways.length).toBeGreaterThan(0);
      expect(decision.fieldsShared.length).toBeGreaterThan(0);
      for (const field of decision.fieldsShared) expect(policy.messages[purpose].recipients[agency]).toContain(field);
      // Without an Article 9 condition no special-category field went out: it was withheld.
      const special = decision.fieldsShared.filter((field) => policy.fields[field].class === 'special_category');
      expect(special.length > 0).toBe(article9 !== null);
      if (dataClass !== 'plain' && article9 === null) expect(decision.fieldsWithheld.length).toBeGreaterThan(0);
    } else {
      expect(decision.outcome).toBe('refuse');
      if (decision.outcome !== 'refuse') return;
      expect(decision.reasons.map((reason) => reason.code)).toEqual([expected]);
      expect(decision.reasons[0].explanation).toMatch(/\.$/);
      expect(decision.reasons[0].remedy.length).toBeGreaterThan(20);
    }
  });

  it('says a manager may override a refusal, in words', () => {
    const decision = decideShare(
      { purpose: 'information_request', recipient: { agency: 'police', organisation: '01' }, content: { owner: 'mash', fields: CONTENT.information_request.plain }, consent: consent('refused'), ownerAgreed: false },
      policy,
    );
    expect(decision.outcome === 'refuse' && decision.reasons[0]).toEqual({
      code: 'consent_refused',
      explanation: 'Consent to share was refused, and the refusal has not been overridden.',
      remedy: expect.stringContaining('A MASH manager may override refused consent with a written safeguarding justification'),
    });
  });

  it('needs the owner’s agreement, or a stated gateway and justification, to pass information to a third agency', () => {
    const request: ShareRequest = {
      purpose: 'information_passed_on',
      recipient: { agency: 'police', organisation: '01' },
      content: { owner: 'health', fields: CONTENT.information_passed_on.plain },
      consent: consent('given'),
      ownerAgreed: false,
    };
    const refused = decideShare(request, policy);
    expect(refused.outcome === 'refuse' && refused.reasons.map((reason) => reason.code)).toEqual(['owner_agreement_missing']);
    expect(refused.outcome === 'refuse' && refused.reasons[0].remedy).toMatch(/Record health's agreement/);

    const gatewayOnly = decideShare({ ...request, statedBasis: { gateway: 'crime_and_disorder_act_1998_s115' } }, policy);
    expect(gatewayOnly.outcome).toBe('refuse');

    const stated = decideShare(
      { ...request, statedBasis: { gateway: 'crime_and_disorder_act_1998_s115', justification: 'Needed for the strategy discussion today.' } },
      policy,
    );
    expect(stated).toMatchObject({ outcome: 'allow', gateways: expect.arrayContaining(['crime_and_disorder_act_1998_s115']) });

    // Back to its owner needs no agreement.
    const backToOwner = decideShare({ ...request, recipient: { agency: 'health', organisation: 'RJ1' } }, policy);
    expect(backToOwner.outcome).toBe('allow');
  });

  it('gives every reason at once', () => {
    const decision = decideShare(
      {
        purpose: 'information_passed_on',
        recipient: { agency: 'police', organisation: null },
        content: { owner: 'health', fields: CONTENT.information_passed_on.plain },
        consent: consent('refused'),
        ownerAgreed: false,
      },
      policy,
    );
    expect(decision.outcome === 'refuse' && decision.reasons.map((reason) => reason.code)).toEqual([
      'recipient_unknown',
      'consent_refused',
      'owner_agreement_missing',
    ]);
  });

  it('tells the screener when a child has no known school for an Encompass notice', () => {
    const decision = decideShare(
      { purpose: 'operation_encompass', recipient: { agency: 'education', organisation: null }, content: { owner: 'police', fields: CONTENT.operation_encompass.plain }, consent: null, ownerAgreed: false },
      policy,
    );
    expect(decision.outcome === 'refuse' && decision.reasons[0]).toMatchObject({
      code: 'recipient_unknown',
      explanation: 'The child has no known school, so the Operation Encompass notice has nowhere to go.',
    });
  });

  it('relies on legal obligation and the s47 gateway for a statutory enquiry, public task otherwise', () => {
    const request: ShareRequest = {
      purpose: 'information_request',
      recipient: { agency: 'health', organisation: 'RJ1' },
      content: { owner: 'mash', fields: CONTENT.information_request.plain },
      consent: consent('not_required'),
      ownerAgreed: false,
    };
    expect(decideShare(request, policy)).toMatchObject({ article6: 'legal_obligation', gateways: expect.arrayContaining(['children_act_1989_s47']) });
    expect(decideShare({ ...request, consent: consent('given') }, policy)).toMatchObject({ article6: 'public_task' });
  });

  it('refuses consent as the Article 6 basis unless consent was given', () => {
    const request: ShareRequest = {
      purpose: 'information_request',
      recipient: { agency: 'health', organisation: 'RJ1' },
      content: { owner: 'mash', fields: CONTENT.information_request.plain },
      consent: consent('not_sought'),
      statedBasis: { article6: 'consent' },
      ownerAgreed: false,
    };
    expect(decideShare(request, policy)).toMatchObject({ outcome: 'refuse', reasons: [{ code: 'basis_not_available' }] });
    expect(decideShare({ ...request, consent: consent('given') }, policy)).toMatchObject({ outcome: 'allow', article6: 'consent' });
  });

  it('lists what it withheld and never counts empty fields as shared', () => {
    const decision = decideShare(
      {
        purpose: 'information_passed_on',
        recipient: { agency: 'housing', organisation: 'E09000028' },
        content: {
          owner: 'health',
          fields: { 'child.name': { givenName: 'Amy', familyName: 'Example' }, 'child.address': null, 'health.previousAttendances': [{ attendedOn: '2026-01-01' }] },
        },
        consent: consent('given'),
        ownerAgreed: true,
      },
      policy,
    );
    expect(decision).toMatchObject({ outcome: 'allow', fieldsShared: ['child.name'], fieldsWithheld: ['health.previousAttendances'], article9: null });
    expect(decision.outcome === 'allow' && decision.payload).toEqual({ 'child.name': { givenName: 'Amy', familyName: 'Example' } });
  });
});
