export const STAFF_ROLES = ['screener', 'manager', 'auditor', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** The member of staff making a request. */
export interface StaffMember {
  id: string;
  role: StaffRole;
}
