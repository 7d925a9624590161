import { Injectable } from '@nestjs/common';
import type { EntityManager, QueryDeepPartialEntity } from 'typeorm';
import { hashEvent, type ChainedEvent, type UnhashedEvent } from '#audit';
import { AuditEvent, type ActorType } from './audit-event.entity.js';

export interface Actor {
  type: ActorType;
  id: string;
  onBehalfOf?: string | null;
}

export interface AuditRecord {
  actor: Actor;
  action: AuditAction;
  /** The record acted on; omit for an act on many records, and list them in details. */
  subject?: { type: string; id: string };
  childId?: string | null;
  purpose?: string;
  lawfulBasis?: string;
  correlationId?: string | null;
  details?: Record<string, unknown>;
}

/** Every kind of act the trail records. */
export const AUDIT_ACTIONS = [
  'notification.received',
  'child.created',
  'child.matched',
  'contact.created',
  'contact.linked',
  'contact.viewed',
  'contacts.listed',
  'information.shared',
  'information.refused',
  'consent.recorded',
  'consent.overridden',
  'rag.changed',
  'decision.recorded',
  'audit.searched',
  'audit.exported',
  'audit.verified',
  'audit.checkpointed',
  'audit.child_access_viewed',
  'dead_letters.listed',
  'dead_letter.replayed',
  'login.succeeded',
  'login.failed',
  'logout',
  'token.refused',
  'account.created',
  'access.denied',
  'message.refused',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** The hub itself, acting on a partner's message. */
export function hubActing(onBehalfOf?: string): Actor {
  return { type: 'hub', id: 'mash-hub', onBehalfOf };
}

/**
 * Appends events to the chain in the caller's transaction, so an event
 * commits with the change it records or not at all. Appending locks the chain
 * head until that transaction ends, so writers take turns: call it once, as
 * late as the change allows, with all of the change's events.
 */
@Injectable()
export class AuditTrail {
  async append(manager: EntityManager, records: AuditRecord[]): Promise<ChainedEvent[]> {
    if (!records.length) return [];
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('audit events must be written in the transaction of the change they record');
    }
    const [head] = (await manager.query('SELECT sequence, hash FROM audit_chain_head WHERE id = 1 FOR UPDATE')) as {
      sequence: string;
      hash: string;
    }[];
    if (!head) throw new Error('the audit chain has no head row: run the migrations');

    let sequence = BigInt(head.sequence);
    let previousHash = head.hash;
    const occurredAt = new Date().toISOString();
    const events = records.map((record) => {
      sequence += 1n;
      const unhashed: UnhashedEvent = {
        sequence: sequence.toString(),
        occurredAt,
        actorType: record.actor.type,
        actorId: record.actor.id,
        onBehalfOf: record.actor.onBehalfOf ?? null,
        action: record.action,
        subjectType: record.subject?.type ?? null,
        subjectId: record.subject?.id ?? null,
        childId: record.childId ?? null,
        purpose: record.purpose ?? null,
        lawfulBasis: record.lawfulBasis ?? null,
        correlationId: record.correlationId ?? null,
        // A JSON round trip now, so what is hashed is exactly what jsonb will give back.
        details: JSON.parse(JSON.stringify(record.details ?? {})) as Record<string, unknown>,
        previousHash,
      };
      const event: ChainedEvent = { ...unhashed, hash: hashEvent(unhashed) };
      previousHash = event.hash;
      return event;
    });

    const [insertSql, insertParameters] = manager
      .createQueryBuilder()
      .insert()
      .into(AuditEvent)
      .values(
        events.map((event) => ({
          ...event,
          actorType: event.actorType as ActorType,
          occurredAt: new Date(event.occurredAt),
          // jsonb: TypeORM's partial-entity type cannot express an open record.
          details: event.details as QueryDeepPartialEntity<Record<string, unknown>>,
        })),
      )
      .getQueryAndParameters();
    // The events and the new head in one statement: one round trip fewer while the head is locked,
    // and every other appender waits for this lock until the caller's transaction commits.
    const headParameter = insertParameters.length + 1;
    await manager.query(
      `WITH appended AS (${insertSql})
       UPDATE audit_chain_head SET sequence = $${headParameter}, hash = $${headParameter + 1} WHERE id = 1`,
      [...insertParameters, sequence.toString(), previousHash],
    );
    return events;
  }

  record(manager: EntityManager, record: AuditRecord): Promise<ChainedEvent[]> {
    return this.append(manager, [record]);
  }
}
