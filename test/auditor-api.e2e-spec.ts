import { randomUUID } from 'node:crypto';
import { get } from 'node:http';
import request from 'supertest';
import { GENESIS_HASH, hashEvent, verifyChain, type ChainedEvent, type UnhashedEvent } from '#audit';
import {
  TEST_APP_DATABASE_URL,
  TEST_REDIS_URL,
  deleteRedisKeys,
  resetDatabase,
  uniquePrefix,
  waitFor,
  withDatabase,
} from './support/environment.js';
import { issueTestCredential } from './support/partner-credentials.js';
import { APPS, AppProcess, hubEnv } from './support/processes.js';
import { DEVELOPMENT_PASSWORD } from '../apps/hub/src/access/staff-accounts.js';
import { policeNotice } from './support/police-notices.js';
import { asStaff, staff } from './support/staff.js';

const prefix = uniquePrefix();
const police = await issueTestCredential(prefix, 'police');
const env = { DATABASE_URL: TEST_APP_DATABASE_URL, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix };
let hub: AppProcess;
let adapter: AppProcess;

/** A screener whose id a spreadsheet would take for a formula. */
const formulaScreener = await asStaff('@mal.screener', ['screener']);
/** What a share to a partner by a member of staff records (that feature is not built yet): a basis with commas. */
const SHARE_BASIS = 'article6:public_task, article9:dpa2018_sch8_para4_safeguarding; children_act_2004_s47';

interface Submission {
  notificationId: string;
  correlationId: string;
  contactId: string;
  childId: string;
}
let ava: Submission;
let ben: Submission;

/** An event as the API gives it: every column, camelCased. */
type EventView = ChainedEvent;

function noticeAbout(forename: string, surname: string, nhsNumber: string) {
  const base = policeNotice();
  // Not domestic abuse: an Operation Encompass share would add events these counts are not about.
  return { ...base, incident: { ...base.incident, domesticAbuse: false }, children: [{ ...base.children[0], forename, surname, nhsNumber }] };
}

/** Submits a notice and waits for its contact, reading the database (not the API, which would record a view). */
async function submit(notice: ReturnType<typeof noticeAbout>): Promise<Submission> {
  const submitted = await request(adapter.url).post('/notifications').set(police.headers).send(notice).expect(202);
  const { notificationId, correlationId } = submitted.body;
  const contact = await waitFor('the notice to open a contact', () =>
    withDatabase(async (db) => {
      const rows = await db.query(
        'SELECT c.id, c.child_id FROM contact_notification cn JOIN contact c ON c.id = cn.contact_id WHERE cn.notification_id = $1',
        [notificationId],
      );
      return rows.rows[0] as { id: string; child_id: string } | undefined;
    }),
  );
  return { notificationId, correlationId, contactId: contact.id, childId: contact.child_id };
}

/** Appends events to the chain as the hub would (head locked, each hashed over its predecessor). */
async function appendEvents(events: Partial<UnhashedEvent>[]): Promise<ChainedEvent[]> {
  return withDatabase(async (db) => {
    await db.query('BEGIN');
    try {
      const head = (await db.query('SELECT sequence, hash FROM audit_chain_head WHERE id = 1 FOR UPDATE')).rows[0];
      let sequence = BigInt(head.sequence);
      let previousHash: string = head.hash;
      const occurredAt = new Date().toISOString();
      const chained = events.map((event) => {
        sequence += 1n;
        const unhashed: UnhashedEvent = {
          occurredAt,
          actorType: 'person',
          actorId: 'someone',
          onBehalfOf: null,
          action: 'login.succeeded',
          subjectType: null,
          subjectId: null,
          childId: null,
          purpose: null,
          lawfulBasis: null,
          correlationId: null,
          details: {},
          ...event,
          sequence: sequence.toString(),
          previousHash,
        };
        const chainedEvent = { ...unhashed, hash: hashEvent(unhashed) };
        previousHash = chainedEvent.hash;
        return chainedEvent;
      });
      const rows = chained.map((e) => ({
        sequence: e.sequence,
        occurred_at: e.occurredAt,
        actor_type: e.actorType,
        actor_id: e.actorId,
        on_behalf_of: e.onBehalfOf,
        action: e.action,
        subject_type: e.subjectType,
        subject_id: e.subjectId,
        child_id: e.childId,
        purpose: e.purpose,
        lawful_basis: e.lawfulBasis,
        correlation_id: e.correlationId,
        details: e.details,
        previous_hash: e.previousHash,
        hash: e.hash,
      }));
      await db.query(
        `INSERT INTO audit_event SELECT * FROM jsonb_to_recordset($1::jsonb) AS e(
           sequence bigint, occurred_at timestamptz, actor_type varchar, actor_id varchar, on_behalf_of varchar,
           action varchar, subject_type varchar, subject_id uuid, child_id uuid, purpose varchar, lawful_basis varchar,
           correlation_id uuid, details jsonb, previous_hash char(64), hash char(64))`,
        [JSON.stringify(rows)],
      );
      await db.query('UPDATE audit_chain_head SET sequence = $1, hash = $2 WHERE id = 1', [sequence.toString(), previousHash]);
      await db.query('COMMIT');
      return chained;
    } catch (error) {
      await db.query('ROLLBACK');
      throw error;
    }
  });
}

/** The truth, straight from the table, oldest first. */
const sequencesWhere = (where: string, params: unknown[] = []) =>
  withDatabase(async (db) =>
    (await db.query(`SELECT sequence FROM audit_event WHERE ${where} ORDER BY sequence`, params)).rows.map(
      (row: { sequence: string }) => row.sequence,
    ),
  );

const latestEvent = () =>
  withDatabase(async (db) => (await db.query('SELECT * FROM audit_event ORDER BY sequence DESC LIMIT 1')).rows[0]);

const auditorEventCount = () =>
  withDatabase(async (db) => Number((await db.query("SELECT count(*) FROM audit_event WHERE action LIKE 'audit.%'")).rows[0].count));

async function search(query: Record<string, unknown>): Promise<{ items: EventView[]; page: number; pageSize: number; total: number }> {
  const response = await request(hub.url).get('/api/audit/events').set(staff.auditor).query({ pageSize: 200, ...query }).expect(200);
  return response.body;
}

async function exportText(query: Record<string, string>) {
  const response = await fetch(`${hub.url}/api/audit/events/export?${new URLSearchParams(query)}`, { headers: staff.auditor });
  expect(response.status).toBe(200);
  return { headers: response.headers, text: await response.text() };
}

/** A strict RFC 4180 reader: an unquoted empty field is null, a quoted one the empty string. */
function parseCsv(text: string): (string | null)[][] {
  const rows: (string | null)[][] = [];
  let row: (string | null)[] = [];
  let i = 0;
  while (i < text.length) {
    let field: string | null;
    if (text[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"' && text[i + 1] === '"') {
          value += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else value += text[i++];
      }
      field = value;
    } else {
      let end = i;
      while (end < text.length && text[end] !== ',' && text[end] !== '\r') end++;
      field = end === i ? null : text.slice(i, end);
      if (field && /["\n]/.test(field)) throw new Error(`unquoted field with a quote or line feed: ${field}`);
      i = end;
    }
    row.push(field);
    if (text[i] === ',') {
      i++;
    } else if (text.startsWith('\r\n', i)) {
      rows.push(row);
      row = [];
      i += 2;
    } else throw new Error(`unexpected ${JSON.stringify(text[i])} at ${i}`);
  }
  return rows;
}

/** CSV rows back to events, undoing the formula guard as the API documents. */
function csvEvents(text: string): ChainedEvent[] {
  const [header, ...rows] = parseCsv(text);
  const unguard = (field: string | null) => (field !== null && field.startsWith("'") ? field.slice(1) : field);
  return rows.map((row) => {
    const f = Object.fromEntries(header.map((name, index) => [name, unguard(row[index])]));
    return {
      sequence: f.sequence!,
      occurredAt: f.occurred_at!,
      actorType: f.actor_type!,
      actorId: f.actor_id!,
      onBehalfOf: f.on_behalf_of,
      action: f.action!,
      subjectType: f.subject_type,
      subjectId: f.subject_id,
      childId: f.child_id,
      purpose: f.purpose,
      lawfulBasis: f.lawful_basis,
      correlationId: f.correlation_id,
      details: JSON.parse(f.details!),
      previousHash: f.previous_hash!,
      hash: f.hash!,
    };
  });
}

const ndjsonEvents = (text: string): EventView[] =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));

async function* each<T>(items: T[]) {
  yield* items;
}

beforeAll(async () => {
  await resetDatabase();
  hub = new AppProcess('hub', APPS.hub, hubEnv({ ...env, LOG_LEVEL: 'log' }), 3320);
  adapter = new AppProcess('police-adapter', APPS.policeAdapter, { ...env, LOG_LEVEL: 'warn' }, 3321);
  await Promise.all([hub.ready(), adapter.ready()]);

  // Two children, one after the other, so each submission's events form a block of the chain.
  ava = await submit(noticeAbout('Ava', 'Testwood', '9990000743'));
  ben = await submit(noticeAbout('Ben', 'Sampleton', '9990001111'));
  await request(hub.url).get(`/api/contacts/${ava.contactId}`).set(staff.screener).expect(200);
  await request(hub.url).get('/api/contacts').set(staff.screener).expect(200);
  await request(hub.url).get('/api/contacts').set(formulaScreener).expect(200);
  await appendEvents([
    {
      actorId: 'sam.screener',
      onBehalfOf: 'screener',
      action: 'information.shared',
      subjectType: 'contact',
      subjectId: ava.contactId,
      childId: ava.childId,
      purpose: 'safeguarding enquiry',
      lawfulBasis: SHARE_BASIS,
      details: { recipient: 'health', contactId: ava.contactId },
    },
  ]);
}, 60_000);

afterAll(async () => {
  const stopped = await Promise.all([hub?.stop(), adapter?.stop()]);
  expect(stopped).toEqual([
    { code: null, signal: 'SIGTERM' },
    { code: null, signal: 'SIGTERM' },
  ]);
  await deleteRedisKeys(prefix);
});

describe('searching the audit trail', () => {
  it("finds a built-in account's acts by its username as well as by its id", async () => {
    const login = await request(hub.url).post('/api/auth/login').send({ username: 'meg.manager', password: DEVELOPMENT_PASSWORD }).expect(200);
    await request(hub.url).get('/api/contacts').set({ authorization: `Bearer ${login.body.accessToken}` }).expect(200);
    const [{ id }] = (await withDatabase((db) => db.query("SELECT id::text FROM staff_account WHERE username = 'meg.manager'"))).rows;
    const byName = await search({ actor: 'meg.manager' });
    expect(byName.items.map((e) => [e.actorId, e.action])).toEqual([[id, 'login.succeeded'], [id, 'contacts.listed']]);
    expect((await search({ actor: id })).items).toEqual(byName.items);
    // A name no account has finds nothing, rather than failing.
    expect((await search({ actor: 'nobody.here' })).items).toEqual([]);
  });

  it('finds exactly the events matching each filter, oldest first', async () => {
    const cases: [Record<string, string>, string, unknown[]?][] = [
      [{ childId: ava.childId }, 'child_id = $1', [ava.childId]],
      [{ agency: 'police' }, "on_behalf_of = 'police' OR details->>'recipient' = 'police'"],
      [{ agency: 'health' }, "details->>'recipient' = 'health'"],
      [{ actor: 'sam.screener' }, "actor_id = 'sam.screener'"],
      [{ action: 'contact.viewed' }, "action = 'contact.viewed'"],
      [{ correlationId: ava.correlationId }, 'correlation_id = $1', [ava.correlationId]],
    ];
    const found: Record<string, EventView[]> = {};
    for (const [query, where, params] of cases) {
      const expected = await sequencesWhere(where, params);
      const page = await search(query);
      expect({ query, sequences: page.items.map((e) => e.sequence) }).toEqual({ query, sequences: expected });
      expect(page.total).toBe(expected.length);
      found[Object.keys(query)[0] + (query.agency ?? '')] = page.items;
    }

    const actions = (items: EventView[]) => items.map((e) => e.action);
    expect(actions(found.childId)).toEqual(['child.created', 'contact.created', 'contact.viewed', 'information.shared']);
    expect(found.childId.every((e) => e.childId === ava.childId)).toBe(true);
    // The police sent two notices; the hub acted on each for the police and acknowledged each to it.
    expect(actions(found.agencypolice).filter((a) => a === 'notification.received')).toHaveLength(2);
    expect(actions(found.agencypolice).filter((a) => a === 'information.shared')).toHaveLength(2);
    expect(found.agencypolice.some((e) => e.actorType === 'person')).toBe(false);
    // Health sent nothing: it appears only as the recipient of a share.
    expect(found.agencyhealth).toMatchObject([{ actorId: 'sam.screener', action: 'information.shared', details: { recipient: 'health' } }]);
    expect(actions(found.actor)).toEqual(['contact.viewed', 'contacts.listed', 'information.shared']);
    expect(found.action).toMatchObject([{ actorId: 'sam.screener', childId: ava.childId, subjectId: ava.contactId }]);
    // The submission's own events, in the order the intake wrote them (it may write others besides).
    const submission = actions(found.correlationId);
    const landmarks = ['notification.received', 'child.created', 'contact.created', 'information.shared'].map((a) => submission.indexOf(a));
    expect(landmarks.every((index, i) => index >= 0 && (i === 0 || index > landmarks[i - 1]))).toBe(true);
    expect(found.correlationId.every((e) => e.correlationId === ava.correlationId)).toBe(true);
    expect(found.correlationId[0]).toEqual({
      sequence: expect.stringMatching(/^\d+$/),
      occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      actorType: 'agency_system',
      actorId: 'police-adapter',
      onBehalfOf: 'police',
      action: 'notification.received',
      subjectType: 'notification',
      subjectId: ava.notificationId,
      childId: null,
      purpose: 'safeguarding notification',
      lawfulBasis: expect.stringContaining('article6:public_task; '),
      correlationId: ava.correlationId,
      details: expect.objectContaining({ sourceAgency: 'police', children: 1 }),
      previousHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it('takes a from/to window: from inclusive, to exclusive, offsets honoured', async () => {
    const [avaReceived] = (await search({ correlationId: ava.correlationId, action: 'notification.received' })).items;
    const [benReceived] = (await search({ correlationId: ben.correlationId, action: 'notification.received' })).items;
    // The same instant as Ben's, written at +01:00.
    const to = new Date(Date.parse(benReceived.occurredAt) + 3_600_000).toISOString().replace('Z', '+01:00');
    const window = await search({ from: avaReceived.occurredAt, to });
    const avaSubmission = await sequencesWhere('correlation_id = $1', [ava.correlationId]);
    expect(window.items.map((e) => e.sequence)).toEqual(avaSubmission);

    const fromBen = await search({ from: benReceived.occurredAt, correlationId: ben.correlationId });
    expect(fromBen.total).toBe((await sequencesWhere('correlation_id = $1', [ben.correlationId])).length);
    // `to` is exclusive: what came before Ava's notice (the development accounts' creation), not the notice itself.
    const beforeAva = await search({ to: avaReceived.occurredAt });
    expect(beforeAva.items.map((e) => e.sequence)).toEqual(await sequencesWhere('occurred_at < $1', [avaReceived.occurredAt]));
    expect(beforeAva.items.map((e) => e.action)).not.toContain('notification.received');
  });

  it('pages: page 2 of size 1 is the second event, with the total of all pages', async () => {
    const all = await sequencesWhere('child_id = $1', [ava.childId]);
    expect(all.length).toBeGreaterThan(2);
    const page = await search({ childId: ava.childId, page: 2, pageSize: 1 });
    expect(page).toMatchObject({ page: 2, pageSize: 1, total: all.length });
    expect(page.items.map((e) => e.sequence)).toEqual([all[1]]);
    const beyond = await search({ childId: ava.childId, page: 1000, pageSize: 50 });
    expect(beyond).toMatchObject({ items: [], total: all.length + 1 }); // the previous search is about Ava too
  });

  it('refuses invalid filters, naming every one, and records nothing', async () => {
    const before = await auditorEventCount();
    const bad = await request(hub.url)
      .get('/api/audit/events')
      .set(staff.auditor)
      .query({
        childId: 'not-a-uuid',
        action: 'contact.eaten',
        agency: 'mi5',
        actor: '',
        from: 'yesterday',
        correlationId: '1234',
        page: 0,
        pageSize: 201,
        colour: 'blue',
      })
      .expect(400);
    expect(bad.body.message).toBe('The request has 9 invalid fields');
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'action',
      'actor',
      'agency',
      'childId',
      'colour',
      'correlationId',
      'from',
      'page',
      'pageSize',
    ]);

    const backwards = await request(hub.url)
      .get('/api/audit/events')
      .set(staff.auditor)
      .query({ from: '2026-03-02T10:00:00Z', to: '2026-03-02T09:59:59Z' })
      .expect(400);
    expect(backwards.body.errors).toEqual([{ path: 'to', message: 'to must not be earlier than from' }]);
    const noZone = await request(hub.url).get('/api/audit/events').set(staff.auditor).query({ to: '2026-03-02T09:59:59' }).expect(400);
    expect(noZone.body.errors.map((e: { path: string }) => e.path)).toEqual(['to']);
    // 10:00+01:00 is 09:00Z: earlier than 09:30Z, so this window is the right way round.
    await request(hub.url).get('/api/audit/events').set(staff.auditor).query({ from: '2026-03-02T10:00:00+01:00', to: '2026-03-02T09:30:00Z' }).expect(200);

    const badExport = await request(hub.url).get('/api/audit/events/export').set(staff.auditor).query({ format: 'xml', page: 1 }).expect(400);
    expect(badExport.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['format', 'page']);
    const noFormat = await request(hub.url).get('/api/audit/events/export').set(staff.auditor).expect(400);
    expect(noFormat.body.errors.map((e: { path: string }) => e.path)).toEqual(['format']);
    const badChild = await request(hub.url).get('/api/audit/children/not-a-uuid/access').set(staff.auditor).expect(400);
    expect(badChild.body.errors.map((e: { path: string }) => e.path)).toEqual(['childId']);

    expect(await auditorEventCount()).toBe(before + 1); // only the one valid search
  });
});

describe('exporting the audit trail', () => {
  it('streams the same events as the search, as CSV that parses back and as NDJSON', async () => {
    const searched = await search({ agency: 'police' });

    const csv = await exportText({ format: 'csv', agency: 'police' });
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="audit-events-\d{8}T\d{6}Z\.csv"$/);
    const [header] = parseCsv(csv.text);
    expect(header).toEqual([
      'sequence',
      'occurred_at',
      'actor_type',
      'actor_id',
      'on_behalf_of',
      'action',
      'subject_type',
      'subject_id',
      'child_id',
      'purpose',
      'lawful_basis',
      'correlation_id',
      'details',
      'previous_hash',
      'hash',
    ]);
    const fromCsv = csvEvents(csv.text);
    expect(fromCsv.map((e) => e.sequence)).toEqual(searched.items.map((e) => e.sequence));
    // Every column comes back as the search gave it: details through JSON in one quoted field, nulls as nulls.
    expect(fromCsv).toEqual(searched.items);
    expect(csv.text).toContain(',"{""');

    const ndjson = await exportText({ format: 'ndjson', agency: 'police' });
    expect(ndjson.headers.get('content-type')).toBe('application/x-ndjson');
    expect(ndjson.headers.get('content-disposition')).toMatch(/^attachment; filename="audit-events-\d{8}T\d{6}Z\.ndjson"$/);
    expect(ndjsonEvents(ndjson.text)).toEqual(searched.items);
  });

  it('quotes a lawful basis with commas', async () => {
    const csv = await exportText({ format: 'csv', agency: 'health' });
    expect(csv.text).toContain(`,"${SHARE_BASIS}",`);
    expect(csvEvents(csv.text).map((e) => e.lawfulBasis)).toEqual([SHARE_BASIS]);
  });

  it('exports the whole trail so it verifies offline, formula-guarded CSV included', async () => {
    const ndjson = ndjsonEvents((await exportText({ format: 'ndjson' })).text);
    const csvText = (await exportText({ format: 'csv' })).text;
    const csv = csvEvents(csvText);

    const verifiedNdjson = await verifyChain(each(ndjson), { from: 1n, previousHash: GENESIS_HASH });
    expect(verifiedNdjson).toEqual({ intact: true, from: '1', to: String(ndjson.length), verified: ndjson.length });
    // The CSV export came later, so it holds the NDJSON export's own audit event too.
    const verifiedCsv = await verifyChain(each(csv), { from: 1n, previousHash: GENESIS_HASH });
    expect(verifiedCsv).toEqual({ intact: true, from: '1', to: String(csv.length), verified: csv.length });
    expect(csv.length).toBe(ndjson.length + 1);

    // The id a spreadsheet would run is guarded in the file, and restored for the hash check.
    expect(csvText).toContain(",'@mal.screener,");
    expect(csv.filter((e) => e.actorId === '@mal.screener')).toHaveLength(1);
    // Tampering shows: the check is not vacuous.
    const tampered = csv.map((e) => (e.actorId === '@mal.screener' ? { ...e, actorId: 'mal.screener' } : e));
    expect(await verifyChain(each(tampered), { from: 1n, previousHash: GENESIS_HASH })).toMatchObject({
      intact: false,
      firstBroken: { kind: 'hash' },
    });
  });
});

describe("a child's access history", () => {
  it('names who viewed and shared the record, with counts', async () => {
    const response = await request(hub.url).get(`/api/audit/children/${ava.childId}/access`).set(staff.auditor).expect(200);
    const access = response.body;
    expect(access.childId).toBe(ava.childId);
    const actor = (id: string) => access.actors.find((a: { actorId: string }) => a.actorId === id);
    expect(actor('sam.screener')).toEqual({
      actorType: 'person',
      actorId: 'sam.screener',
      onBehalfOf: 'screener',
      views: 2,
      shares: 1,
      other: 0,
      firstAt: expect.any(String),
      lastAt: expect.any(String),
      actions: { 'contact.viewed': 1, 'contacts.listed': 1, 'information.shared': 1 },
    });
    expect(actor('@mal.screener')).toMatchObject({ views: 1, shares: 0, other: 0, actions: { 'contacts.listed': 1 } });
    expect(actor('police-adapter')).toMatchObject({
      actorType: 'agency_system',
      onBehalfOf: 'police',
      views: 0,
      shares: 1,
      actions: { 'notification.received': 1 },
    });
    expect(actor('mash-hub')).toMatchObject({
      actorType: 'hub',
      onBehalfOf: 'police',
      views: 0,
      shares: 1,
      other: 2,
      actions: { 'child.created': 1, 'contact.created': 1, 'information.shared': 1 },
    });
    // Auditors who searched Ava's trail show too, with nothing but audit actions.
    expect(actor('ada.auditor').views + actor('ada.auditor').shares).toBe(0);
    expect(Object.keys(actor('ada.auditor').actions).every((a) => a.startsWith('audit.'))).toBe(true);
    expect(actor('sam.screener').firstAt <= actor('sam.screener').lastAt).toBe(true);

    // Newest first; Ava's notification is in, Ben's is not.
    const sequences = access.events.map((e: EventView) => Number(e.sequence));
    expect(sequences).toEqual([...sequences].sort((a, b) => b - a));
    const subjects = access.events.map((e: EventView) => e.subjectId);
    expect(subjects).toContain(ava.notificationId);
    expect(subjects).not.toContain(ben.notificationId);
    const total = Object.values(access.actors as { actions: Record<string, number> }[])
      .flatMap((a) => Object.values(a.actions))
      .reduce((sum, n) => sum + n, 0);
    expect(access.events).toHaveLength(total);
  });

  it("counts only the listing for a child whose contact nobody opened", async () => {
    const response = await request(hub.url).get(`/api/audit/children/${ben.childId}/access`).set(staff.auditor).expect(200);
    const screener = response.body.actors.find((a: { actorId: string }) => a.actorId === 'sam.screener');
    expect(screener).toMatchObject({ views: 1, shares: 0, actions: { 'contacts.listed': 1 } });
    expect(response.body.events.map((e: EventView) => e.action)).not.toContain('contact.viewed');
  });

  it("includes the records of a child merged into this one, and not once the merge is undone", async () => {
    const accessOf = async (childId: string) => (await request(hub.url).get(`/api/audit/children/${childId}/access`).set(staff.auditor).expect(200)).body;
    const subjectsOf = (access: { events: EventView[] }) => access.events.map((e) => e.subjectId);
    // Ben's record found to be Ava's: merged into hers, as the identity desk records a link.
    const mergeId = randomUUID();
    await withDatabase((db) =>
      db.query(
        `INSERT INTO child_merge (id, surviving_child_id, merged_child_id, moved_contact_ids, moved_share_ids, merged_by_id, merged_by_name, merged_at)
         VALUES ($1, $2, $3, '{}', '{}', 'meg', 'meg.manager', now())`,
        [mergeId, ava.childId, ben.childId],
      ),
    );
    try {
      const merged = await accessOf(ava.childId);
      expect(subjectsOf(merged)).toEqual(expect.arrayContaining([ava.notificationId, ben.notificationId]));
      expect(merged.events.filter((e: EventView) => e.action === 'child.created').map((e: EventView) => e.subjectId).sort()).toEqual([ava.childId, ben.childId].sort());
      await withDatabase((db) => db.query(`UPDATE child_merge SET unmerged_at = now(), unmerged_by_id = 'meg', unmerged_by_name = 'meg.manager' WHERE id = $1`, [mergeId]));
      expect(subjectsOf(await accessOf(ava.childId))).not.toContain(ben.notificationId);
    } finally {
      await withDatabase((db) => db.query('DELETE FROM child_merge WHERE id = $1', [mergeId]));
    }
  });

  it('answers 404 for a child no event concerns, even after an auditor searched for it', async () => {
    const stranger = randomUUID();
    expect((await search({ childId: stranger })).total).toBe(0);
    const before = await auditorEventCount();
    await request(hub.url).get(`/api/audit/children/${stranger}/access`).set(staff.auditor).expect(404);
    expect(await auditorEventCount()).toBe(before);
  });
});

describe("auditors' own reads", () => {
  it('record each search, export and access view, naming the auditor and what was asked', async () => {
    const adapterEvents = await sequencesWhere("actor_id = 'police-adapter'");
    const page = await search({ actor: 'police-adapter', pageSize: 1 });
    expect(page.items.map((e) => e.sequence)).toEqual([adapterEvents[0]]);
    expect(adapterEvents.length).toBeGreaterThan(1);
    const searched = await latestEvent();
    expect(searched).toMatchObject({
      actor_type: 'person',
      actor_id: 'ada.auditor',
      on_behalf_of: 'auditor',
      action: 'audit.searched',
      purpose: 'audit',
      child_id: null,
      details: {
        filters: { childId: null, agency: null, actor: 'police-adapter', action: null, from: null, to: null, correlationId: null },
        page: 1,
        pageSize: 1,
        total: adapterEvents.length,
        sequences: [adapterEvents[0]],
      },
    });

    await search({ childId: ava.childId, action: 'contact.viewed' });
    expect(await latestEvent()).toMatchObject({ action: 'audit.searched', child_id: ava.childId });

    // An export is recorded before it streams, and covers the events before its own.
    const exported = ndjsonEvents((await exportText({ format: 'ndjson', action: 'audit.exported' })).text);
    const exportEvent = await latestEvent();
    expect(exportEvent).toMatchObject({
      actor_id: 'ada.auditor',
      action: 'audit.exported',
      details: { format: 'ndjson', filters: { action: 'audit.exported', childId: null } },
    });
    expect(exported.length).toBeGreaterThan(0);
    expect(exported.every((e) => BigInt(e.sequence) < BigInt(exportEvent.sequence))).toBe(true);

    const access = (await request(hub.url).get(`/api/audit/children/${ava.childId}/access`).set(staff.auditor).expect(200)).body;
    expect(await latestEvent()).toMatchObject({
      actor_id: 'ada.auditor',
      action: 'audit.child_access_viewed',
      subject_type: 'child',
      subject_id: ava.childId,
      child_id: ava.childId,
      details: { actors: access.actors.length, sequences: access.events.map((e: EventView) => e.sequence) },
    });
  });

  it('are refused to a screener (403) and to the unnamed (401)', async () => {
    const routes = ['/api/audit/events', '/api/audit/events/export?format=csv', `/api/audit/children/${ava.childId}/access`];
    const before = await auditorEventCount();
    for (const route of routes) {
      await request(hub.url).get(route).set(staff.screener).expect(403);
      await request(hub.url).get(route).set(staff.admin).expect(403);
      const unnamed = await request(hub.url).get(route).expect(401);
      expect(unnamed.body.message).toMatch(/Authorization: Bearer/);
    }
    expect(await auditorEventCount()).toBe(before);
  });

  it('are described in the OpenAPI document', async () => {
    const docs = (await request(hub.url).get('/docs/openapi.json').expect(200)).body;
    expect(Object.keys(docs.paths)).toEqual(
      expect.arrayContaining(['/api/audit/events', '/api/audit/events/export', '/api/audit/children/{childId}/access']),
    );
    expect(docs.components.schemas.AuditEventPage).toBeDefined();
    expect(docs.components.schemas.ChildAccess).toBeDefined();
  });
});

describe('a long export', () => {
  const LOAD = 2_345; // crosses two 1,000-row batch boundaries, ending mid-batch

  beforeAll(async () => {
    await appendEvents(Array.from({ length: LOAD }, (_, i) => ({ actorId: 'load.tester', onBehalfOf: 'screener', details: { n: i } })));
  });

  it('streams every row across batches, in order, once', async () => {
    const ndjson = ndjsonEvents((await exportText({ format: 'ndjson', actor: 'load.tester' })).text);
    expect(ndjson.map((e) => e.details.n)).toEqual(Array.from({ length: LOAD }, (_, i) => i));
    const sequences = ndjson.map((e) => Number(e.sequence));
    expect(sequences.every((s, i) => i === 0 || s === sequences[i - 1] + 1)).toBe(true);
    expect(csvEvents((await exportText({ format: 'csv', actor: 'load.tester' })).text)).toHaveLength(LOAD);
  });

  it('stops reading when the client disconnects', async () => {
    const total = Number((await search({ pageSize: 1 })).total);
    // Read the first chunk, then hang up.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = get(`${hub.url}/api/audit/events/export?format=csv`, { headers: staff.auditor }, (response) => {
        response.once('data', () => {
          req.destroy();
          resolve(response.statusCode);
        });
      });
      req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
    });
    expect(status).toBe(200);
    const line = await waitFor('the hub to stop the export', async () =>
      hub.output.find((l) => /audit export \d+ stopped: the client disconnected after \d+ events/.test(l)),
    );
    const sent = Number(/after (\d+) events/.exec(line)![1]);
    expect(sent).toBeLessThan(total);
    // And the hub carries on.
    await request(hub.url).get('/api/audit/events').set(staff.auditor).query({ pageSize: 1 }).expect(200);
  });
});
