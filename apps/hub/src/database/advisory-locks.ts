import type { EntityManager } from 'typeorm';

/**
 * Takes transaction-scoped advisory locks on all the keys at once, in one
 * global order (by the lock id each key hashes to), so two transactions that
 * need overlapping sets of keys queue behind each other instead of deadlocking.
 * A transaction that takes locks in several calls must make every call's keys
 * come after all keys of its earlier calls in the same global sense: the
 * intake does this by phase (every child identity first, then every contact).
 */
export async function lockAllInOrder(manager: EntityManager, keys: string[]): Promise<void> {
  if (!keys.length) return;
  await manager.query(lockAllInOrderQuery('$1'), [keys]);
}

/** The same as a query, for a statement that does more (keysParameter: the text[] parameter, e.g. `$3`). */
export function lockAllInOrderQuery(keysParameter: string): string {
  // The ordered subquery is not flattened, so the locks are taken in its order.
  return `SELECT pg_advisory_xact_lock(lock_id)
            FROM (SELECT DISTINCT hashtextextended(key, 0) AS lock_id FROM unnest(${keysParameter}::text[]) AS key ORDER BY lock_id) AS ordered`;
}

/**
 * lockAllInOrderQuery for keys some of which are to be taken shared: those written `shared:<key>`.
 * A key wanted both ways is taken exclusive. One global order (by lock id) whatever the mode, so
 * transactions still queue rather than deadlock.
 */
export function lockIdentitiesInOrderQuery(keysParameter: string): string {
  return `SELECT CASE WHEN exclusive THEN pg_advisory_xact_lock(lock_id)::text ELSE pg_advisory_xact_lock_shared(lock_id)::text END
            FROM (SELECT hashtextextended(regexp_replace(key, '^shared:', ''), 0) AS lock_id, bool_or(key NOT LIKE 'shared:%') AS exclusive
                    FROM unnest(${keysParameter}::text[]) AS key GROUP BY 1 ORDER BY 1) AS ordered`;
}

export async function lockIdentitiesInOrder(manager: EntityManager, keys: string[]): Promise<void> {
  if (!keys.length) return;
  await manager.query(lockIdentitiesInOrderQuery('$1'), [keys]);
}
