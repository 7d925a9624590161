import { IsInt, Matches, Max, Min } from 'class-validator';
import { ConfigurationError, loadConfig } from './config.js';
import { ServiceConfig, parseTrustProxy } from './service-config.js';

class ExampleConfig {
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT: number = 3000;

  @Matches(/^redis:\/\//, { message: '$property must be a redis:// connection URL' })
  REDIS_URL: string = 'redis://127.0.0.1:6379/0';
}

class ChildConfig extends ExampleConfig {
  override PORT: number = 3101;
}

describe('loadConfig', () => {
  it('uses the defaults when nothing is set', () => {
    expect(loadConfig(ExampleConfig, {})).toMatchObject({ PORT: 3000, REDIS_URL: 'redis://127.0.0.1:6379/0' });
  });

  it('reads variables and converts numbers', () => {
    const config = loadConfig(ExampleConfig, { PORT: '3311', REDIS_URL: 'redis://cache:6379/1', UNRELATED: 'x' });
    expect(config.PORT).toBe(3311);
    expect(config.REDIS_URL).toBe('redis://cache:6379/1');
  });

  it("keeps a subclass's default and its parent's checks", () => {
    expect(loadConfig(ChildConfig, {}).PORT).toBe(3101);
    expect(loadConfig(ChildConfig, { PORT: '4000' }).PORT).toBe(4000);
    expect(() => loadConfig(ChildConfig, { PORT: '0' })).toThrow(/PORT/);
  });

  it('names every bad variable at once', () => {
    let error: unknown;
    try {
      loadConfig(ExampleConfig, { PORT: 'eighty', REDIS_URL: 'mysql://nope' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const problems = (error as ConfigurationError).problems;
    expect(problems.some((p) => p.startsWith('PORT="eighty"'))).toBe(true);
    expect(problems).toContain('REDIS_URL="mysql://nope": REDIS_URL must be a redis:// connection URL');
  });
});

describe('TRUST_PROXY', () => {
  it('is false (no proxy) unless set, and takes a hop count or addresses and subnets', () => {
    expect(parseTrustProxy(loadConfig(ServiceConfig, {}).TRUST_PROXY)).toBe(false);
    expect(parseTrustProxy(loadConfig(ServiceConfig, { TRUST_PROXY: 'false' }).TRUST_PROXY)).toBe(false);
    expect(parseTrustProxy(loadConfig(ServiceConfig, { TRUST_PROXY: '1' }).TRUST_PROXY)).toBe(1);
    expect(parseTrustProxy(loadConfig(ServiceConfig, { TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::/8,192.0.2.7' }).TRUST_PROXY)).toEqual([
      'loopback',
      '10.0.0.0/8',
      'fd00::/8',
      '192.0.2.7',
    ]);
  });

  it('refuses anything else, naming the variable and the bad entry', () => {
    for (const [value, problem] of [
      ['true', /"true" is not an IP address/],
      ['10.0.0.0/33', /"10.0.0.0\/33" is not an IP address, a subnet/],
      ['loopback,proxy.example', /"proxy.example"/],
      ['0', /hop count must be 1 to 10/],
    ] as const) {
      expect(() => loadConfig(ServiceConfig, { TRUST_PROXY: value })).toThrow(ConfigurationError);
      expect(() => loadConfig(ServiceConfig, { TRUST_PROXY: value })).toThrow(new RegExp(`TRUST_PROXY=.*${problem.source}`));
    }
  });
});
