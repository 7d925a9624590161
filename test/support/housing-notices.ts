import { randomUUID } from 'node:crypto';

/** A fresh case reference in the council's form, so each test's notice is new. */
export function caseReference(): string {
  return `HOU/2026/${String(parseInt(randomUUID().slice(0, 8), 16) % 100_000_000).padStart(8, '0')}`;
}

/**
 * A homelessness duty to refer about fictitious people, as a council's housing
 * system sends it: a mother and two children who had to leave a private let
 * after domestic abuse and have nowhere to stay tonight.
 */
export function dutyToReferNotice(overrides: Record<string, unknown> = {}) {
  return {
    caseReference: caseReference(),
    kind: 'DUTY_TO_REFER',
    raisedAt: '2026-03-02T16:45:00Z',
    officer: { name: 'Pat Officer', team: 'Housing Options', contact: 'housing.options@example.gov.uk' },
    household: {
      address: { lines: ['Flat 4', '12 Example Road', 'Exampletown'], postcode: 'SE1 2QH', uprn: '200003480421' },
      members: [
        { forename: 'Grace', surname: 'Okafor', dateOfBirth: '1994-11-21', relationshipToApplicant: 'applicant', relationshipToChildren: 'mother' },
        { forename: 'Mia', surname: 'Okafor', dateOfBirth: '2018-09-03', relationshipToApplicant: 'daughter', schoolUrn: '100234' },
        { forename: 'Leo', surname: 'Okafor', dateOfBirth: '2023-01-15', relationshipToApplicant: 'son' },
      ],
    },
    summary:
      'Ms Okafor came to the housing options desk with both children this afternoon. She left the flat last night after her partner ' +
      'assaulted her; he is still there. She has asked to be referred to the council where her sister lives. They have nowhere to stay tonight.',
    concerns: ['DOMESTIC_ABUSE'],
    consent: { status: 'GIVEN', givenBy: 'PARENT' },
    dutyToRefer: { reason: 'HOMELESS', accommodationTonight: false, chosenCouncil: 'E09000022' },
    ...overrides,
  };
}

/** An anti-social behaviour notice: a family complained of, with a child drawn into it. */
export function antiSocialBehaviourNotice(overrides: Record<string, unknown> = {}) {
  const { dutyToRefer: _section, ...base } = dutyToReferNotice();
  return {
    ...base,
    kind: 'ANTI_SOCIAL_BEHAVIOUR',
    household: {
      address: { lines: ['27 Sample Court', 'Exampletown'], postcode: 'SE1 5AB', uprn: '200003480999' },
      members: [
        { forename: 'Dean', surname: 'Marsh', dateOfBirth: '1980-04-02', relationshipToApplicant: 'tenant', relationshipToChildren: 'father' },
        { forename: 'Kyle', surname: 'Marsh', dateOfBirth: '2011-07-19', relationshipToApplicant: 'son' },
      ],
    },
    summary: 'Neighbours report older youths gathering at the flat late at night; Kyle (14) is seen with them and has been missing from school.',
    concerns: ['CHILD_ANTI_SOCIAL_BEHAVIOUR', 'CHILD_CRIMINAL_EXPLOITATION'],
    consent: { status: 'NOT_SOUGHT', reasonNotSought: 'RISK_TO_CHILD' },
    antiSocialBehaviour: { category: 'NUISANCE', householdRole: 'ALLEGED_PERPETRATOR', riskLevel: 'MEDIUM', incidentCount: 6, actionsTaken: ['WARNING_LETTER'] },
    ...overrides,
  };
}

/** An eviction notice: rent arrears on a council tenancy, bailiffs booked. */
export function evictionNotice(overrides: Record<string, unknown> = {}) {
  const { dutyToRefer: _section, ...base } = dutyToReferNotice();
  return {
    ...base,
    kind: 'EVICTION',
    summary: 'Possession for rent arrears; the family has not engaged with the income team. Bailiffs are booked.',
    concerns: [],
    consent: { status: 'NOT_REQUIRED' },
    eviction: { noticeType: 'WARRANT_OF_POSSESSION', servedOn: '2026-02-20', leaveBy: '2026-03-06', reason: 'RENT_ARREARS', arrearsPounds: 2140.5, landlord: 'COUNCIL' },
    ...overrides,
  };
}
