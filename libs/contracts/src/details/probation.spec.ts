import { exampleNotification } from '../examples.js';
import { InvalidMessageError, validateMessage } from '../field-errors.js';
import { SafeguardingNotification } from '../safeguarding-notification.js';
import { ProbationDetails } from './probation.js';

/** A canonical notification from a probation region, about fictitious people. */
function probationNotification(details: Record<string, unknown> = {}) {
  const base = exampleNotification();
  return {
    ...base,
    sourceAgency: 'probation',
    sourceOrganisation: 'N07',
    partnerReference: 'X123456/3',
    categories: ['19C'],
    senderUrgency: 'red',
    referralSource: '7',
    subjects: {
      children: [{ givenName: 'Amy', familyName: 'Example', dateOfBirth: '2015-06-14' }],
      adults: [
        { givenName: 'Carl', familyName: 'Sample', role: 'person_on_probation', relationshipToChild: "parent's partner" },
        { givenName: 'Beth', familyName: 'Example', role: 'household_member' },
      ],
    },
    details: {
      agency: 'probation',
      version: 1,
      crn: 'X123456',
      riskOfSeriousHarmToChildren: 'high',
      mappa: { category: 1, level: 2 },
      offences: [{ nature: 'sexual_offence_against_child', description: 'Sexual assault of a child under 13', victimAgeAtOffence: 11, victimRelationship: 'child_known_to_them' }],
      sentence: { type: 'immediate_custody', lengthMonths: 48, sentencedOn: '2023-01-10', expiresOn: '2027-01-09' },
      release: { releaseDate: '2026-12-01', licenceConditions: ['Not to have unsupervised contact with any child under 18.'] },
      proposedAddress: { lines: ['1 Test Street', 'Exampletown'], postcode: 'EX1 1AA', uprn: '100012345678' },
      childContact: 'likely',
      childRelationships: [{ childIndex: 0, personOnProbationIs: 'parents_partner' }],
      householdMembers: [{ adultIndex: 1, relationshipToPersonOnProbation: 'partner' }],
      practitioner: { name: 'Pat Practitioner', team: 'Exampletown OMU', contact: '01234 567891' },
      ...details,
    },
  };
}

async function errorsOf(plain: unknown) {
  try {
    await validateMessage(SafeguardingNotification, plain);
  } catch (error) {
    if (error instanceof InvalidMessageError) return error.errors;
    throw error;
  }
  return [];
}

describe('the probation details of a canonical notification', () => {
  it('are read as ProbationDetails, with the person on probation as an adult of their own role', async () => {
    const message = await validateMessage(SafeguardingNotification, probationNotification());
    expect(message.details).toBeInstanceOf(ProbationDetails);
    expect(message.details).toMatchObject({ agency: 'probation', crn: 'X123456', mappa: { category: 1, level: 2 } });
    expect(message.subjects.adults[0].role).toBe('person_on_probation');
  });

  it('leave MAPPA out for a person not managed under MAPPA, and a level out until one is set', async () => {
    expect(await errorsOf(probationNotification({ mappa: undefined }))).toEqual([]);
    expect(await errorsOf(probationNotification({ mappa: { category: 2 } }))).toEqual([]);
  });

  it('refuse every invalid field, with its path', async () => {
    const errors = await errorsOf(
      probationNotification({
        version: 2,
        crn: 'x12345',
        riskOfSeriousHarmToChildren: 'severe',
        mappa: { category: 4, level: 0 },
        offences: [],
        sentence: { type: 'custody', sentencedOn: '2999-01-01' },
        childContact: 'maybe',
        childRelationships: [{ childIndex: 0, personOnProbationIs: 'uncle' }],
      }),
    );
    expect(errors.map((e) => e.path).sort()).toEqual([
      'details.childContact',
      'details.childRelationships[0].personOnProbationIs',
      'details.crn',
      'details.mappa.category',
      'details.mappa.level',
      'details.offences',
      'details.riskOfSeriousHarmToChildren',
      'details.sentence.sentencedOn',
      'details.sentence.type',
      'details.version',
    ]);
    expect(errors.find((e) => e.path === 'details.crn')?.message).toBe(
      'crn must be a probation case reference number: a capital letter and 6 digits, e.g. X123456',
    );
    expect(errors.find((e) => e.path === 'details.mappa.category')?.message).toBe('category must be a MAPPA category: 1, 2 or 3');
    expect(errors.find((e) => e.path === 'details.version')?.message).toBe('version must be 1: the only version of the probation details');
  });

  it('refuse unknown fields in the details rather than dropping them', async () => {
    expect(await errorsOf(probationNotification({ oasysScore: 42 }))).toEqual([expect.objectContaining({ path: 'details.oasysScore' })]);
  });

  it("are refused on another agency's notification, and another agency's on a probation one", async () => {
    const asPolice = { ...probationNotification(), sourceAgency: 'police', sourceOrganisation: '01' };
    expect(await errorsOf(asPolice)).toContainEqual({
      path: 'details',
      message: `details must be the sending agency's details: details.agency must be "police", not "probation"`,
    });
    const withPoliceDetails = { ...probationNotification(), details: exampleNotification().details };
    expect(await errorsOf(withPoliceDetails)).toContainEqual(expect.objectContaining({ path: 'details' }));
  });

  it("need a probation region code as the sender's organisation", async () => {
    expect(await errorsOf({ ...probationNotification(), sourceOrganisation: '01' })).toEqual([
      { path: 'sourceOrganisation', message: 'sourceOrganisation must be the Probation Service region code (a capital letter and 2 digits) for probation, e.g. N07' },
    ]);
  });
});
