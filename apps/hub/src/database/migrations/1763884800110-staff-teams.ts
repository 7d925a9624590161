import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Teams: the MASH team of a built-in staff account, and the team of the member of staff who made
 * each decision, as it was then, so the timeliness figures can be given per team.
 */
export class StaffTeams1763884800110 implements MigrationInterface {
  name = 'StaffTeams1763884800110';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "staff_account" ADD "team" character varying(100)`);
    await queryRunner.query(`ALTER TABLE "contact_decision" ADD "decided_by_team" character varying(100)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "contact_decision" DROP COLUMN "decided_by_team"`);
    await queryRunner.query(`ALTER TABLE "staff_account" DROP COLUMN "team"`);
  }
}
