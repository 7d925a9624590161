import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import {
  TEST_APP_DATABASE_URL,
  TEST_REDIS_URL,
  deleteRedisKeys,
  resetDatabase,
  tamperWithAuditTrail,
  uniquePrefix,
  waitFor,
  withDatabase,
} from './support/environment.js';
import { issueTestCredential } from './support/partner-credentials.js';
import { APPS, AppProcess, auditVerifyCommand, hubEnv } from './support/processes.js';
import { policeNotice } from './support/police-notices.js';
import { staff } from './support/staff.js';

const prefix = uniquePrefix();
const police = await issueTestCredential(prefix, 'police');
const env = { DATABASE_URL: TEST_APP_DATABASE_URL, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix };
let hub: AppProcess;
let adapter: AppProcess;

/** Runs `audit:verify` as an operator would, against the test database. */
const verifyCommand = auditVerifyCommand;

beforeAll(async () => {
  await resetDatabase();
  hub = new AppProcess('hub', APPS.hub, hubEnv(env), 3330);
  adapter = new AppProcess('police-adapter', APPS.policeAdapter, { ...env, LOG_LEVEL: 'warn' }, 3331);
  await Promise.all([hub.ready(), adapter.ready()]);
  for (let i = 0; i < 3; i++) await request(adapter.url).post('/notifications').set(police.headers).send(policeNotice()).expect(202);
  await waitFor('three notifications to be stored', () =>
    withDatabase(async (db) => Number((await db.query('SELECT count(*) FROM notification')).rows[0].count) === 3),
  );
}, 60_000);

afterAll(async () => {
  await Promise.all([hub?.stop(), adapter?.stop()]);
  await deleteRedisKeys(prefix);
});

describe("the auditor's verification", () => {
  let checkpoint: Record<string, string>;

  it('the API reports the chain intact, over a range too, and records that it was asked', async () => {
    const whole = await request(hub.url).get('/api/audit/verification').set(staff.auditor).expect(200);
    expect(whole.body).toMatchObject({ intact: true, from: '1' });
    expect(Number(whole.body.to)).toBeGreaterThanOrEqual(12);

    const range = await request(hub.url).get('/api/audit/verification').query({ from: 3, to: 6 }).set(staff.auditor).expect(200);
    expect(range.body).toEqual({ intact: true, from: '3', to: '6', verified: 4 });

    const bad = await request(hub.url).get('/api/audit/verification').query({ from: 0, to: 'x' }).set(staff.auditor).expect(400);
    expect([...new Set(bad.body.errors.map((e: { path: string }) => e.path))].sort()).toEqual(['from', 'to']);
    await request(hub.url).get('/api/audit/verification').query({ from: 6, to: 3 }).set(staff.auditor).expect(400);
    await request(hub.url).get('/api/audit/verification').set(staff.screener).expect(403);

    const asked = await withDatabase(async (db) =>
      (await db.query("SELECT actor_id, details FROM audit_event WHERE action = 'audit.verified' ORDER BY sequence")).rows,
    );
    expect(asked[0]).toMatchObject({ actor_id: 'ada.auditor', details: { intact: true, from: 1 } });
  });

  it('signs a checkpoint of the head, which the auditor can keep and later check', async () => {
    const signed = await request(hub.url).post('/api/audit/checkpoints').set(staff.auditor).expect(201);
    checkpoint = signed.body;
    expect(checkpoint).toMatchObject({ sequence: expect.stringMatching(/^\d+$/), hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const listed = await request(hub.url).get('/api/audit/checkpoints').set(staff.auditor).expect(200);
    expect(listed.body.items[0]).toEqual(checkpoint);
    const key = await request(hub.url).get('/api/audit/signing-key').set(staff.auditor).expect(200);
    expect(key.body.keyId).toBe(checkpoint.keyId);

    const against = await request(hub.url).post('/api/audit/verification').send({ checkpoint }).set(staff.auditor).expect(200);
    expect(against.body).toMatchObject({ intact: true, checkpoint: checkpoint.sequence });
    // A range that does not reach the checkpoint cannot check it, so it is refused rather than reported intact.
    const outside = await request(hub.url)
      .post('/api/audit/verification')
      .send({ checkpoint, from: Number(checkpoint.sequence) + 1 })
      .set(staff.auditor)
      .expect(400);
    expect(outside.body.message).toMatch(/checkpoint at \d+ is outside the range verified/);
    const forged = await request(hub.url)
      .post('/api/audit/verification')
      .send({ checkpoint: { ...checkpoint, sequence: String(Number(checkpoint.sequence) + 5) } })
      .set(staff.auditor)
      .expect(400);
    expect(forged.body.message).toMatch(/not signed by this hub/);
  });

  it('the command verifies a range and the whole chain', async () => {
    const range = await verifyCommand('--from', '2', '--to', '5');
    expect(range).toMatchObject({ code: 0, output: expect.stringContaining('intact up to 5: 4 events') });
    const whole = await verifyCommand();
    expect(whole.code).toBe(0);
    expect(whole.output).toMatch(/^intact up to \d+/);
    const file = join(tmpdir(), `checkpoint-range-${prefix}.json`);
    writeFileSync(file, JSON.stringify(checkpoint));
    const outside = await verifyCommand('--to', String(Number(checkpoint.sequence) - 1), '--checkpoint', file);
    expect(outside).toMatchObject({ code: 2, output: expect.stringContaining('is outside the range verified') });
    const inside = await verifyCommand('--checkpoint', file);
    expect(inside).toMatchObject({ code: 0, output: expect.stringContaining(`matches the checkpoint at ${checkpoint.sequence}`) });
    const usage = await verifyCommand('--from', 'zero');
    expect(usage).toMatchObject({ code: 2, output: expect.stringContaining('--from must be a sequence number') });
  });

  it('after the tail is cut, the checkpoint shows it through the API and the command', async () => {
    const cutFrom = Number(checkpoint.sequence) - 2;
    await tamperWithAuditTrail(`DELETE FROM audit_event WHERE sequence >= ${cutFrom}`);
    await tamperWithAuditTrail(`UPDATE audit_chain_head SET sequence = ${cutFrom - 1}, hash = (SELECT hash FROM audit_event WHERE sequence = ${cutFrom - 1})`);

    const plain = await verifyCommand();
    expect(plain).toMatchObject({ code: 0, output: expect.stringContaining(`intact up to ${cutFrom - 1}`) });

    const file = join(tmpdir(), `checkpoint-${prefix}.json`);
    writeFileSync(file, JSON.stringify(checkpoint));
    const cut = await verifyCommand('--checkpoint', file);
    expect(cut.code).toBe(1);
    expect(cut.output).toContain(`broken at ${cutFrom}: the chain ends at ${cutFrom - 1} but a checkpoint vouches for events up to ${checkpoint.sequence}`);

    const api = await request(hub.url).post('/api/audit/verification').send({ checkpoint }).set(staff.auditor).expect(200);
    expect(api.body).toMatchObject({ intact: false, firstBroken: { sequence: String(cutFrom), kind: 'truncated' } });
  });
});
