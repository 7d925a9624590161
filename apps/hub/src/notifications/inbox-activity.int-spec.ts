import { Test, type TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Job } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { hubIntakeQueue, type InboxActivity } from '#contracts';
import { PermanentMessageError, QueueContext } from '#queue-transport';
import { TEST_APP_DATABASE_URL, resetDatabase, withDatabase } from '../../../../test/support/environment.js';
import { AuditTrail } from '../audit/audit-trail.js';
import { dataSourceOptions } from '../database/data-source.js';
import { InboxActivityHandler } from './inbox-activity.handler.js';
import { IntakeOrigin } from './intake-origin.js';

const context = (queue = hubIntakeQueue('police')) =>
  new QueueContext([{ id: randomUUID(), name: 'inbox.activity', queueName: queue, attemptsMade: 0 } as unknown as Job]);

const report = (overrides: Partial<InboxActivity> = {}): InboxActivity => ({
  activityId: randomUUID(),
  adapterAgency: 'police',
  organisation: '01',
  credentialId: randomUUID(),
  event: 'delivered',
  messages: [{ messageId: randomUUID(), kind: 'notification.accepted', correlationId: randomUUID() }],
  occurredAt: new Date().toISOString(),
  ...overrides,
});

const events = (messageId: string) =>
  withDatabase(
    async (db) =>
      (
        await db.query("SELECT action, details FROM audit_event WHERE subject_type = 'outbox_message' AND subject_id = $1 ORDER BY sequence", [
          messageId,
        ])
      ).rows as { action: string; details: Record<string, unknown> }[],
  );

describe('inbox activity (Postgres)', () => {
  let module: TestingModule;
  let handler: InboxActivityHandler;

  beforeAll(async () => {
    await resetDatabase();
    module = await Test.createTestingModule({
      imports: [TypeOrmModule.forRoot(dataSourceOptions(TEST_APP_DATABASE_URL))],
      controllers: [InboxActivityHandler],
      providers: [AuditTrail, IntakeOrigin],
    }).compile();
    handler = module.get(InboxActivityHandler);
  });

  afterAll(async () => {
    await module?.close();
  });

  it('records each act once per organisation and message, however many reports arrive together', async () => {
    const first = report();
    const [message] = first.messages;
    const copies = [first, ...Array.from({ length: 7 }, () => report({ ...first, activityId: randomUUID() }))];
    await Promise.all(copies.map((copy) => handler.onActivity(copy, context())));
    const acknowledged = report({ ...first, activityId: randomUUID(), event: 'acknowledged' });
    await Promise.all([acknowledged, acknowledged, acknowledged].map((copy) => handler.onActivity(copy, context())));

    expect(await events(message.messageId)).toEqual([
      { action: 'inbox.delivered', details: expect.objectContaining({ organisation: '01', credentialId: first.credentialId, messageId: message.messageId }) },
      { action: 'inbox.acknowledged', details: expect.objectContaining({ organisation: '01', messageId: message.messageId }) },
    ]);
  });

  it('records a page of messages in one report, each once, skipping those already recorded', async () => {
    const known = report();
    await handler.onActivity(known, context());
    const page = report({ messages: [...known.messages, ...report().messages, ...report().messages] });
    await handler.onActivity(page, context());
    for (const message of page.messages) expect(await events(message.messageId)).toHaveLength(1);
  });

  it('refuses for good a report that can never be valid, with every path, recording nothing', async () => {
    const bad = { ...report(), organisation: 'RJ1', credentialId: 'nobody', messages: [{ messageId: 'x', kind: 'Accepted!', correlationId: randomUUID() }] };
    const error = await handler.onActivity(bad, context()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PermanentMessageError);
    const paths = ((error as PermanentMessageError).details as { path: string }[]).map((e) => e.path).sort();
    expect(paths).toEqual(['credentialId', 'messages[0].kind', 'messages[0].messageId', 'organisation']);
    const count = await withDatabase(async (db) => Number((await db.query("SELECT count(*) FROM audit_event WHERE details->>'credentialId' = 'nobody'")).rows[0].count));
    expect(count).toBe(0);
  });

  it("refuses a report that claims another agency than its queue's", async () => {
    const claimed = report({ adapterAgency: 'health', organisation: 'RJ1' });
    await expect(handler.onActivity(claimed, context())).rejects.toThrow(/claiming to be from health arrived on the police intake queue/);
    expect(await events(claimed.messages[0].messageId)).toEqual([]);
  });

  it("records a push as a delivery by the adapter, once, and not again when a system lists the message", async () => {
    const pushed = report({ credentialId: null, channel: 'push' });
    const [message] = pushed.messages;
    await Promise.all([pushed, { ...pushed, activityId: randomUUID() }].map((copy) => handler.onActivity(copy, context())));
    await handler.onActivity(report({ messages: [message] }), context());
    const recorded = await withDatabase(
      async (db) =>
        (await db.query("SELECT actor_type, actor_id, on_behalf_of, details FROM audit_event WHERE subject_type = 'outbox_message' AND subject_id = $1", [message.messageId]))
          .rows as { actor_type: string; actor_id: string; on_behalf_of: string; details: Record<string, unknown> }[],
    );
    expect(recorded).toEqual([
      {
        actor_type: 'agency_system',
        actor_id: 'police-adapter',
        on_behalf_of: 'police',
        details: expect.objectContaining({ channel: 'push', credentialId: null, organisation: '01', messageId: message.messageId }),
      },
    ]);
  });

  it('refuses for good a pushed acknowledgement, and a pull without a credential, recording nothing', async () => {
    const acknowledgedByPush = report({ credentialId: null, channel: 'push', event: 'acknowledged' });
    await expect(handler.onActivity(acknowledgedByPush, context())).rejects.toThrow(
      new PermanentMessageError(`inbox activity ${acknowledgedByPush.activityId}: a push can only be a delivery, not acknowledged`),
    );
    const noCredential = report({ credentialId: null });
    const error = await handler.onActivity(noCredential, context()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PermanentMessageError);
    expect(((error as PermanentMessageError).details as { path: string }[]).map((e) => e.path)).toEqual(['credentialId']);
    const wrongChannel = await handler.onActivity(report({ channel: 'carrier-pigeon' as 'push' }), context()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(((wrongChannel as PermanentMessageError).details as { path: string }[]).map((e) => e.path)).toEqual(['channel']);
    for (const refused of [acknowledgedByPush, noCredential]) expect(await events(refused.messages[0].messageId)).toEqual([]);
  });
});
