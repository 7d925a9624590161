import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A partner reference may carry the URI of the system that issued it
 * (`<system>|<reference>`, as FHIR identifiers do), so it needs more room.
 */
export class PartnerReferenceWithSystem1763884800060 implements MigrationInterface {
  name = 'PartnerReferenceWithSystem1763884800060';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "notification" ALTER COLUMN "partner_reference" TYPE character varying(400)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "notification" ALTER COLUMN "partner_reference" TYPE character varying(100)`);
  }
}
