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
  // The ordered subquery is not flattened, so the locks are taken in its order.
  await manager.query(
    `SELECT pg_advisory_xact_lock(lock_id)
       FROM (SELECT DISTINCT hashtextextended(key, 0) AS lock_id FROM unnest($1::text[]) AS key ORDER BY lock_id) AS ordered`,
    [keys],
  );
}
