import { SignJWT } from 'jose';
import { HUB_AUDIENCE, HUB_ISSUER } from '../../apps/hub/src/access/staff-tokens.js';

/** The hubs under test sign with this secret (see hubEnv), so tests can mint access tokens for any member of staff. */
export const TEST_STAFF_TOKEN_SECRET = 'a test-only secret for staff access tokens, not for production';

export async function staffToken(
  name: string,
  roles: string[],
  { expiresIn = '2h', secret = TEST_STAFF_TOKEN_SECRET }: { expiresIn?: string | number; secret?: string } = {},
): Promise<string> {
  return new SignJWT({ roles, preferred_username: name })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(HUB_ISSUER)
    .setAudience(HUB_AUDIENCE)
    // The subject is what the audit trail records as the actor; a test member of staff is known by their name.
    .setSubject(name)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}

/** Headers for a request as this member of staff. */
export async function asStaff(name: string, roles: string[]): Promise<{ authorization: string }> {
  return { authorization: `Bearer ${await staffToken(name, roles)}` };
}

/** One member of staff for each role (the names of the development accounts). */
export const staff = {
  screener: await asStaff('sam.screener', ['screener']),
  manager: await asStaff('meg.manager', ['manager']),
  auditor: await asStaff('ada.auditor', ['auditor']),
  admin: await asStaff('al.admin', ['admin']),
} as const;
