import { Injectable } from '@nestjs/common';
import type { EntityManager, QueryDeepPartialEntity } from 'typeorm';
import { hashEvent, type ChainedEvent, type UnhashedEvent } from '#audit';
import { canonicalUuid } from '#contracts';
import { AuditEvent, type ActorType } from './audit-event.entity.js';

export interface Actor {
  type: ActorType;
  /** A stable id: a person's subject at their issuer (never a display name), a system's id. */
  id: string;
  onBehalfOf?: string | null;
  /** Who vouched for a person (the hub, or the council's identity provider); kept in details as actorIssuer. */
  issuer?: string;
  /** The name the person showed at the time, which may change; kept in details as actorName. */
  name?: string;
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
  'dead_letters.replayed',
  'outbox.parked_listed',
  'outbox.retried',
  'login.succeeded',
  'login.failed',
  'logout',
  'token.refused',
  'account.created',
  'access.denied',
  'message.refused',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** The actor's issuer and display name, when it has them, in the details (hashed with the rest). */
function withActorIdentity(record: AuditRecord): Record<string, unknown> {
  const { issuer, name } = record.actor;
  if (issuer === undefined && name === undefined) return record.details ?? {};
  return { ...record.details, actorIssuer: issuer ?? null, actorName: name ?? null };
}

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
        actorId: storedText(record.actor.id),
        onBehalfOf: record.actor.onBehalfOf == null ? null : storedText(record.actor.onBehalfOf),
        action: record.action,
        subjectType: record.subject?.type ?? null,
        // The hash must cover exactly what is stored, and Postgres keeps a uuid in lower case.
        subjectId: storedUuid(record.subject?.id),
        childId: storedUuid(record.childId),
        purpose: record.purpose == null ? null : storedText(record.purpose),
        lawfulBasis: record.lawfulBasis == null ? null : storedText(record.lawfulBasis),
        correlationId: storedUuid(record.correlationId),
        // A JSON round trip now, so what is hashed is exactly what jsonb will give back.
        details: JSON.parse(JSON.stringify(withActorIdentity(record)), (_, value: unknown) => storedJson(value)) as Record<string, unknown>,
        previousHash,
      };
      const event: ChainedEvent = { ...unhashed, hash: hashEvent(unhashed) };
      previousHash = event.hash;
      return event;
    });

    await manager
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
      .execute();
    await manager.query('UPDATE audit_chain_head SET sequence = $1, hash = $2 WHERE id = 1', [sequence.toString(), previousHash]);
    return events;
  }

  record(manager: EntityManager, record: AuditRecord): Promise<ChainedEvent[]> {
    return this.append(manager, [record]);
  }
}

/**
 * Text as Postgres will give it back. It stores UTF-8 without NUL: the driver
 * turns a lone surrogate into U+FFFD and the server refuses NUL, so both become
 * U+FFFD here, before hashing, rather than silently differ from the hash or
 * fail the act being recorded (a sign-in with a name typed with a stray escape).
 */
function storedText(text: string): string {
  return text.replace(NOT_STORABLE, '\ufffd');
}
const NOT_STORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** JSON.parse reviver: keys and string values as jsonb will keep them. */
function storedJson(value: unknown): unknown {
  if (typeof value === 'string') return storedText(value);
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [storedText(key), entry]));
  }
  return value;
}

/** A uuid column's value as Postgres will give it back. */
function storedUuid(id: string | null | undefined): string | null {
  return id == null ? null : canonicalUuid(id);
}
