import { ArgumentsHost, Catch, ForbiddenException, HttpException, Inject, Logger, NotFoundException, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { FormRefused, SignInRequired, type WebRequest } from './page-policy.js';
import { Views } from './views.js';

/**
 * How the staff pages answer what went wrong: a sign-in for an ended session, GOV.UK-styled
 * pages for "no access", "not found" and anything unexpected (which is logged without details
 * that could hold personal data).
 */
@Catch()
export class PageErrorsFilter implements ExceptionFilter {
  private readonly logger = new Logger('StaffPages');

  constructor(@Inject(Views) private readonly views: Views) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<WebRequest>();
    const response = host.switchToHttp().getResponse<Response>();
    if (error instanceof SignInRequired) {
      const query = new URLSearchParams({ returnTo: error.returnTo });
      if (error.expired) query.set('expired', '1');
      response.redirect(303, `/sign-in?${query.toString()}`);
      return;
    }
    if (error instanceof FormRefused && request.path === '/sign-in') {
      // The sign-in form outlived its session: show it again, with a fresh one.
      response.redirect(303, '/sign-in?retry=1');
      return;
    }
    if (error instanceof ForbiddenException) {
      const paragraphs = error instanceof FormRefused ? [error.message] : ['Your role does not let you see this page. If you need it for your work, ask your manager.'];
      this.views.render(request, response, 'problem.njk', { title: 'You do not have access', heading: 'You do not have access to this page', paragraphs }, 403);
      return;
    }
    if (error instanceof NotFoundException) {
      this.views.render(request, response, 'problem.njk', { title: 'Page not found', heading: 'Page not found', paragraphs: ['Check the address, or go back to your start page.'] }, 404);
      return;
    }
    if (error instanceof HttpException && error.getStatus() < 500) {
      this.views.render(request, response, 'problem.njk', { title: 'Sorry, that did not work', heading: 'Sorry, that did not work', paragraphs: [error.message] }, error.getStatus());
      return;
    }
    this.logger.error(`${request.method} ${(request.route as { path?: string } | undefined)?.path ?? 'page'} failed: ${(error as Error).name}`);
    this.views.render(request, response, 'problem.njk', { title: 'Sorry, there is a problem with the service', heading: 'Sorry, there is a problem with the service', paragraphs: ['Try again later.'] }, 500);
  }
}
