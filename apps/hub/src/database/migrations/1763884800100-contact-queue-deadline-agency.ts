import type { MigrationInterface, QueryRunner } from 'typeorm';

const UNFINISHED = `status NOT IN ('closed', 'with_allocated_worker')`;
/** The decision deadline as the queue sorts it (QUEUE_DEADLINE_SQL): not set yet sorts last. */
const DEADLINE = `(COALESCE(decision_due_at, 'infinity'::timestamptz))`;

/**
 * The screeners' queue sorted by decision deadline and filtered by the referring agency. A contact
 * keeps the agency of the notification that opened it (existing contacts: their first notification),
 * and each way the queue is read is an index range scan in its own order, so a page (first or deep)
 * costs the same at 100,000 contacts as at 100: open contacts by deadline, with or without an agency;
 * any one status, or every contact, by deadline; an agency's contacts newest first. (Open contacts
 * need their own: by deadline, the closed ones, long past theirs, would come first.)
 */
export class ContactQueueDeadlineAgency1763884800100 implements MigrationInterface {
  name = 'ContactQueueDeadlineAgency1763884800100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "contact" ADD "referring_agency" character varying(20)`);
    await queryRunner.query(
      `UPDATE "contact" SET "referring_agency" = first.source_agency
         FROM (SELECT DISTINCT ON (link.contact_id) link.contact_id, n.source_agency
                 FROM contact_notification link JOIN notification n ON n.id = link.notification_id
                ORDER BY link.contact_id, n.received_at, n.id) AS first
        WHERE contact.id = first.contact_id`,
    );
    await queryRunner.query(`CREATE INDEX "ix_contact_agency_received" ON "contact" ("referring_agency", "received_at", "id") `);
    await queryRunner.query(`CREATE INDEX "ix_contact_open_deadline" ON "contact" (${DEADLINE}, "id") WHERE ${UNFINISHED}`);
    await queryRunner.query(`CREATE INDEX "ix_contact_open_agency_deadline" ON "contact" ("referring_agency", ${DEADLINE}, "id") WHERE ${UNFINISHED}`);
    await queryRunner.query(`CREATE INDEX "ix_contact_status_deadline" ON "contact" ("status", ${DEADLINE}, "id") `);
    await queryRunner.query(`CREATE INDEX "ix_contact_deadline" ON "contact" (${DEADLINE}, "id") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const index of ['ix_contact_deadline', 'ix_contact_status_deadline', 'ix_contact_open_agency_deadline', 'ix_contact_open_deadline', 'ix_contact_agency_received']) {
      await queryRunner.query(`DROP INDEX "public"."${index}"`);
    }
    await queryRunner.query(`ALTER TABLE "contact" DROP COLUMN "referring_agency"`);
  }
}
