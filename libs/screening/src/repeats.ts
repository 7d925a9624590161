import type { ContactOutcome, Rag } from '#contracts';

/** Outcomes that make a contact a referral to children's social care, as the DfE counts re-referrals. */
export const REFERRAL_OUTCOMES: readonly ContactOutcome[] = [
  'single_assessment_s17',
  'strategy_discussion_s47',
  'request_to_become_looked_after',
  'private_fostering',
];

export interface RepeatSettings {
  /** A contact within this many months of an earlier referral of the child is a re-referral (DfE: 12). */
  reReferralMonths: number;
  /** This many low-level (green) notices about a child … */
  lowLevelCount: number;
  /** … within this many months flag the contact (one police force escalates after 3 in 3). */
  lowLevelMonths: number;
}

export const DEFAULT_REPEAT_SETTINGS: RepeatSettings = { reReferralMonths: 12, lowLevelCount: 3, lowLevelMonths: 3 };

export interface EarlierContact {
  contactId: string;
  outcome: ContactOutcome | null;
  /** When the outcome was decided (signed off). */
  decidedAt: Date | null;
}

export interface ChildNotice {
  receivedAt: Date;
  senderUrgency: Rag;
}

export interface RepeatFlags {
  /** The earlier referral this contact repeats within the window, if any. */
  reReferralOf: string | null;
  /** Low-level notices about the child in the window, counting this contact's, when they reach the count; else null. */
  lowLevelRepeats: number | null;
}

/** The months before `at`, as a calendar would count them (11 months before 23 November is 23 December). */
export function monthsBefore(at: Date, months: number): Date {
  const earlier = new Date(at);
  earlier.setUTCMonth(earlier.getUTCMonth() - months);
  return earlier;
}

/**
 * The flags of a contact received at `receivedAt`: a re-referral when an earlier contact of the child
 * was a referral decided within the window before it; low-level repeats when enough green notices
 * about the child arrived within the window up to it.
 */
export function repeatFlags(receivedAt: Date, earlier: readonly EarlierContact[], notices: readonly ChildNotice[], settings: RepeatSettings = DEFAULT_REPEAT_SETTINGS): RepeatFlags {
  const referralSince = monthsBefore(receivedAt, settings.reReferralMonths);
  const previous = earlier
    .filter((contact) => contact.outcome && REFERRAL_OUTCOMES.includes(contact.outcome) && contact.decidedAt && contact.decidedAt >= referralSince && contact.decidedAt <= receivedAt)
    .sort((a, b) => b.decidedAt!.getTime() - a.decidedAt!.getTime())[0];
  const lowLevelSince = monthsBefore(receivedAt, settings.lowLevelMonths);
  const lowLevel = notices.filter((notice) => notice.senderUrgency === 'green' && notice.receivedAt >= lowLevelSince && notice.receivedAt <= receivedAt).length;
  return { reReferralOf: previous?.contactId ?? null, lowLevelRepeats: lowLevel >= settings.lowLevelCount ? lowLevel : null };
}
