import type { MigrationInterface, QueryRunner } from 'typeorm';
import { childIdentity } from '../../children/child-matching.js';
import { APPLICATION_ROLE } from './1763884800001-audit-append-only.js';

/**
 * Matching children on more than exact name and date: the keys the candidate search uses (the first
 * given name, its variant group and sound, the family name's sound, postcode and UPRN), the review
 * list of possible matches, and merges with what each moved so it can be undone. fuzzystrmatch gives
 * the search its edit distance.
 */
export class ChildIdentity1763884800090 implements MigrationInterface {
  name = 'ChildIdentity1763884800090';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS fuzzystrmatch`);
    await queryRunner.query(`ALTER TABLE "child" ADD "given_names" character varying(100) NOT NULL DEFAULT ''`);
    await queryRunner.query(`ALTER TABLE "child" ADD "given_middle" character varying(100) NOT NULL DEFAULT ''`);
    await queryRunner.query(`ALTER TABLE "child" ADD "given_first" character varying(100) NOT NULL DEFAULT ''`);
    await queryRunner.query(`ALTER TABLE "child" ADD "given_key" character varying(100) NOT NULL DEFAULT ''`);
    await queryRunner.query(`ALTER TABLE "child" ADD "given_sound" character varying(8) NOT NULL DEFAULT ''`);
    await queryRunner.query(`ALTER TABLE "child" ADD "family_sound" character varying(8) NOT NULL DEFAULT ''`);
    await queryRunner.query(`ALTER TABLE "child" ADD "postcode" character varying(8)`);
    await queryRunner.query(`ALTER TABLE "child" ADD "uprn" character varying(12)`);
    await queryRunner.query(`ALTER TABLE "child" ADD "merged_into" uuid`);
    await queryRunner.query(`DROP INDEX "public"."ix_child_match_key"`);
    await queryRunner.query(`CREATE INDEX "ix_child_born" ON "child" ("date_of_birth", "given_middle", "given_key", "given_sound", "given_first", "id") `);
    await queryRunner.query(`CREATE INDEX "ix_child_due" ON "child" ("expected_date_of_delivery") `);
    await queryRunner.query(`CREATE INDEX "ix_child_postcode" ON "child" ("postcode", "date_of_birth") `);
    await queryRunner.query(`CREATE INDEX "ix_child_uprn" ON "child" ("uprn", "date_of_birth") `);
    await queryRunner.query(`CREATE INDEX "ix_child_name_keys" ON "child" ("given_key", "family_sound", "date_of_birth") `);
    await queryRunner.query(
      `ALTER TABLE "child" ADD CONSTRAINT "fk_child_merged_into" FOREIGN KEY ("merged_into") REFERENCES "child"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );

    await queryRunner.query(`CREATE TABLE "possible_match" ("id" uuid NOT NULL, "child_id" uuid NOT NULL, "other_child_id" uuid NOT NULL, "score" real NOT NULL, "reasons" jsonb NOT NULL, "status" character varying(12) NOT NULL, "found_at" TIMESTAMP WITH TIME ZONE NOT NULL, "notification_id" uuid, "decided_by_id" character varying(500), "decided_by_name" character varying(200), "decided_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_possible_match_status" CHECK (status IN ('open', 'linked', 'kept_apart') AND (status = 'open') = (decided_at IS NULL)), CONSTRAINT "pk_possible_match" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_possible_match_pair" ON "possible_match" ("child_id", "other_child_id") `);
    await queryRunner.query(`CREATE INDEX "ix_possible_match_review" ON "possible_match" ("status", "found_at", "id") `);
    await queryRunner.query(`CREATE INDEX "ix_possible_match_other_child" ON "possible_match" ("other_child_id") `);
    await queryRunner.query(`ALTER TABLE "possible_match" ADD CONSTRAINT "fk_possible_match_child" FOREIGN KEY ("child_id") REFERENCES "child"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "possible_match" ADD CONSTRAINT "fk_possible_match_other_child" FOREIGN KEY ("other_child_id") REFERENCES "child"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);

    await queryRunner.query(`CREATE TABLE "child_merge" ("id" uuid NOT NULL, "surviving_child_id" uuid NOT NULL, "merged_child_id" uuid NOT NULL, "possible_match_id" uuid, "moved_contact_ids" uuid array NOT NULL, "moved_share_ids" uuid array NOT NULL, "moved_nhs_number" character varying(10), "merged_by_id" character varying(500) NOT NULL, "merged_by_name" character varying(200) NOT NULL, "merged_at" TIMESTAMP WITH TIME ZONE NOT NULL, "unmerged_by_id" character varying(500), "unmerged_by_name" character varying(200), "unmerged_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "pk_child_merge" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_child_merge_standing" ON "child_merge" ("merged_child_id") WHERE unmerged_at IS NULL`);
    await queryRunner.query(`CREATE INDEX "ix_child_merge_surviving" ON "child_merge" ("surviving_child_id") `);
    await queryRunner.query(`ALTER TABLE "child_merge" ADD CONSTRAINT "fk_child_merge_surviving_child" FOREIGN KEY ("surviving_child_id") REFERENCES "child"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "child_merge" ADD CONSTRAINT "fk_child_merge_merged_child" FOREIGN KEY ("merged_child_id") REFERENCES "child"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "child_merge" ADD CONSTRAINT "fk_child_merge_possible_match" FOREIGN KEY ("possible_match_id") REFERENCES "possible_match"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`GRANT SELECT, INSERT, UPDATE ON "possible_match", "child_merge" TO ${APPLICATION_ROLE}`);

    // Children already registered get their keys from the same code that computes them at intake,
    // and their postcode and UPRN from the latest notification that named them.
    const children: Array<{ id: string; given_name: string; family_name: string }> = await queryRunner.query(`SELECT id, given_name, family_name FROM child`);
    for (let start = 0; start < children.length; start += 5000) {
      const chunk = children.slice(start, start + 5000).map((child) => ({ id: child.id, ...childIdentity({ givenName: child.given_name, familyName: child.family_name }) }));
      await queryRunner.query(
        `UPDATE child SET given_names = keys.given_names, given_middle = keys.given_middle, given_first = keys.given_first, given_key = keys.given_key, given_sound = keys.given_sound, family_sound = keys.family_sound
           FROM unnest($1::uuid[], $2::varchar[], $3::varchar[], $4::varchar[], $5::varchar[], $6::varchar[], $7::varchar[]) AS keys(id, given_first, given_key, given_sound, family_sound, given_names, given_middle)
          WHERE child.id = keys.id`,
        [chunk.map((c) => c.id), chunk.map((c) => c.givenFirst), chunk.map((c) => c.givenKey), chunk.map((c) => c.givenSound), chunk.map((c) => c.familySound), chunk.map((c) => c.givenNames), chunk.map((c) => c.givenMiddle)],
      );
    }
    await queryRunner.query(
      `UPDATE child SET postcode = nullif(upper(regexp_replace(latest.address->>'postcode', '\\s', '', 'g')), ''),
                        uprn = nullif(regexp_replace(regexp_replace(latest.address->>'uprn', '\\D', '', 'g'), '^0+(?=\\d)', ''), '')
         FROM (SELECT DISTINCT ON (contact.child_id) contact.child_id, n.message #> ARRAY['subjects', 'children', link.child_index::text, 'address'] AS address
                 FROM contact JOIN contact_notification link ON link.contact_id = contact.id JOIN notification n ON n.id = link.notification_id
                ORDER BY contact.child_id, n.received_at DESC) AS latest
        WHERE child.id = latest.child_id`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "child_merge"`);
    await queryRunner.query(`DROP TABLE "possible_match"`);
    await queryRunner.query(`ALTER TABLE "child" DROP CONSTRAINT "fk_child_merged_into"`);
    for (const index of ['ix_child_name_keys', 'ix_child_uprn', 'ix_child_postcode', 'ix_child_due', 'ix_child_born']) await queryRunner.query(`DROP INDEX "public"."${index}"`);
    for (const column of ['merged_into', 'uprn', 'postcode', 'family_sound', 'given_sound', 'given_key', 'given_first', 'given_middle', 'given_names']) await queryRunner.query(`ALTER TABLE "child" DROP COLUMN "${column}"`);
    await queryRunner.query(`CREATE INDEX "ix_child_match_key" ON "child" ("normalised_name", "date_of_birth") `);
  }
}
