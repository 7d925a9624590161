import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { hashEvent, type ChainedEvent, type UnhashedEvent } from '#audit';
import { asStoredText, canonicalUuid } from '#contracts';
import type { ActorType } from './audit-event.entity.js';

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
  'inbox.delivered',
  'inbox.acknowledged',
  'consent.recorded',
  'consent.overridden',
  'owner_agreement.recorded',
  'shares.listed',
  'alert.raised',
  'alerts.listed',
  'alert.resolved',
  'rag.changed',
  'decision.recorded',
  'decision.signed_off',
  'decision.returned',
  'contact.state_changed',
  'contact.routed',
  'deadline.escalated',
  'information_request.sent',
  'information_request.refused',
  'information_request.answered',
  'information_request.withdrawn',
  'information_requests.listed',
  'allocation.updated',
  'allocation.ended',
  'allocations.imported',
  'timeliness.viewed',
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
  'partner_credential.issued',
  'partner_credential.revoked',
  'login.succeeded',
  'login.failed',
  'logout',
  'token.refused',
  'account.created',
  'access.denied',
  'message.refused',
  'identity.possible_match',
  'possible_matches.listed',
  'possible_match.viewed',
  'identity.kept_apart',
  'child.merged',
  'child.unmerged',
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
 *
 * The head is read without a lock and the events are chained from it; one
 * statement then moves the head only if it is still what was read, and
 * inserts the events only if it moved. So the head is locked from that
 * statement to the commit, not for a round trip to the hub and back before it.
 * If another writer moved the head first, the append waits for it, locks the
 * head and chains again from there: never a fork, never a gap.
 */
@Injectable()
export class AuditTrail {
  async append(manager: EntityManager, records: AuditRecord[]): Promise<ChainedEvent[]> {
    if (!records.length) return [];
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('audit events must be written in the transaction of the change they record');
    }
    const occurredAt = new Date().toISOString();
    const seen = await this.readHead(manager, '');
    const events = chain(records, seen, occurredAt);
    if (await this.moveHead(manager, seen, events)) return events;

    const locked = await this.readHead(manager, 'FOR UPDATE');
    const rechained = chain(records, locked, occurredAt);
    if (!(await this.moveHead(manager, locked, rechained))) {
      throw new Error('the audit chain head moved while this transaction held its lock');
    }
    return rechained;
  }

  private async readHead(manager: EntityManager, lock: '' | 'FOR UPDATE'): Promise<ChainHead> {
    const [head] = (await manager.query(`SELECT sequence, hash FROM audit_chain_head WHERE id = 1 ${lock}`)) as ChainHead[];
    if (!head) throw new Error('the audit chain has no head row: run the migrations');
    return head;
  }

  /** Moves the head from `from` to the last event and inserts the events, or does neither; says which. */
  private async moveHead(manager: EntityManager, from: ChainHead, events: ChainedEvent[]): Promise<boolean> {
    const last = events[events.length - 1];
    const rows = events.map((event) => ({
      sequence: event.sequence,
      occurred_at: event.occurredAt,
      actor_type: event.actorType,
      actor_id: event.actorId,
      on_behalf_of: event.onBehalfOf,
      action: event.action,
      subject_type: event.subjectType,
      subject_id: event.subjectId,
      child_id: event.childId,
      purpose: event.purpose,
      lawful_basis: event.lawfulBasis,
      correlation_id: event.correlationId,
      details: event.details,
      previous_hash: event.previousHash,
      hash: event.hash,
    }));
    const columns = Object.keys(rows[0]).join(', ');
    const [{ appended }] = (await manager.query(
      `WITH moved AS (
         UPDATE audit_chain_head SET sequence = $1, hash = $2 WHERE id = 1 AND sequence = $3 AND hash = $4 RETURNING id),
       appended AS (
         INSERT INTO audit_event (${columns})
         SELECT ${columns} FROM jsonb_populate_recordset(NULL::audit_event, $5::jsonb) WHERE EXISTS (SELECT 1 FROM moved)
         RETURNING sequence)
       SELECT count(*)::int AS appended FROM appended`,
      [last.sequence, last.hash, from.sequence, from.hash, JSON.stringify(rows)],
    )) as { appended: number }[];
    if (appended !== 0 && appended !== events.length) throw new Error(`appended ${appended} of ${events.length} audit events`);
    return appended === events.length;
  }

  record(manager: EntityManager, record: AuditRecord): Promise<ChainedEvent[]> {
    return this.append(manager, [record]);
  }
}

interface ChainHead {
  sequence: string;
  hash: string;
}

/** The records as events following `head`, hashed. */
function chain(records: AuditRecord[], head: ChainHead, occurredAt: string): ChainedEvent[] {
  let sequence = BigInt(head.sequence);
  let previousHash = head.hash;
  return records.map((record) => {
    sequence += 1n;
    const unhashed: UnhashedEvent = {
      sequence: sequence.toString(),
      occurredAt,
      actorType: record.actor.type,
      // Text as Postgres will give it back (it stores no NUL, and the driver rewrites an unpaired surrogate),
      // so the hash covers what is stored rather than fail the act or differ from it.
      actorId: asStoredText(record.actor.id),
      onBehalfOf: record.actor.onBehalfOf == null ? null : asStoredText(record.actor.onBehalfOf),
      action: record.action,
      subjectType: record.subject?.type ?? null,
      // The hash must cover exactly what is stored, and Postgres keeps a uuid in lower case.
      subjectId: storedUuid(record.subject?.id),
      childId: storedUuid(record.childId),
      purpose: record.purpose == null ? null : asStoredText(record.purpose),
      lawfulBasis: record.lawfulBasis == null ? null : asStoredText(record.lawfulBasis),
      correlationId: storedUuid(record.correlationId),
      // A JSON round trip now, so what is hashed is exactly what jsonb will give back.
      details: JSON.parse(JSON.stringify(withActorIdentity(record)), (_, value: unknown) => storedJson(value)) as Record<string, unknown>,
      previousHash,
    };
    const event: ChainedEvent = { ...unhashed, hash: hashEvent(unhashed) };
    previousHash = event.hash;
    return event;
  });
}

/** JSON.parse reviver: keys and string values as jsonb will keep them. */
function storedJson(value: unknown): unknown {
  if (typeof value === 'string') return asStoredText(value);
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [asStoredText(key), entry]));
  }
  return value;
}

/** A uuid column's value as Postgres will give it back. */
function storedUuid(id: string | null | undefined): string | null {
  return id == null ? null : canonicalUuid(id);
}

/** An act on a contact, as the trail records it: about the contact and its child. */
export function contactEvent(
  actor: Actor,
  action: AuditAction,
  contact: { id: string; childId: string },
  purpose: string,
  details: Record<string, unknown>,
  lawfulBasis?: string,
): AuditRecord {
  return { actor, action, subject: { type: 'contact', id: contact.id }, childId: contact.childId, purpose, details, ...(lawfulBasis && { lawfulBasis }) };
}
