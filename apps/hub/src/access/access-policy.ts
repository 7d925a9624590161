import { SetMetadata } from '@nestjs/common';
import type { StaffRole } from './staff.js';

export const ACCESS_POLICY = 'mash:access-policy';

export type AccessPolicy = { public: true } | { public: false; roles: readonly StaffRole[] };

/** Who may call this route. Every route declares a policy; one without is refused (deny by default). */
export const Allow = (...roles: StaffRole[]) => SetMetadata(ACCESS_POLICY, { public: false, roles } satisfies AccessPolicy);

/** Open to anyone (health checks). */
export const Public = () => SetMetadata(ACCESS_POLICY, { public: true } satisfies AccessPolicy);

/** The roles for each kind of work, in one place. */
export const Roles = {
  mashRecords: ['screener', 'manager'],
  /** Only a manager may override refused consent, with a written justification. */
  consentOverride: ['manager'],
  /** Only a manager signs off (or returns) a decision, and never their own. */
  signOff: ['manager'],
  /** The case management system's allocations, kept by an admin (or the integration signed in as one). */
  allocations: ['admin'],
  /** The front door's timeliness figures: for the managers who answer for them. */
  timeliness: ['manager'],
  /** Undoing a merge of two children's records is a manager's call. */
  childUnmerge: ['manager'],
  /** Anyone who works with the hub may read what it would share with whom. */
  sharingPolicy: ['screener', 'manager', 'auditor', 'admin'],
  auditTrail: ['auditor'],
  operations: ['admin'],
} as const satisfies Record<string, readonly StaffRole[]>;
