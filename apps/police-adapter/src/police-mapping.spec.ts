import { SafeguardingNotification, validateMessage } from '#contracts';
import { policeNotice } from '../../../test/support/police-notices.js';
import { dashRiskLevel, toCanonical } from './police-mapping.js';
import type { PoliceNoticeDto } from './police-notice.dto.js';

const ids = { notificationId: '6f1d3b0e-8a53-5c1e-9d4a-2b7f0c9e1a11', correlationId: '0b8e7f2c-3d4a-4e5f-8a9b-1c2d3e4f5a6b', sourceOrganisation: '01' };

describe('police notice to canonical notification', () => {
  it('maps a full notice to a valid canonical message', async () => {
    const notice = policeNotice({ concerns: ['DOMESTIC_ABUSE', 'PARENTAL_DRUG_MISUSE'] }) as unknown as PoliceNoticeDto;
    const message = await validateMessage(SafeguardingNotification, toCanonical(notice, ids));
    expect(message).toMatchObject({
      sourceAgency: 'police',
      partnerReference: notice.policeReference,
      senderUrgency: 'amber',
      categories: ['3A', '2B'],
      consent: { status: 'not_sought', notSoughtReason: 'risk_of_significant_harm_to_child' },
      lawfulBasis: { article6: 'public_task', article9: 'dpa2018_sch8_para4_safeguarding' },
      referralSource: '6',
      details: { agency: 'police', version: 1, referralType: 'information_exchange', dashRiskLevel: 'medium', domesticAbuse: true },
    });
    expect(message.subjects.children[0]).toMatchObject({
      givenName: 'Amy',
      present: true,
      voice: { seen: true, spokenTo: true, words: 'I hid in my room when they were shouting.' },
    });
    expect(message.subjects.adults.map((a) => a.role)).toEqual(['victim', 'alleged_perpetrator']);
    expect(message.narrative).toMatch(/Child 1: present \(upstairs bedroom\); welfare check done\./);
  });

  it('treats a DASH score of 14 or more as high risk whatever level was recorded', () => {
    expect(dashRiskLevel({ dashRisk: 'STANDARD', dashScore: 14 })).toBe('high');
    expect(dashRiskLevel({ dashRisk: 'MEDIUM', dashScore: 13 })).toBe('medium');
    expect(dashRiskLevel({})).toBeUndefined();
  });

  it('records who gave consent', async () => {
    const notice = policeNotice({ consent: { status: 'GIVEN', givenBy: 'CHILD' } }) as unknown as PoliceNoticeDto;
    expect(toCanonical(notice, ids).consent).toEqual({ status: 'given', givenBy: 'gillick_competent_child' });
  });
});
