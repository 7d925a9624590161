import { Test, type TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { exampleNotification, type SafeguardingNotification } from '#contracts';
import pg from 'pg';
import { PermanentMessageError } from '#queue-transport';
import { TEST_APP_DATABASE_URL, TEST_DATABASE_URL, resetDatabase, waitFor, withDatabase } from '../../../../test/support/environment.js';
import { AuditTrail } from '../audit/audit-trail.js';
import { ChildRegister, identify, identityLockKeys } from '../children/child-register.js';
import { ContactBook } from '../contacts/contact-book.js';
import { dataSourceOptions } from '../database/data-source.js';
import { Outbox } from '../outbox/outbox.js';
import { HubConfig } from '../config.js';
import { IntakeBatches } from './intake-batches.js';
import { NotificationIntake, type IntakeOutcome } from './notification-intake.js';

function notification(child: Partial<SafeguardingNotification['subjects']['children'][number]> = {}) {
  const message = exampleNotification({
    notificationId: randomUUID(),
    correlationId: randomUUID(),
    partnerReference: `PPN/${randomUUID().slice(0, 8)}`,
  });
  message.subjects.children[0] = { ...message.subjects.children[0], ...child };
  return message;
}

const count = (sql: string, params: unknown[] = []) =>
  withDatabase(async (db) => Number((await db.query(sql, params)).rows[0].count));

describe('notification intake (Postgres)', () => {
  let module: TestingModule;
  let intake: NotificationIntake;

  beforeAll(async () => {
    await resetDatabase();
    module = await Test.createTestingModule({
      imports: [TypeOrmModule.forRoot(dataSourceOptions(TEST_APP_DATABASE_URL))],
      providers: [AuditTrail, ChildRegister, ContactBook, NotificationIntake, Outbox],
    }).compile();
    intake = module.get(NotificationIntake);
  });

  afterAll(async () => {
    await module?.close();
  });

  it('stores a notification, its child, its contact, audit events and the acknowledgement in one go', async () => {
    const message = notification({ nhsNumber: '9990000743', givenName: 'Dee' });
    const outcome = await intake.receive(message);
    expect(outcome).toEqual({ duplicate: false, notificationId: message.notificationId, contactIds: [expect.any(String)] });
    const actions = await withDatabase(async (db) =>
      (await db.query('SELECT action FROM audit_event WHERE correlation_id = $1 ORDER BY sequence', [message.correlationId])).rows.map(
        (r: { action: string }) => r.action,
      ),
    );
    expect(actions).toEqual(['notification.received', 'consent.recorded', 'child.created', 'contact.created', 'information.shared']);
    expect(await count("SELECT count(*) FROM outbox_message WHERE queue = 'police-deliveries' AND correlation_id = $1", [message.correlationId])).toBe(1);
  });

  it('a second copy changes nothing', async () => {
    const message = notification({ nhsNumber: '9990001111' });
    expect(await intake.receive(message)).toMatchObject({ duplicate: false });
    const before = await count('SELECT count(*) FROM audit_event');
    expect(await intake.receive(message)).toEqual({ duplicate: true, notificationId: message.notificationId });
    expect(await count('SELECT count(*) FROM audit_event')).toBe(before);
    expect(await count('SELECT count(*) FROM notification WHERE id = $1', [message.notificationId])).toBe(1);
  });

  it('refuses for good a different message under a stored id, changing nothing, but not a resend through another credential', async () => {
    const message = notification({ nhsNumber: '9990001138' });
    expect(await intake.receive(message)).toMatchObject({ duplicate: false });
    const before = await count('SELECT count(*) FROM audit_event');

    const changed = { ...message, narrative: 'A corrected account that must not vanish as a duplicate.' };
    const refusal = intake.receive(changed);
    await expect(refusal).rejects.toThrow(PermanentMessageError);
    await expect(refusal).rejects.toThrow(`notification ${message.notificationId} (police 01 reference ${message.partnerReference}) differs from the notification`);
    // Same agency, organisation and reference under another id: refused too.
    await expect(intake.receive({ ...message, notificationId: randomUUID() })).rejects.toThrow(/already stored under that reference/);

    // The same content through another credential, with another correlation id, is a redelivery.
    const resent = { ...message, correlationId: randomUUID(), submittedBy: { credentialId: randomUUID(), system: 'Replacement PPN system' } };
    expect(await intake.receive(resent)).toEqual({ duplicate: true, notificationId: message.notificationId });

    expect(await count('SELECT count(*) FROM audit_event')).toBe(before);
    const stored = await withDatabase(async (db) => (await db.query('SELECT message FROM notification WHERE id = $1', [message.notificationId])).rows);
    expect(stored).toEqual([{ message: JSON.parse(JSON.stringify(message)) }]);
  });

  it('stores the same reference from two organisations of one agency as two notifications', async () => {
    const partnerReference = `PPN/${randomUUID().slice(0, 8)}`;
    const first = { ...notification({ nhsNumber: '9990001146' }), partnerReference, sourceOrganisation: '01' };
    const second = { ...notification({ nhsNumber: '9990001146' }), partnerReference, sourceOrganisation: '44' };
    expect(await intake.receive(first)).toMatchObject({ duplicate: false });
    expect(await intake.receive(second)).toMatchObject({ duplicate: false });
    const rows = await withDatabase(async (db) =>
      (await db.query('SELECT id, source_organisation FROM notification WHERE partner_reference = $1 ORDER BY source_organisation', [partnerReference])).rows,
    );
    expect(rows).toEqual([
      { id: first.notificationId, source_organisation: '01' },
      { id: second.notificationId, source_organisation: '44' },
    ]);
    const received = await withDatabase(async (db) =>
      (await db.query("SELECT details->>'sourceOrganisation' AS organisation FROM audit_event WHERE action = 'notification.received' AND subject_id = $1", [second.notificationId])).rows,
    );
    expect(received).toEqual([{ organisation: '44' }]);
  });

  it('notifications about one new child arriving together make one child and one contact', async () => {
    const givenName = `Concurrent ${randomUUID().replace(/[^a-f]/g, '').slice(0, 6)}`;
    const messages = Array.from({ length: 8 }, () => notification({ givenName, nhsNumber: undefined, dateOfBirth: '2012-01-02' }));
    const outcomes = await Promise.all(messages.map((m) => intake.receive(m)));
    const contactIds = new Set(outcomes.flatMap((o) => (o.duplicate ? [] : o.contactIds)));
    expect(contactIds.size).toBe(1);
    expect(await count("SELECT count(*) FROM child WHERE given_name = $1", [givenName])).toBe(1);
    expect(await count('SELECT notification_count AS count FROM contact WHERE id = $1', [[...contactIds][0]])).toBe(8);
  });

  it('notices naming the same children in either order all go through, with exact counts', async () => {
    const tag = randomUUID().replace(/[^a-f]/g, '').slice(0, 6);
    const a = { givenName: `Ann ${tag}`, familyName: 'Pair', nhsNumber: undefined, dateOfBirth: '2013-03-04' };
    const b = { givenName: `Ben ${tag}`, familyName: 'Pair', nhsNumber: undefined, dateOfBirth: '2015-05-06' };
    const base = notification().subjects.children[0];
    const messages = Array.from({ length: 80 }, (_, i) => {
      const message = notification();
      const [first, second] = i % 2 === 0 ? [a, b] : [b, a];
      message.subjects.children = [{ ...base, ...first }, { ...base, ...second }];
      return message;
    });
    const results = await Promise.allSettled(messages.map((m) => intake.receive(m)));
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
    expect(failures).toEqual([]);
    const counts = await withDatabase(async (db) =>
      (
        await db.query(
          `SELECT child.given_name, contact.notification_count, (SELECT count(*) FROM contact_notification l WHERE l.contact_id = contact.id)::int AS links
             FROM contact JOIN child ON child.id = contact.child_id WHERE child.given_name = ANY($1) ORDER BY child.given_name`,
          [[a.givenName, b.givenName]],
        )
      ).rows,
    );
    expect(counts).toEqual([
      { given_name: a.givenName, notification_count: 80, links: 80 },
      { given_name: b.givenName, notification_count: 80, links: 80 },
    ]);
  }, 60_000);

  it('a notice arriving while a screener closes the contact opens a new contact rather than joining the closed one', async () => {
    const givenName = `Closing ${randomUUID().replace(/[^a-f]/g, '').slice(0, 6)}`;
    const child = { givenName, nhsNumber: undefined, dateOfBirth: '2011-09-10' };
    const first = await intake.receive(notification(child));
    if (first.duplicate) throw new Error('expected a new notification');
    const [openContactId] = first.contactIds;

    // The screener's transaction holds the contact row, as closing it would.
    const screener = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await screener.connect();
    try {
      await screener.query('BEGIN');
      await screener.query('SELECT id FROM contact WHERE id = $1 FOR UPDATE', [openContactId]);
      const second = intake.receive(notification(child));
      await waitFor('intake to wait for the contact row', async () =>
        count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'").then((n) => n > 0),
      );
      await screener.query("UPDATE contact SET status = 'closed' WHERE id = $1", [openContactId]);
      await screener.query('COMMIT');
      const outcome = await second;
      if (outcome.duplicate) throw new Error('expected a new notification');
      expect(outcome.contactIds[0]).not.toBe(openContactId);
    } finally {
      await screener.end();
    }
    expect(await count('SELECT notification_count AS count FROM contact WHERE id = $1', [openContactId])).toBe(1);
    expect(await count('SELECT count(*) FROM contact_notification WHERE contact_id = $1', [openContactId])).toBe(1);
  });

  it('matches by NHS number first, and carries a newly learnt NHS number forward', async () => {
    const givenName = `Nhs ${randomUUID().replace(/[^a-f]/g, '').slice(0, 6)}`;
    const first = await intake.receive(notification({ givenName, nhsNumber: undefined, dateOfBirth: '2014-05-06' }));
    const second = await intake.receive(notification({ givenName, nhsNumber: '9990001480', dateOfBirth: '2014-05-06' }));
    const third = await intake.receive(notification({ givenName: 'Anything', familyName: 'Else', nhsNumber: '9990001480', dateOfBirth: '2014-05-06' }));
    expect(first.duplicate || second.duplicate || third.duplicate).toBe(false);
    const contactOf = (o: typeof first) => (o.duplicate ? null : o.contactIds[0]);
    expect(contactOf(second)).toBe(contactOf(first));
    expect(contactOf(third)).toBe(contactOf(first));
    expect(await count("SELECT count(*) FROM child WHERE nhs_number = '9990001480'")).toBe(1);
  });

  it('never matches by name a child who has a different NHS number', async () => {
    const givenName = `Twin ${randomUUID().replace(/[^a-f]/g, '').slice(0, 6)}`;
    const a = await intake.receive(notification({ givenName, nhsNumber: '9990001855', dateOfBirth: '2016-07-08' }));
    const b = await intake.receive(notification({ givenName, nhsNumber: '9990002223', dateOfBirth: '2016-07-08' }));
    expect(a.duplicate || b.duplicate).toBe(false);
    expect(await count('SELECT count(*) FROM child WHERE given_name = $1', [givenName])).toBe(2);
  });

  it('a change that fails part-way leaves no notification, child, contact or audit event', async () => {
    await withDatabase((db) =>
      db.query(`
        CREATE FUNCTION refuse_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'outbox unavailable'; END $$;
        CREATE TRIGGER refuse_outbox BEFORE INSERT ON outbox_message FOR EACH ROW EXECUTE FUNCTION refuse_outbox();`),
    );
    const givenName = `Rollback ${randomUUID().replace(/[^a-f]/g, '').slice(0, 6)}`;
    const message = notification({ givenName, nhsNumber: undefined });
    try {
      await expect(intake.receive(message)).rejects.toThrow(/outbox unavailable/);
    } finally {
      await withDatabase((db) => db.query('DROP TRIGGER refuse_outbox ON outbox_message; DROP FUNCTION refuse_outbox();'));
    }
    expect(await count('SELECT count(*) FROM notification WHERE id = $1', [message.notificationId])).toBe(0);
    expect(await count('SELECT count(*) FROM child WHERE given_name = $1', [givenName])).toBe(0);
    expect(await count('SELECT count(*) FROM audit_event WHERE correlation_id = $1', [message.correlationId])).toBe(0);

    // And once the cause is gone, the same message goes through.
    expect(await intake.receive(message)).toMatchObject({ duplicate: false });
  });

  describe('several notifications in one transaction', () => {
    /**
     * Notifications that depend on each other: a new child, the same child again with an NHS number
     * learnt, that number under another name, the child listed twice, a second child, and a copy of
     * one already stored.
     */
    async function scenario(tag: string) {
      const nhsNumber = randomNhsNumber();
      const child = { givenName: `Batch ${tag}`, familyName: 'Scenario', nhsNumber: undefined, dateOfBirth: '2013-02-03' };
      const sibling = { ...child, givenName: `Sibling ${tag}` };
      const base = notification().subjects.children[0];
      const earlier = notification(child);
      await intake.receive(earlier);
      const messages = [
        notification(child),
        notification({ ...child, nhsNumber }),
        notification({ ...child, givenName: `Renamed ${tag}`, nhsNumber }),
        { ...notification(), subjects: { ...notification().subjects, children: [{ ...base, ...child }, { ...base, ...sibling }, { ...base, ...child }] } },
        { ...notification(sibling), senderUrgency: 'red' as const },
        earlier,
      ];
      return { messages, names: [child.givenName, sibling.givenName, `Renamed ${tag}`] };
    }

    /** What a scenario left behind, with ids replaced by their order of appearance so two runs compare. */
    async function outcomeOf(messages: SafeguardingNotification[], outcomes: IntakeOutcome[], names: string[]) {
      return withDatabase(async (db) => {
        const ids = new Map<string, string>();
        const alias = (id: string) => (ids.has(id) ? ids.get(id)! : (ids.set(id, `#${ids.size}`), `#${ids.size - 1}`));
        const events = [];
        for (const message of messages) {
          const { rows } = await db.query(
            `SELECT action, subject_type, subject_id, details FROM audit_event WHERE correlation_id = $1 AND action <> 'notification.received' ORDER BY sequence`,
            [message.correlationId],
          );
          events.push(
            rows.map((row: { action: string; subject_type: string; subject_id: string; details: Record<string, unknown> }) =>
              [row.action, row.subject_type === 'outbox_message' ? 'outbox' : alias(row.subject_id), row.details.matchedBy ?? null, row.details.nhsNumberAdded ?? null].join(' '),
            ),
          );
        }
        const { rows: contacts } = await db.query(
          `SELECT contact.id, contact.notification_count, contact.sender_urgency, child.nhs_number IS NOT NULL AS has_nhs,
                  (SELECT count(*)::int FROM contact_notification l WHERE l.contact_id = contact.id) AS links
             FROM contact JOIN child ON child.id = contact.child_id WHERE child.given_name = ANY($1) ORDER BY contact.created_at, child.given_name`,
          [names],
        );
        return {
          outcomes: outcomes.map((outcome) => (outcome.duplicate ? 'duplicate' : outcome.contactIds.map(alias).join(','))),
          events,
          contacts: contacts.map((contact: { id: string; notification_count: number; sender_urgency: string; has_nhs: boolean; links: number }) => ({
            ...contact,
            id: alias(contact.id),
          })),
          children: Number((await db.query('SELECT count(*) FROM child WHERE given_name = ANY($1)', [names])).rows[0].count),
        };
      });
    }

    it('gives exactly what taking them one after another gives', async () => {
      const oneByOne = await scenario(randomUUID().replace(/[^a-f]/g, '').slice(0, 6));
      const sequentialOutcomes: IntakeOutcome[] = [];
      for (const message of oneByOne.messages) sequentialOutcomes.push(await intake.receive(message));
      const together = await scenario(randomUUID().replace(/[^a-f]/g, '').slice(0, 6));
      const batchOutcomes = await intake.receiveAll(together.messages);

      const expected = await outcomeOf(oneByOne.messages, sequentialOutcomes, oneByOne.names);
      expect(await outcomeOf(together.messages, batchOutcomes, together.names)).toEqual(expected);
      // And the scenario does what it says: one child learnt a number, the renamed notice matched on it,
      // the child listed twice is linked once, and the red notice raised its contact's urgency.
      expect(expected.children).toBe(2);
      expect(expected.events[1]).toContain('child.matched #1 name_and_date_of_birth true');
      expect(expected.events[2]).toContain('child.matched #1 nhs_number false');
      expect(expected.contacts).toEqual([
        { id: '#2', notification_count: 5, sender_urgency: 'amber', has_nhs: true, links: 5 },
        { id: expect.any(String), notification_count: 2, sender_urgency: 'red', has_nhs: false, links: 2 },
      ]);
      expect(expected.outcomes[5]).toBe('duplicate');
    });

    it('share one transaction under load, and a notification the hub refuses fails only its own message', async () => {
      const batches = new IntakeBatches(intake, Object.assign(new HubConfig(), { INTAKE_TRANSACTIONS: 1, INTAKE_BATCH_SIZE: 10 }));
      const stored = notification({ nhsNumber: randomNhsNumber() });
      await intake.receive(stored);
      const first = batches.receive(notification());
      // These arrive while the first is being stored, so they wait and go in together.
      const good = Array.from({ length: 6 }, () => notification({ givenName: `Waiting ${randomUUID().replace(/[^a-f]/g, '').slice(0, 6)}` }));
      const refused = { ...stored, narrative: 'Changed content under a stored reference.' };
      const results = await Promise.allSettled([first, ...[...good.slice(0, 3), refused, ...good.slice(3)].map((message) => batches.receive(message))]);

      expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
      expect((results[4] as PromiseRejectedResult).reason).toBeInstanceOf(PermanentMessageError);
      // Taken again one by one after the shared transaction failed: each row written by its own transaction.
      const transactions = (ids: string[]) => count('SELECT count(DISTINCT xmin::text) FROM notification WHERE id = ANY($1)', [ids]);
      expect(await transactions(good.map((message) => message.notificationId))).toBe(6);

      // Without the refused one, the waiting notifications are stored in one transaction.
      const blocker = batches.receive(notification());
      const more = Array.from({ length: 5 }, () => notification({ givenName: `Together ${randomUUID().replace(/[^a-f]/g, '').slice(0, 6)}` }));
      expect((await Promise.all([blocker, ...more.map((message) => batches.receive(message))])).every((outcome) => !outcome.duplicate)).toBe(true);
      expect(await transactions(more.map((message) => message.notificationId))).toBe(1);
    });

    it('a transaction held up by a lock does not hold up the notifications behind it', async () => {
      const batches = new IntakeBatches(intake, Object.assign(new HubConfig(), { INTAKE_TRANSACTIONS: 2, INTAKE_BATCH_SIZE: 32 }));
      const child = { givenName: `Held ${randomUUID().replace(/[^a-f]/g, '').slice(0, 6)}`, nhsNumber: undefined, dateOfBirth: '2012-12-12' };
      const held = notification(child);
      // Another transaction holds the lock under which this child is matched, as a slow intake elsewhere would.
      const other = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await other.connect();
      try {
        await other.query('BEGIN');
        // Exclusive, so it holds up a key the intake takes shared too.
        await other.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [identityLockKeys([identify(held.subjects.children[0])])[0].replace(/^shared:/, '')]);
        let heldSettled = false;
        const first = batches.receive(held).finally(() => (heldSettled = true));
        await waitFor('the first intake to wait for the lock', async () =>
          count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'").then((n) => n > 0),
        );
        const behind = notification({ givenName: `Behind ${randomUUID().replace(/[^a-f]/g, '').slice(0, 6)}` });
        expect(await batches.receive(behind)).toMatchObject({ duplicate: false });
        expect(heldSettled).toBe(false);
        await other.query('COMMIT');
        expect(await first).toMatchObject({ duplicate: false });
      } finally {
        await other.end();
      }
    });

    it('refuses to take the same notification twice in one transaction', async () => {
      const message = notification();
      await expect(intake.receiveAll([message, message])).rejects.toThrow('one intake transaction cannot take the same notification twice');
      expect(await count('SELECT count(*) FROM notification WHERE id = $1', [message.notificationId])).toBe(0);
    });
  });
});

/** A valid NHS number in the 999 test range, different each time. */
function randomNhsNumber(): string {
  for (;;) {
    const nine = `999${String(Math.floor(Math.random() * 1_000_000)).padStart(6, '0')}`;
    const sum = [...nine].reduce((total, digit, i) => total + Number(digit) * (10 - i), 0);
    const check = 11 - (sum % 11);
    if (check !== 10) return nine + String(check === 11 ? 0 : check);
  }
}
