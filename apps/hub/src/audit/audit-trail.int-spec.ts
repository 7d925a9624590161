import { Test, type TestingModule } from '@nestjs/testing';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { TEST_APP_DATABASE_URL, resetDatabase, tamperWithAuditTrail, withDatabase } from '../../../../test/support/environment.js';
import { dataSourceOptions } from '../database/data-source.js';
import { AuditTrail, type AuditRecord } from './audit-trail.js';
import { AuditVerifier } from './audit-verifier.js';

const record = (n: number, writer = 'writer'): AuditRecord => ({
  actor: { type: 'person', id: `${writer}`, onBehalfOf: 'screener' },
  action: 'contact.viewed',
  subject: { type: 'contact', id: randomUUID() },
  purpose: 'screening',
  // What COPY's text format must escape and unescape: tabs, newlines, backslashes, and text beyond ASCII.
  details: { n, note: 'a, "quoted"; value\twith a tab\nand a newline, a \\ backslash, Siân and 👍' },
});

describe('the audit trail (Postgres, as the application role)', () => {
  let module: TestingModule;
  let dataSource: DataSource;
  let audit: AuditTrail;
  let verifier: AuditVerifier;

  const append = (records: AuditRecord[]) => dataSource.transaction((manager) => audit.append(manager, records));

  beforeEach(async () => {
    await resetDatabase();
    module = await Test.createTestingModule({
      imports: [TypeOrmModule.forRoot({ ...dataSourceOptions(TEST_APP_DATABASE_URL), extra: { max: 12 } })],
      providers: [AuditTrail, AuditVerifier],
    }).compile();
    dataSource = module.get(getDataSourceToken());
    audit = module.get(AuditTrail);
    verifier = module.get(AuditVerifier);
  });

  afterEach(async () => {
    await module?.close();
  });

  it('refuses the application role any UPDATE, DELETE or TRUNCATE of audit events', async () => {
    await append([record(1), record(2)]);
    for (const sql of [
      "UPDATE audit_event SET actor_id = 'someone-else'",
      'DELETE FROM audit_event',
      'TRUNCATE audit_event',
      'DELETE FROM audit_checkpoint',
    ]) {
      await expect(dataSource.query(sql)).rejects.toThrow(/permission denied/);
    }
    expect((await verifier.verify()).intact).toBe(true);
  });

  it('refuses even the owner, through the trigger', async () => {
    await append([record(1)]);
    await withDatabase(async (db) => {
      await expect(db.query("UPDATE audit_event SET actor_id = 'x'")).rejects.toThrow(/append-only: UPDATE on audit_event refused/);
      await expect(db.query('DELETE FROM audit_event')).rejects.toThrow(/append-only: DELETE on audit_event refused/);
      await expect(db.query('TRUNCATE audit_event')).rejects.toThrow(/append-only: TRUNCATE on audit_event refused/);
    });
  });

  it('hashes ids as Postgres stores them, so an id given in upper case still verifies', async () => {
    const [event] = await append([
      {
        ...record(1),
        subject: { type: 'contact', id: randomUUID().toUpperCase() },
        childId: randomUUID().toUpperCase(),
        correlationId: randomUUID().toUpperCase(),
      },
    ]);
    expect([event.subjectId, event.childId, event.correlationId].every((id) => id === id?.toLowerCase())).toBe(true);
    expect(await verifier.verify()).toMatchObject({ intact: true });
  });

  it('hashes text as Postgres stores it: lone surrogates and NUL characters do not break the chain', async () => {
    // JSON allows "\udc00" and "\u0000" escapes; Postgres stores neither as given.
    const [event] = await append([
      { ...record(1), actor: { type: 'person', id: 'name\udc00\u0000' }, details: { typed: 'a\ud800b\u0000', ['key\udfff']: 1 } },
    ]);
    expect(event.actorId).toBe('name\ufffd\ufffd');
    expect(event.details).toEqual({ typed: 'a\ufffdb\ufffd', 'key\ufffd': 1 });
    expect(await verifier.verify()).toMatchObject({ intact: true });
  });

  it('refuses an id that is not a UUID before writing anything', async () => {
    await expect(append([record(1), { ...record(2), childId: 'not-a-uuid' }])).rejects.toThrow(/not a UUID/);
    expect(await withDatabase(async (db) => (await db.query('SELECT count(*)::int AS n FROM audit_event')).rows[0].n)).toBe(0);
  });

  it('refuses to write outside a transaction', async () => {
    await expect(audit.append(dataSource.manager, [record(1)])).rejects.toThrow(/in the transaction of the change/);
  });

  it('8 concurrent writers of 1,000 events each make one unbroken chain of 8,000', async () => {
    await Promise.all(
      Array.from({ length: 8 }, async (_, writer) => {
        for (let i = 0; i < 1000; i++) await append([record(i, `writer-${writer}`)]);
      }),
    );
    expect(await verifier.verify()).toEqual({ intact: true, from: '1', to: '8000', verified: 8000 });
    const shape = await withDatabase(async (db) => (await db.query(
      `SELECT count(*)::int AS events, count(DISTINCT previous_hash)::int AS predecessors,
              min(sequence)::int AS first, max(sequence)::int AS last,
              (SELECT count(*)::int FROM audit_event GROUP BY actor_id LIMIT 1) AS per_writer
         FROM audit_event`,
    )).rows[0]);
    // No two events share a predecessor, and there are no gaps.
    expect(shape).toEqual({ events: 8000, predecessors: 8000, first: 1, last: 8000, per_writer: 1000 });
  }, 120_000);

  it('a writer that read the head before another moved it waits, then chains after it', async () => {
    await append([record(1)]);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let first!: () => void;
    const firstAppended = new Promise<void>((resolve) => (first = resolve));
    // The first writer appends and keeps its transaction open, holding the head.
    const holder = dataSource.transaction(async (manager) => {
      await audit.append(manager, [record(2, 'holder'), record(3, 'holder')]);
      first();
      await held;
    });
    await firstAppended;
    // The second reads the head as committed (1), finds it taken, and must not fork from 1.
    const follower = append([record(4, 'follower')]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    release();
    await holder;
    const [event] = await follower;
    expect(event.sequence).toBe('4');
    expect(await verifier.verify()).toEqual({ intact: true, from: '1', to: '4', verified: 4 });
  });

  it('a change that rolls back leaves no audit event and the head where it was', async () => {
    await append([record(1)]);
    await expect(
      dataSource.transaction(async (manager) => {
        await audit.append(manager, [record(2), record(3)]);
        throw new Error('the business change failed');
      }),
    ).rejects.toThrow('the business change failed');
    const state = await withDatabase(async (db) => ({
      events: Number((await db.query('SELECT count(*) FROM audit_event')).rows[0].count),
      head: (await db.query('SELECT sequence FROM audit_chain_head')).rows[0].sequence,
    }));
    expect(state).toEqual({ events: 1, head: '1' });
    await append([record(4)]);
    expect(await verifier.verify()).toMatchObject({ intact: true, to: '2' });
  });

  describe('detects tampering and names the first bad sequence', () => {
    beforeEach(async () => {
      for (let batch = 0; batch < 4; batch++) await append(Array.from({ length: 5 }, (_, i) => record(batch * 5 + i)));
      expect(await verifier.verify()).toMatchObject({ intact: true, to: '20' });
    });

    it('an edited field', async () => {
      await tamperWithAuditTrail("UPDATE audit_event SET details = details || '{\"n\": 999}' WHERE sequence = 7");
      expect(await verifier.verify()).toMatchObject({ intact: false, firstBroken: { sequence: '7', kind: 'hash' } });
    });

    it('a deleted event', async () => {
      await tamperWithAuditTrail('DELETE FROM audit_event WHERE sequence = 11');
      expect(await verifier.verify()).toMatchObject({ intact: false, firstBroken: { sequence: '11', kind: 'sequence' } });
    });

    it('an inserted event', async () => {
      // Make room at 9 by renumbering, then forge an event there with a self-consistent hash.
      await tamperWithAuditTrail('UPDATE audit_event SET sequence = sequence + 1000 WHERE sequence >= 9');
      await tamperWithAuditTrail('UPDATE audit_event SET sequence = sequence - 999 WHERE sequence >= 1009');
      await tamperWithAuditTrail(
        `INSERT INTO audit_event SELECT 9, occurred_at, actor_type, 'forger', on_behalf_of, action, subject_type, subject_id, child_id,
                purpose, lawful_basis, correlation_id, details, previous_hash, hash FROM audit_event WHERE sequence = 8`,
      );
      expect(await verifier.verify()).toMatchObject({ intact: false, firstBroken: { sequence: '9' } });
    });

    it('two swapped events', async () => {
      await tamperWithAuditTrail('UPDATE audit_event SET sequence = -1 WHERE sequence = 14');
      await tamperWithAuditTrail('UPDATE audit_event SET sequence = 14 WHERE sequence = 15');
      await tamperWithAuditTrail('UPDATE audit_event SET sequence = 15 WHERE sequence = -1');
      expect(await verifier.verify()).toMatchObject({ intact: false, firstBroken: { sequence: '14', kind: 'previous_hash' } });
    });

    it('a dropped tail, against a checkpoint the auditor kept', async () => {
      const [head] = await dataSource.query('SELECT sequence, hash FROM audit_chain_head');
      const checkpoint = { sequence: head.sequence as string, hash: (head.hash as string).trim() };
      await tamperWithAuditTrail('DELETE FROM audit_event WHERE sequence > 16');
      // Without the checkpoint the shorter chain looks whole; with it, the cut shows.
      expect(await verifier.verify()).toMatchObject({ intact: true, to: '16' });
      expect(await verifier.verify({ checkpoint })).toMatchObject({
        intact: false,
        firstBroken: { sequence: '17', kind: 'truncated' },
      });
    });

    it('verifies a range, anchored on the event before it', async () => {
      expect(await verifier.verify({ from: 6n, to: 12n })).toEqual({ intact: true, from: '6', to: '12', verified: 7 });
      await tamperWithAuditTrail("UPDATE audit_event SET actor_id = 'x' WHERE sequence = 3");
      expect(await verifier.verify({ from: 6n })).toMatchObject({ intact: true });
      expect(await verifier.verify({ from: 1n, to: 5n })).toMatchObject({ intact: false, firstBroken: { sequence: '3' } });
    });
  });
});
