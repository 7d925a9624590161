import { Test, type TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Job } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { SchoolCalendar } from '#calendar';
import { exampleNotification, hubIntakeQueue, type InboxActivity, type SafeguardingNotification } from '#contracts';
import { QueueContext } from '#queue-transport';
import { loadSharingPolicy } from '#sharing';
import { TEST_APP_DATABASE_URL, resetDatabase, withDatabase } from '../../../../test/support/environment.js';
import { AuditTrail } from '../audit/audit-trail.js';
import { ChildRegister } from '../children/child-register.js';
import { HubConfig } from '../config.js';
import { ContactBook } from '../contacts/contact-book.js';
import { dataSourceOptions } from '../database/data-source.js';
import { SHARING_POLICY } from '../hub.tokens.js';
import { InboxActivityHandler } from '../notifications/inbox-activity.handler.js';
import { IntakeOrigin } from '../notifications/intake-origin.js';
import { NotificationIntake } from '../notifications/notification-intake.js';
import { Outbox } from '../outbox/outbox.js';
import { EncompassDispatcher } from './encompass-dispatcher.js';
import { ShareDesk } from './share-desk.js';

type Child = SafeguardingNotification['subjects']['children'][number];

/** A police notice of a domestic abuse incident about one child, with a fresh reference. */
function daNotice(child: Partial<Child> = {}, overrides: Partial<SafeguardingNotification> = {}): SafeguardingNotification {
  const message = exampleNotification({ notificationId: randomUUID(), correlationId: randomUUID(), partnerReference: `PPN/${randomUUID().slice(0, 8)}`, ...overrides });
  message.subjects.children[0] = { ...message.subjects.children[0], nhsNumber: undefined, givenName: `Pupil ${randomUUID().replace(/[^a-f]/g, '').slice(0, 8)}`, ...child };
  return message;
}

interface ShareRow {
  id: string;
  decision: string;
  recipient_organisation: string | null;
  due_at: Date | null;
  reasons: Array<{ code: string }>;
  fields_shared: string[];
  outbox_message_id: string | null;
  delivered_at: Date | null;
  acknowledged_at: Date | null;
  overdue_alerted_at: Date | null;
  contact_id: string;
  created_at: Date;
  decided_at: Date | null;
}

const sharesOf = (notificationId: string) =>
  withDatabase(async (db) => (await db.query('SELECT * FROM share WHERE notification_id = $1 ORDER BY child_index', [notificationId])).rows as ShareRow[]);

const alertsOf = (shareId: string) =>
  withDatabase(async (db) => (await db.query('SELECT kind, audience, contact_id, message FROM alert WHERE share_id = $1 ORDER BY kind', [shareId])).rows);

const alertEvents = (shareId: string) =>
  withDatabase(
    async (db) => (await db.query("SELECT details FROM audit_event WHERE action = 'alert.raised' AND details->>'shareId' = $1", [shareId])).rows as { details: Record<string, unknown> }[],
  );

const educationContext = () =>
  new QueueContext([{ id: randomUUID(), name: 'inbox.activity', queueName: hubIntakeQueue('education'), attemptsMade: 0 } as unknown as Job]);

describe('Operation Encompass (Postgres)', () => {
  let module: TestingModule;
  let intake: NotificationIntake;
  let dispatcher: EncompassDispatcher;
  let inboxActivity: InboxActivityHandler;
  const policy = loadSharingPolicy();

  beforeAll(async () => {
    await resetDatabase();
    const config = new HubConfig();
    module = await Test.createTestingModule({
      imports: [TypeOrmModule.forRoot(dataSourceOptions(TEST_APP_DATABASE_URL))],
      controllers: [InboxActivityHandler],
      providers: [
        AuditTrail,
        ChildRegister,
        ContactBook,
        NotificationIntake,
        Outbox,
        ShareDesk,
        IntakeOrigin,
        EncompassDispatcher,
        { provide: HubConfig, useValue: config },
        { provide: SHARING_POLICY, useValue: policy },
        { provide: SchoolCalendar, useValue: new SchoolCalendar({ dayStart: '08:30', holidays: [] }) },
      ],
    }).compile();
    intake = module.get(NotificationIntake);
    dispatcher = module.get(EncompassDispatcher);
    inboxActivity = module.get(InboxActivityHandler);
  });

  afterAll(async () => {
    await module?.close();
  });

  it('records a pending share per child at intake, with the notice, and none for a notice that is not domestic abuse', async () => {
    const notice = daNotice();
    await intake.receive(notice);
    expect(await sharesOf(notice.notificationId)).toEqual([
      expect.objectContaining({ decision: 'pending', recipient_organisation: null, due_at: null, contact_id: expect.any(String) }),
    ]);

    const other = daNotice();
    other.details = { ...(other.details as Extract<SafeguardingNotification['details'], { agency: 'police' }>), domesticAbuse: false };
    await intake.receive(other);
    expect(await sharesOf(other.notificationId)).toEqual([]);
  });

  it("sends a Friday 22:00 incident to the child's school, due Monday 08:30, with only the Encompass fields", async () => {
    const notice = daNotice({ schoolUrn: '100001' }, { occurredAt: '2026-11-20T22:00:00Z', reportedAt: '2026-11-20T23:10:00Z' });
    await intake.receive(notice);
    const [pending] = await sharesOf(notice.notificationId);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await dispatcher.runOnce();

    const [share] = await sharesOf(notice.notificationId);
    expect(share).toMatchObject({ decision: 'allowed', recipient_organisation: '100001', reasons: [] });
    // When it was recorded at intake stays; when it was decided is later.
    expect(share.created_at).toEqual(pending.created_at);
    expect(share.decided_at!.getTime()).toBeGreaterThan(pending.created_at.getTime());
    // 23 November 2026 is in GMT: 08:30 in London is 08:30Z.
    expect(share.due_at!.toISOString()).toBe('2026-11-23T08:30:00.000Z');

    const encompassFields = [...policy.messages.operation_encompass.recipients.education!].sort();
    expect([...share.fields_shared].sort()).toEqual(encompassFields);
    const [outbox] = await withDatabase(async (db) => (await db.query('SELECT queue, pattern, payload FROM outbox_message WHERE id = $1', [share.outbox_message_id])).rows);
    expect(outbox).toMatchObject({ queue: 'education-deliveries', pattern: 'information.shared' });
    expect(outbox.payload).toMatchObject({ shareId: share.id, purpose: 'operation_encompass', recipientAgency: 'education', recipientOrganisation: '100001' });
    expect(Object.keys(outbox.payload.payload).sort()).toEqual(encompassFields);
    for (const withheld of ['child.nhsNumber', 'police.dashRiskLevel', 'police.officerInCase', 'child.address', 'police.previousIncidents']) {
      expect(outbox.payload.payload).not.toHaveProperty([withheld]);
    }
    expect(JSON.stringify(outbox.payload)).not.toContain('PC Dana Officer');

    // The trail names the fields, never their values.
    const [event] = await withDatabase(
      async (db) => (await db.query("SELECT actor_type, details FROM audit_event WHERE action = 'information.shared' AND subject_id = $1", [share.id])).rows,
    );
    expect(event.actor_type).toBe('hub');
    expect([...event.details.fieldsShared].sort()).toEqual(encompassFields);
    expect(event.details.dueAt).toBe('2026-11-23T08:30:00.000Z');
    const text = JSON.stringify(event.details);
    for (const value of [notice.subjects.children[0].givenName, notice.subjects.children[0].dateOfBirth!, notice.narrative!, 'Test Street']) expect(text).not.toContain(value);
  });

  it('rolls a Friday incident before a bank holiday Monday forward to Tuesday 08:30 (British Summer Time)', async () => {
    // Friday 1 May 2026, 22:00 BST; Monday 4 May is the early May bank holiday.
    const notice = daNotice({ schoolUrn: '100002' }, { occurredAt: '2026-05-01T21:00:00Z', reportedAt: '2026-05-01T23:00:00Z' });
    await intake.receive(notice);
    await dispatcher.runOnce();
    const [share] = await sharesOf(notice.notificationId);
    expect(share.decision).toBe('allowed');
    expect(share.due_at!.toISOString()).toBe('2026-05-05T07:30:00.000Z');
  });

  it('refuses a notice for a child with no known school, and alerts the screener without personal data', async () => {
    const notice = daNotice({ schoolUrn: undefined });
    await intake.receive(notice);
    await dispatcher.runOnce();
    const [share] = await sharesOf(notice.notificationId);
    expect(share).toMatchObject({ decision: 'refused', recipient_organisation: null, outbox_message_id: null });
    expect(share.reasons.map((reason) => reason.code)).toEqual(['recipient_unknown']);

    const alerts = await alertsOf(share.id);
    expect(alerts).toEqual([{ kind: 'encompass_no_school', audience: 'screener', contact_id: share.contact_id, message: expect.stringContaining('no known school') }]);
    expect(alerts[0].message).not.toContain(notice.subjects.children[0].givenName);
    expect(await alertEvents(share.id)).toEqual([{ details: expect.objectContaining({ kind: 'encompass_no_school', audience: 'screener', contactId: share.contact_id }) }]);
    const refused = await withDatabase(async (db) => Number((await db.query("SELECT count(*) FROM audit_event WHERE action = 'information.refused' AND subject_id = $1", [share.id])).rows[0].count));
    expect(refused).toBe(1);
  });

  it('uses the school known for the child from an earlier notification', async () => {
    const givenName = `Known ${randomUUID().replace(/[^a-f]/g, '').slice(0, 8)}`;
    const earlier = daNotice({ givenName, schoolUrn: '100003' }, { reportedAt: '2026-03-02T08:15:00Z' });
    earlier.details = { ...(earlier.details as Extract<SafeguardingNotification['details'], { agency: 'police' }>), domesticAbuse: false };
    await intake.receive(earlier);
    const later = daNotice({ givenName, schoolUrn: undefined }, { occurredAt: '2026-04-01T21:00:00Z', reportedAt: '2026-04-02T08:00:00Z' });
    await intake.receive(later);
    await dispatcher.runOnce();
    const [share] = await sharesOf(later.notificationId);
    expect(share).toMatchObject({ decision: 'allowed', recipient_organisation: '100003' });
  });

  it('uses the school that itself sent a concern about the child', async () => {
    const givenName = `Concern ${randomUUID().replace(/[^a-f]/g, '').slice(0, 8)}`;
    const concern = daNotice({ givenName, schoolUrn: undefined }, { sourceAgency: 'education', sourceOrganisation: '100007', reportedAt: '2026-03-03T10:00:00Z' });
    // Only where it came from matters here: a school's concern names no police details.
    concern.details = { agency: 'education', version: 1, sender: 'school', schoolUrn: '100007' } as unknown as SafeguardingNotification['details'];
    await intake.receive(concern);
    expect(await sharesOf(concern.notificationId)).toEqual([]);
    const notice = daNotice({ givenName, schoolUrn: undefined }, { occurredAt: '2026-04-01T21:00:00Z', reportedAt: '2026-04-02T08:00:00Z' });
    await intake.receive(notice);
    await dispatcher.runOnce();
    expect((await sharesOf(notice.notificationId))[0]).toMatchObject({ decision: 'allowed', recipient_organisation: '100007' });
  });

  it('makes no second share of a redelivered notice', async () => {
    const notice = daNotice({ schoolUrn: '100004' });
    await intake.receive(notice);
    expect(await intake.receive({ ...notice, correlationId: randomUUID() })).toMatchObject({ duplicate: true });
    await dispatcher.runOnce();
    expect(await sharesOf(notice.notificationId)).toEqual([expect.objectContaining({ decision: 'allowed' })]);
  });

  it('alerts the manager once about a notice past its deadline without acknowledgement, however many checks run at once', async () => {
    const notice = daNotice({ schoolUrn: '100005' }, { occurredAt: '2026-03-01T21:40:00Z' });
    await intake.receive(notice);
    await dispatcher.dispatchPending();
    const [share] = await sharesOf(notice.notificationId);
    expect(share.due_at!.getTime()).toBeLessThan(Date.now());

    await Promise.all([dispatcher.alertOverdue(), dispatcher.alertOverdue(), dispatcher.alertOverdue(), dispatcher.runOnce()]);
    await dispatcher.runOnce();
    expect(await alertsOf(share.id)).toEqual([{ kind: 'encompass_unacknowledged', audience: 'manager', contact_id: share.contact_id, message: expect.stringContaining('100005') }]);
    expect(await alertEvents(share.id)).toHaveLength(1);
    expect((await sharesOf(notice.notificationId))[0].overdue_alerted_at).toBeInstanceOf(Date);
  });

  it("records the school's delivery and acknowledgement on the share, once, and then raises no alert", async () => {
    const notice = daNotice({ schoolUrn: '100006' }, { occurredAt: '2026-03-01T21:40:00Z' });
    await intake.receive(notice);
    await dispatcher.dispatchPending();
    const [share] = await sharesOf(notice.notificationId);
    const activity = (event: InboxActivity['event'], organisation: string, occurredAt: string): InboxActivity => ({
      activityId: randomUUID(),
      adapterAgency: 'education',
      organisation,
      credentialId: randomUUID(),
      event,
      messages: [{ messageId: share.outbox_message_id!, kind: 'share.operation_encompass', correlationId: notice.correlationId }],
      occurredAt,
    });

    // Another school reporting the id changes nothing on this share.
    await inboxActivity.onActivity(activity('acknowledged', '999999', '2026-03-02T07:00:00.000Z'), educationContext());
    expect((await sharesOf(notice.notificationId))[0]).toMatchObject({ delivered_at: null, acknowledged_at: null });

    await inboxActivity.onActivity(activity('delivered', '100006', '2026-03-02T07:05:00.000Z'), educationContext());
    await inboxActivity.onActivity(activity('acknowledged', '100006', '2026-03-02T07:10:00.000Z'), educationContext());
    await inboxActivity.onActivity(activity('acknowledged', '100006', '2026-03-02T07:20:00.000Z'), educationContext());
    const [after] = await sharesOf(notice.notificationId);
    expect(after.delivered_at!.toISOString()).toBe('2026-03-02T07:05:00.000Z');
    expect(after.acknowledged_at!.toISOString()).toBe('2026-03-02T07:10:00.000Z');

    await dispatcher.runOnce();
    expect(await alertsOf(share.id)).toEqual([]);
  });
});
