import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AGENCIES, PARTNER_SYSTEM_NAME_PATTERN, organisationCodeProblem, type Agency } from '#contracts';

/*
 * Partner credentials: each partner system (a force's PPN system, a trust's
 * safeguarding system, …) has its own, issued to one organisation (a force, a
 * trust, a school, a council, a probation region) inside one agency.
 *
 * The token a system presents is
 *
 *     Authorization: Bearer mash_<id>_<secret>
 *
 * where <id> is the credential's UUID (lower case, with hyphens) and <secret>
 * is 32 random bytes (256 bits) in base64url without padding: always 43
 * characters of A-Z a-z 0-9 - _. The id says which credential to look up; only
 * the secret proves the caller holds it. For example:
 *
 *     mash_0b5f3c3e-1d2a-4c4b-9e55-2f3a4b5c6d7e_q3V9tW1lq0cR6cYx0mQy2kq7Zr8m1oJ4fN5bG6hT2aU
 *
 * Credentials live in the adapters' Redis (AOF on, noeviction) as hashes
 * under `<QUEUE_PREFIX>:partner-credential:<id>`: agency, organisation, system name, the
 * SHA-256 of the secret, createdAt, expiresAt and, once revoked, revokedAt.
 * The secret itself is never stored: it is shown once, when issued.
 */

export const PARTNER_CREDENTIAL_TOKEN_PREFIX = 'mash_';
const SECRET_BYTES = 32;
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const TOKEN = new RegExp(`^${PARTNER_CREDENTIAL_TOKEN_PREFIX}(${UUID})_([A-Za-z0-9_-]{43})$`);
const UUID_ONLY = new RegExp(`^${UUID}$`);
/** Credentials expire; a year is usual, two the most, so a lost token does not work for ever. */
export const MAX_CREDENTIAL_DAYS = 730;

export interface PartnerCredential {
  id: string;
  agency: Agency;
  /** The organisation inside the agency, e.g. police force code 01, ODS code RJ1; checked per agency (see ORGANISATION_CODE_RULES). */
  organisation: string;
  /** The partner system's name, e.g. "Exampleshire Police PPN". */
  system: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
}

export type CredentialStatus = 'active' | 'revoked' | 'expired';

export interface IssuedCredential {
  credential: PartnerCredential;
  /** `mash_<id>_<secret>`: shown once, never stored. */
  token: string;
}

/** Why a presented token was not accepted; the credential id when the token named one. */
export type CredentialCheck =
  | { ok: true; credential: PartnerCredential }
  | { ok: false; reason: 'malformed_credential'; credentialId: null }
  | { ok: false; reason: 'unknown_credential' | 'wrong_secret'; credentialId: string }
  | { ok: false; reason: 'revoked' | 'expired'; credentialId: string; credential: PartnerCredential };

export function isUuid(value: string): boolean {
  return UUID_ONLY.test(value);
}

/** Splits `mash_<id>_<secret>` into its parts; null when it is not one. */
export function parsePartnerToken(token: string): { id: string; secret: Buffer } | null {
  const match = TOKEN.exec(token);
  if (!match) return null;
  const secret = Buffer.from(match[2], 'base64url');
  // 43 characters carry 258 bits: only the encoding of exactly 32 bytes round-trips.
  if (secret.length !== SECRET_BYTES || secret.toString('base64url') !== match[2]) return null;
  return { id: match[1], secret };
}

/**
 * A plain SHA-256, not a slow password hash: the secret is 256 random bits,
 * so there is nothing to guess and no dictionary to slow down. A slow hash
 * would only make every partner request cost CPU.
 */
function hashSecret(secret: Buffer): Buffer {
  return createHash('sha256').update(secret).digest();
}

export function credentialStatus(credential: PartnerCredential, now = new Date()): CredentialStatus {
  if (credential.revokedAt) return 'revoked';
  if (Date.parse(credential.expiresAt) <= now.getTime()) return 'expired';
  return 'active';
}

export class InvalidCredentialRequestError extends Error {}

// Sets revokedAt once: 1 revoked now, 0 already revoked, -1 no such credential.
const REVOKE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
return redis.call('HSETNX', KEYS[1], 'revokedAt', ARGV[1])`;

/** Issues, lists, revokes and checks partner credentials in Redis. The CLI, the adapters' guard and the tests all use this. */
export class PartnerCredentialStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(id: string): string {
    return `${this.prefix}:partner-credential:${id}`;
  }

  async issue(request: { agency: Agency; organisation: string; system: string; days: number; now?: Date }): Promise<IssuedCredential> {
    const { agency, organisation, system, days, now = new Date() } = request;
    if (!AGENCIES.includes(agency)) throw new InvalidCredentialRequestError(`unknown agency ${JSON.stringify(agency)}: one of ${AGENCIES.join(', ')}`);
    const organisationProblem = organisationCodeProblem(agency, organisation);
    if (organisationProblem) throw new InvalidCredentialRequestError(organisationProblem);
    if (!PARTNER_SYSTEM_NAME_PATTERN.test(system)) {
      throw new InvalidCredentialRequestError('the system name must be 1 to 100 characters, without control characters or surrounding spaces');
    }
    if (!Number.isInteger(days) || days < 1 || days > MAX_CREDENTIAL_DAYS) {
      throw new InvalidCredentialRequestError(`days must be a whole number from 1 to ${MAX_CREDENTIAL_DAYS}`);
    }
    const id = randomUUID();
    const secret = randomBytes(SECRET_BYTES);
    const credential: PartnerCredential = {
      id,
      agency,
      organisation,
      system,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + days * 86_400_000).toISOString(),
      revokedAt: null,
    };
    await this.redis.hset(this.key(id), {
      agency,
      organisation,
      system,
      secretSha256: hashSecret(secret).toString('hex'),
      createdAt: credential.createdAt,
      expiresAt: credential.expiresAt,
    });
    return { credential, token: `${PARTNER_CREDENTIAL_TOKEN_PREFIX}${id}_${secret.toString('base64url')}` };
  }

  async get(id: string): Promise<PartnerCredential | null> {
    return (await this.read(id))?.credential ?? null;
  }

  /** Every credential (of one agency, and one organisation of it, if given), oldest first. Never the secrets' hashes. */
  async list(agency?: Agency, organisation?: string): Promise<PartnerCredential[]> {
    const credentials: PartnerCredential[] = [];
    // The prefix is [a-z0-9-] only (QUEUE_PREFIX), so it has no glob characters to escape.
    for await (const keys of this.redis.scanStream({ match: this.key('*'), count: 500 })) {
      for (const key of keys as string[]) {
        const id = key.slice(this.key('').length);
        const credential = await this.get(id);
        if (credential && (!agency || credential.agency === agency) && (!organisation || credential.organisation === organisation)) {
          credentials.push(credential);
        }
      }
    }
    return credentials.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  /** Revokes at once and for good. */
  async revoke(id: string, now = new Date()): Promise<{ outcome: 'revoked' | 'already_revoked'; credential: PartnerCredential } | null> {
    const result = await this.redis.eval(REVOKE, 1, this.key(id), now.toISOString());
    if (result === -1) return null;
    const credential = await this.get(id);
    if (!credential) return null;
    return { outcome: result === 1 ? 'revoked' : 'already_revoked', credential };
  }

  /** Checks a presented token: well-formed, known, right secret, not revoked, not expired. Agency is the caller's to check. */
  async check(token: string, now = new Date()): Promise<CredentialCheck> {
    const parsed = parsePartnerToken(token);
    if (!parsed) return { ok: false, reason: 'malformed_credential', credentialId: null };
    const stored = await this.read(parsed.id);
    if (!stored) return { ok: false, reason: 'unknown_credential', credentialId: parsed.id };
    // Both sides are 32-byte digests; compared in constant time.
    if (!timingSafeEqual(hashSecret(parsed.secret), stored.secretSha256)) {
      return { ok: false, reason: 'wrong_secret', credentialId: parsed.id };
    }
    // Only the holder of the secret learns that a credential was revoked or has expired.
    const status = credentialStatus(stored.credential, now);
    if (status !== 'active') return { ok: false, reason: status, credentialId: parsed.id, credential: stored.credential };
    return { ok: true, credential: stored.credential };
  }

  private async read(id: string): Promise<{ credential: PartnerCredential; secretSha256: Buffer } | null> {
    if (!isUuid(id)) return null;
    const fields = await this.redis.hgetall(this.key(id));
    if (!fields.secretSha256 || !AGENCIES.includes(fields.agency as Agency)) return null;
    // A credential without a valid organisation (issued before organisations were recorded) names no one: it is unknown.
    if (organisationCodeProblem(fields.agency as Agency, fields.organisation)) return null;
    const secretSha256 = Buffer.from(fields.secretSha256, 'hex');
    if (secretSha256.length !== 32) return null;
    return {
      credential: {
        id,
        agency: fields.agency as Agency,
        organisation: fields.organisation,
        system: fields.system,
        createdAt: fields.createdAt,
        expiresAt: fields.expiresAt,
        revokedAt: fields.revokedAt || null,
      },
      secretSha256,
    };
  }
}
