/** Development identity headers for each role (see apps/hub/src/access/staff-identity.ts). */
export const staff = {
  screener: { 'x-staff-id': 'sam.screener', 'x-staff-role': 'screener' },
  manager: { 'x-staff-id': 'meg.manager', 'x-staff-role': 'manager' },
  auditor: { 'x-staff-id': 'ada.auditor', 'x-staff-role': 'auditor' },
  admin: { 'x-staff-id': 'al.admin', 'x-staff-role': 'admin' },
} as const;
