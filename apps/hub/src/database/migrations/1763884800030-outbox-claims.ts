import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lets the outbox relay claim rows for a short lease instead of holding a
 * transaction open while it publishes, retry each row on its own schedule,
 * park a row that keeps failing, and prune rows once published.
 */
export class OutboxClaims1763884800030 implements MigrationInterface {
  name = 'OutboxClaims1763884800030';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_outbox_message_unpublished"`);
    await queryRunner.query(`ALTER TABLE "outbox_message" ADD "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()`);
    await queryRunner.query(`ALTER TABLE "outbox_message" ADD "claimed_until" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "outbox_message" ADD "parked_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`CREATE INDEX "ix_outbox_message_due" ON "outbox_message" ("next_attempt_at") WHERE published_at IS NULL AND parked_at IS NULL`);
    await queryRunner.query(`CREATE INDEX "ix_outbox_message_published" ON "outbox_message" ("published_at") WHERE published_at IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX "ix_outbox_message_parked" ON "outbox_message" ("parked_at") WHERE parked_at IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_outbox_message_parked"`);
    await queryRunner.query(`DROP INDEX "ix_outbox_message_published"`);
    await queryRunner.query(`DROP INDEX "ix_outbox_message_due"`);
    await queryRunner.query(`ALTER TABLE "outbox_message" DROP COLUMN "parked_at"`);
    await queryRunner.query(`ALTER TABLE "outbox_message" DROP COLUMN "claimed_until"`);
    await queryRunner.query(`ALTER TABLE "outbox_message" DROP COLUMN "next_attempt_at"`);
    await queryRunner.query(`CREATE INDEX "ix_outbox_message_unpublished" ON "outbox_message" ("created_at") WHERE published_at IS NULL`);
  }
}
