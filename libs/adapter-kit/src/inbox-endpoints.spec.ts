import { createHmac } from 'node:crypto';
import { ConfigurationError, loadConfig } from '#platform';
import { AdapterConfig } from './adapter-config.js';
import { inboxEndpointUrlProblem, signInboxPush } from './inbox-endpoints.js';

describe('inbox push signature', () => {
  const secret = 'q3V9tW1lq0cR6cYx0mQy2kq7Zr8m1oJ4fN5bG6hT2aU';
  const body = '{"messageId":"3f6c1d2e-8a4b-4c1f-9e2d-7b5a6c4d3e21","kind":"notification.accepted"}';

  it('is sha256= and the hex HMAC-SHA256 of "<timestamp>.<body>" keyed with the secret as printed', () => {
    const expected = createHmac('sha256', secret).update(`1767225600.${body}`).digest('hex');
    expect(signInboxPush(secret, '1767225600', body)).toBe(`sha256=${expected}`);
    // A fixed vector, so a change of scheme (which every receiver would have to follow) cannot pass unnoticed.
    expect(signInboxPush('secret', '1', '{}')).toBe(`sha256=${createHmac('sha256', 'secret').update('1.{}').digest('hex')}`);
  });

  it('changes with the timestamp, the body and the secret', () => {
    const signature = signInboxPush(secret, '1767225600', body);
    expect(signInboxPush(secret, '1767225601', body)).not.toBe(signature);
    expect(signInboxPush(secret, '1767225600', `${body} `)).not.toBe(signature);
    expect(signInboxPush(`${secret}x`, '1767225600', body)).not.toBe(signature);
  });
});

describe('inbox endpoint URLs', () => {
  it('takes an https URL with a host', () => {
    expect(inboxEndpointUrlProblem('https://ppn.example.org/mash-inbox', false)).toBeNull();
    expect(inboxEndpointUrlProblem('https://10.0.0.5:8443/inbox?org=01', false)).toBeNull();
  });

  it('refuses http unless allowed, and says how it may be allowed', () => {
    expect(inboxEndpointUrlProblem('http://ppn.example.org/inbox', false)).toBe(
      'the URL must start with https:// (messages are personal data), not http://; http:// is allowed only with INBOX_PUSH_ALLOW_HTTP=true, for tests and local trials',
    );
    expect(inboxEndpointUrlProblem('http://127.0.0.1:8080/inbox', true)).toBeNull();
  });

  it('refuses other schemes, credentials in the URL, fragments, no host and what is not a URL', () => {
    expect(inboxEndpointUrlProblem('ftp://ppn.example.org/inbox', true)).toMatch(/^the URL must start with https:\/\/ .*not ftp:\/\/$/);
    expect(inboxEndpointUrlProblem('https://user:pass@ppn.example.org/inbox', false)).toBe(
      'the URL must not carry credentials (user:password@); the signature proves the sender',
    );
    expect(inboxEndpointUrlProblem('https://ppn.example.org/inbox#x', false)).toBe('the URL must not have a #fragment');
    expect(inboxEndpointUrlProblem('ppn.example.org/inbox', false)).toBe('"ppn.example.org/inbox" is not a URL');
    expect(inboxEndpointUrlProblem('https://', false)).toBe('"https://" is not a URL');
    expect(inboxEndpointUrlProblem(`https://example.org/${'a'.repeat(2000)}`, false)).toBe('the URL must be at most 2000 characters');
  });
});

describe('inbox push settings', () => {
  it('default to https only, 12 attempts from 5 s, capped at 15 minutes, 10 s to answer', () => {
    const config = loadConfig(AdapterConfig, {});
    expect(config).toMatchObject({
      INBOX_PUSH_ALLOW_HTTP: 'false',
      INBOX_PUSH_ATTEMPTS: 12,
      INBOX_PUSH_BACKOFF_MS: 5_000,
      INBOX_PUSH_MAX_BACKOFF_MS: 900_000,
      INBOX_PUSH_TIMEOUT_MS: 10_000,
    });
  });

  it('refuse anything but true or false for http, naming every bad variable', () => {
    expect(() => loadConfig(AdapterConfig, { INBOX_PUSH_ALLOW_HTTP: 'yes', INBOX_PUSH_ATTEMPTS: '0', INBOX_PUSH_TIMEOUT_MS: '120000' })).toThrow(
      new ConfigurationError([
        'INBOX_PUSH_ALLOW_HTTP="yes": INBOX_PUSH_ALLOW_HTTP must be one of the following values: true, false',
        'INBOX_PUSH_ATTEMPTS="0": INBOX_PUSH_ATTEMPTS must not be less than 1',
        'INBOX_PUSH_TIMEOUT_MS="120000": INBOX_PUSH_TIMEOUT_MS must not be greater than 60000',
      ]),
    );
  });
});
