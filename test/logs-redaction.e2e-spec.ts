import { Queue } from 'bullmq';
import request from 'supertest';
import { MessagePatterns, hubIntakeQueue } from '#contracts';
import {
  TEST_APP_DATABASE_URL,
  TEST_REDIS_URL,
  deleteRedisKeys,
  resetDatabase,
  uniquePrefix,
  waitFor,
  withDatabase,
} from './support/environment.js';
import { APPS, AppProcess, hubEnv } from './support/processes.js';
import { issueTestCredential } from './support/partner-credentials.js';
import { policeNotice } from './support/police-notices.js';
import { staff } from './support/staff.js';

const prefix = uniquePrefix();
const env = { DATABASE_URL: TEST_APP_DATABASE_URL, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix, LOG_LEVEL: 'verbose' };

describe('logs', () => {
  let hub: AppProcess;
  let adapter: AppProcess;

  beforeAll(async () => {
    await resetDatabase();
    hub = new AppProcess('hub', APPS.hub, hubEnv(env), 3350);
    adapter = new AppProcess('police-adapter', APPS.policeAdapter, { ...env, INTAKE_ATTEMPTS: '2', INTAKE_BACKOFF_MS: '100' }, 3351);
    await Promise.all([hub.ready(), adapter.ready()]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([hub?.stop(), adapter?.stop()]);
    await deleteRedisKeys(prefix);
  });

  it("hold no child's name, date of birth or NHS number, at the most verbose level, even on failures", async () => {
    const notice = policeNotice();
    const child = notice.children[0];
    child.forename = 'Zebedee';
    child.surname = 'Quillfeather';
    child.dateOfBirth = '2013-04-05';
    child.nhsNumber = '9990001855';

    // A notice that is stored, one that is refused, and one that fails at the hub and is dead-lettered.
    const police = await issueTestCredential(prefix, 'police');
    const stored = await request(adapter.url).post('/notifications').set(police.headers).send(notice).expect(202);
    await request(adapter.url)
      .post('/notifications')
      .set(police.headers)
      .send({ ...notice, policeReference: 'PPN/LOG/2', ragGrading: 'PURPLE' })
      .expect(400);
    const intake = new Queue(hubIntakeQueue('police'), { connection: { url: TEST_REDIS_URL }, prefix });
    try {
      await intake.add(MessagePatterns.notificationReceived, { subjects: { children: [{ ...child, givenName: child.forename }] } }, { jobId: 'broken-message' });
    } finally {
      await intake.close();
    }
    await waitFor('the notice to be stored', () =>
      withDatabase(async (db) => (await db.query('SELECT 1 FROM notification WHERE id = $1', [stored.body.notificationId])).rowCount === 1),
    );
    const contacts = await request(hub.url).get('/api/contacts').set(staff.screener).expect(200);
    await request(hub.url).get(`/api/contacts/${contacts.body.items[0].id}`).set(staff.screener).expect(200);
    await waitFor('the broken message to be dead-lettered', async () => hub.output.some((line) => line.includes('message dead-lettered')));

    const logs = [...hub.output, ...adapter.output].join('\n');
    expect(logs).toMatch(/notification stored/);
    for (const personal of ['Zebedee', 'Quillfeather', '2013-04-05', '9990001855', '999 000 1855']) expect(logs).not.toContain(personal);
  });
});
