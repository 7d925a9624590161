import { randomUUID } from 'node:crypto';
import { agencyQueue } from '#contracts';
import { controllersOf, routeInventory } from '#platform';
import { ACCESS_POLICY, type AccessPolicy } from '../apps/hub/src/access/access-policy.js';
import { STAFF_ROLES, type StaffRole } from '../apps/hub/src/access/staff.js';
import { HubConfig } from '../apps/hub/src/config.js';
import { HubModule } from '../apps/hub/src/hub.module.js';
import { PAGE_POLICY } from '../apps/hub/src/web/page-policy.js';
import { PAGE_CONTROLLERS } from '../apps/hub/src/web/web.module.js';
import { TEST_APP_DATABASE_URL, TEST_REDIS_URL, deleteRedisKeys, freePort, resetDatabase, uniquePrefix, withDatabase } from './support/environment.js';
import { APPS, AppProcess, hubEnv } from './support/processes.js';
import { staff } from './support/staff.js';
import { Visitor as PageVisitor } from './support/pages.js';

class Visitor extends PageVisitor {
  constructor() {
    super(() => hub.url);
  }
}

const prefix = uniquePrefix();
let hub: AppProcess;

const ACCOUNTS: Record<StaffRole, string> = { screener: 'sam.screener', manager: 'meg.manager', auditor: 'ada.auditor', admin: 'al.admin' };

beforeAll(async () => {
  await resetDatabase();
  const env = {
    DATABASE_URL: TEST_APP_DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
    // These tests sign the same accounts in many times a minute; the limit itself is tested on the API's sign-in.
    SIGN_IN_RATE_LIMIT_PER_MINUTE: '100',
  };
  hub = new AppProcess('hub', APPS.hub, hubEnv(env), await freePort());
  await hub.ready();
}, 60_000);

afterAll(async () => {
  await hub?.stop();
  await deleteRedisKeys(prefix);
});

describe('every page, for every role', () => {
  const pages = routeInventory<AccessPolicy>(PAGE_CONTROLLERS, PAGE_POLICY);

  it('declares a page policy on every route outside the API, and none is reachable with a bearer token instead', () => {
    const everyRoute = routeInventory<AccessPolicy>(controllersOf(HubModule.forRoot(new HubConfig())), ACCESS_POLICY);
    const outsideApi = everyRoute.filter((route) => !route.path.startsWith('/api/') && route.path !== '/health');
    expect(outsideApi.map((route) => `${route.method} ${route.path}`).sort()).toEqual(pages.map((route) => `${route.method} ${route.path}`).sort());
    for (const page of pages) expect(`${page.method} ${page.path}: ${JSON.stringify(page.policy)}`).toMatch(/"public":(true|false)/);
  });

  it('answers where the role is allowed, 403 where it is not, and sends anonymous visitors to sign in', async () => {
    const childId = randomUUID();
    const contactId = randomUUID();
    await withDatabase(async (db) => {
      await db.query("INSERT INTO child (id, given_name, family_name, normalised_name, date_of_birth) VALUES ($1, 'Ida', 'Example', 'ida example', '2016-02-03')", [childId]);
      await db.query(
        `INSERT INTO contact (id, child_id, status, sender_urgency, received_at, last_notification_at, notification_count, finished_at)
         VALUES ($1, $2, 'closed', 'green', now(), now(), 0, now())`,
        [contactId, childId],
      );
    });
    /** A request each page answers this way when the role may open it. */
    const examples: Record<string, { path: string; form?: Record<string, string>; status: number }> = {
      'GET /': { path: '/', status: 303 },
      'GET /contacts': { path: '/contacts', status: 200 },
      'GET /contacts/:id': { path: `/contacts/${contactId}`, status: 200 },
      // A closed contact: the act is refused by the lifecycle, and the page says so after the redirect.
      'POST /contacts/:id/screening': { path: `/contacts/${contactId}/screening`, form: {}, status: 303 },
      'GET /contacts/:id/rag': { path: `/contacts/${contactId}/rag`, status: 200 },
      'POST /contacts/:id/rag': { path: `/contacts/${contactId}/rag`, form: { rag: 'amber', reason: 'The matrix of pages and roles.' }, status: 303 },
      'GET /sign-off': { path: '/sign-off', status: 200 },
      // A closed contact: nothing awaits sign-off, and the page says so (after the redirect, for the acts).
      'GET /sign-off/:contactId': { path: `/sign-off/${contactId}`, status: 200 },
      'POST /sign-off/:contactId': { path: `/sign-off/${contactId}`, form: {}, status: 303 },
      'POST /sign-off/:contactId/return': { path: `/sign-off/${contactId}/return`, form: { reason: 'The matrix of pages and roles.' }, status: 303 },
      'GET /alerts': { path: '/alerts', status: 200 },
      // No such alert: allowed roles hear it is not there.
      'POST /alerts/:id/resolve': { path: `/alerts/${childId}/resolve`, form: {}, status: 404 },
      // Consent is not refused: the form is not offered, and posting it is refused by the consent rules.
      'GET /contacts/:id/consent/override': { path: `/contacts/${contactId}/consent/override`, status: 200 },
      'POST /contacts/:id/consent/override': { path: `/contacts/${contactId}/consent/override`, form: { justification: 'A written safeguarding justification for the matrix.' }, status: 303 },
      'GET /timeliness': { path: '/timeliness', status: 200 },
      'GET /contacts/:id/information-requests/new': { path: `/contacts/${contactId}/information-requests/new`, status: 200 },
      // A closed contact: refused by the lifecycle, said on the contact page after the redirect.
      'POST /contacts/:id/information-requests': {
        path: `/contacts/${contactId}/information-requests`,
        form: { agency: 'health', organisation: 'RJ1', question: 'What does the GP practice hold about the child?', why: 'The matrix of pages and roles.' },
        status: 303,
      },
      // No such request: allowed roles hear it is not there.
      'GET /contacts/:id/information-requests/:requestId/withdraw': { path: `/contacts/${contactId}/information-requests/${childId}/withdraw`, status: 404 },
      'POST /contacts/:id/information-requests/:requestId/withdraw': {
        path: `/contacts/${contactId}/information-requests/${childId}/withdraw`,
        form: { reason: 'The matrix of pages and roles.' },
        status: 404,
      },
      'POST /contacts/:id/ready-for-decision': { path: `/contacts/${contactId}/ready-for-decision`, form: {}, status: 303 },
      'GET /contacts/:id/decision': { path: `/contacts/${contactId}/decision`, status: 200 },
      'POST /contacts/:id/decision': {
        path: `/contacts/${contactId}/decision`,
        form: { outcome: 'early_help', primaryNeed: 'N1', levelOfNeed: '2', rationale: 'The matrix of pages and roles, in twenty characters or more.' },
        status: 303,
      },
      'GET /possible-matches': { path: '/possible-matches', status: 200 },
      // No such pair: allowed roles reach the identity desk and hear it is not there.
      'GET /possible-matches/:id': { path: `/possible-matches/${contactId}`, status: 404 },
      'POST /possible-matches/:id/link': { path: `/possible-matches/${contactId}/link`, form: {}, status: 404 },
      'POST /possible-matches/:id/keep-apart': { path: `/possible-matches/${contactId}/keep-apart`, form: {}, status: 404 },
      'GET /audit': { path: '/audit', status: 200 },
      'GET /audit/shares': { path: '/audit/shares', status: 200 },
      'GET /audit/export': { path: '/audit/export?format=csv', status: 200 },
      'GET /audit/shares/export': { path: '/audit/shares/export?format=ndjson', status: 200 },
      // The screener's and the manager's looks at the contact (above) concern the child.
      'GET /audit/children/:id': { path: `/audit/children/${childId}`, status: 200 },
      'GET /audit/verification': { path: '/audit/verification', status: 200 },
      'POST /audit/verification': { path: '/audit/verification', form: {}, status: 200 },
      'POST /audit/checkpoints': { path: '/audit/checkpoints', form: {}, status: 303 },
      'GET /admin': { path: '/admin', status: 200 },
      'GET /admin/dead-letters': { path: '/admin/dead-letters', status: 200 },
      'GET /admin/dead-letters/:queue': { path: `/admin/dead-letters/${agencyQueue('police')}`, status: 200 },
      // An empty queue: allowed callers replay nothing, and are told so after the redirect.
      'POST /admin/dead-letters/:queue/replay': { path: `/admin/dead-letters/${agencyQueue('police')}/replay`, form: {}, status: 303 },
      'POST /admin/dead-letters/:queue/:id/replay': { path: `/admin/dead-letters/${agencyQueue('police')}/no-such-message/replay`, form: {}, status: 303 },
      'GET /admin/partners': { path: '/admin/partners', status: 200 },
      'GET /admin/partners/new': { path: '/admin/partners/new', status: 200 },
      // Not an organisation code: allowed callers reach the form's check, and nothing is issued.
      'POST /admin/partners': { path: '/admin/partners', form: { agency: 'police', organisation: 'x', system: 'Matrix PPN', days: '30' }, status: 400 },
      // No such credential: allowed callers hear it is not there.
      'GET /admin/partners/:id/revoke': { path: `/admin/partners/${contactId}/revoke`, status: 404 },
      'POST /admin/partners/:id/revoke': { path: `/admin/partners/${contactId}/revoke`, form: {}, status: 404 },
      'POST /sign-out': { path: '/sign-out', form: {}, status: 303 },
    };
    const publicPages = ['GET /sign-in', 'POST /sign-in', 'POST /sign-in/oidc', 'GET /sign-in/oidc/callback'];
    const protectedPages = pages.filter((page) => !page.policy?.public);
    expect(pages.filter((page) => page.policy?.public).map((page) => `${page.method} ${page.path}`).sort()).toEqual([...publicPages].sort());
    // Signing out ends the session the rest need, so it goes last.
    protectedPages.sort((a, b) => Number(a.path === '/sign-out') - Number(b.path === '/sign-out'));

    for (const page of protectedPages) {
      const name = `${page.method} ${page.path}`;
      const example = examples[name];
      if (!example) throw new Error(`no example request for ${name}: add one, so its policy is tested`);
      const anonymous = await new Visitor().send(page.method, example.path, example.form);
      expect(`${name} anonymous: ${anonymous.status} ${anonymous.headers.get('location')?.split('?')[0]}`).toBe(`${name} anonymous: 303 /sign-in`);
    }
    for (const role of STAFF_ROLES) {
      const visitor = new Visitor();
      expect((await visitor.signIn(ACCOUNTS[role])).status).toBe(303);
      const _csrf = await visitor.csrf('/audit');
      for (const page of protectedPages) {
        const name = `${page.method} ${page.path}`;
        const example = examples[name];
        const allowed = page.policy && !page.policy.public && page.policy.roles.includes(role);
        const answer = await visitor.send(page.method, example.path, example.form && { _csrf, ...example.form });
        expect(`${name} as ${role}: ${answer.status}`).toBe(`${name} as ${role}: ${allowed ? example.status : 403}`);
        if (!allowed) expect(await answer.text()).toContain('You do not have access to this page');
      }
    }
    // Nothing a refused role posted reached the contact.
    for (const table of ['rag_change', 'information_request', 'contact_decision', 'consent_record']) {
      expect(`${table}: ${(await withDatabase((db) => db.query(`SELECT count(*)::int AS n FROM ${table} WHERE contact_id = $1`, [contactId]))).rows[0].n}`).toBe(`${table}: 0`);
    }
  }, 60_000);
});

describe('sessions and forms', () => {
  it('keeps only a random id in an HttpOnly, SameSite=Lax cookie, and gives a new one at sign-in', async () => {
    const visitor = new Visitor();
    const page = await visitor.send('GET', '/sign-in');
    expect(page.headers.get('set-cookie')).toMatch(/^mash-session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self' 'nonce-[^']+'; style-src 'self'/);
    const before = visitor.cookie;
    const signedIn = await visitor.signIn('sam.screener');
    expect(signedIn.headers.get('location')).toBe('/contacts');
    expect(visitor.cookie).not.toBe(before);
    // The session holds the identity server-side: the old, anonymous id is worth nothing.
    const planted = new Visitor();
    planted.cookie = before;
    expect((await planted.send('GET', '/contacts')).status).toBe(303);
    expect((await visitor.send('GET', '/contacts')).status).toBe(200);
  });

  it('refuses a form posted without the session’s CSRF token, and one with another session’s', async () => {
    const screener = new Visitor();
    await screener.signIn('sam.screener');
    const other = new Visitor();
    await other.signIn('meg.manager');
    const othersToken = await other.csrf('/contacts');
    const contactId = randomUUID();
    for (const form of [{}, { _csrf: '' }, { _csrf: othersToken }] as Record<string, string>[]) {
      const refused = await screener.send('POST', `/contacts/${contactId}/rag`, { ...form, rag: 'red', reason: 'A forged request from another site.' });
      expect(refused.status).toBe(403);
      expect(await refused.text()).toContain('This form has expired or did not come from this service');
    }
  });

  it('never sends anyone to another site after sign-in', async () => {
    for (const returnTo of ['https://evil.example/', '//evil.example', '/\\evil.example', '/contacts/../admin', 'javascript:alert(1)', '/api/audit/events']) {
      const signedIn = await new Visitor().signIn('sam.screener', returnTo);
      expect(`${returnTo} → ${signedIn.headers.get('location')}`).toBe(`${returnTo} → /contacts`);
    }
    const anonymous = await new Visitor().send('GET', '/sign-in?returnTo=https%3A%2F%2Fevil.example%2F');
    expect(await anonymous.text()).not.toContain('evil.example');
    const contactId = randomUUID();
    const back = await new Visitor().signIn('sam.screener', `/contacts/${contactId}`);
    expect(back.headers.get('location')).toBe(`/contacts/${contactId}`);
  });

  it('signs out: the session is destroyed on the server, the sign-in is recorded as ended', async () => {
    const visitor = new Visitor();
    await visitor.signIn('meg.manager');
    const kept = visitor.cookie;
    const _csrf = await visitor.csrf('/contacts');
    const out = await visitor.send('POST', '/sign-out', { _csrf });
    expect(out.headers.get('location')).toBe('/sign-in?signedOut=1');
    expect(out.headers.get('set-cookie')).toMatch(/^mash-session=;/);
    // The same cookie, kept by someone: it opens nothing.
    const replay = new Visitor();
    replay.cookie = kept;
    const refused = await replay.send('GET', '/contacts');
    expect(refused.status).toBe(303);
    expect(refused.headers.get('location')).toBe('/sign-in?returnTo=%2Fcontacts&expired=1');
    const [logout] = (await withDatabase((db) => db.query("SELECT details FROM audit_event WHERE action = 'logout' ORDER BY sequence DESC LIMIT 1"))).rows;
    expect(logout.details).toMatchObject({ actorName: 'meg.manager' });
  });

  it('shows a wrong password as a form error, counted toward the lock as the API’s sign-in is', async () => {
    const visitor = new Visitor();
    const _csrf = await visitor.csrf();
    const wrong = await visitor.send('POST', '/sign-in', { _csrf, username: 'ada.auditor', password: 'not the password' });
    expect(wrong.status).toBe(401);
    const html = await wrong.text();
    expect(html).toContain('<title>Error: Sign in – MASH</title>');
    expect(html).toContain('Enter a correct username and password');
    const [failed] = (await withDatabase((db) => db.query("SELECT details FROM audit_event WHERE action = 'login.failed' ORDER BY sequence DESC LIMIT 1"))).rows;
    expect(failed.details).toMatchObject({ reason: 'wrong password', failures: 1 });
    const empty = await visitor.send('POST', '/sign-in', { _csrf, username: '', password: '' });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain('Enter your username');
  });

  it('serves GOV.UK Frontend’s compiled assets with long cache headers', async () => {
    for (const path of ['/assets/govuk-frontend.min.css', '/assets/govuk-frontend.min.js', '/assets/images/favicon.ico']) {
      const asset = await fetch(`${hub.url}${path}`);
      expect(`${path} ${asset.status} ${asset.headers.get('cache-control')}`).toBe(`${path} 200 public, max-age=31536000, immutable`);
    }
    expect((await fetch(`${hub.url}/assets/index.scss`)).status).toBe(404);
  });

  it('takes a contact id in upper case as the same contact, and records it in one form, so the chain still verifies', async () => {
    const childId = randomUUID();
    const contactId = randomUUID();
    await withDatabase(async (db) => {
      await db.query("INSERT INTO child (id, given_name, family_name, normalised_name, date_of_birth) VALUES ($1, 'Una', 'Example', 'una example', '2017-04-05')", [childId]);
      await db.query(
        `INSERT INTO contact (id, child_id, status, sender_urgency, received_at, last_notification_at, notification_count)
         VALUES ($1, $2, 'awaiting_screening', 'amber', now(), now(), 0)`,
        [contactId, childId],
      );
    });
    const visitor = new Visitor();
    await visitor.signIn('sam.screener');
    const upper = contactId.toUpperCase();
    expect((await visitor.send('GET', `/contacts/${upper}`)).status).toBe(200);
    expect((await visitor.send('GET', `/contacts/${upper}/rag`)).status).toBe(200);
    const _csrf = await visitor.csrf('/contacts');
    const started = await visitor.send('POST', `/contacts/${upper}/screening`, { _csrf });
    expect(started.headers.get('location')).toBe(`/contacts/${contactId}`);
    const rated = await visitor.send('POST', `/contacts/${upper}/rag`, { _csrf, rag: 'green', reason: 'No immediate risk; school already supporting.' });
    expect(rated.headers.get('location')).toBe(`/contacts/${contactId}`);
    const subjects = (await withDatabase((db) => db.query("SELECT DISTINCT subject_id FROM audit_event WHERE action IN ('contact.viewed', 'rag.changed') AND child_id = $1", [childId]))).rows;
    expect(subjects).toEqual([{ subject_id: contactId }]);
    const verified = await fetch(`${hub.url}/api/audit/verification`, { headers: staff.auditor });
    expect((await verified.json()).intact).toBe(true);
  });
});
