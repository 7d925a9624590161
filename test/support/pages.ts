import { DEVELOPMENT_PASSWORD } from '../../apps/hub/src/access/staff-accounts.js';

/** A browser as far as the pages can tell: a cookie jar of one session cookie, and no redirects followed. */
export class Visitor {
  cookie = '';

  constructor(private readonly base: () => string) {}

  async send(method: string, path: string, form?: Record<string, string>): Promise<Response> {
    const response = await fetch(path.startsWith('http') ? path : `${this.base()}${path}`, {
      method,
      redirect: 'manual',
      headers: { ...(this.cookie && { cookie: this.cookie }), ...(form && { 'content-type': 'application/x-www-form-urlencoded' }) },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    const set = response.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0];
    return response;
  }

  /** The session's CSRF token, from the hidden field of a page's form. */
  async csrf(path = '/sign-in'): Promise<string> {
    const html = await (await this.send('GET', path)).text();
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    if (!token) throw new Error(`no CSRF token on ${path}`);
    return token;
  }

  async signIn(username: string, returnTo = ''): Promise<Response> {
    const _csrf = await this.csrf('/sign-in');
    const signedIn = await this.send('POST', '/sign-in', { _csrf, username, password: DEVELOPMENT_PASSWORD, returnTo });
    // Anything but the redirect after sign-in (a lock, a rate limit) would make later refusals meaningless.
    if (signedIn.status !== 303) throw new Error(`${username} could not sign in: ${signedIn.status}`);
    return signedIn;
  }
}

