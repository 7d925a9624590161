import { IsInt, Matches, Max, Min } from 'class-validator';
import { ConfigurationError, loadConfig } from './config.js';

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
