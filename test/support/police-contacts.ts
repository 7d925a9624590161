import request from 'supertest';
import { notificationIdFor } from '#adapter-kit';
import { waitFor, withDatabase } from './environment.js';
import type { TestCredential } from './partner-credentials.js';

/**
 * Sends a police notice through the police adapter as force 01 and waits for the hub to open its
 * contact and give it a decision deadline (the deadline watcher's work); the contact's id and number.
 */
export async function contactFromPoliceNotice(policeUrl: string, force: TestCredential, notice: { policeReference: string }): Promise<{ id: string; number: string }> {
  await request(policeUrl).post('/notifications').set(force.headers).send(notice).expect(202);
  const notificationId = notificationIdFor('police', '01', notice.policeReference);
  const id = await waitFor('the notice to make a contact', () =>
    withDatabase(async (db) => (await db.query('SELECT contact_id FROM contact_notification WHERE notification_id = $1', [notificationId])).rows[0]?.contact_id as string | undefined),
  );
  const number = await waitFor('the contact to have a deadline', () =>
    withDatabase(async (db) => {
      const row = (await db.query('SELECT number, decision_due_at FROM contact WHERE id = $1', [id])).rows[0];
      return row?.decision_due_at ? String(row.number) : undefined;
    }),
  );
  return { id, number };
}
