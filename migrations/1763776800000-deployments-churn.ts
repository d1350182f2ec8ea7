import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Deployments churn: every write inserts one and every finished plan deletes one.
 * - The GIN index on affected_apps stops using its pending list (fastupdate): with it, every lock
 *   check rescanned the unmerged pending entries, 1.5 ms per write after a thousand inserts.
 * - Autovacuum runs on this table after 200 dead rows instead of 20% of the table, so the
 *   bounded count of running deployments never walks a heap full of dead plans.
 */
export class DeploymentsChurn1763776800000 implements MigrationInterface {
  name = 'DeploymentsChurn1763776800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER INDEX deployments_affected_apps_idx SET (fastupdate = off)`);
    await q.query(`ALTER TABLE deployments SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 200, autovacuum_vacuum_cost_delay = 0)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE deployments RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold, autovacuum_vacuum_cost_delay)`);
    await q.query(`ALTER INDEX deployments_affected_apps_idx RESET (fastupdate)`);
  }
}
