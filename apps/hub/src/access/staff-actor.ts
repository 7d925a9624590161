import type { Actor } from '../audit/audit-trail.js';
import type { StaffMember } from './staff.js';

export function staffActor(staff: StaffMember): Actor {
  return { type: 'person', id: staff.name, onBehalfOf: staff.roles.join(',') };
}
