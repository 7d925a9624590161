import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the hub records for a notification stored before senders named their
 * organisation: no organisation code of any agency looks like it (codes are
 * capital letters and digits), so no new notification can collide with one.
 */
export const UNRECORDED_ORGANISATION = 'unrecorded';

/**
 * Notifications are identified by agency, sending organisation (force, trust,
 * school, council, probation region) and the partner's reference: two forces
 * that number their notices alike are two notifications, not a duplicate.
 */
export class NotificationSourceOrganisation1763884800010 implements MigrationInterface {
  name = 'NotificationSourceOrganisation1763884800010';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "notification" ADD "source_organisation" character varying(20)`);
    // The message itself names the organisation if its sender did; otherwise it was never recorded.
    await queryRunner.query(
      `UPDATE "notification" SET "source_organisation" = COALESCE("message"->>'sourceOrganisation', $1)`,
      [UNRECORDED_ORGANISATION],
    );
    await queryRunner.query(`ALTER TABLE "notification" ALTER COLUMN "source_organisation" SET NOT NULL`);
    await queryRunner.query(`DROP INDEX "uq_notification_partner_reference"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_notification_partner_reference" ON "notification"  ("source_agency", "source_organisation", "partner_reference") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Fails, as it should, if two organisations of one agency now share a reference.
    await queryRunner.query(`DROP INDEX "uq_notification_partner_reference"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_notification_partner_reference" ON "notification"  ("source_agency", "partner_reference") `);
    await queryRunner.query(`ALTER TABLE "notification" DROP COLUMN "source_organisation"`);
  }
}
