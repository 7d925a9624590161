import { ConflictException, Injectable } from '@nestjs/common';
import type { WebRequest } from './page-policy.js';
import { WebSessions, type WebSession } from './web-sessions.js';

type Flash = NonNullable<WebSession['flash']>;

/**
 * The one-time message a form's act leaves for the page it redirects to (POST-redirect-GET), kept in
 * the session. A refusal the domain gives (409: the lifecycle, the consent rules) becomes that
 * message rather than an error page.
 */
@Injectable()
export class PageFlash {
  constructor(private readonly sessions: WebSessions) {}

  /** Runs the act and leaves its outcome for the next page: `success`, or the refusal's own words. Says whether the act was done. */
  async act(request: WebRequest, act: () => Promise<unknown>, success: string, refusals: (new (...args: never[]) => Error)[] = [ConflictException]): Promise<boolean> {
    try {
      await act();
    } catch (error) {
      if (!refusals.some((refusal) => error instanceof refusal)) throw error;
      await this.leave(request, { text: (error as Error).message, success: false });
      return false;
    }
    await this.leave(request, { text: success, success: true });
    return true;
  }

  async take(request: WebRequest): Promise<Flash | undefined> {
    const { id, session } = request.web!;
    const flash = session.flash;
    if (!flash) return undefined;
    delete session.flash;
    await this.sessions.save(id, session);
    return flash;
  }

  private async leave(request: WebRequest, flash: Flash): Promise<void> {
    const { id, session } = request.web!;
    session.flash = flash;
    await this.sessions.save(id, session);
  }
}
