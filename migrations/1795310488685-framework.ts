import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Mesos framework id, kept across restarts and leader changes: a scheduler that forgets it
 * registers as a new framework and orphans every running task (reference §1.5). One row only
 * (`id` is always 1); `stored_at` says when the id was first written or last changed.
 */
export class Framework1795310488685 implements MigrationInterface {
  name = 'Framework1795310488685';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE framework (
        id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
        framework_id text NOT NULL CHECK (framework_id <> ''),
        stored_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE framework');
  }
}
