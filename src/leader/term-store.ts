import type { Pool, QueryConfig } from 'pg';
import type { DataSource } from 'typeorm';

/** Where leadership terms come from (Postgres `leader_term`; tests may use their own). */
export interface TermStore {
  /** Whether terms can be taken now (the database is connected). */
  available(): boolean;
  /** Increment the term, record who took it, return the new term. Bounded: rejects after `timeoutMs`. */
  next(leader: string, timeoutMs: number): Promise<number>;
  /** The current term (tests, diagnostics). */
  current(): Promise<number>;
}

/**
 * The leader_term row of migration 1795370000000. `next` runs in its own transaction with a
 * server-side statement timeout under the client-side bound, and a connection that failed or timed
 * out is destroyed (the server rolls its transaction back), so a timed-out increment does not land
 * late (a late increment would fence the next leader, see leadership.ts).
 */
export class PgTermStore implements TermStore {
  constructor(private readonly ds: DataSource) {}

  available(): boolean {
    return this.ds.isInitialized;
  }

  async next(leader: string, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    const left = (): number => Math.max(1, deadline - Date.now());
    const client = await withTimeout(this.pool().connect(), timeoutMs, 'connecting to Postgres', (c) => c.release());
    let broken = false;
    try {
      // The server gives up first (statement timeout), the client right after (query_timeout).
      await client.query(timed(`BEGIN; SET LOCAL statement_timeout = ${Math.max(1, Math.floor(left() * 0.8))}`, left()));
      const res = await client.query<{ term: string }>(
        timed('UPDATE leader_term SET term = term + 1, leader = $1, elected_at = now() WHERE id = 1 RETURNING term', left(), [leader]),
      );
      await client.query(timed('COMMIT', left()));
      if (res.rows.length !== 1) throw new Error('the leader_term row is missing (migration 1795370000000 not applied?)');
      return Number(res.rows[0].term);
    } catch (err) {
      // Never reuse a connection that may still carry the transaction: closing it rolls it back.
      broken = true;
      throw err;
    } finally {
      client.release(broken);
    }
  }

  async current(): Promise<number> {
    const res = await this.pool().query<{ term: string }>('SELECT term FROM leader_term WHERE id = 1');
    return Number(res.rows[0]?.term ?? 0);
  }

  private pool(): Pool {
    return (this.ds.driver as unknown as { master: Pool }).master;
  }
}

/** A query node-postgres gives up on after `ms` (its `query_timeout`, missing from @types/pg). */
function timed(text: string, ms: number, values?: unknown[]): QueryConfig {
  const config = { text, values, query_timeout: ms };
  return config;
}

/** Rejects after `ms`; a value that arrives later is handed to `late` (to release it). */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string, late?: (value: T) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      reject(new Error(`${what} took longer than ${ms} ms`));
    }, ms);
    p.then(
      (v) => {
        if (done) return late?.(v);
        done = true;
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
