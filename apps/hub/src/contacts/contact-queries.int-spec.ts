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

/** `count` contacts for as many children; every third shares its receipt time with the one before, to test ties. */
async function seedContacts(count: number, { from = 0, status = 'awaiting_screening' } = {}): Promise<void> {
  const series = `generate_series(${from + 1}, ${from + count}) i`;
  await withDatabase((db) =>
    db.query(`
      INSERT INTO child (id, given_name, family_name, normalised_name, date_of_birth)
        SELECT md5('child' || i)::uuid, 'Child', 'Number', 'child number' || i, date '2015-01-01' FROM ${series};
      INSERT INTO contact (id, child_id, status, sender_urgency, received_at, last_notification_at, notification_count)
        SELECT md5('contact' || i)::uuid, md5('child' || i)::uuid, '${status}', 'amber',
               timestamptz '2026-03-01T00:00:00.123456Z' + make_interval(secs => i - i % 3), now(), 1
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

  it('pages newest first after the last contact shown: every contact once, ties and microseconds included, whatever arrives meanwhile', async () => {
    await seedContacts(50);
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await list({ status: 'open', pageSize: 7, ...(after && { after }) });
      seen.push(...page.items.map((item) => item.id));
      expect(page).toMatchObject({ total: pages < 3 ? 50 : 51, totalIsExact: true, pageSize: 7 });
      after = page.next ?? undefined;
      // A newer contact arriving mid-way belongs before the first page: it must not push one onto the next page twice.
      if (pages === 2) await seedContacts(1, { from: 1000 });
      pages += 1;
    } while (after);
    expect(pages).toBe(8);
    expect(new Set(seen).size).toBe(50);
    const order = await withDatabase(async (db) =>
      (await db.query("SELECT id FROM contact WHERE id <> md5('contact1001')::uuid ORDER BY received_at DESC, id DESC")).rows.map((r) => r.id),
    );
    expect(seen).toEqual(order);
  });

  it('counts at most a limited number, and says when the total is not exact', async () => {
    await seedContacts(CONTACT_COUNT_LIMIT + 5);
    const page = await list({ status: 'open' });
    expect(page).toMatchObject({ total: CONTACT_COUNT_LIMIT, totalIsExact: false });
    expect(page.items).toHaveLength(25);
    expect(await list({ status: 'closed' })).toMatchObject({ total: 0, totalIsExact: true, items: [], next: null });
  });

  it('refuses a cursor it did not hand out, with a clear message', async () => {
    await expect(validateMessage(ListContactsQuery, { after: '2026-03-01' })).rejects.toThrow(/after must be the previous page's next/);
    await expect(list({ after: '0b8e7f2c-3d4a-4e5f-8a9b-1c2d3e4f5a6b' })).rejects.toThrow(/there is no contact 0b8e7f2c/);
  });
});
