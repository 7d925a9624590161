import { Test, type TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { validateMessage } from '#contracts';
import { TEST_APP_DATABASE_URL, resetDatabase, withDatabase } from '../../../../test/support/environment.js';
import type { StaffMember } from '../access/staff.js';
import { AuditTrail } from '../audit/audit-trail.js';
import { dataSourceOptions } from '../database/data-source.js';
import { CaseConsentBook } from '../sharing/case-consent.js';
import { ContactQueries } from './contact-queries.js';
import { CONTACT_COUNT_LIMIT, ListContactsQuery } from './contact.dto.js';

const screener: StaffMember = { id: 'sam', name: 'sam.screener', roles: ['screener'], issuer: 'mash-hub' } as StaffMember;

const AGENCY_CYCLE = ['police', 'health', 'education', 'housing', 'probation'];

/**
 * `count` contacts for as many children; every third shares its receipt time with the one before, to
 * test ties. Deadlines run the other way (the newest is due first), every fourth shares its deadline with
 * the one before, and every seventh has none yet. Referring agencies take turns.
 */
async function seedContacts(count: number, { from = 0, status = 'awaiting_screening' } = {}): Promise<void> {
  const series = `generate_series(${from + 1}, ${from + count}) i`;
  await withDatabase((db) =>
    db.query(`
      INSERT INTO child (id, given_name, family_name, normalised_name, date_of_birth)
        SELECT md5('child' || i)::uuid, 'Child', 'Number', 'child number' || i, date '2015-01-01' FROM ${series};
      INSERT INTO contact (id, child_id, status, sender_urgency, received_at, last_notification_at, notification_count, decision_due_at, referring_agency)
        SELECT md5('contact' || i)::uuid, md5('child' || i)::uuid, '${status}', 'amber',
               timestamptz '2026-03-01T00:00:00.123456Z' + make_interval(secs => i - i % 3), now(), 1,
               CASE WHEN i % 7 = 0 THEN NULL ELSE timestamptz '2026-04-01T00:00:00.654321Z' - make_interval(secs => i - i % 4) END,
               (ARRAY['${AGENCY_CYCLE.join("','")}'])[i % 5 + 1]
        FROM ${series};`),
  );
}

describe('the screeners’ queue (Postgres)', () => {
  let module: TestingModule;
  let queries: ContactQueries;

  const list = async (query: Partial<ListContactsQuery>) => queries.list(await validateMessage(ListContactsQuery, query), screener);

  beforeEach(async () => {
    await resetDatabase();
    module = await Test.createTestingModule({
      imports: [TypeOrmModule.forRoot(dataSourceOptions(TEST_APP_DATABASE_URL))],
      providers: [AuditTrail, CaseConsentBook, ContactQueries],
    }).compile();
    queries = module.get(ContactQueries);
  });

  afterEach(async () => {
    await module?.close();
  });

  /** Every page of a query, following `next`; in between, `meanwhile` may change the queue. */
  async function everyPage(query: Partial<ListContactsQuery>, meanwhile: (page: number) => Promise<void> = async () => {}) {
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await list({ ...query, ...(after && { after }) });
      seen.push(...page.items.map((item) => item.id));
      after = page.next ?? undefined;
      await meanwhile(pages);
      pages += 1;
    } while (after && pages < 100);
    return { seen, pages };
  }

  const idsInOrder = (sql: string, params: unknown[] = []) => withDatabase(async (db) => (await db.query(sql, params)).rows.map((r: { id: string }) => r.id));

  it('shows a contact as one moment: a change committing while it is read is shown whole, not half', async () => {
    await seedContacts(1);
    const id = (await idsInOrder('SELECT id FROM contact'))[0];
    const shown = await withDatabase(async (writer) => {
      // A change to the contact under its row lock, as the lifecycle makes every change, not yet committed.
      await writer.query('BEGIN');
      await writer.query("UPDATE contact SET status = 'in_screening' WHERE id = $1", [id]);
      const reading = queries.get(id, screener);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await writer.query(
        `INSERT INTO rag_change (id, contact_id, from_rag, to_rag, reason, changed_by_id, changed_by_name, changed_at) VALUES (gen_random_uuid(), $1, NULL, 'red', 'Injury seen by the school nurse.', 'sam', 'sam.screener', now())`,
        [id],
      );
      await writer.query('COMMIT');
      return reading;
    });
    // Read after the change: its status and its RAG history together, never one without the other.
    expect(shown).toMatchObject({ status: 'in_screening', ragHistory: [{ to: 'red', reason: 'Injury seen by the school nurse.' }] });
  });

  it('pages newest first after the last contact shown: every contact once, ties and microseconds included, whatever arrives meanwhile', async () => {
    await seedContacts(50);
    const { seen, pages } = await everyPage({ status: 'open', sort: 'newest', pageSize: 7 }, async (page) => {
      // A newer contact arriving mid-way belongs before the first page: it must not push one onto the next page twice.
      if (page === 2) await seedContacts(1, { from: 1000 });
    });
    expect(pages).toBe(8);
    expect(new Set(seen).size).toBe(50);
    expect(seen).toEqual(await idsInOrder("SELECT id FROM contact WHERE id <> md5('contact1001')::uuid ORDER BY received_at DESC, id DESC"));
  });

  it('pages open contacts by deadline by default, soonest first, those not yet due last: every contact once, ties and microseconds included', async () => {
    await seedContacts(50);
    await seedContacts(10, { from: 100, status: 'closed' });
    const first = await list({ status: 'open', pageSize: 6 });
    expect(first).toMatchObject({ sort: 'deadline', total: 50, totalIsExact: true });
    const { seen, pages } = await everyPage({ status: 'open', pageSize: 6 });
    expect(pages).toBe(9);
    expect(seen).toEqual(
      await idsInOrder(`SELECT id FROM contact WHERE status = 'awaiting_screening' ORDER BY decision_due_at ASC NULLS LAST, id ASC`),
    );
    // The seven without a deadline come last, each once.
    expect(seen.slice(-7)).toEqual(await idsInOrder(`SELECT id FROM contact WHERE decision_due_at IS NULL AND status = 'awaiting_screening' ORDER BY id`));
    // Any status waiting in the MASH sorts by deadline too; closed contacts and all of them newest first.
    expect((await list({ status: 'in_screening' })).sort).toBe('deadline');
    expect((await list({ status: 'closed' })).sort).toBe('newest');
    expect((await list({})).sort).toBe('newest');
  });

  it('keeps its place when a contact’s deadline moves between pages: none shown twice, none that stayed put skipped', async () => {
    await seedContacts(30);
    const moved: string[] = [];
    const { seen } = await everyPage({ status: 'open', pageSize: 5 }, async (page) => {
      if (page !== 1) return;
      // A screener re-rates a contact not yet shown so it is due sooner than everything shown: it belongs before the reader's place now.
      const [{ id }] = (await withDatabase((db) =>
        db.query(`UPDATE contact SET decision_due_at = timestamptz '2026-01-01' WHERE id = (SELECT id FROM contact WHERE decision_due_at IS NOT NULL ORDER BY decision_due_at DESC, id DESC LIMIT 1) RETURNING id`),
      )).rows;
      moved.push(id);
    });
    expect(new Set(seen).size).toBe(seen.length);
    const all = await idsInOrder('SELECT id FROM contact');
    expect(all.filter((id) => !seen.includes(id))).toEqual(moved);
  });

  it('filters by referring agency under either sort, paging through each agency’s contacts once', async () => {
    await seedContacts(40);
    for (const sort of ['deadline', 'newest'] as const) {
      const { seen } = await everyPage({ status: 'open', agency: 'health', sort, pageSize: 3 });
      const order = sort === 'deadline' ? 'decision_due_at ASC NULLS LAST, id ASC' : 'received_at DESC, id DESC';
      expect(seen).toEqual(await idsInOrder(`SELECT id FROM contact WHERE referring_agency = 'health' ORDER BY ${order}`));
      expect(seen).toHaveLength(8);
    }
    const page = await list({ agency: 'probation', status: 'open' });
    expect(page.items.every((item) => item.referringAgency === 'probation')).toBe(true);
    expect(page.total).toBe(8);
    // The filters and the sort are in the audit trail with what was shown.
    const [listed] = (await withDatabase((db) => db.query("SELECT details FROM audit_event WHERE action = 'contacts.listed' ORDER BY sequence DESC LIMIT 1"))).rows;
    expect(listed.details.filters).toEqual({ status: 'open', rag: null, repeat: null, agency: 'probation', sort: 'deadline', after: null, pageSize: 25 });
  });

  it('counts at most a limited number, and says when the total is not exact', async () => {
    await seedContacts(CONTACT_COUNT_LIMIT + 5);
    const page = await list({ status: 'open' });
    expect(page).toMatchObject({ total: CONTACT_COUNT_LIMIT, totalIsExact: false });
    expect(page.items).toHaveLength(25);
    expect(await list({ status: 'closed' })).toMatchObject({ total: 0, totalIsExact: true, items: [], next: null });
  });

  it('refuses a cursor it did not hand out, or one handed out for the other sort, and an unknown sort or agency, with a clear message', async () => {
    await seedContacts(5);
    const newest = await list({ sort: 'newest', pageSize: 2 });
    for (const after of ['2026-03-01', '0b8e7f2c-3d4a-4e5f-8a9b-1c2d3e4f5a6b', 'page-2', Buffer.from('["newest","yesterday","x"]').toString('base64url')]) {
      await expect(validateMessage(ListContactsQuery, { after })).rejects.toThrow(/after must be the previous page's next/);
    }
    await expect(validateMessage(ListContactsQuery, { status: 'open', after: newest.next })).rejects.toThrow(
      /after was handed out for the queue sorted by newest, not by deadline: start again from the first page/,
    );
    await expect(validateMessage(ListContactsQuery, { sort: 'oldest' })).rejects.toThrow(/sort must be one of deadline, newest/);
    await expect(validateMessage(ListContactsQuery, { agency: 'fire' })).rejects.toThrow(/agency must be a referring agency: one of police, health, education, housing, probation/);
  });
});
