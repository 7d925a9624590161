import { ConflictException, NotFoundException } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { exampleNotification, validateMessage, type ChildSubject } from '#contracts';
import { TEST_APP_DATABASE_URL, resetDatabase, withDatabase } from '../../../../test/support/environment.js';
import type { StaffMember } from '../access/staff.js';
import { AuditTrail } from '../audit/audit-trail.js';
import { ContactBook } from '../contacts/contact-book.js';
import { dataSourceOptions } from '../database/data-source.js';
import { NotificationIntake } from '../notifications/notification-intake.js';
import { Outbox } from '../outbox/outbox.js';
import { ChildRegister } from './child-register.js';
import { IdentityDesk } from './identity-desk.js';
import { ListPossibleMatchesQuery } from './identity.dto.js';

const screener: StaffMember = { id: 'sam', name: 'sam.screener', roles: ['screener'], issuer: 'mash-hub' };
const manager: StaffMember = { id: 'mo', name: 'mo.manager', roles: ['manager'], issuer: 'mash-hub' };

function notification(child: Partial<ChildSubject>) {
  const message = exampleNotification({ notificationId: randomUUID(), correlationId: randomUUID(), partnerReference: `PPN/${randomUUID().slice(0, 8)}` });
  message.subjects.children[0] = { ...message.subjects.children[0], nhsNumber: undefined, ...child };
  return message;
}

const rows = <T>(sql: string, params: unknown[] = []) => withDatabase(async (db) => (await db.query(sql, params)).rows as T[]);

/** A family name of its own, so each test's children meet only each other. */
const family = () => `Hartley${randomUUID().replace(/[^a-f]/g, '').slice(0, 6)}`;

describe('identity: possible matches, merge and unmerge (Postgres)', () => {
  let module: TestingModule;
  let intake: NotificationIntake;
  let desk: IdentityDesk;

  beforeAll(async () => {
    await resetDatabase();
    module = await Test.createTestingModule({
      imports: [TypeOrmModule.forRoot(dataSourceOptions(TEST_APP_DATABASE_URL))],
      providers: [AuditTrail, ChildRegister, ContactBook, NotificationIntake, Outbox, IdentityDesk],
    }).compile();
    intake = module.get(NotificationIntake);
    desk = module.get(IdentityDesk);
  });

  afterAll(async () => {
    await module?.close();
  });

  /** The child a stored notification was matched to. */
  async function childOf(notificationId: string): Promise<string> {
    const [row] = await rows<{ child_id: string }>(
      'SELECT contact.child_id FROM contact_notification link JOIN contact ON contact.id = link.contact_id WHERE link.notification_id = $1',
      [notificationId],
    );
    return row.child_id;
  }

  /** A known child, then a notification about a child that may be them: a possible match. */
  async function possiblePair() {
    const familyName = family();
    const first = notification({ givenName: 'Amelia', familyName, dateOfBirth: '2015-06-04', address: undefined });
    const second = notification({ givenName: 'Amelai', familyName, dateOfBirth: '2015-04-06', address: undefined });
    await intake.receive(first);
    await intake.receive(second);
    const [older, newer] = [await childOf(first.notificationId), await childOf(second.notificationId)];
    const [match] = await rows<{ id: string; child_id: string; other_child_id: string; status: string; reasons: string[] }>(
      // This pair's own: names from other tests may sound alike enough to be listed beside it.
      'SELECT id, child_id, other_child_id, status, reasons FROM possible_match WHERE child_id = $1 AND other_child_id = $2',
      [newer, older],
    );
    return { first, second, older, newer, match, familyName };
  }

  it('links a certain match at intake: a nickname, the same date of birth and home', async () => {
    const familyName = family();
    const first = notification({ givenName: 'Elizabeth', familyName, dateOfBirth: '2014-03-09' });
    const second = notification({ givenName: 'Lizzie', familyName, dateOfBirth: '2014-03-09' });
    await intake.receive(first);
    await intake.receive(second);
    expect(await childOf(second.notificationId)).toBe(await childOf(first.notificationId));
    const [event] = await rows<{ details: { matchedBy: string; reasons: string[] } }>("SELECT details FROM audit_event WHERE correlation_id = $1 AND action = 'child.matched'", [
      second.correlationId,
    ]);
    expect(event.details).toMatchObject({ matchedBy: 'likely_identity', reasons: expect.arrayContaining(['given name is a variant', 'same UPRN']) });
  });

  it('makes a new child for a possible match and lists the pair, in the audit trail too', async () => {
    const { second, older, newer, match } = await possiblePair();
    expect(newer).not.toBe(older);
    expect(match).toMatchObject({ child_id: newer, other_child_id: older, status: 'open' });
    expect(match.reasons).toEqual(expect.arrayContaining(['given name differs by a typing slip', 'date of birth has day and month swapped']));
    const events = await rows<{ action: string; subject_id: string; child_id: string; details: { otherChildId: string } }>(
      "SELECT action, subject_id, child_id, details FROM audit_event WHERE correlation_id = $1 AND action IN ('child.created', 'identity.possible_match') ORDER BY sequence",
      [second.correlationId],
    );
    expect(events.map((event) => event.action)).toEqual(['child.created', 'identity.possible_match']);
    expect(events[1]).toMatchObject({ subject_id: match.id, child_id: newer, details: { otherChildId: older } });
  });

  it('does not list twins or a child with another NHS number', async () => {
    const familyName = family();
    await intake.receive(notification({ givenName: 'Oliver', familyName, dateOfBirth: '2016-01-02', nhsNumber: randomNhsNumber() }));
    const twin = notification({ givenName: 'Amelia', familyName, dateOfBirth: '2016-01-02' });
    const sameNameOtherNumber = notification({ givenName: 'Oliver', familyName, dateOfBirth: '2016-01-02', nhsNumber: randomNhsNumber() });
    await intake.receive(twin);
    await intake.receive(sameNameOtherNumber);
    const children = await rows<{ id: string }>('SELECT id FROM child WHERE family_name = $1', [familyName]);
    expect(children).toHaveLength(3);
    expect(await rows('SELECT id FROM possible_match WHERE child_id = ANY($1::uuid[])', [children.map((child) => child.id)])).toEqual([]);
  });

  it('lists open matches first, and records who looked', async () => {
    const { match } = await possiblePair();
    const page = await desk.list(await validateMessage(ListPossibleMatchesQuery, { pageSize: 100 }), screener);
    expect(page.items.find((item) => item.id === match.id)).toMatchObject({ status: 'open', child: { id: match.child_id }, otherChild: { id: match.other_child_id } });
    const statuses = page.items.map((item) => item.status);
    expect(statuses.indexOf('open')).toBe(0);
    expect(statuses.slice(statuses.lastIndexOf('open') + 1).every((status) => status !== 'open')).toBe(true);
    expect(page.open).toBe(statuses.filter((status) => status === 'open').length);
    const [event] = await rows<{ actor_id: string; details: { possibleMatchIds: string[] } }>(
      "SELECT actor_id, details FROM audit_event WHERE action = 'possible_matches.listed' ORDER BY sequence DESC LIMIT 1",
    );
    expect(event).toMatchObject({ actor_id: 'sam', details: { possibleMatchIds: page.items.map((item) => item.id) } });
  });

  it('refuses to link two children who each have an open contact, changing nothing', async () => {
    const { match, newer } = await possiblePair();
    const before = await rows('SELECT id, child_id FROM contact WHERE child_id = $1', [newer]);
    await expect(desk.link(match.id, screener)).rejects.toThrow(/Both children have an open contact/);
    await expect(desk.link(match.id, screener)).rejects.toBeInstanceOf(ConflictException);
    expect(await rows('SELECT id, child_id FROM contact WHERE child_id = $1', [newer])).toEqual(before);
    expect(await rows('SELECT status FROM possible_match WHERE id = $1', [match.id])).toEqual([{ status: 'open' }]);
    expect(await rows("SELECT sequence FROM audit_event WHERE action = 'child.merged' AND details->>'possibleMatchId' = $1", [match.id])).toEqual([]);
  });

  it('links (merges the newer child into the older), and a manager unmerges, each audited', async () => {
    const { first, second, match, older, newer, familyName } = await possiblePair();
    // The older child's contact is closed by a screener; the newer one's stays open.
    await withDatabase((db) => db.query("UPDATE contact SET status = 'closed' WHERE child_id = $1", [older]));
    const newerContacts = (await rows<{ id: string }>('SELECT id FROM contact WHERE child_id = $1', [newer])).map((row) => row.id);

    const merge = await desk.link(match.id, screener);
    expect(merge).toMatchObject({ survivingChildId: older, mergedChildId: newer, movedContactIds: newerContacts, nhsNumberMoved: false });
    expect(await childOf(second.notificationId)).toBe(older);
    expect(await rows('SELECT merged_into FROM child WHERE id = $1', [newer])).toEqual([{ merged_into: older }]);
    expect(await rows('SELECT status, decided_by_id FROM possible_match WHERE id = $1', [match.id])).toEqual([{ status: 'linked', decided_by_id: 'sam' }]);
    const [merged] = await rows<{ actor_id: string; child_id: string; details: Record<string, unknown> }>(
      "SELECT actor_id, child_id, details FROM audit_event WHERE action = 'child.merged' AND details->>'possibleMatchId' = $1",
      [match.id],
    );
    expect(merged).toMatchObject({ actor_id: 'sam', child_id: older, details: { mergedChildId: newer, movedContactIds: newerContacts } });

    // Decided: a second decision is refused, and changes nothing.
    await expect(desk.link(match.id, screener)).rejects.toThrow(/already decided \(linked\)/);
    await expect(desk.keepApart(match.id, screener)).rejects.toBeInstanceOf(ConflictException);

    // The merged record's spelling now finds the survivor.
    const again = notification({ givenName: 'Amelai', familyName, dateOfBirth: '2015-04-06', address: undefined });
    await intake.receive(again);
    expect(await childOf(again.notificationId)).toBe(older);

    const undone = await desk.unmerge(newer, manager);
    expect(undone).toMatchObject({ survivingChildId: older, mergedChildId: newer, movedContactIds: newerContacts });
    expect(await childOf(second.notificationId)).toBe(newer);
    // A moved contact goes back whole, with what joined it meanwhile: it is the newer child's work.
    expect(await childOf(again.notificationId)).toBe(newer);
    expect(await childOf(first.notificationId)).toBe(older);
    expect(await rows('SELECT merged_into FROM child WHERE id = $1', [newer])).toEqual([{ merged_into: null }]);
    const [unmerged] = await rows<{ actor_id: string; child_id: string; details: Record<string, unknown> }>(
      "SELECT actor_id, child_id, details FROM audit_event WHERE action = 'child.unmerged' AND details->>'mergeId' = $1",
      [merge.mergeId],
    );
    expect(unmerged).toMatchObject({ actor_id: 'mo', child_id: newer, details: { survivingChildId: older, restoredContactIds: newerContacts } });
    await expect(desk.unmerge(newer, manager)).rejects.toThrow(/is not merged into another record/);
  });

  it('moves an NHS number to a survivor without one, and back on unmerge', async () => {
    const familyName = family();
    const nhsNumber = randomNhsNumber();
    const first = notification({ givenName: 'Amelia', familyName, dateOfBirth: '2015-06-04', address: undefined });
    const second = notification({ givenName: 'Amelai', familyName, dateOfBirth: '2015-04-06', address: undefined, nhsNumber });
    await intake.receive(first);
    await intake.receive(second);
    const [older, newer] = [await childOf(first.notificationId), await childOf(second.notificationId)];
    const [match] = await rows<{ id: string }>('SELECT id FROM possible_match WHERE child_id = $1 AND other_child_id = $2', [newer, older]);
    await withDatabase((db) => db.query("UPDATE contact SET status = 'closed' WHERE child_id = $1", [older]));
    expect(await desk.link(match.id, screener)).toMatchObject({ nhsNumberMoved: true });
    expect(await rows('SELECT id, nhs_number FROM child WHERE id = ANY($1::uuid[]) ORDER BY id = $2', [[older, newer], older])).toEqual([
      { id: newer, nhs_number: null },
      { id: older, nhs_number: nhsNumber },
    ]);
    await desk.unmerge(newer, manager);
    expect(await rows('SELECT id, nhs_number FROM child WHERE id = ANY($1::uuid[]) ORDER BY id = $2', [[older, newer], older])).toEqual([
      { id: newer, nhs_number: nhsNumber },
      { id: older, nhs_number: null },
    ]);
  });

  it('refuses to merge children with different NHS numbers (a pair listed before either had one)', async () => {
    const { match, older, newer } = await possiblePair();
    await withDatabase(async (db) => {
      await db.query('UPDATE child SET nhs_number = $2 WHERE id = $1', [older, randomNhsNumber()]);
      await db.query('UPDATE child SET nhs_number = $2 WHERE id = $1', [newer, randomNhsNumber()]);
      await db.query("UPDATE contact SET status = 'closed' WHERE child_id = $1", [older]);
    });
    await expect(desk.link(match.id, screener)).rejects.toThrow(/different NHS numbers: they are different children and are never merged/);
    expect(await rows('SELECT status FROM possible_match WHERE id = $1', [match.id])).toEqual([{ status: 'open' }]);
    expect(await rows('SELECT merged_into FROM child WHERE id = $1', [newer])).toEqual([{ merged_into: null }]);
  });

  it('keeps a pair apart, once', async () => {
    const { match } = await possiblePair();
    const kept = await desk.keepApart(match.id, screener);
    expect(kept).toMatchObject({ id: match.id, status: 'kept_apart', decidedBy: 'sam.screener' });
    const [event] = await rows<{ actor_id: string; subject_id: string }>("SELECT actor_id, subject_id FROM audit_event WHERE action = 'identity.kept_apart' AND subject_id = $1", [match.id]);
    expect(event).toEqual({ actor_id: 'sam', subject_id: match.id });
    await expect(desk.keepApart(match.id, screener)).rejects.toThrow(/already decided \(kept apart\)/);
  });

  it('two screeners deciding one pair at once: one decision stands, the other is refused', async () => {
    const { match, older } = await possiblePair();
    await withDatabase((db) => db.query("UPDATE contact SET status = 'closed' WHERE child_id = $1", [older]));
    const outcomes = await Promise.allSettled([desk.link(match.id, screener), desk.keepApart(match.id, { ...screener, id: 'kim', name: 'kim.screener' })]);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(ConflictException);
    const [row] = await rows<{ status: string }>('SELECT status FROM possible_match WHERE id = $1', [match.id]);
    const decisions = await rows("SELECT action FROM audit_event WHERE action IN ('child.merged', 'identity.kept_apart') AND (subject_id = $1::uuid OR details->>'possibleMatchId' = $1::text)", [match.id]);
    expect(decisions).toHaveLength(1);
    expect(row.status).toBe(outcomes[0].status === 'fulfilled' ? 'linked' : 'kept_apart');
  });

  it('answers 404 for an unknown possible match or child', async () => {
    await expect(desk.link(randomUUID(), screener)).rejects.toBeInstanceOf(NotFoundException);
    await expect(desk.keepApart(randomUUID(), screener)).rejects.toBeInstanceOf(NotFoundException);
    await expect(desk.unmerge(randomUUID(), manager)).rejects.toBeInstanceOf(NotFoundException);
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
