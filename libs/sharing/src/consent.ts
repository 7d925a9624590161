import type { Agency, ConsentGiver, ConsentNotSoughtReason, ConsentStatus } from '#contracts';

/** Who recorded a consent decision: a partner on its notification (carried forward), or a member of MASH staff. */
export type ConsentRecorder =
  | { kind: 'partner'; agency: Agency; organisation: string; notificationId: string }
  | { kind: 'staff'; id: string; name: string };

/** One consent decision on a case, as recorded. */
export interface ConsentDecision {
  status: ConsentStatus;
  givenBy?: ConsentGiver | null;
  notSoughtReason?: ConsentNotSoughtReason | null;
  notes?: string | null;
  recordedBy: ConsentRecorder;
  recordedAt: Date;
}

/** A manager's override of a refusal, with the written safeguarding justification. */
export interface ConsentOverride {
  managerId: string;
  managerName: string;
  justification: string;
  recordedAt: Date;
}

/** The consent that stands on a case: its newest decision, and the override of it if it is a refusal that was overridden. */
export interface CaseConsent {
  decision: ConsentDecision;
  override: ConsentOverride | null;
}

export type ConsentHistoryEntry = ({ kind: 'decision' } & ConsentDecision) | ({ kind: 'override' } & ConsentOverride);

/**
 * The consent that stands, from the case's history (decisions carried forward from partners' notifications,
 * decisions staff recorded, overrides): the newest decision; an override counts only if it came after that
 * decision and the decision is a refusal. Null when nothing has been recorded.
 */
export function standingConsent(history: readonly ConsentHistoryEntry[]): CaseConsent | null {
  const ordered = [...history].sort((a, b) => a.recordedAt.getTime() - b.recordedAt.getTime());
  let decision: ConsentDecision | null = null;
  let override: ConsentOverride | null = null;
  for (const entry of ordered) {
    if (entry.kind === 'decision') {
      const { kind: _kind, ...rest } = entry;
      decision = rest;
      override = null;
    } else if (decision?.status === 'refused') {
      const { kind: _kind, ...rest } = entry;
      override = rest;
    }
  }
  return decision ? { decision, override } : null;
}

/** Why a refusal cannot be overridden yet; null when it can. */
export function overrideProblem(consent: CaseConsent | null): string | null {
  if (!consent) return 'no consent decision is recorded on this contact, so there is no refusal to override';
  if (consent.decision.status !== 'refused') return `consent is ${describeConsentStatus(consent)}, not refused: only a refusal can be overridden`;
  if (consent.override) return 'the refusal has already been overridden';
  return null;
}

const NOT_SOUGHT_REASONS: Record<ConsentNotSoughtReason, string> = {
  risk_of_significant_harm_to_child: 'seeking it would increase the risk of significant harm to the child',
  risk_of_serious_harm_to_adult: 'seeking it would risk serious harm to an adult',
  prejudice_criminal_investigation: 'seeking it would prejudice a criminal investigation',
  undue_delay: 'seeking it would cause undue delay',
};

const GIVERS: Record<ConsentGiver, string> = {
  parent: 'a parent',
  carer: 'a carer',
  gillick_competent_child: 'the child (Gillick competent)',
};

/** The consent in words, as a practitioner would say it. */
export function describeConsentStatus(consent: CaseConsent): string {
  const { decision } = consent;
  switch (decision.status) {
    case 'given':
      return `given by ${decision.givenBy ? GIVERS[decision.givenBy] : 'an unrecorded person'}`;
    case 'refused':
      return consent.override ? `refused, and overridden by a manager (${consent.override.managerName})` : 'refused';
    case 'not_sought':
      return `not sought: ${decision.notSoughtReason ? NOT_SOUGHT_REASONS[decision.notSoughtReason] : 'no reason recorded'}`;
    case 'not_required':
      return 'not required (statutory enquiry)';
  }
}
