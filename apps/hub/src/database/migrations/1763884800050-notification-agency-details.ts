import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Canonical notifications version 2: a core plus the sending agency's own
 * details, and the DfE referral source. Every stored notification gets its
 * agency's usual referral source, and stored version 1 messages (police
 * details under `police`) are rewritten in the version 2 shape, losing
 * nothing, so the hub reads one shape and a version 1 redelivery compares
 * equal to what was stored.
 */
export class NotificationAgencyDetails1763884800050 implements MigrationInterface {
  name = 'NotificationAgencyDetails1763884800050';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "notification" ADD "referral_source" character varying(2)`);
    await queryRunner.query(
      `UPDATE "notification" SET referral_source = CASE source_agency
         WHEN 'police' THEN '6' WHEN 'health' THEN '3F' WHEN 'education' THEN '2A' WHEN 'housing' THEN '4' WHEN 'probation' THEN '7' ELSE '10' END`,
    );
    await queryRunner.query(`ALTER TABLE "notification" ALTER COLUMN "referral_source" SET NOT NULL`);
    await queryRunner.query(
      `UPDATE "notification"
          SET message = (message - 'police')
                        || jsonb_build_object('schemaVersion', 2, 'referralSource', referral_source,
                                              'details', jsonb_build_object('agency', 'police', 'version', 1) || (message -> 'police')),
              schema_version = 2
        WHERE schema_version = 1 AND message ? 'police'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `UPDATE "notification"
          SET message = (message - 'details' - 'referralSource')
                        || jsonb_build_object('schemaVersion', 1, 'police', (message -> 'details') - 'agency' - 'version'),
              schema_version = 1
        WHERE schema_version = 2 AND message -> 'details' ->> 'agency' = 'police'`,
    );
    await queryRunner.query(`ALTER TABLE "notification" DROP COLUMN "referral_source"`);
  }
}
