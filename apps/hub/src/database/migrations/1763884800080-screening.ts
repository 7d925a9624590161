import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APPLICATION_ROLE } from './1763884800001-audit-append-only.js';

const UNFINISHED = `status NOT IN ('closed', 'with_allocated_worker')`;

/**
 * Screening: the contact's lifecycle (who screens it, when its decision is due and whether it was
 * escalated, the allocated worker it went to, repeat flags), RAG changes with reasons and decisions
 * with sign-off (append-only but for sign-off and return), and the case management system's
 * allocations. A contact that went to its allocated worker is finished, like a closed one, so a later
 * notice about the child starts a new contact.
 */
export class Screening1763884800080 implements MigrationInterface {
  name = 'Screening1763884800080';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "allocation" ("id" uuid NOT NULL, "case_reference" character varying(100) NOT NULL, "nhs_number" character varying(10), "given_name" character varying(100) NOT NULL, "family_name" character varying(100) NOT NULL, "normalised_name" character varying(201) NOT NULL, "date_of_birth" date, "worker" character varying(200) NOT NULL, "team" character varying(200) NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, "ended_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "pk_allocation" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_allocation_name" ON "allocation"  ("normalised_name", "date_of_birth") WHERE ended_at IS NULL`);
    await queryRunner.query(`CREATE INDEX "ix_allocation_nhs_number" ON "allocation"  ("nhs_number") WHERE nhs_number IS NOT NULL AND ended_at IS NULL`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_allocation_case_reference" ON "allocation"  ("case_reference") `);
    await queryRunner.query(`CREATE TABLE "contact_decision" ("id" uuid NOT NULL, "contact_id" uuid NOT NULL, "outcome" character varying(40) NOT NULL, "primary_need" character varying(2) NOT NULL, "level_of_need" smallint NOT NULL, "rationale" text NOT NULL, "decided_by_id" character varying(500) NOT NULL, "decided_by_name" character varying(200) NOT NULL, "decided_at" TIMESTAMP WITH TIME ZONE NOT NULL, "signed_off_by_id" character varying(500), "signed_off_by_name" character varying(200), "signed_off_at" TIMESTAMP WITH TIME ZONE, "returned_by_name" character varying(200), "returned_at" TIMESTAMP WITH TIME ZONE, "return_reason" text, CONSTRAINT "ck_contact_decision_sign_off" CHECK (signed_off_at IS NULL OR returned_at IS NULL), CONSTRAINT "pk_contact_decision" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_contact_decision_current" ON "contact_decision"  ("contact_id") WHERE returned_at IS NULL`);
    await queryRunner.query(`CREATE INDEX "ix_contact_decision_contact" ON "contact_decision"  ("contact_id", "decided_at") `);
    await queryRunner.query(`CREATE TABLE "rag_change" ("id" uuid NOT NULL, "contact_id" uuid NOT NULL, "from_rag" character varying(5), "to_rag" character varying(5) NOT NULL, "reason" text NOT NULL, "changed_by_id" character varying(500) NOT NULL, "changed_by_name" character varying(200) NOT NULL, "changed_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "pk_rag_change" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_rag_change_contact" ON "rag_change"  ("contact_id", "changed_at") `);
    await queryRunner.query(`ALTER TABLE "contact" ADD "screener_id" character varying(500)`);
    await queryRunner.query(`ALTER TABLE "contact" ADD "screener_name" character varying(200)`);
    await queryRunner.query(`ALTER TABLE "contact" ADD "decision_due_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "contact" ADD "decision_escalated_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "contact" ADD "allocated_worker" character varying(200)`);
    await queryRunner.query(`ALTER TABLE "contact" ADD "allocated_team" character varying(200)`);
    await queryRunner.query(`ALTER TABLE "contact" ADD "re_referral_of" uuid`);
    await queryRunner.query(`ALTER TABLE "contact" ADD "low_level_repeats" smallint`);
    await queryRunner.query(`ALTER TABLE "contact" ADD "finished_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`CREATE INDEX "ix_contact_decision_due_unset" ON "contact"  ("received_at") WHERE decision_due_at IS NULL AND status NOT IN ('closed', 'with_allocated_worker')`);
    await queryRunner.query(`CREATE INDEX "ix_contact_decision_due" ON "contact"  ("decision_due_at") WHERE decision_escalated_at IS NULL AND status NOT IN ('closed', 'with_allocated_worker')`);
    await queryRunner.query(`ALTER TABLE "contact_decision" ADD CONSTRAINT "fk_contact_decision_contact" FOREIGN KEY ("contact_id") REFERENCES "contact"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "rag_change" ADD CONSTRAINT "fk_rag_change_contact" FOREIGN KEY ("contact_id") REFERENCES "contact"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`CREATE INDEX "ix_contact_child" ON "contact"  ("child_id", "received_at") `);
    await queryRunner.query(`DROP INDEX "uq_contact_open_per_child"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_contact_open_per_child" ON "contact" ("child_id") WHERE ${UNFINISHED}`);
    await queryRunner.query(`DROP INDEX "ix_contact_open_queue"`);
    await queryRunner.query(`CREATE INDEX "ix_contact_open_queue" ON "contact" ("received_at", "id") WHERE ${UNFINISHED}`);
    await queryRunner.query(`UPDATE "contact" SET "finished_at" = "updated_at" WHERE status = 'closed'`);
    await queryRunner.query(`GRANT SELECT, INSERT ON "rag_change" TO ${APPLICATION_ROLE}`);
    await queryRunner.query(`GRANT SELECT, INSERT, UPDATE ON "contact_decision", "allocation" TO ${APPLICATION_ROLE}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_contact_open_queue"`);
    await queryRunner.query(`CREATE INDEX "ix_contact_open_queue" ON "contact" ("received_at", "id") WHERE status <> 'closed'`);
    await queryRunner.query(`DROP INDEX "uq_contact_open_per_child"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_contact_open_per_child" ON "contact" ("child_id") WHERE status <> 'closed'`);
    await queryRunner.query(`DROP INDEX "ix_contact_child"`);
    await queryRunner.query(`DROP INDEX "ix_contact_decision_due"`);
    await queryRunner.query(`DROP INDEX "ix_contact_decision_due_unset"`);
    for (const column of ['finished_at', 'low_level_repeats', 're_referral_of', 'allocated_team', 'allocated_worker', 'decision_escalated_at', 'decision_due_at', 'screener_name', 'screener_id']) {
      await queryRunner.query(`ALTER TABLE "contact" DROP COLUMN "${column}"`);
    }
    await queryRunner.query(`DROP TABLE "rag_change"`);
    await queryRunner.query(`DROP TABLE "contact_decision"`);
    await queryRunner.query(`DROP TABLE "allocation"`);
  }
}
