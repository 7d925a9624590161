import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Children, notifications, contacts, the chained audit trail and its checkpoints, and the outbox. */
export class InitialSchema1763884800000 implements MigrationInterface {
  name = 'InitialSchema1763884800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "audit_chain_head" ("id" smallint NOT NULL, "sequence" bigint NOT NULL, "hash" character(64) NOT NULL, CONSTRAINT "ck_audit_chain_head_single_row" CHECK (id = 1), CONSTRAINT "pk_audit_chain_head" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "audit_checkpoint" ("id" BIGSERIAL NOT NULL, "sequence" bigint NOT NULL, "hash" character(64) NOT NULL, "signed_at" TIMESTAMP WITH TIME ZONE NOT NULL, "key_id" character(64) NOT NULL, "public_key" text NOT NULL, "signature" text NOT NULL, CONSTRAINT "pk_audit_checkpoint" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_audit_checkpoint_sequence" ON "audit_checkpoint"  ("sequence") `);
    await queryRunner.query(`CREATE TABLE "audit_event" ("sequence" bigint NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "actor_type" character varying(20) NOT NULL, "actor_id" character varying(100) NOT NULL, "on_behalf_of" character varying(100), "action" character varying(60) NOT NULL, "subject_type" character varying(40), "subject_id" uuid, "child_id" uuid, "purpose" character varying(200), "lawful_basis" character varying(300), "correlation_id" uuid, "details" jsonb NOT NULL, "previous_hash" character(64) NOT NULL, "hash" character(64) NOT NULL, CONSTRAINT "pk_audit_event" PRIMARY KEY ("sequence"))`);
    await queryRunner.query(`CREATE INDEX "ix_audit_event_occurred_at" ON "audit_event"  ("occurred_at") `);
    await queryRunner.query(`CREATE INDEX "ix_audit_event_actor" ON "audit_event"  ("actor_id", "sequence") `);
    await queryRunner.query(`CREATE INDEX "ix_audit_event_correlation" ON "audit_event"  ("correlation_id") `);
    await queryRunner.query(`CREATE INDEX "ix_audit_event_subject" ON "audit_event"  ("subject_type", "subject_id") `);
    await queryRunner.query(`CREATE INDEX "ix_audit_event_child" ON "audit_event"  ("child_id", "sequence") `);
    await queryRunner.query(`CREATE TABLE "child" ("id" uuid NOT NULL, "nhs_number" character varying(10), "given_name" character varying(100) NOT NULL, "family_name" character varying(100) NOT NULL, "normalised_name" character varying(201) NOT NULL, "date_of_birth" date, "expected_date_of_delivery" date, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_child" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_child_match_key" ON "child"  ("normalised_name", "date_of_birth") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_child_nhs_number" ON "child"  ("nhs_number") WHERE nhs_number IS NOT NULL`);
    await queryRunner.query(`CREATE TABLE "notification" ("id" uuid NOT NULL, "source_agency" character varying(20) NOT NULL, "partner_reference" character varying(100) NOT NULL, "correlation_id" uuid NOT NULL, "schema_version" smallint NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE, "reported_at" TIMESTAMP WITH TIME ZONE NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL, "sender_urgency" character varying(5) NOT NULL, "categories" character varying(4) array NOT NULL, "message" jsonb NOT NULL, CONSTRAINT "pk_notification" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_notification_correlation_id" ON "notification"  ("correlation_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_notification_partner_reference" ON "notification"  ("source_agency", "partner_reference") `);
    await queryRunner.query(`CREATE TABLE "contact" ("id" uuid NOT NULL, "number" BIGSERIAL NOT NULL, "child_id" uuid NOT NULL, "status" character varying(30) NOT NULL, "rag" character varying(5), "sender_urgency" character varying(5) NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_notification_at" TIMESTAMP WITH TIME ZONE NOT NULL, "notification_count" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_contact" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_contact_queue" ON "contact"  ("status", "received_at") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_contact_open_per_child" ON "contact"  ("child_id") WHERE status <> 'closed'`);
    await queryRunner.query(`CREATE TABLE "contact_notification" ("contact_id" uuid NOT NULL, "notification_id" uuid NOT NULL, "child_index" smallint NOT NULL, "linked_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "pk_contact_notification" PRIMARY KEY ("contact_id", "notification_id"))`);
    await queryRunner.query(`CREATE INDEX "ix_contact_notification_notification" ON "contact_notification"  ("notification_id") `);
    await queryRunner.query(`CREATE TABLE "outbox_message" ("id" uuid NOT NULL, "queue" character varying(100) NOT NULL, "pattern" character varying(100) NOT NULL, "payload" jsonb NOT NULL, "correlation_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "published_at" TIMESTAMP WITH TIME ZONE, "publish_attempts" integer NOT NULL DEFAULT '0', "last_error" text, CONSTRAINT "pk_outbox_message" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_outbox_message_unpublished" ON "outbox_message"  ("created_at") WHERE published_at IS NULL`);
    await queryRunner.query(`ALTER TABLE "contact" ADD CONSTRAINT "fk_contact_child" FOREIGN KEY ("child_id") REFERENCES "child"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "contact_notification" ADD CONSTRAINT "fk_contact_notification_contact" FOREIGN KEY ("contact_id") REFERENCES "contact"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "contact_notification" ADD CONSTRAINT "fk_contact_notification_notification" FOREIGN KEY ("notification_id") REFERENCES "notification"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "contact_notification"`);
    await queryRunner.query(`DROP TABLE "outbox_message"`);
    await queryRunner.query(`DROP TABLE "contact"`);
    await queryRunner.query(`DROP TABLE "notification"`);
    await queryRunner.query(`DROP TABLE "child"`);
    await queryRunner.query(`DROP TABLE "audit_checkpoint"`);
    await queryRunner.query(`DROP TABLE "audit_chain_head"`);
    await queryRunner.query(`DROP TABLE "audit_event"`);
  }
}
