import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';

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

  /** Writes the messages in one statement; returns their ids, in order. */
  async addAll(manager: EntityManager, messages: OutgoingMessage[]): Promise<string[]> {
    const ids = messages.map(() => randomUUID());
    if (!messages.length) return ids;
    await manager.query(
      `INSERT INTO outbox_message (id, queue, pattern, payload, correlation_id, created_at)
       SELECT id, queue, pattern, payload, correlation_id, now() FROM jsonb_populate_recordset(NULL::outbox_message, $1::jsonb)`,
      [
        JSON.stringify(
          messages.map((message, index) => ({
            id: ids[index],
            queue: message.queue,
            pattern: message.pattern,
            payload: message.payload,
            correlation_id: message.correlationId ?? null,
          })),
        ),
      ],
    );
    return ids;
  }

  async add(manager: EntityManager, message: OutgoingMessage): Promise<string> {
    const [id] = await this.addAll(manager, [message]);
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
