import type { Request } from 'express';
import { STAFF_ROLES, type StaffMember, type StaffRole } from './staff.js';

/**
 * Who is asking. For now the development identity headers `X-Staff-Id` and
 * `X-Staff-Role`: they name the member of staff for the audit trail and the
 * route policy, but they prove nothing. Staff authentication (signed tokens)
 * replaces this function and nothing else.
 */
export function identifyStaff(request: Request): StaffMember | { problem: string } | null {
  const id = request.header('x-staff-id');
  const role = request.header('x-staff-role');
  if (id === undefined && role === undefined) return null;
  if (!id || !/^[A-Za-z0-9._@-]{1,100}$/.test(id)) return { problem: 'X-Staff-Id must be 1 to 100 letters, digits or . _ @ -' };
  if (!STAFF_ROLES.includes(role as StaffRole)) return { problem: `X-Staff-Role must be one of ${STAFF_ROLES.join(', ')}` };
  return { id, role: role as StaffRole };
}
