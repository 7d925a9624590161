import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import { createServer, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { agencyQueue } from '#contracts';
import { controllersOf, routeInventory } from '#platform';
import { ACCESS_POLICY, type AccessPolicy } from '../apps/hub/src/access/access-policy.js';
import { DEVELOPMENT_PASSWORD } from '../apps/hub/src/access/staff-accounts.js';
import { STAFF_ROLES } from '../apps/hub/src/access/staff.js';
import { HubConfig } from '../apps/hub/src/config.js';
import { HubModule } from '../apps/hub/src/hub.module.js';
import { TEST_APP_DATABASE_URL, TEST_REDIS_URL, deleteRedisKeys, resetDatabase, uniquePrefix, waitFor, withDatabase } from './support/environment.js';
import { APPS, AppProcess, hubEnv } from './support/processes.js';
import { TEST_STAFF_TOKEN_SECRET, asStaff, staff, staffToken } from './support/staff.js';

const prefix = uniquePrefix();
let hub: AppProcess;
let jwks: Server;
let oidcIssuer: string;
let oidcKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
let strangerKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
const OIDC_AUDIENCE = 'mash-hub';

async function oidcToken(claims: Record<string, unknown>, { key = oidcKey, audience = OIDC_AUDIENCE, issuer = oidcIssuer, expiresIn = '10m' } = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: 'council-key-1' })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject(String(claims.sub ?? 'oidc-subject-1'))
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(key);
}

const lastEvents = (action: string, limit = 1) =>
  withDatabase(async (db) =>
    (await db.query('SELECT actor_id, on_behalf_of, details FROM audit_event WHERE action = $1 ORDER BY sequence DESC LIMIT $2', [action, limit])).rows,
  );

const login = (username: string, password: string) => request(hub.url).post('/api/auth/login').send({ username, password });
const refresh = (refreshToken: string) => request(hub.url).post('/api/auth/refresh').send({ refreshToken });
const chainIntact = async () =>
  (await request(hub.url).get('/api/audit/verification').set(staff.auditor).expect(200)).body.intact as boolean;

beforeAll(async () => {
  await resetDatabase();
  // The council's identity provider, as far as the hub can tell: a published key set.
  const pair = await generateKeyPair('RS256');
  oidcKey = pair.privateKey;
  strangerKey = (await generateKeyPair('RS256')).privateKey;
  const publicJwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'council-key-1', alg: 'RS256', use: 'sig' };
  jwks = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [publicJwk] }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  const port = (jwks.address() as { port: number }).port;
  oidcIssuer = `http://127.0.0.1:${port}/council`;

  hub = new AppProcess(
    'hub',
    APPS.hub,
    hubEnv({
      DATABASE_URL: TEST_APP_DATABASE_URL,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      OIDC_ISSUER: oidcIssuer,
      OIDC_AUDIENCE,
      OIDC_JWKS_URL: `http://127.0.0.1:${port}/jwks`,
      // A claim of the council's own naming, to show the team is read from the configured claim.
      OIDC_TEAM_CLAIM: 'mash_team',
      SIGN_IN_LOCKOUT_SECONDS: '600',
      STAFF_REFRESH_REUSE_GRACE_SECONDS: '2',
      // Refusals reach the audit trail counted, a window at a time: a short one, so the tests need not wait.
      ACCESS_REFUSAL_WINDOW_SECONDS: '1',
    }),
    3340,
  );
  await hub.ready();
}, 60_000);

afterAll(async () => {
  await hub?.stop();
  await new Promise((resolve) => jwks?.close(resolve));
  await deleteRedisKeys(prefix);
});

describe('signing in with a built-in account', () => {
  it('gives an access token that works, and a refresh token that rotates', async () => {
    const signedIn = await login('sam.screener', DEVELOPMENT_PASSWORD).expect(200);
    expect(signedIn.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, staff: { username: 'sam.screener', roles: ['screener'] } });
    await request(hub.url).get('/api/contacts').set('authorization', `Bearer ${signedIn.body.accessToken}`).expect(200);

    const refreshed = await refresh(signedIn.body.refreshToken).expect(200);
    expect(refreshed.body.refreshToken).not.toBe(signedIn.body.refreshToken);
    await request(hub.url).get('/api/contacts').set('authorization', `Bearer ${refreshed.body.accessToken}`).expect(200);

    // The actor is the account (its id, at the hub), the name it signed in with is in the details.
    const [succeeded] = await lastEvents('login.succeeded');
    expect(succeeded).toMatchObject({
      actor_id: signedIn.body.staff.id,
      on_behalf_of: 'screener',
      details: { actorIssuer: 'urn:mash:hub', actorName: 'sam.screener' },
    });
  });

  it('two refreshes with the same token at once (two tabs) both succeed, within the same sign-in', async () => {
    const signedIn = await login('sam.screener', DEVELOPMENT_PASSWORD).expect(200);
    const [first, second] = await Promise.all([refresh(signedIn.body.refreshToken), refresh(signedIn.body.refreshToken)]);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(first.body.refreshToken).not.toBe(second.body.refreshToken);
    // Both new tokens work, and signing out with one ends the other's line too: they are one sign-in.
    const third = await refresh(first.body.refreshToken).expect(200);
    await request(hub.url).post('/api/auth/logout').send({ refreshToken: second.body.refreshToken }).expect(204);
    expect((await refresh(third.body.refreshToken).expect(401)).body.message).toMatch(/revoked/);
  });

  it('a used refresh token presented again after the grace period ends the whole sign-in', async () => {
    const signedIn = await login('sam.screener', DEVELOPMENT_PASSWORD).expect(200);
    const refreshed = await refresh(signedIn.body.refreshToken).expect(200);
    await new Promise((resolve) => setTimeout(resolve, 2500));

    // The first refresh token again, well after its use: it was copied, so the whole sign-in ends.
    const reused = await refresh(signedIn.body.refreshToken).expect(401);
    expect(reused.body.message).toMatch(/already used/);
    const descendant = await refresh(refreshed.body.refreshToken).expect(401);
    expect(descendant.body.message).toMatch(/revoked/);
    // Both refusals are kept in the audit trail, not rolled back with the error.
    const refusals = await lastEvents('token.refused', 2);
    expect(refusals.map((r: { actor_id: string; details: { reason: string } }) => [r.actor_id, r.details.reason])).toEqual([
      [signedIn.body.staff.id, 'revoked'],
      [signedIn.body.staff.id, 'already used; every token of this sign-in is revoked'],
    ]);
  });

  it('signs out: the refresh token stops working', async () => {
    const signedIn = await login('meg.manager', DEVELOPMENT_PASSWORD).expect(200);
    await request(hub.url).post('/api/auth/logout').send({ refreshToken: signedIn.body.refreshToken }).expect(204);
    await request(hub.url).post('/api/auth/refresh').send({ refreshToken: signedIn.body.refreshToken }).expect(401);
    expect((await lastEvents('logout'))[0]).toMatchObject({ actor_id: signedIn.body.staff.id, details: { actorName: 'meg.manager' } });
  });

  it('answers a wrong password and an unknown user alike', async () => {
    const wrong = await login('sam.screener', 'not the password at all').expect(401);
    const unknown = await login('nobody.here', 'not the password at all').expect(401);
    expect(wrong.body.message).toBe(unknown.body.message);
    await login('', '').expect(400);
  });

  it('locks the account after five failed sign-ins in a row, and records each failure', async () => {
    for (let attempt = 1; attempt <= 5; attempt++) await login('ada.auditor', `wrong guess ${attempt}`).expect(401);
    const locked = await login('ada.auditor', DEVELOPMENT_PASSWORD).expect(423);
    expect(locked.body.message).toMatch(/locked after repeated failed sign-ins until/);

    const failures = await lastEvents('login.failed', 6);
    expect(failures.map((f: { details: { reason: string } }) => f.details.reason)).toEqual([
      'account locked',
      'wrong password',
      'wrong password',
      'wrong password',
      'wrong password',
      'wrong password',
    ]);
    expect(failures[1].details).toMatchObject({ failures: 5, lockedUntil: expect.any(String) });
    expect(failures[5].details).toMatchObject({ failures: 1, lockedUntil: null });
  });
});

describe('the HTTP edge', () => {
  it('limits sign-in attempts for one username from one address', async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 11; attempt++) statuses.push((await login('rate.limited', 'a wrong password')).status);
    expect(statuses.slice(0, 10).every((status) => status === 401)).toBe(true);
    expect(statuses[10]).toBe(429);
    const limited = await login('rate.limited', 'a wrong password').expect(429);
    expect(limited.body.message).toMatch(/Too many sign-in requests: at most 10 in 60 s\. Try again in \d+ s\./);
  });

  it('sends security headers and keeps CORS closed', async () => {
    const response = await request(hub.url).get('/health').set('origin', 'https://elsewhere.example').expect(200);
    expect(response.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
      'strict-transport-security': expect.stringContaining('max-age='),
      'content-security-policy': expect.stringContaining("frame-ancestors 'none'"),
    });
    expect(response.headers['x-powered-by']).toBeUndefined();
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await request(hub.url)
      .options('/api/contacts')
      .set('origin', 'https://elsewhere.example')
      .set('access-control-request-method', 'GET');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses a body over the size limit', async () => {
    const huge = { username: 'x', password: 'y'.repeat(2 * 1024 * 1024) };
    await request(hub.url).post('/api/auth/login').send(huge).expect(413);
  });
});

describe('bearer tokens', () => {
  const contacts = (token: string) => request(hub.url).get('/api/contacts').set('authorization', `Bearer ${token}`);

  it('refuses a forged, an expired and a foreign token, and a token without a MASH role, recording each', async () => {
    const cases: [string, string, RegExp][] = [
      ['forged', await staffToken('sam.screener', ['screener'], { secret: 'not the hub secret but long enough to sign' }), /signature does not verify/],
      ['expired', await staffToken('sam.screener', ['screener'], { expiresIn: Math.floor(Date.now() / 1000) - 60 }), /expired/],
      ['unknown issuer', await oidcToken({ roles: ['screener'] }, { issuer: 'https://idp.elsewhere.example' }), /issuer .* not accepted/],
      ['no role', await staffToken('sam.screener', ['gardener']), /no MASH role/],
      ['not a JWT', 'abc.def', /not a JWT/],
    ];
    for (const [, token, message] of cases) {
      const refused = await contacts(token).expect(401);
      expect(refused.body.message).toMatch(message);
    }
    // Counted per source, reason and window, then written: one event for each reason.
    const recorded = await waitFor('the counted token refusals to reach the audit trail', async () => {
      const events = await lastEvents('token.refused', cases.length);
      return events.length === cases.length && events.every((e: { details: { count?: number } }) => e.details.count) ? events : undefined;
    });
    for (const [, , message] of cases) {
      expect(recorded.filter((e: { details: { reason: string } }) => message.test(e.details.reason))).toEqual([
        expect.objectContaining({ actor_id: 'anonymous', details: expect.objectContaining({ count: 1, status: 401, route: '/api/contacts' }) }),
      ]);
    }
    await request(hub.url).get('/api/contacts').set('authorization', 'Basic c2FtOnB3').expect(401);
  });

  it("accepts the council's identity provider, checked against its published keys", async () => {
    const token = await oidcToken({ roles: ['screener', 'not-a-mash-role'], preferred_username: 'jo.bloggs@council.example' });
    await contacts(token).expect(200);
    expect((await lastEvents('contacts.listed'))[0]).toMatchObject({
      actor_id: 'oidc-subject-1',
      on_behalf_of: 'screener',
      details: { actorIssuer: oidcIssuer, actorName: 'jo.bloggs@council.example' },
    });

    const wrongKey = await contacts(await oidcToken({ roles: ['screener'] }, { key: strangerKey })).expect(401);
    expect(wrongKey.body.message).toMatch(/signature does not verify/);
    const wrongAudience = await contacts(await oidcToken({ roles: ['screener'] }, { audience: 'another-service' })).expect(401);
    expect(wrongAudience.body.message).toMatch(/aud claim is not accepted/);
    const expired = await contacts(await oidcToken({ roles: ['screener'] }, { expiresIn: '-1m' })).expect(401);
    expect(expired.body.message).toMatch(/expired/);
  });
});

describe('the team of whoever decides', () => {
  it("is recorded on the decision: a built-in account's own team, the council's from OIDC_TEAM_CLAIM, and none when the claim is another or blank", async () => {
    const signedIn = await login('sam.screener', DEVELOPMENT_PASSWORD).expect(200);
    expect(signedIn.body.staff).toMatchObject({ username: 'sam.screener', team: 'MASH North' });
    const deciders: [string, string, string | null][] = [
      ['built-in account', signedIn.body.accessToken, 'MASH North'],
      ['council, configured claim', await oidcToken({ sub: 'oidc-team-1', roles: ['screener'], mash_team: '  MASH East ' }), 'MASH East'],
      ['council, another claim', await oidcToken({ sub: 'oidc-team-2', roles: ['screener'], team: 'MASH West' }), null],
      ['council, blank claim', await oidcToken({ sub: 'oidc-team-3', roles: ['screener'], mash_team: '   ' }), null],
      ['council, over-long claim', await oidcToken({ sub: 'oidc-team-4', roles: ['screener'], mash_team: 'T'.repeat(101) }), null],
    ];
    for (const [what, token, team] of deciders) {
      const childId = randomUUID();
      const contactId = randomUUID();
      await withDatabase(async (db) => {
        await db.query("INSERT INTO child (id, given_name, family_name, normalised_name) VALUES ($1, 'Tia', 'Team', 'tia team')", [childId]);
        await db.query(
          `INSERT INTO contact (id, child_id, status, sender_urgency, received_at, last_notification_at, notification_count)
           VALUES ($1, $2, 'awaiting_screening', 'green', now(), now(), 0)`,
          [contactId, childId],
        );
      });
      const as = { authorization: `Bearer ${token}` };
      await request(hub.url).post(`/api/contacts/${contactId}/screening`).set(as).expect(201);
      await request(hub.url).post(`/api/contacts/${contactId}/rag`).set(as).send({ rag: 'green', reason: 'School already supporting.' }).expect(201);
      await request(hub.url)
        .post(`/api/contacts/${contactId}/decision`)
        .set(as)
        .send({ outcome: 'early_help', primaryNeed: 'N1', levelOfNeed: 2, rationale: 'Family agree to early help; no statutory threshold met.' })
        .expect(201);
      const [decision] = (await withDatabase((db) => db.query('SELECT decided_by_team FROM contact_decision WHERE contact_id = $1', [contactId]))).rows;
      expect(`${what}: ${decision.decided_by_team}`).toBe(`${what}: ${team}`);
    }
  });
});

describe('who acted, in the audit trail', () => {
  it("records a long OpenID Connect subject and name as they are, and the chain verifies", async () => {
    const sub = `${'s'.repeat(290)}-subject`.padEnd(300, 'x');
    const name = `${'Á'.repeat(150)} ${'n'.repeat(149)}`;
    await request(hub.url).get('/api/contacts').set('authorization', `Bearer ${await oidcToken({ sub, roles: ['screener'], preferred_username: name })}`).expect(200);
    expect((await lastEvents('contacts.listed'))[0]).toMatchObject({ actor_id: sub, details: { actorIssuer: oidcIssuer, actorName: name } });
    expect(await chainIntact()).toBe(true);
    // A subject too long to be an actor id is refused plainly, not failed.
    const tooLong = await request(hub.url).get('/api/contacts').set('authorization', `Bearer ${await oidcToken({ sub: 'x'.repeat(501), roles: ['screener'] })}`).expect(401);
    expect(tooLong.body.message).toMatch(/subject is longer than 500 characters/);
  });

  it('renaming an account does not change who its later acts are recorded as', async () => {
    const before = await login('meg.manager', DEVELOPMENT_PASSWORD).expect(200);
    await request(hub.url).get('/api/contacts').set('authorization', `Bearer ${before.body.accessToken}`).expect(200);
    const [first] = await lastEvents('contacts.listed');
    await withDatabase((db) => db.query("UPDATE staff_account SET username = 'meg.renamed' WHERE username = 'meg.manager'"));
    try {
      const after = await login('meg.renamed', DEVELOPMENT_PASSWORD).expect(200);
      await request(hub.url).get('/api/contacts').set('authorization', `Bearer ${after.body.accessToken}`).expect(200);
      const [second] = await lastEvents('contacts.listed');
      expect(first).toMatchObject({ actor_id: before.body.staff.id, details: { actorName: 'meg.manager' } });
      expect(second).toMatchObject({ actor_id: before.body.staff.id, details: { actorName: 'meg.renamed' } });
    } finally {
      await withDatabase((db) => db.query("UPDATE staff_account SET username = 'meg.manager' WHERE username = 'meg.renamed'"));
    }
    expect(await chainIntact()).toBe(true);
  });
});

describe('every route, for every role', () => {
  const routes = routeInventory<AccessPolicy>(controllersOf(HubModule.forRoot(new HubConfig())), ACCESS_POLICY).filter((route) => !route.policy?.public);

  /** A request each route answers with success when the caller may call it. */
  function example(route: string, ids: { contactId: string; childId: string; closedContactId: string }): { path: string; body?: object; status: number } {
    const examples: Record<string, { path: string; body?: object; status: number }> = {
      'GET /api/contacts': { path: '/api/contacts', status: 200 },
      'GET /api/contacts/:id': { path: `/api/contacts/${ids.contactId}`, status: 200 },
      'GET /api/admin/dead-letters/:queue': { path: `/api/admin/dead-letters/${agencyQueue('police')}`, status: 200 },
      // Nothing to replay: allowed callers reach the store and hear it is not there.
      'POST /api/admin/dead-letters/:queue/:id/replay': { path: `/api/admin/dead-letters/${agencyQueue('police')}/no-such-message/replay`, status: 404 },
      // An empty queue: allowed callers replay nothing.
      'POST /api/admin/dead-letters/:queue/replay': { path: `/api/admin/dead-letters/${agencyQueue('police')}/replay`, body: {}, status: 200 },
      'GET /api/admin/outbox/parked': { path: '/api/admin/outbox/parked', status: 200 },
      // Nothing parked: allowed callers hear it is not there.
      'POST /api/admin/outbox/parked/:id/retry': { path: `/api/admin/outbox/parked/${ids.contactId}/retry`, status: 404 },
      'GET /api/audit/verification': { path: '/api/audit/verification', status: 200 },
      'POST /api/audit/verification': { path: '/api/audit/verification', body: {}, status: 200 },
      'POST /api/audit/checkpoints': { path: '/api/audit/checkpoints', status: 201 },
      'GET /api/audit/checkpoints': { path: '/api/audit/checkpoints', status: 200 },
      'GET /api/audit/signing-key': { path: '/api/audit/signing-key', status: 200 },
      'GET /api/audit/events': { path: '/api/audit/events', status: 200 },
      'GET /api/audit/events/export': { path: '/api/audit/events/export?format=ndjson', status: 200 },
      'GET /api/audit/children/:childId/access': { path: `/api/audit/children/${ids.childId}/access`, status: 200 },
      'GET /api/sharing/policy': { path: '/api/sharing/policy', status: 200 },
      'GET /api/contacts/:id/sharing': { path: `/api/contacts/${ids.contactId}/sharing`, status: 200 },
      'POST /api/contacts/:id/consent': { path: `/api/contacts/${ids.contactId}/consent`, body: { status: 'not_required' }, status: 201 },
      // Consent is not refused: allowed callers reach the check and hear there is nothing to override.
      'POST /api/contacts/:id/consent/override': {
        path: `/api/contacts/${ids.contactId}/consent/override`,
        body: { justification: 'A written safeguarding justification for the matrix.' },
        status: 409,
      },
      'POST /api/contacts/:id/owner-agreements': {
        path: `/api/contacts/${ids.contactId}/owner-agreements`,
        body: { ownerAgency: 'police', recipientAgency: 'health', agreedBy: 'DS Example, public protection unit' },
        status: 201,
      },
      // The contact has no notifications: allowed callers hear this one is not among them.
      'POST /api/contacts/:id/shares': {
        path: `/api/contacts/${ids.contactId}/shares`,
        body: { purpose: 'information_passed_on', notificationId: ids.childId, recipient: { agency: 'police', organisation: '01' } },
        status: 400,
      },
      // No notifications, so nobody to tell: allowed callers get an empty list.
      'POST /api/contacts/:id/feedback': { path: `/api/contacts/${ids.contactId}/feedback`, body: { outcome: 'no_further_action' }, status: 201 },
      // A closed contact: allowed callers reach the lifecycle and hear it allows nothing more.
      'POST /api/contacts/:id/screening': { path: `/api/contacts/${ids.closedContactId}/screening`, status: 409 },
      'POST /api/contacts/:id/rag': { path: `/api/contacts/${ids.closedContactId}/rag`, body: { rag: 'amber', reason: 'Repeated concerns at home.' }, status: 409 },
      'POST /api/contacts/:id/ready-for-decision': { path: `/api/contacts/${ids.closedContactId}/ready-for-decision`, status: 409 },
      'POST /api/contacts/:id/decision': {
        path: `/api/contacts/${ids.closedContactId}/decision`,
        body: { outcome: 'early_help', primaryNeed: 'N1', levelOfNeed: 2, rationale: 'Family agree to early help; no statutory threshold met.' },
        status: 409,
      },
      'POST /api/contacts/:id/decision/sign-off': { path: `/api/contacts/${ids.closedContactId}/decision/sign-off`, status: 409 },
      'GET /api/allocations': { path: '/api/allocations', status: 200 },
      'GET /api/timeliness': { path: '/api/timeliness?from=2026-11-01&to=2026-11-30', status: 200 },
      'PUT /api/allocations/:caseReference': {
        path: '/api/allocations/CASE-MATRIX-1',
        body: { givenName: 'Nobody', familyName: 'Matrix', worker: 'A Worker', team: 'Matrix team' },
        status: 200,
      },
      // Never allocated: allowed callers hear there is no such allocation.
      'DELETE /api/allocations/:caseReference': { path: '/api/allocations/CASE-NEVER', status: 404 },
      'POST /api/contacts/:id/decision/return': { path: `/api/contacts/${ids.closedContactId}/decision/return`, body: { reason: 'Check the school’s view.' }, status: 409 },
      'GET /api/alerts': { path: '/api/alerts', status: 200 },
      // No such alert: allowed callers hear it is not there.
      'POST /api/alerts/:id/resolve': { path: `/api/alerts/${ids.contactId}/resolve`, status: 404 },
      'POST /api/contacts/:id/information-requests': {
        path: `/api/contacts/${ids.closedContactId}/information-requests`,
        body: { recipients: [{ agency: 'police', organisation: '01' }], question: 'What do you hold about the child?' },
        status: 409,
      },
      'GET /api/contacts/:id/information-requests': { path: `/api/contacts/${ids.contactId}/information-requests`, status: 200 },
      // No such request: allowed callers hear it is not there.
      'POST /api/information-requests/:id/withdraw': { path: `/api/information-requests/${ids.contactId}/withdraw`, body: { reason: 'Asked by mistake.' }, status: 404 },
      'GET /api/identity/possible-matches': { path: '/api/identity/possible-matches', status: 200 },
      // No such pair: allowed callers reach the review list and hear it is not there.
      'POST /api/identity/possible-matches/:id/link': { path: `/api/identity/possible-matches/${ids.contactId}/link`, status: 404 },
      'POST /api/identity/possible-matches/:id/keep-apart': { path: `/api/identity/possible-matches/${ids.contactId}/keep-apart`, status: 404 },
      // The child is not merged: allowed callers hear there is nothing to undo.
      'POST /api/children/:id/unmerge': { path: `/api/children/${ids.childId}/unmerge`, status: 409 },
    };
    const found = examples[route];
    if (!found) throw new Error(`no example request for ${route}: add one, so its policy is tested`);
    return found;
  }

  it('has an example for every protected route', () => {
    const ids = { contactId: randomUUID(), childId: randomUUID(), closedContactId: randomUUID() };
    for (const route of routes) expect(() => example(`${route.method} ${route.path}`, ids)).not.toThrow();
  });

  it('answers 2xx where the role is allowed, 403 where it is not, and 401 without a token', async () => {
    // A child and a contact to look at, and a screener's look so the child has an access history.
    const childId = randomUUID();
    const contactId = randomUUID();
    const closedContactId = randomUUID();
    await withDatabase(async (db) => {
      await db.query(
        "INSERT INTO child (id, given_name, family_name, normalised_name, date_of_birth) VALUES ($1, 'Ida', 'Example', 'ida example', '2016-02-03')",
        [childId],
      );
      await db.query(
        `INSERT INTO contact (id, child_id, status, sender_urgency, received_at, last_notification_at, notification_count)
         VALUES ($1, $2, 'awaiting_screening', 'green', now(), now(), 0)`,
        [contactId, childId],
      );
      await db.query(
        `INSERT INTO contact (id, child_id, status, sender_urgency, received_at, last_notification_at, notification_count, finished_at)
         VALUES ($1, $2, 'closed', 'green', now(), now(), 0, now())`,
        [closedContactId, childId],
      );
    });
    await request(hub.url).get(`/api/contacts/${contactId}`).set(staff.screener).expect(200);

    const outcomes: string[] = [];
    for (const route of routes) {
      const name = `${route.method} ${route.path}`;
      const { path, body, status } = example(name, { contactId, childId, closedContactId });
      const send = (headers: Record<string, string>) => {
        const call =
          route.method === 'POST'
            ? request(hub.url).post(path).send(body ?? {})
            : route.method === 'PUT'
              ? request(hub.url).put(path).send(body ?? {})
              : route.method === 'DELETE'
                ? request(hub.url).delete(path)
                : request(hub.url).get(path);
        return call.set(headers);
      };
      outcomes.push(`${name} anonymous ${(await send({})).status}`);
      for (const role of STAFF_ROLES) {
        const allowed = route.policy && !route.policy.public && route.policy.roles.includes(role);
        const answer = await send(await asStaff(`${role}.matrix`, [role]));
        outcomes.push(`${name} ${role} ${answer.status}`);
        expect(`${name} as ${role}: ${answer.status}`).toBe(`${name} as ${role}: ${allowed ? status : 403}`);
      }
    }
    expect(outcomes.filter((o) => o.includes(' anonymous ')).every((o) => o.endsWith(' 401'))).toBe(true);
    expect(outcomes.length).toBe(routes.length * (STAFF_ROLES.length + 1));
    expect(TEST_STAFF_TOKEN_SECRET.length).toBeGreaterThanOrEqual(32);
  });
});
