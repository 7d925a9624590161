import { Injectable } from '@nestjs/common';
import type { EntityManager, QueryDeepPartialEntity } from 'typeorm';
import { AuditEvent, type ActorType } from './audit-event.entity.js';

export interface Actor {
  type: ActorType;
  id: string;
  onBehalfOf?: string;
}

export interface AuditRecord {
  actor: Actor;
  action: string;
  subject: { type: string; id: string };
  childId?: string | null;
  purpose?: string;
  lawfulBasis?: string;
  correlationId?: string | null;
  details?: Record<string, unknown>;
}

/** The hub itself, acting on a partner's message. */
export function hubActing(onBehalfOf?: string): Actor {
  return { type: 'hub', id: 'mash-hub', onBehalfOf };
}

/**
 * Records acts on personal data. Always called with the transaction's entity
 * manager, so an event commits with the change it records or not at all.
 */
@Injectable()
export class AuditTrail {
  async record(manager: EntityManager, record: AuditRecord): Promise<void> {
    await manager.insert(AuditEvent, {
      occurredAt: new Date(),
      actorType: record.actor.type,
      actorId: record.actor.id,
      onBehalfOf: record.actor.onBehalfOf ?? null,
      action: record.action,
      subjectType: record.subject.type,
      subjectId: record.subject.id,
      childId: record.childId ?? null,
      purpose: record.purpose ?? null,
      lawfulBasis: record.lawfulBasis ?? null,
      correlationId: record.correlationId ?? null,
      // jsonb: TypeORM's partial-entity type cannot express an open record.
      details: (record.details ?? {}) as QueryDeepPartialEntity<Record<string, unknown>>,
    });
  }
}
