import { Test, type TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { londonInstant, nextDate } from '#calendar';
import { TEST_APP_DATABASE_URL, resetDatabase, withDatabase } from '../../../../test/support/environment.js';
import type { StaffMember } from '../access/staff.js';
import { AuditTrail } from '../audit/audit-trail.js';
import { dataSourceOptions } from '../database/data-source.js';
import { SignOffQueue } from './sign-off-queue.js';
import { Timeliness } from './timeliness.js';

const manager: StaffMember = { id: 'meg', name: 'meg.manager', roles: ['manager'], issuer: 'mash-hub', team: 'MASH South' };

interface Seed {
  name: string;
  status: string;
  rag: 'red' | 'amber' | 'green' | null;
  senderUrgency?: 'red' | 'amber' | 'green';
  agency?: string;
  receivedAt: string;
  dueAt: string;
  decision?: { decidedAt: string; team: string | null; signedOff?: boolean; returned?: boolean; by?: string };
}

/** One contact, for a child of its own, with its first notification from `agency` and its decision as given. */
async function seed(contact: Seed): Promise<string> {
  const childId = randomUUID();
  const contactId = randomUUID();
  await withDatabase(async (db) => {
    await db.query(`INSERT INTO child (id, given_name, family_name, normalised_name) VALUES ($1, 'Child', $2, $3)`, [childId, contact.name, `child ${contact.name}`]);
    await db.query(
      `INSERT INTO contact (id, child_id, status, rag, sender_urgency, received_at, last_notification_at, notification_count, decision_due_at, finished_at)
       VALUES ($1, $2, $3::varchar, $4, $5, $6, $6, 1, $7, CASE WHEN $3::varchar = 'closed' THEN $7::timestamptz END)`,
      [contactId, childId, contact.status, contact.rag, contact.senderUrgency ?? contact.rag ?? 'amber', contact.receivedAt, contact.dueAt],
    );
    if (contact.agency) {
      const notificationId = randomUUID();
      await db.query(
        `INSERT INTO notification (id, source_agency, source_organisation, partner_reference, correlation_id, schema_version, reported_at, received_at, sender_urgency, referral_source, categories, message)
         VALUES ($1, $2, '01', $3, $1, 2, $4, $4, 'amber', '6', '{3A}', '{}')`,
        [notificationId, contact.agency, `REF-${contact.name}`, contact.receivedAt],
      );
      await db.query(`INSERT INTO contact_notification (contact_id, notification_id, child_index, linked_at) VALUES ($1, $2, 0, $3)`, [contactId, notificationId, contact.receivedAt]);
    }
    const decision = contact.decision;
    if (decision) {
      await db.query(
        `INSERT INTO contact_decision (id, contact_id, outcome, primary_need, level_of_need, rationale, decided_by_id, decided_by_name, decided_by_team, decided_at,
                                       signed_off_by_id, signed_off_by_name, signed_off_at, returned_by_name, returned_at, return_reason)
         VALUES ($1, $2, 'early_help', 'N1', 2, 'Family agree to early help; no statutory threshold met.', $3, $3, $4, $5,
                 CASE WHEN $6::boolean THEN 'dee' END, CASE WHEN $6 THEN 'dee.manager' END, CASE WHEN $6 THEN $5::timestamptz + interval '1 hour' END,
                 CASE WHEN $7::boolean THEN 'dee.manager' END, CASE WHEN $7 THEN $5::timestamptz + interval '1 hour' END, CASE WHEN $7 THEN 'Ask the school first.' END)`,
        [randomUUID(), contactId, decision.by ?? 'sam', decision.team, decision.decidedAt, decision.signedOff ?? false, decision.returned ?? false],
      );
    }
  });
  return contactId;
}

describe('the timeliness figures and the sign-off list (Postgres)', () => {
  let module: TestingModule;
  let timeliness: Timeliness;
  let signOffQueue: SignOffQueue;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    await resetDatabase();
    module = await Test.createTestingModule({
      imports: [TypeOrmModule.forRoot(dataSourceOptions(TEST_APP_DATABASE_URL))],
      providers: [AuditTrail, Timeliness, SignOffQueue],
    }).compile();
    timeliness = module.get(Timeliness);
    signOffQueue = module.get(SignOffQueue);

    // The week of 2 to 8 March 2026 (GMT, so London time is UTC). Decided, signed off, and counted:
    ids.a = await seed({ name: 'a', status: 'closed', rag: 'red', agency: 'police', receivedAt: '2026-03-02T09:00Z', dueAt: '2026-03-02T13:00Z', decision: { decidedAt: '2026-03-02T12:00Z', team: 'MASH North', signedOff: true } }); // 180 minutes, on time
    ids.b = await seed({ name: 'b', status: 'closed', rag: 'red', agency: 'health', receivedAt: '2026-03-03T10:00Z', dueAt: '2026-03-03T14:00Z', decision: { decidedAt: '2026-03-03T15:00Z', team: 'MASH North', signedOff: true } }); // 300, late
    ids.c = await seed({ name: 'c', status: 'closed', rag: 'amber', agency: 'police', receivedAt: '2026-03-04T09:00Z', dueAt: '2026-03-05T09:00Z', decision: { decidedAt: '2026-03-04T17:00Z', team: 'MASH South', signedOff: true } }); // 480, on time
    ids.d = await seed({ name: 'd', status: 'closed', rag: 'green', agency: 'education', receivedAt: '2026-03-05T09:00Z', dueAt: '2026-03-10T09:00Z', decision: { decidedAt: '2026-03-06T09:00Z', team: null, signedOff: true } }); // 1440, on time, no team
    // Decided exactly on its deadline (on time), in the last half hour of the period.
    ids.e = await seed({ name: 'e', status: 'closed', rag: 'amber', agency: 'police', receivedAt: '2026-03-06T23:00Z', dueAt: '2026-03-08T23:30Z', decision: { decidedAt: '2026-03-08T23:30Z', team: 'MASH South', signedOff: true } }); // 2910, on time
    ids.f = await seed({ name: 'f', status: 'closed', rag: null, senderUrgency: 'green', agency: 'police', receivedAt: '2026-03-02T09:00Z', dueAt: '2026-03-03T09:00Z', decision: { decidedAt: '2026-03-04T09:00Z', team: 'MASH South', signedOff: true } }); // 2880, late, rated by the sender's urgency
    // Not counted: decided just after the period, just before it, not signed off yet, or returned.
    await seed({ name: 'after', status: 'closed', rag: 'red', agency: 'police', receivedAt: '2026-03-08T22:00Z', dueAt: '2026-03-09T02:00Z', decision: { decidedAt: '2026-03-09T00:00Z', team: 'MASH North', signedOff: true } });
    await seed({ name: 'before', status: 'closed', rag: 'red', agency: 'police', receivedAt: '2026-03-01T20:00Z', dueAt: '2026-03-02T00:00Z', decision: { decidedAt: '2026-03-01T23:59:59Z', team: 'MASH North', signedOff: true } });
    ids.waitingLater = await seed({ name: 'waiting-later', status: 'awaiting_sign_off', rag: 'amber', agency: 'police', receivedAt: '2026-03-03T09:00Z', dueAt: '2099-03-04T09:00Z', decision: { decidedAt: '2026-03-03T12:00Z', team: 'MASH North', by: 'sam' } });
    ids.waitingSooner = await seed({ name: 'waiting-sooner', status: 'awaiting_sign_off', rag: 'red', agency: 'police', receivedAt: '2026-03-05T09:00Z', dueAt: '2026-03-05T13:00Z', decision: { decidedAt: '2026-03-05T12:00Z', team: 'MASH South', by: 'meg' } });
    await seed({ name: 'returned', status: 'awaiting_decision', rag: 'amber', agency: 'police', receivedAt: '2026-03-04T09:00Z', dueAt: '2099-03-05T09:00Z', decision: { decidedAt: '2026-03-04T12:00Z', team: 'MASH North', returned: true } });
    // Waiting now: one past its deadline; one within it; a closed one and one awaiting sign-off past theirs are not waiting.
    ids.late = await seed({ name: 'late', status: 'in_screening', rag: null, senderUrgency: 'red', agency: 'police', receivedAt: '2026-03-01T09:00Z', dueAt: '2026-03-01T13:00Z' });
    await seed({ name: 'in-time', status: 'awaiting_screening', rag: null, agency: 'police', receivedAt: '2026-03-01T09:00Z', dueAt: '2099-03-01T13:00Z' });
  }, 60_000);

  afterAll(async () => {
    await module?.close();
  });

  const week = () => timeliness.report(londonInstant('2026-03-02', 0), londonInstant(nextDate('2026-03-08'), 0), manager);

  it('counts the contacts decided and signed off in the period against their deadlines: in all, by RAG, by referring agency and by team', async () => {
    const report = await week();
    expect(report.from).toBe('2026-03-02T00:00:00.000Z');
    expect(report.to).toBe('2026-03-09T00:00:00.000Z');
    // Minutes to decision: 180, 300, 480, 1440, 2880, 2910; on time: a, c, d, e.
    expect(report.overall).toEqual({ key: 'all', decided: 6, onTime: 4, late: 2, onTimeRate: 0.667, medianMinutesToDecision: 960 });
    expect(report.byRag).toEqual([
      { key: 'amber', decided: 2, onTime: 2, late: 0, onTimeRate: 1, medianMinutesToDecision: 1695 },
      { key: 'green', decided: 2, onTime: 1, late: 1, onTimeRate: 0.5, medianMinutesToDecision: 2160 },
      { key: 'red', decided: 2, onTime: 1, late: 1, onTimeRate: 0.5, medianMinutesToDecision: 240 },
    ]);
    expect(report.byReferringAgency).toEqual([
      { key: 'education', decided: 1, onTime: 1, late: 0, onTimeRate: 1, medianMinutesToDecision: 1440 },
      { key: 'health', decided: 1, onTime: 0, late: 1, onTimeRate: 0, medianMinutesToDecision: 300 },
      { key: 'police', decided: 4, onTime: 3, late: 1, onTimeRate: 0.75, medianMinutesToDecision: 1680 },
    ]);
    expect(report.byTeam).toEqual([
      { key: 'MASH North', decided: 2, onTime: 1, late: 1, onTimeRate: 0.5, medianMinutesToDecision: 240 },
      { key: 'MASH South', decided: 3, onTime: 2, late: 1, onTimeRate: 0.667, medianMinutesToDecision: 2880 },
      { key: 'unrecorded', decided: 1, onTime: 1, late: 0, onTimeRate: 1, medianMinutesToDecision: 1440 },
    ]);
    expect(report.waitingPastDeadline).toBe(1);
  });

  it('gives a period with nothing decided as zeros, not as missing figures', async () => {
    const empty = await timeliness.report(londonInstant('2025-01-01', 0), londonInstant('2025-01-02', 0), manager);
    expect(empty).toMatchObject({ overall: { key: 'all', decided: 0, onTime: 0, late: 0, onTimeRate: null, medianMinutesToDecision: null }, byRag: [], byReferringAgency: [], byTeam: [] });
  });

  it('lists the contacts it counts as waiting past their deadline, and records who looked', async () => {
    const { contacts: waiting, more } = await timeliness.waitingPastDeadline(manager);
    expect(more).toBe(false);
    expect(waiting).toEqual([
      { id: ids.late, number: expect.any(String), status: 'in_screening', rag: 'red', rated: false, decisionDueAt: '2026-03-01T13:00:00.000Z', screener: null },
    ]);
    const [event] = (await withDatabase((db) => db.query("SELECT actor_id, details FROM audit_event WHERE action = 'contacts.listed' ORDER BY sequence DESC LIMIT 1"))).rows;
    expect(event).toMatchObject({ actor_id: 'meg', details: { filters: { waitingPastDeadline: true }, contactIds: [ids.late] } });
  });

  it('lists the decisions awaiting sign-off, the earliest deadline first, with who decided and their team', async () => {
    const { decisions: waiting, more } = await signOffQueue.list(manager);
    expect(more).toBe(false);
    expect(waiting.map((decision) => decision.contactId)).toEqual([ids.waitingSooner, ids.waitingLater]);
    expect(waiting[0]).toMatchObject({ rag: 'red', outcome: 'early_help', primaryNeed: 'N1', levelOfNeed: 2, decidedById: 'meg', decidedByTeam: 'MASH South', decidedAt: '2026-03-05T12:00:00.000Z' });
    const [event] = (await withDatabase((db) => db.query("SELECT details FROM audit_event WHERE action = 'contacts.listed' ORDER BY sequence DESC LIMIT 1"))).rows;
    expect(event.details).toMatchObject({ filters: { status: 'awaiting_sign_off' }, contactIds: [ids.waitingSooner, ids.waitingLater] });
  });

  it('says when a list stops short, rather than leaving the rest unseen', async () => {
    const signOff = await signOffQueue.list(manager, 1);
    expect({ shown: signOff.decisions.map((decision) => decision.contactId), more: signOff.more }).toEqual({ shown: [ids.waitingSooner], more: true });
    const [listed] = (await withDatabase((db) => db.query("SELECT details FROM audit_event WHERE action = 'contacts.listed' ORDER BY sequence DESC LIMIT 1"))).rows;
    // Only what was shown is recorded as seen.
    expect(listed.details.contactIds).toEqual([ids.waitingSooner]);
    await seed({ name: 'later-late', status: 'in_screening', rag: 'amber', agency: 'police', receivedAt: '2026-03-02T09:00Z', dueAt: '2026-03-02T17:00Z' });
    const pastDeadline = await timeliness.waitingPastDeadline(manager, 1);
    expect({ shown: pastDeadline.contacts.map((contact) => contact.id), more: pastDeadline.more }).toEqual({ shown: [ids.late], more: true });
  });
});
