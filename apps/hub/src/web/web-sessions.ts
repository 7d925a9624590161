import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { HubConfig } from '../config.js';
import { HUB_REDIS } from '../hub.tokens.js';
import type { StaffMember } from '../access/staff.js';

/** What a staff page session holds, server-side; the browser holds only the random id. */
export interface WebSession {
  /** The member of staff signed in; absent before sign-in (the session then only carries the sign-in form's CSRF token). */
  staff?: StaffMember;
  /** The built-in sign-in's refresh token, so signing out ends that sign-in too. Never sent to the browser. */
  refreshToken?: string;
  /** The council provider's ID token for this sign-in, to name it when signing out there. Never sent to the browser. */
  idToken?: string;
  /** Checked against the hidden field of every form posted. */
  csrfToken: string;
  /** An OpenID Connect sign-in under way: PKCE verifier, state and nonce. */
  oidc?: { codeVerifier: string; state: string; nonce: string; returnTo: string };
  createdAt: number;
  lastSeenAt: number;
  /** A one-time message for the next page (e.g. "RAG set to amber"). */
  flash?: { text: string; success: boolean };
}

export type SessionLookup = { state: 'none' } | { state: 'expired' } | { state: 'active'; id: string; session: WebSession };

/**
 * Staff page sessions in the hub's Redis. The key is a hash of the session id, so Redis never
 * holds an id that would work as a cookie. Idle and absolute expiry are checked on every read;
 * Redis's own expiry only clears sessions nobody came back to.
 */
@Injectable()
export class WebSessions {
  constructor(
    @Inject(HUB_REDIS) private readonly redis: Redis,
    @Inject(HubConfig) private readonly config: HubConfig,
  ) {}

  private key(id: string): string {
    return `${this.config.QUEUE_PREFIX}:web-session:${createHash('sha256').update(id).digest('hex')}`;
  }

  async create(fields: Omit<WebSession, 'csrfToken' | 'createdAt' | 'lastSeenAt'> = {}): Promise<{ id: string; session: WebSession }> {
    const id = randomBytes(32).toString('base64url');
    const now = Date.now();
    const session: WebSession = { ...fields, csrfToken: randomBytes(32).toString('base64url'), createdAt: now, lastSeenAt: now };
    await this.save(id, session);
    return { id, session };
  }

  /** The session for a cookie's id: active (and touched), expired (idle or too old), or none. */
  async find(id: string | undefined): Promise<SessionLookup> {
    if (!id || !/^[A-Za-z0-9_-]{43}$/.test(id)) return { state: 'none' };
    const stored = await this.redis.get(this.key(id));
    if (!stored) return { state: 'expired' };
    const session = JSON.parse(stored) as WebSession;
    const now = Date.now();
    if (now - session.lastSeenAt > this.config.WEB_SESSION_IDLE_SECONDS * 1000 || now - session.createdAt > this.config.WEB_SESSION_ABSOLUTE_SECONDS * 1000) {
      await this.destroy(id);
      return { state: 'expired' };
    }
    session.lastSeenAt = now;
    await this.save(id, session);
    return { state: 'active', id, session };
  }

  async save(id: string, session: WebSession): Promise<void> {
    const absoluteLeft = session.createdAt + this.config.WEB_SESSION_ABSOLUTE_SECONDS * 1000 - Date.now();
    const ttl = Math.max(1, Math.ceil(Math.min(this.config.WEB_SESSION_IDLE_SECONDS * 1000, absoluteLeft) / 1000));
    await this.redis.set(this.key(id), JSON.stringify(session), 'EX', ttl);
  }

  async destroy(id: string): Promise<void> {
    await this.redis.del(this.key(id));
  }
}
