import { Body, Controller, Get, HttpException, HttpStatus, Inject, Ip, Logger, Post, Query, Req, Res, UnauthorizedException, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { RateLimiter, RateLimitedException, type RateLimitRule } from '#platform';
import { STAFF_ROLES, type StaffMember, type StaffRole } from '../access/staff.js';
import { HUB_ISSUER } from '../access/staff-tokens.js';
import { SignIn } from '../access/sign-in.js';
import { HubConfig } from '../config.js';
import { CouncilSignIn } from './council-sign-in.js';
import { SignInForm, readForm } from './forms.js';
import { Page, PageGuard, PublicPage, clearSessionCookie, safeReturnPath, setSessionCookie, type WebRequest } from './page-policy.js';
import { PageErrorsFilter } from './page-errors.filter.js';
import { Views } from './views.js';
import { WebSessions, type WebSession } from './web-sessions.js';

/** Where each role starts: MASH staff at the queue, auditors at the log, admins at operations. */
export function homeOf(staff: StaffMember): string {
  if (staff.roles.includes('screener') || staff.roles.includes('manager')) return '/contacts';
  if (staff.roles.includes('auditor')) return '/audit';
  return '/admin';
}

function durationWords(seconds: number): string {
  const [amount, unit] = seconds % 3600 === 0 ? [seconds / 3600, 'hour'] : seconds % 60 === 0 ? [seconds / 60, 'minute'] : [seconds, 'second'];
  return `${amount} ${unit}${amount === 1 ? '' : 's'}`;
}

const EVERY_ROLE: StaffRole[] = [...STAFF_ROLES];

/** Signing in and out of the staff pages, with a built-in account or at the council's identity provider. */
@ApiExcludeController()
@Controller()
@UseGuards(PageGuard)
@UseFilters(PageErrorsFilter)
export class SignInPages {
  private readonly logger = new Logger('StaffPages');
  private readonly perAccount: RateLimitRule;
  private readonly perAddress: RateLimitRule;

  constructor(
    private readonly sessions: WebSessions,
    private readonly signIn: SignIn,
    private readonly council: CouncilSignIn,
    private readonly limits: RateLimiter,
    private readonly views: Views,
    @Inject(HubConfig) private readonly config: HubConfig,
  ) {
    // The same limits, under the same names, as POST /api/auth/login: one budget for both doors.
    this.perAccount = { name: 'sign-in', limit: config.SIGN_IN_RATE_LIMIT_PER_MINUTE, windowSeconds: 60 };
    this.perAddress = { name: 'sign-in-address', limit: config.SIGN_IN_RATE_LIMIT_PER_MINUTE * 6, windowSeconds: 60 };
  }

  @Get()
  @Page(...EVERY_ROLE)
  home(@Req() request: WebRequest, @Res() response: Response): void {
    response.redirect(303, homeOf(request.web!.session.staff!));
  }

  @Get('sign-in')
  @PublicPage()
  async signInPage(
    @Req() request: WebRequest,
    @Res() response: Response,
    @Query('returnTo') returnTo?: string,
    @Query('expired') expired?: string,
    @Query('retry') retry?: string,
    @Query('signedOut') signedOut?: string,
  ): Promise<void> {
    const back = safeReturnPath(returnTo) ?? '';
    if (request.web?.session.staff) return response.redirect(303, back || homeOf(request.web.session.staff));
    if (!request.web) {
      // An anonymous session only to carry the form's CSRF token.
      request.web = await this.sessions.create();
      setSessionCookie(response, this.config, request.web.id);
    }
    const notice = expired
      ? `You were signed out because you had done nothing for ${durationWords(this.config.WEB_SESSION_IDLE_SECONDS)}, or had been signed in for ${durationWords(this.config.WEB_SESSION_ABSOLUTE_SECONDS)}. Sign in again to carry on where you were.`
      : retry
        ? 'The sign-in page had expired. Please sign in again.'
        : signedOut
          ? 'You have signed out.'
          : null;
    this.renderForm(request, response, { returnTo: back, notice });
  }

  @Post('sign-in')
  @PublicPage()
  async signInWithAccount(@Req() request: WebRequest, @Res() response: Response, @Body() body: unknown, @Ip() address: string): Promise<void> {
    const { form, errors } = await readForm(SignInForm, body);
    const returnTo = safeReturnPath(form.returnTo) ?? '';
    if (errors) return this.renderForm(request, response, { returnTo, username: form.username, errors }, 400);
    let signedIn;
    try {
      await this.limits.consume(this.perAddress, address);
      await this.limits.consume(this.perAccount, `${address}|${form.username}`);
      signedIn = await this.signIn.signIn(form.username, form.password);
    } catch (error) {
      if (error instanceof UnauthorizedException || error instanceof RateLimitedException || (error instanceof HttpException && error.getStatus() === HttpStatus.LOCKED)) {
        const text = error instanceof UnauthorizedException ? 'Enter a correct username and password' : error.message;
        const problem = { list: [{ text, href: '#username' }], byField: { username: text } };
        return this.renderForm(request, response, { returnTo, username: form.username, errors: problem }, error.getStatus());
      }
      throw error;
    }
    const staff: StaffMember = { id: signedIn.staff.id, name: signedIn.staff.username, roles: signedIn.staff.roles as StaffRole[], issuer: HUB_ISSUER, team: signedIn.staff.team };
    await this.startSession(request, response, staff, { refreshToken: signedIn.refreshToken });
    response.redirect(303, returnTo || homeOf(staff));
  }

  @Post('sign-in/oidc')
  @PublicPage()
  async signInAtCouncil(@Req() request: WebRequest, @Res() response: Response, @Body() body: { returnTo?: unknown }): Promise<void> {
    if (!this.council.enabled) return response.redirect(303, '/sign-in');
    const started = await this.council.start();
    const session = request.web!;
    session.session.oidc = { codeVerifier: started.codeVerifier, state: started.state, nonce: started.nonce, returnTo: safeReturnPath(body?.returnTo) ?? '' };
    await this.sessions.save(session.id, session.session);
    response.redirect(303, started.url);
  }

  @Get('sign-in/oidc/callback')
  @PublicPage()
  async councilCallback(@Req() request: WebRequest, @Res() response: Response): Promise<void> {
    const pending = request.web?.session.oidc;
    if (!this.council.enabled || !pending) return response.redirect(303, '/sign-in?retry=1');
    // One answer per sign-in started: a second callback (a replayed or forged one) finds nothing pending.
    delete request.web!.session.oidc;
    await this.sessions.save(request.web!.id, request.web!.session);
    let signedIn: { staff: StaffMember; idToken: string };
    try {
      signedIn = await this.council.finish(new URL(request.originalUrl, 'http://callback').search, pending);
    } catch (error) {
      // The provider's or the check's words, never a token or a claim.
      this.logger.warn(`council sign-in refused: ${(error as Error).name}`);
      const text = error instanceof UnauthorizedException ? error.message : 'Signing in with your council account did not work. Try again.';
      return this.renderForm(request, response, { returnTo: pending.returnTo, errors: { list: [{ text, href: '#username' }], byField: {} } }, 401);
    }
    await this.startSession(request, response, signedIn.staff, { idToken: signedIn.idToken });
    response.redirect(303, pending.returnTo || homeOf(signedIn.staff));
  }

  @Post('sign-out')
  @Page(...EVERY_ROLE)
  async signOut(@Req() request: WebRequest, @Res() response: Response): Promise<void> {
    const { id, session } = request.web!;
    await this.sessions.destroy(id);
    if (session.refreshToken) await this.signIn.signOut(session.refreshToken);
    else if (session.staff) await this.council.signedOut(session.staff);
    clearSessionCookie(response, this.config);
    const atCouncil = session.idToken && this.council.enabled ? await this.council.signOutUrl(session.idToken) : null;
    response.redirect(303, atCouncil ?? '/sign-in?signedOut=1');
  }

  /** A new session id at sign-in, so an id planted before it (session fixation) is worth nothing after. */
  private async startSession(request: WebRequest, response: Response, staff: StaffMember, tokens: Pick<WebSession, 'refreshToken' | 'idToken'>): Promise<void> {
    if (request.web) await this.sessions.destroy(request.web.id);
    request.web = await this.sessions.create({ staff, ...tokens });
    setSessionCookie(response, this.config, request.web.id);
  }

  private renderForm(
    request: WebRequest,
    response: Response,
    context: { returnTo: string; username?: string; notice?: string | null; errors?: { list: object[]; byField: Record<string, string> } },
    status = 200,
  ): void {
    this.views.render(
      request,
      response,
      'sign-in.njk',
      { title: 'Sign in', oidc: this.council.enabled, returnTo: context.returnTo, username: context.username, notice: context.notice, errors: context.errors?.list, fieldErrors: context.errors?.byField ?? {} },
      status,
    );
  }
}
