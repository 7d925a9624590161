import { repeatFlags, type ChildNotice } from './repeats.js';

const at = (iso: string) => new Date(iso);
const green = (iso: string): ChildNotice => ({ receivedAt: at(iso), senderUrgency: 'green' });

describe('repeat contacts', () => {
  const now = at('2026-11-23T10:00:00Z');

  it('flags a referral 11 months after an earlier referral as a re-referral, not one 13 months after', () => {
    const earlier = [{ contactId: 'a', outcome: 'single_assessment_s17' as const, decidedAt: at('2025-12-23T10:00:00Z') }];
    expect(repeatFlags(now, earlier, []).reReferralOf).toBe('a');
    expect(repeatFlags(now, [{ ...earlier[0], decidedAt: at('2025-10-23T10:00:00Z') }], []).reReferralOf).toBeNull();
  });

  it('does not count an earlier contact that was not a referral', () => {
    expect(repeatFlags(now, [{ contactId: 'a', outcome: 'early_help', decidedAt: at('2026-06-01T10:00:00Z') }], []).reReferralOf).toBeNull();
    expect(repeatFlags(now, [{ contactId: 'a', outcome: null, decidedAt: null }], []).reReferralOf).toBeNull();
  });

  it('flags the third green notice within three months, not the second, nor ones older', () => {
    const two = [green('2026-09-01T10:00:00Z'), green('2026-11-23T10:00:00Z')];
    expect(repeatFlags(now, [], two).lowLevelRepeats).toBeNull();
    expect(repeatFlags(now, [], [...two, green('2026-10-10T10:00:00Z')]).lowLevelRepeats).toBe(3);
    expect(repeatFlags(now, [], [...two, green('2026-08-22T10:00:00Z')]).lowLevelRepeats).toBeNull();
    expect(repeatFlags(now, [], [...two, { receivedAt: at('2026-10-10T10:00:00Z'), senderUrgency: 'amber' }]).lowLevelRepeats).toBeNull();
  });

  it('follows the council’s settings', () => {
    const notices = [green('2026-11-01T10:00:00Z'), green('2026-11-23T10:00:00Z')];
    expect(repeatFlags(now, [], notices, { reReferralMonths: 12, lowLevelCount: 2, lowLevelMonths: 1 }).lowLevelRepeats).toBe(2);
  });
});
