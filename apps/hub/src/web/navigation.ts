import type { StaffRole } from '../access/staff.js';

interface StaffPageLink {
  href: string;
  text: string;
  roles: readonly StaffRole[];
  /** Other paths that belong to this link's section, by prefix. */
  section?: readonly string[];
}

/** The staff pages each role's work needs, in the order of the day's work. The pages check the role again. */
const STAFF_PAGES: readonly StaffPageLink[] = [
  { href: '/contacts', text: 'Contacts', roles: ['screener', 'manager'], section: ['/contacts/'] },
  { href: '/possible-matches', text: 'Possible matches', roles: ['screener', 'manager'], section: ['/possible-matches/'] },
  { href: '/alerts', text: 'Late and escalated', roles: ['screener', 'manager'], section: ['/alerts/'] },
  { href: '/sign-off', text: 'Sign-off', roles: ['manager'], section: ['/sign-off/'] },
  { href: '/timeliness', text: 'Timeliness', roles: ['manager'] },
  { href: '/audit', text: 'Audit log', roles: ['auditor'], section: ['/audit/events', '/audit/children/', '/audit/shares'] },
  { href: '/audit/verification', text: 'Verification', roles: ['auditor'] },
  { href: '/admin/partners', text: 'Partners', roles: ['admin'], section: ['/admin/partners/'] },
  { href: '/admin', text: 'Operations', roles: ['admin'], section: ['/admin/dead-letters'] },
];

export interface NavigationItem {
  href: string;
  text: string;
  active: boolean;
}

/** The service navigation for a member of staff on a page. */
export function navigationFor(roles: readonly StaffRole[], currentPath: string): NavigationItem[] {
  return STAFF_PAGES.filter((link) => link.roles.some((role) => roles.includes(role))).map((link) => ({
    href: link.href,
    text: link.text,
    active: currentPath === link.href || (link.section ?? []).some((prefix) => currentPath.startsWith(prefix)),
  }));
}
