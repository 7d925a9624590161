import { ConflictException, Injectable } from '@nestjs/common';
import type { WebRequest } from './page-policy.js';
import { WebSessions, type WebSession } from './web-sessions.js';

/** The words for a refusal the page should show rather than fail on; null for anything else. */
export type RefusalWords = (error: unknown) => string | null;

/** A refusal by the contact's lifecycle or the service (409): its message says why and what would allow it. */
export const conflictWords: RefusalWords = (error) => (error instanceof ConflictException ? error.message : null);

/**
 * The message the next page shows after a form is posted and redirected (POST-redirect-GET): that
 * the act was done, or why it was refused, kept in the server-side session until shown once.
 */
@Injectable()
export class PageFlash {
  constructor(private readonly sessions: WebSessions) {}

  /**
   * Runs an act; a refusal `refusal` recognises (by default a 409, e.g. "start screening the
   * contact first") becomes the message, not an error page. Anything else is thrown on.
   */
  async outcome<T>(request: WebRequest, act: () => Promise<T>, success: string | ((result: T) => string), refusal: RefusalWords = conflictWords): Promise<T | null> {
    try {
      const result = await act();
      await this.set(request, { text: typeof success === 'string' ? success : success(result), success: true });
      return result;
    } catch (error) {
      const text = refusal(error);
      if (text === null) throw error;
      await this.set(request, { text, success: false });
      return null;
    }
  }

  async set(request: WebRequest, flash: NonNullable<WebSession['flash']>): Promise<void> {
    const { id, session } = request.web!;
    session.flash = flash;
    await this.sessions.save(id, session);
  }

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
