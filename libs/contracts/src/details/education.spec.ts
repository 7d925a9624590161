import { exampleNotification } from '../examples.js';
import { InvalidMessageError, validateMessage } from '../field-errors.js';
import { SafeguardingNotification } from '../safeguarding-notification.js';
import { EducationDetails } from './education.js';

/** A school's concern about one pupil, with a sibling linked, as canonical. */
function educationNotification(details: Partial<EducationDetails> = {}, sourceOrganisation = '123456') {
  return exampleNotification({
    sourceAgency: 'education',
    sourceOrganisation,
    partnerReference: 'SC-2026-000451',
    categories: ['18A'],
    referralSource: '2A',
    lawfulBasis: { article6: 'public_task', article9: 'dpa2018_sch1_para18_safeguarding', statutoryGateways: ['children_act_2004_s11'] },
    details: {
      agency: 'education',
      version: 1,
      sender: 'school',
      schoolUrn: '123456',
      concernTypes: ['physical_abuse'],
      immediateDanger: false,
      dslDecision: 'refer_to_mash',
      designatedSafeguardingLead: { name: 'Priya Lead', role: 'Deputy head teacher and DSL', contact: '020 7946 0000' },
      pupils: [{ upn: 'A123456789012', yearGroup: '5', bodyMap: [{ location: 'left upper arm', description: 'four oval bruises, yellow-green' }] }],
      linkedPupils: [{ givenName: 'Ben', familyName: 'Example', yearGroup: '2', connection: 'sibling' }],
      staffAlerted: [{ name: 'Tom Teacher', role: 'class teacher' }],
      actionsTaken: ['Body map completed by the DSL'],
      ...details,
    } as EducationDetails,
  });
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

describe('the education details of a canonical notification', () => {
  it("accepts a school's concern and reads its details as EducationDetails", async () => {
    const message = await validateMessage(SafeguardingNotification, educationNotification());
    expect(message.details).toBeInstanceOf(EducationDetails);
    expect(message.details).toMatchObject({ sender: 'school', linkedPupils: [{ connection: 'sibling' }] });
  });

  it("accepts a virtual school's concern, sent under its council's ONS code and without a URN", async () => {
    const plain = educationNotification(
      {
        sender: 'virtual_school',
        schoolUrn: undefined,
        pupils: [{ yearGroup: '9', bodyMap: [], lookedAfterStatus: 'looked_after_s31_care_order', responsibleLocalAuthority: 'E09000028' }],
      },
      'E09000028',
    );
    expect(await errorsOf(plain)).toEqual([]);
  });

  it('requires the URN from a school, and the looked-after status and council from a virtual school', async () => {
    expect(await errorsOf(educationNotification({ schoolUrn: undefined }))).toEqual([
      { path: 'details.schoolUrn', message: 'schoolUrn must be a 6-digit school URN (required when a school sends)' },
    ]);
    expect(await errorsOf(educationNotification({ sender: 'virtual_school', schoolUrn: undefined }, 'E09000028'))).toEqual([
      { path: 'details.pupils', message: 'pupils must each have a lookedAfterStatus and a responsibleLocalAuthority when a virtual school sends' },
    ]);
  });

  it('refuses unknown codes, with the path of each', async () => {
    const errors = await errorsOf(
      educationNotification({
        version: 2 as never,
        dslDecision: 'ignore' as never,
        pupils: [{ upn: 'I123456789012', yearGroup: '15' as never, bodyMap: [{ location: '', description: 'bruise' }], responsibleLocalAuthority: 'Southwark' }],
        linkedPupils: [{ givenName: 'Ben', familyName: 'Example', connection: 'victim' as never }],
      }),
    );
    expect(errors.map((e) => e.path).sort()).toEqual(
      [
        'details.dslDecision',
        'details.linkedPupils[0].connection',
        'details.pupils[0].bodyMap[0].location',
        'details.pupils[0].responsibleLocalAuthority',
        'details.pupils[0].upn',
        'details.pupils[0].yearGroup',
        'details.version',
      ].sort(),
    );
  });

  it('must be the details of the sending agency', async () => {
    const fromPolice = { ...educationNotification(), sourceAgency: 'police', sourceOrganisation: '01' };
    expect(await errorsOf(fromPolice)).toContainEqual({
      path: 'details',
      message: `details must be the sending agency's details: details.agency must be "police", not "education"`,
    });
  });
});
