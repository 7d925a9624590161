import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The screeners' queue pages by (received_at, id), newest first: an index in
 * that order (scanned backwards) for each status, and one for the open queue
 * alone, so a page and its capped count read only the rows they show.
 */
export class ContactQueueKeyset1763884800050 implements MigrationInterface {
  name = 'ContactQueueKeyset1763884800050';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_contact_queue"`);
    await queryRunner.query(`CREATE INDEX "ix_contact_queue" ON "contact" ("status", "received_at", "id") `);
    await queryRunner.query(`CREATE INDEX "ix_contact_open_queue" ON "contact" ("received_at", "id") WHERE status <> 'closed'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_contact_open_queue"`);
    await queryRunner.query(`DROP INDEX "ix_contact_queue"`);
    await queryRunner.query(`CREATE INDEX "ix_contact_queue" ON "contact" ("status", "received_at") `);
  }
}
