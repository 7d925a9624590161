import { Inject, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import type { Rag } from '#contracts';
import type { DeadlineRule } from '#screening';
import { HubConfig, screeningClock } from '../config.js';
import { navigationFor } from './navigation.js';
import type { WebRequest } from './page-policy.js';
import { words } from './words.js';

/** The page templates, found from the built or the source module alike (the Docker image copies them beside dist). */
function viewsFolder(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(folder, 'apps', 'hub', 'src', 'web', 'views');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(folder);
    if (parent === folder) throw new Error('the staff page templates (apps/hub/src/web/views) are missing');
    folder = parent;
  }
}

/** govuk-frontend's dist folder: its Nunjucks macros, compiled CSS and JavaScript, fonts and images. */
export function govukFrontendFolder(): string {
  return join(dirname(createRequire(import.meta.url).resolve('govuk-frontend/package.json')), 'dist');
}

export const GOVUK_FRONTEND_VERSION = (createRequire(import.meta.url)('govuk-frontend/package.json') as { version: string }).version;

const LONDON = 'Europe/London';
const dateTime = new Intl.DateTimeFormat('en-GB', { timeZone: LONDON, day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });
const dateOnly = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' });

function hoursAndMinutes(minutes: number): string {
  const whole = Math.floor(Math.abs(minutes));
  const hours = Math.floor(whole / 60);
  const rest = whole % 60;
  return [hours ? `${hours} hour${hours === 1 ? '' : 's'}` : '', rest || !hours ? `${rest} minute${rest === 1 ? '' : 's'}` : ''].filter(Boolean).join(' ');
}

/**
 * Renders the staff pages with the GOV.UK Design System's Nunjucks macros. Every page gets the
 * signed-in member of staff, the session's CSRF token and the response's CSP nonce.
 */
@Injectable()
export class Views {
  private readonly environment: nunjucks.Environment;
  private readonly screening: ReturnType<typeof screeningClock>;

  constructor(@Inject(HubConfig) config: HubConfig) {
    this.screening = screeningClock(config);
    this.environment = new nunjucks.Environment(new nunjucks.FileSystemLoader([viewsFolder(), govukFrontendFolder()], { noCache: false }), {
      autoescape: true,
      throwOnUndefined: false,
    });
    this.environment.addFilter('dateTime', (iso: string | null) => (iso ? dateTime.format(new Date(iso)) : ''));
    this.environment.addFilter('date', (iso: string | null) => (iso ? dateOnly.format(new Date(`${iso.slice(0, 10)}T00:00:00Z`)) : ''));
    this.environment.addFilter('words', (code: string | null) => (code ? words(code) : ''));
    this.environment.addGlobal('govukFrontendVersion', GOVUK_FRONTEND_VERSION);
  }

  /**
   * The time left to a deadline, as the deadline counts it: working time (09:00–17:00 on working
   * days) for amber and green, clock time for red.
   */
  timeLeft(due: string | null, rag: Rag, now = new Date()): { text: string; overdue: boolean } | null {
    if (!due) return null;
    const rule: DeadlineRule = this.screening.deadlines[rag].decision;
    const dueDate = new Date(due);
    if (dueDate <= now) return { text: `Overdue by ${hoursAndMinutes((now.getTime() - dueDate.getTime()) / 60_000)}`, overdue: true };
    if (rule.clock === 'continuous') return { text: `${hoursAndMinutes((dueDate.getTime() - now.getTime()) / 60_000)} left`, overdue: false };
    return { text: `${hoursAndMinutes(this.screening.clock.workingMinutesBetween(now, dueDate))} of working time left`, overdue: false };
  }

  render(request: WebRequest, response: Response, template: string, context: Record<string, unknown> = {}, status = 200): void {
    const session = request.web?.session;
    const html = this.environment.render(template, {
      ...context,
      staff: session?.staff ?? null,
      csrfToken: session?.csrfToken ?? '',
      cspNonce: (response.locals as { cspNonce?: string }).cspNonce ?? '',
      currentPath: request.path,
      navigation: session?.staff ? navigationFor(session.staff.roles, request.path) : [],
    });
    response.status(status).type('html').send(html);
  }
}
