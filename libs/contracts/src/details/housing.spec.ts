import { exampleNotification } from '../examples.js';
import { InvalidMessageError, validateMessage } from '../field-errors.js';
import { SafeguardingNotification } from '../safeguarding-notification.js';
import { HousingDetails } from './housing.js';

/** A duty-to-refer notification from a council's housing service, about fictitious people. */
function housingNotification(details: Record<string, unknown> = {}) {
  const base = exampleNotification();
  return {
    ...base,
    sourceAgency: 'housing',
    sourceOrganisation: 'E09000028',
    partnerReference: 'HOU/2026/004512',
    categories: [],
    referralSource: '4',
    lawfulBasis: { article6: 'legal_obligation', statutoryGateways: ['housing_act_1996_s213b', 'children_act_2004_s11'] },
    consent: { status: 'given', givenBy: 'parent' },
    subjects: { ...base.subjects, adults: [{ givenName: 'Beth', familyName: 'Example', role: 'household_member', relationshipToChild: 'mother' }] },
    details: {
      agency: 'housing',
      version: 1,
      kind: 'duty_to_refer',
      officer: { name: 'Pat Officer', team: 'Tenancy Sustainment', contact: '020 7525 0000' },
      relationshipsToApplicant: { children: ['daughter'], adults: ['applicant'] },
      dutyToRefer: { reason: 'homeless', accommodationTonight: false, chosenCouncil: 'E09000022' },
      ...details,
    },
  } as unknown as SafeguardingNotification;
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

describe('housing details', () => {
  it('are read as the housing part of a notification from housing', async () => {
    const message = await validateMessage(SafeguardingNotification, housingNotification());
    expect(message.details).toBeInstanceOf(HousingDetails);
    expect(message.details).toMatchObject({ kind: 'duty_to_refer', dutyToRefer: { reason: 'homeless', chosenCouncil: 'E09000022' } });
  });

  it("require the kind's own section, and refuse another kind's", async () => {
    expect(await errorsOf(housingNotification({ dutyToRefer: undefined }))).toEqual([
      { path: 'details.dutyToRefer', message: 'dutyToRefer is required when kind is duty_to_refer' },
    ]);
    const eviction = { noticeType: 'section_8', servedOn: '2026-02-20', leaveBy: '2026-03-06', reason: 'rent_arrears', arrearsPounds: 2140.5, landlord: 'council' };
    expect(await errorsOf(housingNotification({ eviction }))).toEqual([
      { path: 'details.eviction', message: 'eviction must be absent unless kind is eviction' },
    ]);
    expect(await errorsOf(housingNotification({ kind: 'eviction', dutyToRefer: undefined, eviction }))).toEqual([]);
  });

  it('check each section: reasons, dates, the chosen council and the arrears', async () => {
    const errors = await errorsOf(
      housingNotification({
        kind: 'eviction',
        dutyToRefer: undefined,
        eviction: { noticeType: 'section_99', servedOn: '2026-02-30', leaveBy: '2026-03-06', reason: 'rent_arrears', landlord: 'council' },
      }),
    );
    expect([...new Set(errors.map((e) => e.path))].sort()).toEqual(['details.eviction.arrearsPounds', 'details.eviction.noticeType', 'details.eviction.servedOn']);
    expect(errors).toContainEqual({ path: 'details.eviction.arrearsPounds', message: 'arrearsPounds is required when reason is rent_arrears' });

    const threatened = await errorsOf(
      housingNotification({ dutyToRefer: { reason: 'threatened_with_homelessness', accommodationTonight: true, chosenCouncil: 'W06000015' } }),
    );
    expect(threatened).toEqual([
      { path: 'details.dutyToRefer.expectedHomelessOn', message: 'expectedHomelessOn must be a date in the form YYYY-MM-DD' },
      { path: 'details.dutyToRefer.expectedHomelessOn', message: 'expectedHomelessOn is required when reason is threatened_with_homelessness' },
      { path: 'details.dutyToRefer.accommodationTonight', message: 'accommodationTonight must be absent unless reason is homeless' },
      {
        path: 'details.dutyToRefer.chosenCouncil',
        message: 'chosenCouncil must be the ONS code of a local housing authority in England (E06, E07, E08 or E09 and 6 digits), e.g. E09000028',
      },
    ]);
  });

  it('must be version 1 and of the sending agency', async () => {
    expect(await errorsOf(housingNotification({ version: 2 }))).toEqual([
      { path: 'details.version', message: 'version must be 1: the only version of the housing details' },
    ]);
    const fromPolice = { ...housingNotification(), sourceAgency: 'police', sourceOrganisation: '01' };
    expect((await errorsOf(fromPolice)).map((e) => e.path)).toEqual(['details']);
  });
});
