import { Inject, Injectable, Module, type MiddlewareConsumer, type NestMiddleware, type NestModule } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { randomBytes } from 'node:crypto';
import { AuditorApiModule } from '../audit/auditor/auditor-api.module.js';
import { SignOffQueue } from '../screening/sign-off-queue.js';
import { HubConfig } from '../config.js';
import { PartnerCredentialDesk } from '../operations/partner-credential-desk.js';
import { AdminPages } from './admin.pages.js';
import { AuditorPages } from './auditor.pages.js';
import { ContactPages } from './contact.pages.js';
import { CouncilSignIn } from './council-sign-in.js';
import { IdentityPages } from './identity.pages.js';
import { ManagerPages } from './manager.pages.js';
import { PageErrorsFilter } from './page-errors.filter.js';
import { PageFlash } from './page-flash.js';
import { PageGuard } from './page-policy.js';
import { SignInPages } from './sign-in.pages.js';
import { Views } from './views.js';
import { WebSessions } from './web-sessions.js';

/**
 * What every staff page is sent with: a Content-Security-Policy allowing only this origin (and
 * the page's own nonce for GOV.UK Frontend's start-up scripts), no caching of personal data,
 * and no framing.
 */
@Injectable()
export class PageHeaders implements NestMiddleware {
  constructor(@Inject(HubConfig) private readonly config: HubConfig) {}

  use(_request: Request, response: Response, next: NextFunction): void {
    const nonce = randomBytes(16).toString('base64');
    (response.locals as { cspNonce?: string }).cspNonce = nonce;
    response.setHeader(
      'Content-Security-Policy',
      [
        "default-src 'self'",
        `script-src 'self' 'nonce-${nonce}'`,
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        // Sign-in at the council's identity provider is a redirect after a form post.
        `form-action 'self'${this.config.OIDC_ISSUER ? ` ${new URL(this.config.OIDC_ISSUER).origin}` : ''}`,
        "frame-ancestors 'none'",
      ].join('; '),
    );
    response.setHeader('Cache-Control', 'no-store');
    next();
  }
}

/** The page controllers: each page's headers come from PageHeaders; the page access test opens every one. */
export const PAGE_CONTROLLERS = [SignInPages, ContactPages, IdentityPages, AuditorPages, AdminPages, ManagerPages];

/** The staff pages: server-rendered GOV.UK Design System pages over the hub's services. */
@Module({
  imports: [AuditorApiModule],
  controllers: PAGE_CONTROLLERS,
  providers: [WebSessions, Views, PageGuard, PageErrorsFilter, CouncilSignIn, PageHeaders, PageFlash, PartnerCredentialDesk, SignOffQueue],
})
export class WebModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(PageHeaders).forRoutes(...PAGE_CONTROLLERS);
  }
}
