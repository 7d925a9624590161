import { Inject, Injectable } from '@nestjs/common';
import { createRemoteJWKSet, decodeJwt, errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { randomBytes } from 'node:crypto';
import { HubConfig } from '../config.js';
import { productionOrDevelopmentSecret } from '../development-secret.js';
import { STAFF_ROLES, teamFrom, type StaffMember, type StaffRole } from './staff.js';

/** The hub's own tokens say they come from here. */
export const HUB_ISSUER = 'urn:mash:hub';
export const HUB_AUDIENCE = 'urn:mash:hub:staff';
/** The audit trail's actor id holds up to this many characters. */
export const MAX_SUBJECT_LENGTH = 500;

export class TokenRefusedError extends Error {
  /** `reason` is what the audit trail counts (nothing of the caller's choosing); `message` what the caller is told. */
  constructor(
    readonly reason: string,
    message = reason,
  ) {
    super(message);
    this.name = 'TokenRefusedError';
  }
}

/** STAFF_TOKEN_SECRET, or in development a secret kept in a file and created on first use. */
export function loadTokenSecret(config: HubConfig): Uint8Array {
  const secret = productionOrDevelopmentSecret({
    variable: 'STAFF_TOKEN_SECRET',
    value: config.STAFF_TOKEN_SECRET,
    file: config.STAFF_TOKEN_SECRET_FILE,
    environment: config.MASH_ENV,
    create: () => randomBytes(48).toString('base64url'),
  });
  return new TextEncoder().encode(secret.trim());
}

/**
 * Issues the hub's own short-lived access tokens, and checks any bearer
 * token: the hub's own (HS256, its secret) or, when configured, the council's
 * OpenID Connect issuer's (its published keys). Anything else is refused.
 */
@Injectable()
export class StaffTokens {
  private readonly secret: Uint8Array;
  private readonly oidcKeys: ReturnType<typeof createRemoteJWKSet> | undefined;

  constructor(@Inject(HubConfig) private readonly config: HubConfig) {
    this.secret = loadTokenSecret(config);
    this.oidcKeys = config.OIDC_JWKS_URL ? createRemoteJWKSet(new URL(config.OIDC_JWKS_URL)) : undefined;
  }

  async issue(account: { id: string; username: string; roles: StaffRole[]; team: string | null }): Promise<string> {
    return new SignJWT({ roles: account.roles, preferred_username: account.username, ...(account.team && { team: account.team }) })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(HUB_ISSUER)
      .setAudience(HUB_AUDIENCE)
      .setSubject(account.id)
      .setIssuedAt()
      .setExpirationTime(`${this.config.STAFF_ACCESS_TOKEN_TTL_SECONDS}s`)
      .sign(this.secret);
  }

  async verify(token: string): Promise<StaffMember> {
    let issuer: string | undefined;
    try {
      issuer = decodeJwt(token).iss;
    } catch {
      throw new TokenRefusedError('the bearer token is not a JWT');
    }
    try {
      if (issuer === HUB_ISSUER) {
        const { payload } = await jwtVerify(token, this.secret, { issuer: HUB_ISSUER, audience: HUB_AUDIENCE, algorithms: ['HS256'] });
        return this.member(payload, HUB_ISSUER, { name: 'preferred_username', roles: 'roles', team: 'team' });
      }
      const oidcIssuer = this.config.OIDC_ISSUER;
      if (this.oidcKeys && oidcIssuer && issuer === oidcIssuer) {
        const { payload } = await jwtVerify(token, this.oidcKeys, {
          issuer: oidcIssuer,
          audience: this.config.OIDC_AUDIENCE,
          algorithms: ['RS256', 'ES256', 'EdDSA', 'PS256'],
        });
        return this.member(payload, oidcIssuer, { name: this.config.OIDC_NAME_CLAIM, roles: this.config.OIDC_ROLES_CLAIM, team: this.config.OIDC_TEAM_CLAIM });
      }
    } catch (error) {
      if (error instanceof TokenRefusedError) throw error;
      throw new TokenRefusedError(refusalReason(error));
    }
    throw new TokenRefusedError("the token's issuer is not accepted", `tokens from issuer ${JSON.stringify(issuer?.slice(0, 200) ?? null)} are not accepted`);
  }

  private member(payload: JWTPayload, issuer: string, claims: { name: string; roles: string; team: string }): StaffMember {
    if (!payload.sub) throw new TokenRefusedError('the token names no subject');
    // The subject is the actor id in the audit trail (OpenID Connect allows 255 characters).
    if (payload.sub.length > MAX_SUBJECT_LENGTH) throw new TokenRefusedError(`the token's subject is longer than ${MAX_SUBJECT_LENGTH} characters`);
    const claimed = payload[claims.roles];
    const roles = (Array.isArray(claimed) ? claimed : [claimed]).filter((r): r is StaffRole => STAFF_ROLES.includes(r as StaffRole));
    if (!roles.length) throw new TokenRefusedError(`the token carries no MASH role in its ${claims.roles} claim`);
    const name = typeof payload[claims.name] === 'string' ? (payload[claims.name] as string) : payload.sub;
    return { id: payload.sub, name, roles, issuer, team: teamFrom(payload[claims.team]) };
  }
}

function refusalReason(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the token signature does not verify';
  if (error instanceof errors.JWKSNoMatchingKey) return 'the token was signed with a key the issuer does not publish';
  if (error instanceof errors.JWTClaimValidationFailed) return `the token's ${error.claim} claim is not accepted`;
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the token uses a signing algorithm that is not accepted';
  return 'the token could not be verified';
}
