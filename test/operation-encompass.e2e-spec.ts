import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { loadSharingPolicy } from '#sharing';
import { TEST_APP_DATABASE_URL, TEST_REDIS_URL, deleteRedisKeys, freePort, resetDatabase, uniquePrefix, waitFor, withDatabase } from './support/environment.js';
import { issueTestCredential, type TestCredential } from './support/partner-credentials.js';
import { APPS, AppProcess, hubEnv } from './support/processes.js';
import { policeNotice } from './support/police-notices.js';
import { staff } from './support/staff.js';

const prefix = uniquePrefix();
const env = { DATABASE_URL: TEST_APP_DATABASE_URL, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix };
const SCHOOL_URN = '246810';
let hub: AppProcess;
let policeAdapter: AppProcess;
let educationAdapter: AppProcess;
let police: TestCredential;
let school: TestCredential;

interface InboxItem {
  messageId: string;
  kind: string;
  correlationId: string;
  body: { shareId: string; purpose: string; recipientOrganisation: string; payload: Record<string, unknown> };
}

const schoolInbox = async () => (await request(educationAdapter.url).get('/inbox').set(school.headers).query({ limit: 200 }).expect(200)).body.items as InboxItem[];

const shareOf = (notificationId: string) =>
  withDatabase(async (db) => (await db.query('SELECT * FROM share WHERE notification_id = $1', [notificationId])).rows[0]);

/** A police notice of a domestic abuse incident that happened `ago` milliseconds before now, about a child at SCHOOL_URN. */
let born = 0;
const letters = () => randomUUID().replace(/[^a-f]/g, '').slice(0, 6).replace(/./g, (c) => 'qwertyuiop'['abcdef'.indexOf(c)]);

function daNotice(ago: number) {
  const base = policeNotice();
  const occurredAt = new Date(Date.now() - ago).toISOString();
  return {
    ...base,
    raisedAt: new Date(Date.now() - ago + 1_000).toISOString(),
    incident: { ...base.incident, occurredAt, domesticAbuse: true },
    // A child of their own each time: another name, home and date of birth, so matching never takes one for another.
    children: [
      {
        ...base.children[0],
        nhsNumber: undefined,
        forename: `Pupil${letters()}`,
        surname: `Family${letters()}`,
        dateOfBirth: `2014-0${1 + (++born % 9)}-1${born % 10}`,
        address: undefined,
        schoolUrn: SCHOOL_URN,
      },
    ],
  };
}

async function submit(notice: object): Promise<string> {
  const submitted = await request(policeAdapter.url).post('/notifications').set(police.headers).send(notice).expect(202);
  return submitted.body.notificationId as string;
}

beforeAll(async () => {
  await resetDatabase();
  [police, school] = await Promise.all([
    issueTestCredential(prefix, 'police'),
    issueTestCredential(prefix, 'education', { organisation: SCHOOL_URN, system: 'Example Primary safeguarding records' }),
  ]);
  hub = new AppProcess('hub', APPS.hub, hubEnv({ ...env, ENCOMPASS_POLL_INTERVAL_MS: '200' }), await freePort());
  policeAdapter = new AppProcess('police-adapter', APPS.policeAdapter, { ...env, LOG_LEVEL: 'warn' }, await freePort());
  educationAdapter = new AppProcess('education-adapter', APPS.educationAdapter, { ...env, LOG_LEVEL: 'warn' }, await freePort());
  await Promise.all([hub.ready(), policeAdapter.ready(), educationAdapter.ready()]);
}, 60_000);

afterAll(async () => {
  await Promise.all([hub?.stop(), policeAdapter?.stop(), educationAdapter?.stop()]);
  await deleteRedisKeys(prefix);
});

describe('Operation Encompass', () => {
  it("puts a domestic abuse notice in the child's school's inbox with only the Encompass fields, and records the school's acknowledgement", async () => {
    // An incident a minute ago: due at the next school day's start, still ahead.
    const notificationId = await submit(daNotice(60_000));
    const item = await waitFor('the Encompass notice in the school inbox', async () =>
      (await schoolInbox()).find((entry) => entry.kind === 'share.operation_encompass' && entry.body.payload['notification.reference']),
    );
    const share = await shareOf(notificationId);
    expect(share).toMatchObject({ decision: 'allowed', recipient_agency: 'education', recipient_organisation: SCHOOL_URN, outbox_message_id: item.messageId });
    expect(share.due_at.getTime()).toBeGreaterThan(Date.now());
    expect(item.body).toMatchObject({ shareId: share.id, purpose: 'operation_encompass', recipientOrganisation: SCHOOL_URN });
    const encompassFields = [...loadSharingPolicy().messages.operation_encompass.recipients.education!].sort();
    expect(Object.keys(item.body.payload).sort()).toEqual(encompassFields);
    expect(JSON.stringify(item.body)).not.toMatch(/9990000379|PC Dana Officer|MEDIUM|medium/);

    await request(educationAdapter.url).post(`/inbox/${item.messageId}/acknowledge`).set(school.headers).expect(200);
    const acknowledged = await waitFor('the acknowledgement on the share', async () => {
      const row = await shareOf(notificationId);
      return row.acknowledged_at ? row : undefined;
    });
    expect(acknowledged.delivered_at).toBeInstanceOf(Date);
    expect(acknowledged.overdue_alerted_at).toBeNull();
  });

  it('alerts the manager, and not a screener, about a notice past its deadline that the school has not acknowledged', async () => {
    // An incident weeks ago: its deadline passed long before the hub had it.
    const notificationId = await submit(daNotice(21 * 86_400_000));
    const share = await waitFor('the overdue alert', async () => {
      const row = await shareOf(notificationId);
      return row?.overdue_alerted_at ? row : undefined;
    });
    expect(share.acknowledged_at).toBeNull();

    const managers = (await request(hub.url).get('/api/alerts').set(staff.manager).expect(200)).body;
    expect(managers.items).toContainEqual(expect.objectContaining({ kind: 'encompass_unacknowledged', audience: 'manager', shareId: share.id, contactId: share.contact_id }));
    const screeners = (await request(hub.url).get('/api/alerts').set(staff.screener).expect(200)).body;
    expect(screeners.items.filter((alert: { audience: string }) => alert.audience !== 'screener')).toEqual([]);
    await request(hub.url).get('/api/alerts').set(staff.screener).query({ audience: 'manager' }).expect(403);

    const alert = managers.items.find((entry: { shareId: string }) => entry.shareId === share.id);
    await request(hub.url).post(`/api/alerts/${alert.id}/resolve`).set(staff.screener).expect(403);
    const resolved = await request(hub.url).post(`/api/alerts/${alert.id}/resolve`).set(staff.manager).expect(200);
    expect(resolved.body).toMatchObject({ id: alert.id, resolvedBy: 'meg.manager', resolvedAt: expect.any(String) });
    await request(hub.url).post(`/api/alerts/${alert.id}/resolve`).set(staff.manager).expect(409);
    const after = (await request(hub.url).get('/api/alerts').set(staff.manager).expect(200)).body;
    expect(after.items.map((entry: { id: string }) => entry.id)).not.toContain(alert.id);
  });

  it("alerts a screener about a notice for a child with no known school, and lets the screener resolve it", async () => {
    const notice = daNotice(60_000);
    const notificationId = await submit({ ...notice, children: [{ ...notice.children[0], schoolUrn: undefined }] });
    const share = await waitFor('the refused share', async () => {
      const row = await shareOf(notificationId);
      return row?.decision === 'refused' ? row : undefined;
    });
    const screeners = (await request(hub.url).get('/api/alerts').set(staff.screener).query({ pageSize: 100 }).expect(200)).body;
    const alert = screeners.items.find((entry: { shareId: string }) => entry.shareId === share.id);
    expect(alert).toMatchObject({ kind: 'encompass_no_school', audience: 'screener' });
    await request(hub.url).post(`/api/alerts/${alert.id}/resolve`).set(staff.screener).expect(200);
    const [event] = await withDatabase(
      async (db) => (await db.query("SELECT actor_id FROM audit_event WHERE action = 'alert.resolved' AND subject_id = $1", [alert.id])).rows,
    );
    expect(event).toEqual({ actor_id: 'sam.screener' });
  });
});
