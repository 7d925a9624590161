import { Test, type TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Job } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { hubIntakeQueue, type InformationAnswer } from '#contracts';
import { loadSharingPolicy } from '#sharing';
import { PermanentMessageError, QueueContext } from '#queue-transport';
import { TEST_APP_DATABASE_URL, resetDatabase, withDatabase } from '../../../../test/support/environment.js';
import { AuditTrail } from '../audit/audit-trail.js';
import { HubConfig } from '../config.js';
import { dataSourceOptions } from '../database/data-source.js';
import { SHARING_POLICY } from '../hub.tokens.js';
import { IntakeOrigin } from '../notifications/intake-origin.js';
import { Outbox } from '../outbox/outbox.js';
import { ContactLifecycle } from '../screening/contact-lifecycle.js';
import { ScreeningDesk } from '../screening/screening-desk.js';
import { CaseConsentBook } from '../sharing/case-consent.js';
import { ContactSharing } from '../sharing/contact-sharing.js';
import { ShareDesk } from '../sharing/share-desk.js';
import { InformationAnswerHandler } from './information-answer.handler.js';
import { InformationRequests } from './information-requests.js';

const context = (queue = hubIntakeQueue('police')) =>
  new QueueContext([{ id: randomUUID(), name: 'information_request.answered', queueName: queue, attemptsMade: 0 } as unknown as Job]);

/** A contact awaiting information, with one request sent to police force 01; resolves to their ids. */
async function openRequest(): Promise<{ contactId: string; requestId: string }> {
  const [childId, contactId, shareId, requestId] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  await withDatabase(async (db) => {
    await db.query("INSERT INTO child (id, given_name, family_name, normalised_name, date_of_birth) VALUES ($1, 'Ida', 'Example', 'ida example', '2016-02-03')", [childId]);
    await db.query(
      `INSERT INTO contact (id, child_id, status, rag, sender_urgency, received_at, last_notification_at, notification_count)
       VALUES ($1, $2, 'awaiting_information', 'amber', 'amber', now(), now(), 0)`,
      [contactId, childId],
    );
    await db.query(
      `INSERT INTO share (id, purpose, contact_id, child_id, recipient_agency, recipient_organisation, decision, reasons, requested_by_type, requested_by_id, requested_by_name, correlation_id, created_at, decided_at)
       VALUES ($1, 'information_request', $2, $3, 'police', '01', 'refused', '[]', 'person', 'sam.screener', 'sam.screener', $4, now(), now())`,
      [shareId, contactId, childId, randomUUID()],
    );
    await db.query(
      `INSERT INTO information_request (id, contact_id, child_id, share_id, recipient_agency, recipient_organisation, question, due_at, status, requested_by_id, requested_by_name, requested_at, correlation_id)
       VALUES ($1, $2, $3, $4, 'police', '01', 'What do you hold?', now() + interval '1 hour', 'sent', 'sam.screener', 'sam.screener', now(), $5)`,
      [requestId, contactId, childId, shareId, randomUUID()],
    );
  });
  return { contactId, requestId };
}

const answerTo = (requestId: string, overrides: Partial<InformationAnswer> = {}): InformationAnswer => ({
  answerId: randomUUID(),
  requestId,
  adapterAgency: 'police',
  organisation: '01',
  credentialId: randomUUID(),
  system: 'Exampleshire Police PPN',
  answer: 'Two earlier call-outs this year.',
  answeredAt: new Date().toISOString(),
  ...overrides,
});

const state = (contactId: string, requestId: string) =>
  withDatabase(async (db) => ({
    contact: (await db.query('SELECT status FROM contact WHERE id = $1', [contactId])).rows[0].status as string,
    request: (await db.query('SELECT status, answer, answer_id FROM information_request WHERE id = $1', [requestId])).rows[0] as { status: string; answer: string | null; answer_id: string | null },
    events: (await db.query('SELECT action FROM audit_event WHERE subject_id = ANY($1::uuid[]) ORDER BY sequence', [[contactId, requestId]])).rows.map((row: { action: string }) => row.action),
  }));

describe('partners’ answers at the hub (Postgres)', () => {
  let module: TestingModule;
  let handler: InformationAnswerHandler;

  beforeAll(async () => {
    await resetDatabase();
    module = await Test.createTestingModule({
      imports: [TypeOrmModule.forRoot(dataSourceOptions(TEST_APP_DATABASE_URL))],
      controllers: [InformationAnswerHandler],
      providers: [
        { provide: HubConfig, useValue: new HubConfig() },
        { provide: SHARING_POLICY, useFactory: () => loadSharingPolicy() },
        AuditTrail,
        IntakeOrigin,
        Outbox,
        ShareDesk,
        CaseConsentBook,
        ContactSharing,
        ContactLifecycle,
        ScreeningDesk,
        InformationRequests,
      ],
    }).compile();
    handler = module.get(InformationAnswerHandler);
  });

  afterAll(async () => {
    await module?.close();
  });

  it('records the answer once however often it arrives, and the contact moves on once', async () => {
    const { contactId, requestId } = await openRequest();
    const answer = answerTo(requestId);
    await Promise.all(Array.from({ length: 5 }, () => handler.onAnswer(answer, context())));
    const after = await state(contactId, requestId);
    expect(after.contact).toBe('awaiting_decision');
    expect(after.request).toEqual({ status: 'answered', answer: answer.answer, answer_id: answer.answerId });
    expect(after.events.filter((action) => action === 'information_request.answered')).toHaveLength(1);
    expect(after.events.filter((action) => action === 'contact.state_changed')).toHaveLength(1);
  });

  it("does not record another organisation's answer, and records the refusal", async () => {
    const { contactId, requestId } = await openRequest();
    await handler.onAnswer(answerTo(requestId, { organisation: '02' }), context());
    const after = await state(contactId, requestId);
    expect(after).toMatchObject({ contact: 'awaiting_information', request: { status: 'sent', answer: null } });
    const [refusal] = await withDatabase(
      async (db) => (await db.query(`SELECT details FROM audit_event WHERE action = 'message.refused' AND details->>'requestId' = $1`, [requestId])).rows as { details: Record<string, unknown> }[],
    );
    expect(refusal.details).toMatchObject({ reason: 'not_the_recipient', organisation: '02' });
  });

  it('refuses for good an answer on another agency’s intake queue, recording nothing on the request', async () => {
    const { contactId, requestId } = await openRequest();
    await expect(handler.onAnswer(answerTo(requestId), context(hubIntakeQueue('health')))).rejects.toBeInstanceOf(PermanentMessageError);
    expect((await state(contactId, requestId)).request.status).toBe('sent');
  });

  it('refuses for good an answer that can never be valid', async () => {
    const { contactId, requestId } = await openRequest();
    const error = await handler.onAnswer({ ...answerTo(requestId), answer: '', credentialId: 'nobody' }, context()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentMessageError);
    expect((error as PermanentMessageError).message).toMatch(/answer/);
    expect((await state(contactId, requestId)).request.status).toBe('sent');
  });
});
