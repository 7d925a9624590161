import { fingerprint, notificationIdFor } from './notification-id.js';

describe('notification ids', () => {
  it('are stable name-based UUIDs per agency, organisation and reference', () => {
    const id = notificationIdFor('police', '01', 'PPN/2026/1');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(notificationIdFor('police', '01', 'PPN/2026/1')).toBe(id);
    expect(notificationIdFor('police', '01', 'PPN/2026/2')).not.toBe(id);
    expect(notificationIdFor('police', '02', 'PPN/2026/1')).not.toBe(id);
    expect(notificationIdFor('health', '01', 'PPN/2026/1')).not.toBe(id);
  });

  it('fingerprints content regardless of key order', () => {
    expect(fingerprint({ a: 1, b: [1, { c: 2, d: 3 }] })).toBe(fingerprint({ b: [1, { d: 3, c: 2 }], a: 1 }));
    expect(fingerprint({ a: 1 })).not.toBe(fingerprint({ a: 2 }));
  });
});
