import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Apps, their immutable versions, deployments and service-port reservations.
 * - `apps.definition` duplicates the current version's definition so list reads need no join.
 * - `app_versions` is bounded per app by the service (MAX_APP_VERSIONS), pruned in the write's transaction.
 * - `deployments` holds only stored (not yet finished) plans, as Marathon's store does; a finished or
 *   superseded plan is deleted. `original`/`target` snapshot the affected apps' definitions
 *   (appId → definition or null) so a rollback never depends on pruned history.
 * - `service_ports` makes dynamically assigned service ports cluster-unique (primary key on port).
 */
export class InitialSchema1763769600000 implements MigrationInterface {
  name = 'InitialSchema1763769600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE apps (
        id          text PRIMARY KEY,
        version     timestamptz(3) NOT NULL,
        definition  jsonb NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    // Prefix scans (`id LIKE '/prod/%'`) for group queries and app/group clash checks.
    await q.query(`CREATE INDEX apps_id_prefix_idx ON apps (id text_pattern_ops)`);
    await q.query(`
      CREATE TABLE app_versions (
        app_id      text NOT NULL,
        version     timestamptz(3) NOT NULL,
        definition  jsonb NOT NULL,
        PRIMARY KEY (app_id, version)
      )`);
    await q.query(`
      CREATE TABLE deployments (
        id            uuid PRIMARY KEY,
        version       timestamptz(3) NOT NULL,
        affected_apps text[] NOT NULL,
        original      jsonb NOT NULL,
        target        jsonb NOT NULL,
        steps         jsonb NOT NULL,
        current_step  integer NOT NULL DEFAULT 0,
        status        text NOT NULL DEFAULT 'scheduled',
        reasons       jsonb NOT NULL DEFAULT '[]'::jsonb,
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now()
      )`);
    // Lock checks: `affected_apps && $ids` finds conflicting plans without scanning.
    await q.query(`CREATE INDEX deployments_affected_apps_idx ON deployments USING gin (affected_apps)`);
    await q.query(`
      CREATE TABLE service_ports (
        port    integer PRIMARY KEY,
        app_id  text NOT NULL
      )`);
    await q.query(`CREATE INDEX service_ports_app_id_idx ON service_ports (app_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE service_ports`);
    await q.query(`DROP TABLE deployments`);
    await q.query(`DROP TABLE app_versions`);
    await q.query(`DROP TABLE apps`);
  }
}
