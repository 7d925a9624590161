import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The screeners' queue pages by (received_at, id), newest first: one index
 * per way it is filtered, so each page is an index range scan.
 */
export class ContactQueueKeyset1763884800040 implements MigrationInterface {
  name = 'ContactQueueKeyset1763884800040';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_contact_queue"`);
    await queryRunner.query(`CREATE INDEX "ix_contact_queue" ON "contact" ("status", "received_at", "id") `);
    await queryRunner.query(`CREATE INDEX "ix_contact_open_queue" ON "contact" ("received_at", "id") WHERE status <> 'closed'`);
    await queryRunner.query(`CREATE INDEX "ix_contact_received" ON "contact" ("received_at", "id") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_contact_received"`);
    await queryRunner.query(`DROP INDEX "public"."ix_contact_open_queue"`);
    await queryRunner.query(`DROP INDEX "public"."ix_contact_queue"`);
    await queryRunner.query(`CREATE INDEX "ix_contact_queue" ON "contact" ("status", "received_at") `);
  }
}
