import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager, QueryDeepPartialEntity } from 'typeorm';
import { OutboxMessage } from './outbox-message.entity.js';

export interface OutgoingMessage {
  queue: string;
  pattern: string;
  payload: object;
  correlationId?: string;
}

/**
 * Where the hub writes what it must send, inside the transaction that decided
 * it: no message without its change, no change without its message.
 */
@Injectable()
export class Outbox {
  private readonly listeners = new Set<() => void>();

  async add(manager: EntityManager, message: OutgoingMessage): Promise<string> {
    const id = randomUUID();
    await manager.insert(OutboxMessage, {
      id,
      queue: message.queue,
      pattern: message.pattern,
      // jsonb: TypeORM's partial-entity type cannot express an open record.
      payload: message.payload as QueryDeepPartialEntity<Record<string, unknown>>,
      correlationId: message.correlationId ?? null,
      createdAt: new Date(),
      publishedAt: null,
    });
    return id;
  }

  /** Lets the relay publish straight after a commit instead of waiting for its next poll. */
  onCommitted(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notifyCommitted(): void {
    for (const listener of this.listeners) listener();
  }
}
