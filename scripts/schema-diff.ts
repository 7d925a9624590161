/**
 * Prints the SQL that would bring the database's schema in line with the
 * entities. Empty output means migrations and entities agree; otherwise the
 * statements are the starting point for a new migration.
 */
import { createDataSource } from '../apps/hub/src/database/data-source.js';

const url = process.env.MIGRATION_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/mash';
const dataSource = await createDataSource(url).initialize();
try {
  const sql = await dataSource.driver.createSchemaBuilder().log();
  for (const query of sql.upQueries) console.log(`${query.query};`);
} finally {
  await dataSource.destroy();
}
