import { exampleNotification } from '../examples.js';
import { InvalidMessageError, validateMessage } from '../field-errors.js';
import { SafeguardingNotification } from '../safeguarding-notification.js';
import { HealthDetails } from './health.js';

async function errorsOf(plain: unknown) {
  try {
    await validateMessage(SafeguardingNotification, plain);
  } catch (error) {
    if (error instanceof InvalidMessageError) return error.errors;
    throw error;
  }
  return [];
}

const healthDetails = () => ({
  agency: 'health' as const,
  version: 1 as const,
  communicationIdentifier: { system: 'https://trust.example.nhs.uk/Id/safeguarding-referral', value: 'SGR-2026-000123' },
  fhirPriority: 'urgent' as const,
  gpPracticeOdsCode: 'A81001',
  injuryDescriptions: ['Bruising to the left upper arm, four finger-tip marks'],
  previousUnscheduledAttendances: [{ attendedOn: '2026-01-12', encounterClass: 'EMER', serviceProviderOdsCode: 'RJ1' }],
});

const healthNotification = (details: object = healthDetails()) =>
  exampleNotification({ sourceAgency: 'health', sourceOrganisation: 'RJ1', referralSource: '3F', details: details as HealthDetails });

describe('HealthDetails', () => {
  it('is read as the health part of a health notification', async () => {
    const message = await validateMessage(SafeguardingNotification, healthNotification());
    expect(message.details).toBeInstanceOf(HealthDetails);
    expect(message.details).toMatchObject({ agency: 'health', fhirPriority: 'urgent', gpPracticeOdsCode: 'A81001' });
  });

  it('names every invalid field of the health part with its path', async () => {
    const bad = {
      ...healthDetails(),
      version: 2,
      fhirPriority: 'whenever',
      gpPracticeOdsCode: 'a8',
      communicationIdentifier: { system: 'https://trust.example.nhs.uk/Id/safeguarding-referral' },
      previousUnscheduledAttendances: [{ attendedOn: '2999-01-01', encounterClass: 'EMER' }],
    };
    const paths = (await errorsOf(healthNotification(bad))).map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'details.version',
        'details.fhirPriority',
        'details.gpPracticeOdsCode',
        'details.communicationIdentifier.value',
        'details.previousUnscheduledAttendances[0].attendedOn',
      ]),
    );
  });

  it('is not accepted on another agency\'s notification', async () => {
    const police = exampleNotification({ details: healthDetails() as unknown as HealthDetails });
    expect((await errorsOf(police)).map((e) => e.path)).toContain('details');
  });
});
