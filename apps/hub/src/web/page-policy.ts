import { ForbiddenException, Inject, Injectable, SetMetadata, applyDecorators, createParamDecorator, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { ACCESS_POLICY, type AccessPolicy } from '../access/access-policy.js';
import { AccessRefusals } from '../access/access-refusals.js';
import { staffActor } from '../access/staff-actor.js';
import type { StaffMember, StaffRole } from '../access/staff.js';
import { HubConfig } from '../config.js';
import { WebSessions, type WebSession } from './web-sessions.js';

export const PAGE_POLICY = 'mash:page-policy';

/** Who may open a staff page: the same roles as the API (Roles in access-policy.ts); a page without one is refused. */
export const Page = (...roles: StaffRole[]) =>
  applyDecorators(
    // Pages are not called with a bearer token: the API's guard lets them through to the page guard, which decides.
    SetMetadata(ACCESS_POLICY, { public: true } satisfies AccessPolicy),
    SetMetadata(PAGE_POLICY, { public: false, roles } satisfies AccessPolicy),
  );

/** A page anyone may open (sign-in). */
export const PublicPage = () =>
  applyDecorators(SetMetadata(ACCESS_POLICY, { public: true } satisfies AccessPolicy), SetMetadata(PAGE_POLICY, { public: true } satisfies AccessPolicy));

export type WebRequest = Request & { web?: { id: string; session: WebSession } };

/** Not signed in (or the session ended): the filter sends the browser to sign-in, then back to `returnTo`. */
export class SignInRequired extends Error {
  constructor(
    readonly returnTo: string,
    readonly expired: boolean,
  ) {
    super('Sign in first');
  }
}

/** A form posted without this session's CSRF token. */
export class FormRefused extends ForbiddenException {
  constructor() {
    super('This form has expired or did not come from this service. Go back, reload the page and try again.');
  }
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
/** Where sign-in may send someone back to: the staff pages, never another site or an arbitrary path. */
const RETURN_PATHS = [
  new RegExp(`^/contacts/${UUID}(/rag|/decision|/information-requests/new|/consent/override)?$`),
  new RegExp(`^/possible-matches(/${UUID})?$`),
  /^\/(contacts|alerts|timeliness)$/,
  new RegExp(`^/sign-off(/${UUID})?$`),
  new RegExp(`^/audit(/shares|/verification|/children/${UUID})?$`),
  /^\/admin(\/partners|\/dead-letters(\/[a-z-]{1,60})?)?$/,
  /^\/$/,
];
const SAFE_QUERY = /^[A-Za-z0-9_=&%.,+-]*$/;

export function safeReturnPath(candidate: unknown): string | null {
  if (typeof candidate !== 'string' || candidate.length > 500) return null;
  const [path, query, ...rest] = candidate.split('?');
  if (rest.length || !RETURN_PATHS.some((pattern) => pattern.test(path))) return null;
  if (query !== undefined && !SAFE_QUERY.test(query)) return null;
  return candidate;
}

/** The page to come back to after signing in: a GET's own address; a form's page for a POST. */
function returnPathOf(request: Request): string {
  if (request.method === 'GET') return safeReturnPath(request.originalUrl) ?? '/';
  const contact = new RegExp(`^/contacts/(${UUID})`).exec(request.path);
  return contact ? `/contacts/${contact[1]}` : '/';
}

export function sessionCookieName(config: HubConfig): string {
  // __Host- binds the cookie to this host and path /, over HTTPS only (production).
  return config.MASH_ENV === 'production' ? '__Host-mash-session' : 'mash-session';
}

export function readCookie(request: Request, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

export function setSessionCookie(response: Response, config: HubConfig, id: string): void {
  response.cookie(sessionCookieName(config), id, {
    httpOnly: true,
    sameSite: 'lax',
    secure: config.MASH_ENV === 'production',
    path: '/',
  });
}

export function clearSessionCookie(response: Response, config: HubConfig): void {
  response.clearCookie(sessionCookieName(config), { httpOnly: true, sameSite: 'lax', secure: config.MASH_ENV === 'production', path: '/' });
}

function sameToken(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Applies each page's declared policy from the server-side session: anonymous or expired
 * sessions go to sign-in; a role the page does not admit gets 403 (counted for the audit
 * trail as the API's refusals are); every POST must carry the session's CSRF token.
 */
@Injectable()
export class PageGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: WebSessions,
    private readonly refusals: AccessRefusals,
    @Inject(HubConfig) private readonly config: HubConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<WebRequest>();
    const policy = this.reflector.getAllAndOverride<AccessPolicy | undefined>(PAGE_POLICY, [context.getHandler(), context.getClass()]);
    if (!policy) throw new ForbiddenException('This page has no access policy, so no one may open it');

    const found = await this.sessions.find(readCookie(request, sessionCookieName(this.config)));
    if (found.state === 'active') request.web = { id: found.id, session: found.session };
    if (request.method === 'POST' && !(found.state === 'active' && sameToken((request.body as Record<string, unknown> | undefined)?._csrf, found.session.csrfToken))) {
      if (found.state !== 'active' && !policy.public) throw new SignInRequired(returnPathOf(request), found.state === 'expired');
      throw new FormRefused();
    }
    if (policy.public) return true;

    const staff = found.state === 'active' ? found.session.staff : undefined;
    if (!staff) throw new SignInRequired(returnPathOf(request), found.state === 'expired');
    if (!staff.roles.some((role) => policy.roles.includes(role))) {
      await this.refusals.count({
        actor: staffActor(staff),
        action: 'access.denied',
        reason: `This page needs one of the roles: ${policy.roles.join(', ')}`,
        details: { method: request.method, route: (request.route as { path?: string } | undefined)?.path ?? null, status: 403 },
      });
      throw new ForbiddenException('You do not have access to this page');
    }
    return true;
  }
}

/** The member of staff signed in to the page's session. */
export const SignedInStaff = createParamDecorator((_: unknown, context: ExecutionContext): StaffMember => {
  const staff = context.switchToHttp().getRequest<WebRequest>().web?.session.staff;
  if (!staff) throw new Error('SignedInStaff used on a page without a staff policy');
  return staff;
});
