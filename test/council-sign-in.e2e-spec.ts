import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { TEST_APP_DATABASE_URL, TEST_REDIS_URL, deleteRedisKeys, freePort, resetDatabase, uniquePrefix, withDatabase } from './support/environment.js';
import { Visitor } from './support/pages.js';
import { APPS, AppProcess, hubEnv } from './support/processes.js';

const prefix = uniquePrefix();
const CLIENT_ID = 'mash-staff-pages';
let hub: AppProcess;
let provider: Server;
let issuer: string;
let signingKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
/** Who the stand-in provider says signs in next, and what it saw of each authorization request. */
let nextPerson: Record<string, unknown> = {};
const authorizations: URLSearchParams[] = [];
/** Every ID token the stand-in provider issued, newest last. */
const idTokens: string[] = [];
const codes = new Map<string, { challenge: string; nonce: string; person: Record<string, unknown> }>();

/** The council's identity provider, as far as the hub can tell: discovery, authorization, token and key set endpoints. */
async function startProvider(): Promise<void> {
  const pair = await generateKeyPair('RS256');
  signingKey = pair.privateKey;
  const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'council-1', alg: 'RS256', use: 'sig' };
  provider = createServer((req, res) => {
    const url = new URL(req.url!, issuer);
    const json = (body: unknown, status = 200) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/council/.well-known/openid-configuration') {
      return json({
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        end_session_endpoint: `${issuer}/logout`,
      });
    }
    if (url.pathname === '/council/jwks') return json({ keys: [jwk] });
    if (url.pathname === '/council/authorize') {
      authorizations.push(url.searchParams);
      const code = randomUUID();
      codes.set(code, { challenge: url.searchParams.get('code_challenge')!, nonce: url.searchParams.get('nonce')!, person: nextPerson });
      const back = new URL(url.searchParams.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state')!);
      res.writeHead(302, { location: back.href });
      return res.end();
    }
    if (url.pathname === '/council/token' && req.method === 'POST') {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', async () => {
        const form = new URLSearchParams(body);
        const grant = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        // PKCE: the verifier must hash to the challenge the authorization request carried.
        const verified = grant && createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url') === grant.challenge;
        if (!grant || !verified) return json({ error: 'invalid_grant' }, 400);
        const idToken = await new SignJWT({ nonce: grant.nonce, ...grant.person })
          .setProtectedHeader({ alg: 'RS256', kid: 'council-1' })
          .setIssuer(issuer)
          .setAudience(CLIENT_ID)
          .setSubject(String(grant.person.sub))
          .setIssuedAt()
          .setExpirationTime('5m')
          .sign(signingKey);
        idTokens.push(idToken);
        json({ access_token: randomUUID(), token_type: 'Bearer', expires_in: 300, id_token: idToken });
      });
      return;
    }
    json({ error: 'not found' }, 404);
  });
  await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(provider.address() as { port: number }).port}/council`;
}

beforeAll(async () => {
  await resetDatabase();
  await startProvider();
  const port = await freePort();
  hub = new AppProcess(
    'hub',
    APPS.hub,
    hubEnv({
      DATABASE_URL: TEST_APP_DATABASE_URL,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      OIDC_ISSUER: issuer,
      OIDC_AUDIENCE: 'mash-hub',
      OIDC_JWKS_URL: `${issuer}/jwks`,
      OIDC_CLIENT_ID: CLIENT_ID,
      OIDC_CLIENT_SECRET: 'a client secret for the test provider',
      OIDC_REDIRECT_URL: `http://127.0.0.1:${port}/sign-in/oidc/callback`,
    }),
    port,
  );
  await hub.ready(60_000);
}, 90_000);

afterAll(async () => {
  await hub?.stop();
  await new Promise((resolve) => provider?.close(resolve));
  await deleteRedisKeys(prefix);
});

/** Follows the sign-in from the hub's button to the provider and back; the hub's last answer. */
async function signInAtCouncil(visitor: Visitor, returnTo = ''): Promise<Response> {
  const _csrf = await visitor.csrf('/sign-in');
  const toProvider = await visitor.send('POST', '/sign-in/oidc', { _csrf, returnTo });
  expect(toProvider.status).toBe(303);
  const atProvider = await fetch(toProvider.headers.get('location')!, { redirect: 'manual' });
  return visitor.send('GET', atProvider.headers.get('location')!);
}

describe("signing in with the council's account", () => {
  it('uses the authorization code flow with PKCE, state and nonce, and returns to the page asked for', async () => {
    nextPerson = { sub: 'council-subject-42', preferred_username: 'jo.bloggs@council.example', roles: ['screener', 'not-a-mash-role'] };
    const visitor = new Visitor(() => hub.url);
    expect(await (await visitor.send('GET', '/sign-in')).text()).toContain('Sign in with your council account');
    const contactId = randomUUID();
    const back = await signInAtCouncil(visitor, `/contacts/${contactId}`);
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe(`/contacts/${contactId}`);

    const asked = authorizations.at(-1)!;
    expect(asked.get('code_challenge_method')).toBe('S256');
    expect(asked.get('response_type')).toBe('code');
    expect(asked.get('client_id')).toBe(CLIENT_ID);
    expect(asked.get('state')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(asked.get('nonce')).toMatch(/^[A-Za-z0-9_-]{20,}$/);

    const queue = await visitor.send('GET', '/contacts');
    expect(queue.status).toBe(200);
    expect(await queue.text()).toContain('jo.bloggs@council.example');
    const [event] = (await withDatabase((db) => db.query("SELECT actor_id, details FROM audit_event WHERE action = 'login.succeeded' ORDER BY sequence DESC LIMIT 1"))).rows;
    expect(event).toMatchObject({ actor_id: 'council-subject-42', details: { actorIssuer: issuer, actorName: 'jo.bloggs@council.example' } });
  });

  it('refuses a callback whose state is not the one it sent, and a person with no MASH role', async () => {
    nextPerson = { sub: 'council-subject-43', preferred_username: 'someone@council.example', roles: ['screener'] };
    const visitor = new Visitor(() => hub.url);
    const _csrf = await visitor.csrf('/sign-in');
    const toProvider = await visitor.send('POST', '/sign-in/oidc', { _csrf, returnTo: '' });
    const atProvider = await fetch(toProvider.headers.get('location')!, { redirect: 'manual' });
    const callback = new URL(atProvider.headers.get('location')!);
    callback.searchParams.set('state', 'a-state-the-hub-never-sent');
    const forged = await visitor.send('GET', callback.href);
    expect(forged.status).toBe(401);
    expect(await forged.text()).toContain('Signing in with your council account did not work');
    expect((await visitor.send('GET', '/contacts')).status).toBe(303);

    nextPerson = { sub: 'council-subject-44', preferred_username: 'gardener@council.example', roles: ['gardener'] };
    const roleless = await signInAtCouncil(new Visitor(() => hub.url));
    expect(roleless.status).toBe(401);
    expect(await roleless.text()).toContain('Your council account has no MASH role');
  });

  it("lets the browser post to the provider's origin, and nowhere else", async () => {
    const page = await new Visitor(() => hub.url).send('GET', '/sign-in');
    expect(page.headers.get('content-security-policy')).toContain(`form-action 'self' ${new URL(issuer).origin}`);
  });

  it("signs out at the council's provider too, so the next person at the desk is asked who they are", async () => {
    nextPerson = { sub: 'council-subject-45', preferred_username: 'sam.screener@council.example', roles: ['screener'] };
    const visitor = new Visitor(() => hub.url);
    expect((await signInAtCouncil(visitor)).status).toBe(303);
    const idToken = idTokens.at(-1)!;
    const _csrf = await visitor.csrf('/contacts');
    const out = await visitor.send('POST', '/sign-out', { _csrf });
    expect(out.status).toBe(303);
    const atProvider = new URL(out.headers.get('location')!);
    expect(`${atProvider.origin}${atProvider.pathname}`).toBe(`${issuer}/logout`);
    expect(atProvider.searchParams.get('id_token_hint')).toBe(idToken);
    expect(atProvider.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(atProvider.searchParams.get('post_logout_redirect_uri')).toBe(`${hub.url}/sign-in?signedOut=1`);
    // The hub's own session ended before the browser left for the provider.
    expect((await visitor.send('GET', '/contacts')).status).toBe(303);
    const [event] = (await withDatabase((db) => db.query("SELECT actor_id FROM audit_event WHERE action = 'logout' ORDER BY sequence DESC LIMIT 1"))).rows;
    expect(event).toEqual({ actor_id: 'council-subject-45' });
  });
});
