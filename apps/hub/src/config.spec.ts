import { ConfigurationError, loadConfig } from '#platform';
import { HubConfig } from './config.js';

describe('hub configuration', () => {
  it('is production unless development is asked for: without MASH_ENV the secrets are required', () => {
    expect(() => loadConfig(HubConfig, {})).toThrow(/STAFF_TOKEN_SECRET=.*required in production[\s\S]*AUDIT_SIGNING_KEY|AUDIT_SIGNING_KEY[\s\S]*STAFF_TOKEN_SECRET/);
    const config = loadConfig(HubConfig, { STAFF_TOKEN_SECRET: 'x'.repeat(32), AUDIT_SIGNING_KEY: '-----BEGIN PRIVATE KEY-----' });
    expect(config.MASH_ENV).toBe('production');
  });

  it('runs in development with generated secrets when MASH_ENV=development', () => {
    const config = loadConfig(HubConfig, { MASH_ENV: 'development' });
    expect(config).toMatchObject({ MASH_ENV: 'development', STAFF_TOKEN_SECRET: undefined, AUDIT_SIGNING_KEY: undefined });
  });

  it('refuses development together with NODE_ENV=production, naming both', () => {
    expect(() => loadConfig(HubConfig, { MASH_ENV: 'development', NODE_ENV: 'production' })).toThrow(
      /MASH_ENV="development": .*NODE_ENV=production/,
    );
    expect(loadConfig(HubConfig, { MASH_ENV: 'development', NODE_ENV: 'development' }).MASH_ENV).toBe('development');
  });

  it('refuses production without its secrets, naming them', () => {
    let error: unknown;
    try {
      loadConfig(HubConfig, { MASH_ENV: 'production' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const problems = (error as ConfigurationError).problems.join('\n');
    expect(problems).toMatch(/^STAFF_TOKEN_SECRET=.*required in production/m);
    expect(problems).toMatch(/^AUDIT_SIGNING_KEY=.*required in production/m);
  });

  it('reads the team from the claim OIDC_TEAM_CLAIM names (team when unset or empty), and refuses a name that is no claim', () => {
    expect(loadConfig(HubConfig, { MASH_ENV: 'development' }).OIDC_TEAM_CLAIM).toBe('team');
    expect(loadConfig(HubConfig, { MASH_ENV: 'development', OIDC_TEAM_CLAIM: 'https://council.example/claims/mash_team' }).OIDC_TEAM_CLAIM).toBe('https://council.example/claims/mash_team');
    expect(loadConfig(HubConfig, { MASH_ENV: 'development', OIDC_TEAM_CLAIM: '' }).OIDC_TEAM_CLAIM).toBe('team');
    for (const bad of ['mash team', 'x'.repeat(201)]) {
      expect(() => loadConfig(HubConfig, { MASH_ENV: 'development', OIDC_TEAM_CLAIM: bad })).toThrow(/OIDC_TEAM_CLAIM.*must name a claim/);
    }
  });

  it('needs the audience and key set URL with an OIDC issuer', () => {
    expect(() => loadConfig(HubConfig, { MASH_ENV: 'development', OIDC_ISSUER: 'https://login.council.example' })).toThrow(/OIDC_AUDIENCE[\s\S]*OIDC_JWKS_URL/);
  });
});
