import { ConfigurationError, loadConfig } from '#platform';
import { HubConfig } from './config.js';

describe('hub configuration', () => {
  it('runs in development with generated secrets', () => {
    const config = loadConfig(HubConfig, {});
    expect(config).toMatchObject({ MASH_ENV: 'development', STAFF_TOKEN_SECRET: undefined, AUDIT_SIGNING_KEY: undefined });
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

  it('needs the audience and key set URL with an OIDC issuer', () => {
    expect(() => loadConfig(HubConfig, { OIDC_ISSUER: 'https://login.council.example' })).toThrow(/OIDC_AUDIENCE[\s\S]*OIDC_JWKS_URL/);
  });
});
