/**
 * Fencing of stale leaders (issue 8 §1): a leader's write transaction proves, inside the transaction,
 * that its leadership term is still the current one (table `leader_term`, migration 1795370000000).
 *
 *   BEGIN; SELECT term FROM leader_term WHERE id = 1 FOR SHARE;  -- = my term, else FencedError
 *   ...the writes...;
 *   COMMIT
 *
 * Why it is enough: a new leader takes its term with `UPDATE leader_term SET term = term + 1`, which
 * needs the row's exclusive lock, so it waits for every transaction holding the share lock. An old
 * leader's transaction therefore either commits entirely before the new term exists (and the new
 * leader, which loads its state only after taking its term, reads it) or sees the new term and
 * aborts. A leader paused for minutes (GC, SIGSTOP, a partition) can never write after a new one took
 * over, whatever ZooKeeper told it.
 *
 * Cost: one extra statement per write transaction (a primary-key read of a one-row table plus a row
 * share lock, ~0.1 ms on a local server), i.e. one more round trip per write batch with `assertTerm`,
 * none with `beginFenced` (the check travels with BEGIN in one simple-protocol message). The share
 * lock blocks nothing but the next term increment (a failover); concurrent leader transactions
 * share it. Writes outside a transaction cannot be fenced: batch them in one.
 *
 * A FencedError means: another replica leads (or, rarely, a stale term increment landed late, see
 * zk-leadership.ts). The caller must stop its leader-only work at once and, if
 * `leadership.isLeader()` still says true, call `leadership.abdicate()` so a fresh term is taken.
 */

/** The part of a pg client (PoolClient or Client) used here. */
export interface TermQueryable {
  query(text: string): Promise<unknown>;
  query(config: { name?: string; text: string; values?: unknown[] }): Promise<{ rows: unknown[] }>;
}

/** A leader write refused because the caller's term is no longer the current one. */
export class FencedError extends Error {
  readonly code = 'FENCED';
  constructor(
    /** the term the writer holds */
    readonly expected: number,
    /** the current term in Postgres (undefined: the leader_term row is missing) */
    readonly current: number | undefined,
  ) {
    super(`fenced: this replica's leadership term ${expected} is no longer current (current term ${current ?? 'unknown'}); another replica leads`);
    this.name = 'FencedError';
  }
}

export const ASSERT_TERM_SQL = 'SELECT term FROM leader_term WHERE id = 1 FOR SHARE';

/**
 * Inside an open transaction: lock the term row (share) and compare. Throws FencedError on mismatch
 * (the caller's transaction must then be rolled back, which `inFencedTransaction` does).
 */
export async function assertTerm(client: TermQueryable, term: number): Promise<void> {
  checkTerm(term);
  const res = await client.query({ name: 'pacer_assert_term', text: ASSERT_TERM_SQL });
  compare(term, res.rows);
}

/**
 * `BEGIN` and the term check in one round trip (simple query protocol, the term is a validated
 * integer literal). Leaves the transaction open on success; on FencedError the transaction is open
 * too (the caller rolls back).
 */
export async function beginFenced(client: TermQueryable, term: number, begin = 'BEGIN'): Promise<void> {
  checkTerm(term);
  const results = (await client.query(`${begin}; ${ASSERT_TERM_SQL}`)) as { rows: unknown[] }[] | { rows: unknown[] };
  const last = Array.isArray(results) ? results[results.length - 1] : results;
  compare(term, last?.rows ?? []);
}

/** The part of a pg Pool used by `inFencedTransaction`. */
export interface TermPool {
  connect(): Promise<TermQueryable & { release(destroy?: boolean): void }>;
}

/**
 * `BEGIN; term check; fn(client); COMMIT` on one pooled connection, ROLLBACK on any error (the
 * connection is destroyed if even that fails). The term check costs no extra round trip.
 */
export async function inFencedTransaction<T>(pool: TermPool, term: number, fn: (client: TermQueryable) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await beginFenced(client, term);
    const out = await fn(client);
    await client.query('COMMIT');
    return out;
  } catch (err) {
    try {
      await client.query('ROLLBACK');
    } catch {
      broken = true;
    }
    throw err;
  } finally {
    client.release(broken);
  }
}

function checkTerm(term: number): void {
  if (!Number.isSafeInteger(term) || term < 0) throw new Error(`invalid leadership term: ${String(term)}`);
}

function compare(expected: number, rows: unknown[]): void {
  const row = rows[0] as { term?: string | number } | undefined;
  const current = row?.term === undefined || row.term === null ? undefined : Number(row.term);
  if (current !== expected) throw new FencedError(expected, current);
}
