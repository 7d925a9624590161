/**
 * Loads the case management system's nightly export of allocated children:
 *   npm run allocations:import -- allocations.csv
 * A CSV with a header row: case_reference, nhs_number, given_name, family_name, date_of_birth, worker, team
 * (nhs_number and date_of_birth may be empty). The file is the whole list: children it no longer lists
 * are no longer allocated. Every row is checked first; if any is wrong, each problem is printed with
 * its line and nothing changes. Connects as DATABASE_URL; the import is in the audit trail.
 * Exit code 0 imported, 1 refused, 2 usage.
 */
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { validateMessage, InvalidMessageError } from '#contracts';
import { AuditTrail } from '../audit/audit-trail.js';
import { createDataSource } from '../database/data-source.js';
import { AllocationRow } from './allocation.dto.js';
import { AllocationRegister } from './allocations.js';

const USAGE = 'usage: allocations:import <file.csv>   (columns: case_reference, nhs_number, given_name, family_name, date_of_birth, worker, team)';
const COLUMNS = ['case_reference', 'nhs_number', 'given_name', 'family_name', 'date_of_birth', 'worker', 'team'] as const;

async function main(): Promise<number> {
  const file = process.argv[2];
  if (!file || process.argv.length > 3) {
    console.error(USAGE);
    return 2;
  }
  let records: Record<string, string>[];
  try {
    records = parse(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Record<string, string>[];
  } catch (error) {
    console.error(`cannot read ${file} as CSV: ${(error as Error).message}`);
    return 1;
  }
  const header = records.length ? Object.keys(records[0]) : [];
  const missing = COLUMNS.filter((column) => records.length && !header.includes(column));
  const extra = header.filter((column) => !(COLUMNS as readonly string[]).includes(column));
  if (missing.length || extra.length) {
    console.error(`${file}: the header must name exactly ${COLUMNS.join(', ')}${missing.length ? `; missing ${missing.join(', ')}` : ''}${extra.length ? `; unknown ${extra.join(', ')}` : ''}`);
    return 1;
  }
  const rows: AllocationRow[] = [];
  const problems: string[] = [];
  const seen = new Map<string, number>();
  for (const [index, record] of records.entries()) {
    const line = index + 2;
    const plain = {
      caseReference: record.case_reference,
      ...(record.nhs_number && { nhsNumber: record.nhs_number }),
      givenName: record.given_name,
      familyName: record.family_name,
      ...(record.date_of_birth && { dateOfBirth: record.date_of_birth }),
      worker: record.worker,
      team: record.team,
    };
    try {
      rows.push(await validateMessage(AllocationRow, plain, 'allocation'));
    } catch (error) {
      if (!(error instanceof InvalidMessageError)) throw error;
      for (const problem of error.errors) problems.push(`line ${line}: ${problem.path}: ${problem.message}`);
    }
    const earlier = seen.get(record.case_reference);
    if (earlier) problems.push(`line ${line}: case_reference ${record.case_reference} is also on line ${earlier}`);
    seen.set(record.case_reference, line);
  }
  if (problems.length) {
    console.error(`${file}: nothing imported; ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.join('\n')}`);
    return 1;
  }
  const dataSource = await createDataSource(process.env.DATABASE_URL ?? 'postgres://mash_app@127.0.0.1:5432/mash').initialize();
  try {
    const register = new AllocationRegister(dataSource, new AuditTrail());
    const result = await register.importAll(rows, { type: 'hub', id: 'allocations:import', onBehalfOf: 'case management system' });
    console.log(`imported ${result.allocated} allocations; ${result.ended} no longer listed ended`);
    return 0;
  } finally {
    await dataSource.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(error.message);
    process.exit(2);
  },
);
