export const STAFF_ROLES = ['screener', 'manager', 'auditor', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** The member of staff making a request, as their token says. */
export interface StaffMember {
  id: string;
  /** What the audit trail shows: a username, or the identity provider's subject. */
  name: string;
  roles: StaffRole[];
  /** Which identity provider vouched for them. */
  issuer: string;
  /** The MASH team they work in, when their account or identity provider says; timeliness is reported by it. */
  team?: string | null;
}

/** Longest team name kept: a team from a token or claim beyond it is not recorded. */
export const MAX_TEAM_LENGTH = 100;

/** A team as a token or claim gives it: a non-blank string of at most MAX_TEAM_LENGTH characters, or none. */
export function teamFrom(claimed: unknown): string | null {
  if (typeof claimed !== 'string') return null;
  const team = claimed.trim();
  return team && team.length <= MAX_TEAM_LENGTH ? team : null;
}
