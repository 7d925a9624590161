import { Injectable } from '@nestjs/common';
import type { WebRequest } from './page-policy.js';
import { WebSessions, type WebSession } from './web-sessions.js';

/** A one-time message for the page a form redirects to (POST-redirect-GET), kept in the session. */
@Injectable()
export class PageFlash {
  constructor(private readonly sessions: WebSessions) {}

  async set(request: WebRequest, text: string, success: boolean): Promise<void> {
    const { id, session } = request.web!;
    session.flash = { text, success };
    await this.sessions.save(id, session);
  }

  /** The message waiting for this page, if any; it is then gone. */
  async take(request: WebRequest): Promise<WebSession['flash']> {
    const { id, session } = request.web!;
    const flash = session.flash;
    if (flash) {
      delete session.flash;
      await this.sessions.save(id, session);
    }
    return flash;
  }
}
