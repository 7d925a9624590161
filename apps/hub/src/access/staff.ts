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
}
