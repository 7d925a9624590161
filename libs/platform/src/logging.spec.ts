import { redact } from './logging.js';

describe('log redaction', () => {
  it('replaces anything shaped like an NHS number, at any depth', () => {
    expect(redact({ message: 'child 9990000379 and 943 476 5919', nested: { list: ['9434765919'] } })).toEqual({
      message: 'child [redacted] and [redacted]',
      nested: { list: ['[redacted]'] },
    });
  });

  it('leaves ids, timestamps and counts alone', () => {
    const entry = { jobId: '6f1d3b0e-8a53-5c1e-9d4a-2b7f0c9e1a11', timestamp: 1795425354713, attempt: 3, at: '1795425354713' };
    expect(redact(entry)).toEqual(entry);
  });
});
