import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APPLICATION_ROLE } from './1763884800001-audit-append-only.js';

/** Built-in staff accounts and their refresh tokens. */
export class StaffAccounts1763884800002 implements MigrationInterface {
  name = 'StaffAccounts1763884800002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "staff_account" ("id" uuid NOT NULL, "username" character varying(100) NOT NULL, "roles" character varying(20) array NOT NULL, "password_hash" character varying(200) NOT NULL, "failed_sign_ins" integer NOT NULL DEFAULT '0', "locked_until" TIMESTAMP WITH TIME ZONE, "disabled_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_staff_account" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_staff_account_username" ON "staff_account"  ("username") `);
    await queryRunner.query(`CREATE TABLE "refresh_token" ("id" uuid NOT NULL, "account_id" uuid NOT NULL, "family_id" uuid NOT NULL, "token_hash" character(64) NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "pk_refresh_token" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_refresh_token_family" ON "refresh_token"  ("family_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_refresh_token_hash" ON "refresh_token"  ("token_hash") `);
    await queryRunner.query(`ALTER TABLE "refresh_token" ADD CONSTRAINT "fk_refresh_token_account" FOREIGN KEY ("account_id") REFERENCES "staff_account"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`GRANT SELECT, INSERT, UPDATE ON "staff_account", "refresh_token" TO ${APPLICATION_ROLE}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "refresh_token"`);
    await queryRunner.query(`DROP TABLE "staff_account"`);
  }
}
