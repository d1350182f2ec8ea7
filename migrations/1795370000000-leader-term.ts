import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The leadership term, for fencing stale leaders (issue 8; src/leader/fencing.ts). One row only
 * (`id` is always 1), created here with term 0.
 *
 * - A replica that wins the election (or a standalone replica at start) runs
 *   `UPDATE leader_term SET term = term + 1, ... RETURNING term`: the answer is its term.
 * - Every leader write transaction first reads the row `FOR SHARE` and compares the term with its
 *   own (`assertTerm`); a mismatch aborts the transaction. The share lock makes a new leader's
 *   increment wait for the old leader's in-flight transactions, so an old leader's write either
 *   commits before the new term exists (and the new leader, which loads state after taking its
 *   term, sees it) or is refused.
 * - `leader` and `elected_at` are for operators (who took the current term, and when).
 */
export class LeaderTerm1795370000000 implements MigrationInterface {
  name = 'LeaderTerm1795370000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE leader_term (
        id int PRIMARY KEY CHECK (id = 1),
        term bigint NOT NULL,
        leader text,
        elected_at timestamptz
      )`);
    await q.query('INSERT INTO leader_term (id, term) VALUES (1, 0)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE leader_term');
  }
}
