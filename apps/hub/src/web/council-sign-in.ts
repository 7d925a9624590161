import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import * as oidc from 'openid-client';
import type { DataSource } from 'typeorm';
import { staffActor } from '../access/staff-actor.js';
import { STAFF_ROLES, teamFrom, type StaffMember, type StaffRole } from '../access/staff.js';
import { AuditTrail } from '../audit/audit-trail.js';
import { HubConfig } from '../config.js';

export interface CouncilSignInStart {
  url: string;
  codeVerifier: string;
  state: string;
  nonce: string;
}

/**
 * Signing in to the staff pages at the council's OpenID Connect provider: the authorization
 * code flow with PKCE (S256), state and nonce, from the issuer's discovery document. The
 * person's MASH roles and team come from the same claims the API reads (OIDC_ROLES_CLAIM, OIDC_TEAM_CLAIM).
 */
@Injectable()
export class CouncilSignIn {
  private configuration?: Promise<oidc.Configuration>;

  constructor(
    @Inject(HubConfig) private readonly config: HubConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditTrail,
  ) {}

  get enabled(): boolean {
    return Boolean(this.config.OIDC_ISSUER && this.config.OIDC_CLIENT_ID && this.config.OIDC_REDIRECT_URL);
  }

  private discover(): Promise<oidc.Configuration> {
    if (!this.configuration) {
      const issuer = new URL(this.config.OIDC_ISSUER!);
      // Plain http only for an issuer on this machine (development and tests); anything else must be https.
      const local = issuer.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);
      this.configuration = oidc
        .discovery(issuer, this.config.OIDC_CLIENT_ID!, this.config.OIDC_CLIENT_SECRET, undefined, local ? { execute: [oidc.allowInsecureRequests] } : undefined)
        .catch((error: unknown) => {
          this.configuration = undefined; // try the discovery document again next time
          throw error;
        });
    }
    return this.configuration;
  }

  async start(): Promise<CouncilSignInStart> {
    const configuration = await this.discover();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: this.config.OIDC_REDIRECT_URL!,
      scope: 'openid profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.href, codeVerifier, state, nonce };
  }

  /**
   * Exchanges the code the provider sent back for the person it names, checking state, nonce and
   * the PKCE verifier. The ID token comes back too, to name the sign-in when signing out there.
   */
  async finish(query: string, checks: { codeVerifier: string; state: string; nonce: string }): Promise<{ staff: StaffMember; idToken: string }> {
    const configuration = await this.discover();
    const callback = new URL(this.config.OIDC_REDIRECT_URL!);
    callback.search = query;
    const tokens = await oidc.authorizationCodeGrant(configuration, callback, {
      pkceCodeVerifier: checks.codeVerifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    const given = claims[this.config.OIDC_ROLES_CLAIM];
    const roles = (Array.isArray(given) ? given : [given]).filter((role): role is StaffRole => STAFF_ROLES.includes(role as StaffRole));
    const named = claims[this.config.OIDC_NAME_CLAIM];
    if (claims.sub.length > 500) throw new UnauthorizedException('Your council account’s subject is longer than 500 characters, so MASH cannot record who you are.');
    const staff: StaffMember = {
      id: claims.sub,
      name: typeof named === 'string' && named ? named : claims.sub,
      roles,
      issuer: this.config.OIDC_ISSUER!,
      team: teamFrom(claims[this.config.OIDC_TEAM_CLAIM]),
    };
    await this.dataSource.transaction((manager) =>
      this.audit.record(manager, {
        actor: staffActor(staff),
        action: roles.length ? 'login.succeeded' : 'login.failed',
        purpose: 'access control',
        details: roles.length ? { via: 'staff pages' } : { via: 'staff pages', reason: 'no MASH role' },
      }),
    );
    if (!roles.length) throw new UnauthorizedException('Your council account has no MASH role. Ask your manager to request one.');
    return { staff, idToken: tokens.id_token! };
  }

  /**
   * Where to send the browser to end the sign-in at the provider as well (RP-initiated logout), so
   * a shared desk's next user is asked who they are; it sends them back to the sign-in page. Null
   * when the provider does not offer it.
   */
  async signOutUrl(idToken: string): Promise<string | null> {
    const configuration = await this.discover();
    if (!configuration.serverMetadata().end_session_endpoint) return null;
    const back = new URL('/sign-in?signedOut=1', this.config.OIDC_REDIRECT_URL!);
    return oidc.buildEndSessionUrl(configuration, { id_token_hint: idToken, post_logout_redirect_uri: back.href }).href;
  }

  async signedOut(staff: StaffMember): Promise<void> {
    await this.dataSource.transaction((manager) => this.audit.record(manager, { actor: staffActor(staff), action: 'logout', purpose: 'access control' }));
  }
}
