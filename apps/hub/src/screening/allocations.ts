import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditTrail, type Actor } from '../audit/audit-trail.js';
import { normaliseName } from '../children/child-matching.js';
import type { AllocationInput, AllocationPage, AllocationRow, AllocationView } from './allocation.dto.js';

interface AllocationRecord {
  case_reference: string;
  nhs_number: string | null;
  given_name: string;
  family_name: string;
  date_of_birth: string | null;
  worker: string;
  team: string;
  updated_at: Date;
  ended_at: Date | null;
}

/**
 * The children the council's case management system says are allocated to a worker and team: a
 * contact opened for one of them goes to that worker instead of the MASH queue. Kept up to date by
 * the nightly export (a full list: children missing from it are no longer allocated) and by updates
 * between exports.
 */
@Injectable()
export class AllocationRegister {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditTrail,
  ) {}

  /** Records or replaces one child's allocation. */
  put(caseReference: string, input: AllocationInput, actor: Actor): Promise<AllocationView> {
    return this.dataSource.transaction(async (manager) => {
      await upsert(manager, [{ ...input, caseReference }]);
      await this.audit.record(manager, {
        actor,
        action: 'allocation.updated',
        // Subjects are ids of the hub's own records; the case management system's reference goes in the details.
        purpose: 'open case check',
        details: { caseReference, team: input.team, nhsNumberGiven: !!input.nhsNumber },
      });
      return this.view(manager, caseReference);
    });
  }

  /** Ends one child's allocation; 404 when the case reference is not allocated. */
  end(caseReference: string, actor: Actor): Promise<AllocationView> {
    return this.dataSource.transaction(async (manager) => {
      const [, ended] = (await manager.query(`UPDATE allocation SET ended_at = now(), updated_at = now() WHERE case_reference = $1 AND ended_at IS NULL`, [
        caseReference,
      ])) as [unknown, number];
      if (!ended) throw new NotFoundException(`No current allocation with case reference ${caseReference}`);
      await this.audit.record(manager, {
        actor,
        action: 'allocation.ended',
        purpose: 'open case check',
        details: { caseReference },
      });
      return this.view(manager, caseReference);
    });
  }

  /**
   * The nightly export: every row recorded, and every current allocation not in it ended, in one
   * transaction, so the register is never half the old list and half the new.
   */
  importAll(rows: AllocationRow[], actor: Actor): Promise<{ allocated: number; ended: number }> {
    return this.dataSource.transaction(async (manager) => {
      await upsert(manager, rows);
      const [, ended] = (await manager.query(
        `UPDATE allocation SET ended_at = now(), updated_at = now() WHERE ended_at IS NULL AND NOT (case_reference = ANY($1::varchar[]))`,
        [rows.map((row) => row.caseReference)],
      )) as [unknown, number];
      await this.audit.record(manager, {
        actor,
        action: 'allocations.imported',
        purpose: 'open case check',
        details: { allocated: rows.length, ended },
      });
      return { allocated: rows.length, ended };
    });
  }

  async list(after: string | undefined, pageSize: number): Promise<AllocationPage> {
    const rows = (await this.dataSource.query(
      `SELECT * FROM allocation WHERE ended_at IS NULL AND ($1::varchar IS NULL OR case_reference > $1) ORDER BY case_reference LIMIT $2`,
      [after ?? null, pageSize + 1],
    )) as AllocationRecord[];
    const items = rows.slice(0, pageSize).map(toView);
    return { items, next: rows.length > pageSize ? items[items.length - 1].caseReference : null };
  }

  private async view(manager: EntityManager, caseReference: string): Promise<AllocationView> {
    const [row] = (await manager.query(`SELECT * FROM allocation WHERE case_reference = $1`, [caseReference])) as AllocationRecord[];
    return toView(row);
  }
}

async function upsert(manager: EntityManager, rows: AllocationRow[]): Promise<void> {
  if (!rows.length) return;
  await manager.query(
    `INSERT INTO allocation (id, case_reference, nhs_number, given_name, family_name, normalised_name, date_of_birth, worker, team, updated_at, ended_at)
     SELECT id, case_reference, nhs_number, given_name, family_name, normalised_name, date_of_birth, worker, team, now(), NULL
       FROM jsonb_to_recordset($1::jsonb) AS row(id uuid, case_reference varchar, nhs_number varchar, given_name varchar, family_name varchar,
                                                   normalised_name varchar, date_of_birth date, worker varchar, team varchar)
     ON CONFLICT (case_reference) DO UPDATE SET
       nhs_number = excluded.nhs_number, given_name = excluded.given_name, family_name = excluded.family_name,
       normalised_name = excluded.normalised_name, date_of_birth = excluded.date_of_birth,
       worker = excluded.worker, team = excluded.team, updated_at = now(), ended_at = NULL`,
    [
      JSON.stringify(
        rows.map((row) => ({
          id: randomUUID(),
          case_reference: row.caseReference,
          nhs_number: row.nhsNumber ?? null,
          given_name: row.givenName,
          family_name: row.familyName,
          normalised_name: normaliseName(row.givenName, row.familyName),
          date_of_birth: row.dateOfBirth ?? null,
          worker: row.worker.trim(),
          team: row.team.trim(),
        })),
      ),
    ],
  );
}

function toView(row: AllocationRecord): AllocationView {
  return {
    caseReference: row.case_reference,
    ...(row.nhs_number && { nhsNumber: row.nhs_number }),
    givenName: row.given_name,
    familyName: row.family_name,
    ...(row.date_of_birth && { dateOfBirth: row.date_of_birth }),
    worker: row.worker,
    team: row.team,
    updatedAt: row.updated_at.toISOString(),
    endedAt: row.ended_at?.toISOString() ?? null,
  };
}
