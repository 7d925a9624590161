import { NOTIFICATION_SCHEMA_VERSION, type SafeguardingNotification } from './safeguarding-notification.js';

/**
 * A complete, valid canonical notification about fictitious people, for
 * documentation and tests. NHS numbers starting 999 are reserved for testing.
 */
export function exampleNotification(overrides: Partial<SafeguardingNotification> = {}): SafeguardingNotification {
  return {
    schemaVersion: NOTIFICATION_SCHEMA_VERSION,
    notificationId: '6f1d3b0e-8a53-5c1e-9d4a-2b7f0c9e1a11',
    correlationId: '0b8e7f2c-3d4a-4e5f-8a9b-1c2d3e4f5a6b',
    sourceAgency: 'police',
    sourceOrganisation: '01',
    partnerReference: 'PPN/2026/000123',
    occurredAt: '2026-03-01T21:40:00Z',
    reportedAt: '2026-03-02T08:15:00Z',
    categories: ['3A', '3B'],
    senderUrgency: 'amber',
    subjects: {
      children: [
        {
          givenName: 'Amy',
          familyName: 'Example',
          dateOfBirth: '2015-06-14',
          nhsNumber: '9990000379',
          address: { lines: ['1 Test Street', 'Exampletown'], postcode: 'EX1 1AA', uprn: '100012345678' },
          schoolUrn: '123456',
          present: true,
          voice: { seen: true, spokenTo: true, words: 'I hid in my room when they were shouting.' },
        },
      ],
      adults: [
        { givenName: 'Beth', familyName: 'Example', role: 'victim', relationshipToChild: 'mother' },
        { givenName: 'Carl', familyName: 'Sample', role: 'alleged_perpetrator', relationshipToChild: "mother's partner" },
      ],
    },
    narrative: 'Police attended a verbal and physical altercation between adults at the home address.',
    consent: { status: 'not_sought', notSoughtReason: 'risk_of_significant_harm_to_child' },
    lawfulBasis: {
      article6: 'public_task',
      article9: 'dpa2018_sch8_para4_safeguarding',
      statutoryGateways: ['children_act_2004_s11', 'crime_and_disorder_act_1998_s115'],
    },
    referralSource: '6',
    details: {
      agency: 'police',
      version: 1,
      referralType: 'information_exchange',
      dashRiskLevel: 'medium',
      incidentLocation: '1 Test Street, Exampletown',
      officerInCase: { name: 'PC Dana Officer', collarNumber: '4521', contact: '01234 567890' },
      previousIncidents: 2,
      domesticAbuse: true,
    },
    ...overrides,
  };
}
