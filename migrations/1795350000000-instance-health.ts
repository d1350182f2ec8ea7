import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Pacer-side health per instance (core `StoredHealth`), written by the leader's HealthMonitor in its
 * write batches and read by every replica for a task's `healthCheckResults`.
 *
 * Why a table of its own (and not columns of `instances`): the leader's instance records change with
 * Mesos status updates, health with probe results; keeping them apart means a probe result never
 * rewrites an instance row, and the API joins them only where it shows tasks. Why it is stored at
 * all: a new leader loads it, so after a failover instances are not "unknown" for a whole interval
 * (stalling deployments that wait for health), counted failures and sentences are not forgotten, and
 * a started replacement stays linked to the instance it stands in for.
 *
 * - One row per instance, for its current task (`task_id`): the API shows it only while the
 *   instance's task id is the same (a relaunch starts from no state); the leader deletes it when the
 *   task ends.
 * - `checks`: JSON array of `{index, sig, state}` (epoch-ms times), shown, never queried.
 * - `replaced_by` / `replacement_requested_at`: the instance started to stand in for this sentenced one.
 * - `held`: why a sentenced instance still runs (`{kind, reason, since}`), for the API and operators.
 * - No foreign key to `instances`: health rows are written in the leader's batches while instances
 *   come and go; a batch must never fail because one instance was expunged meanwhile. Rows whose
 *   instance is gone are deleted by the next leader's first sync, and never shown (the API joins on
 *   instance and task id).
 */
export class InstanceHealth1795350000000 implements MigrationInterface {
  name = 'InstanceHealth1795350000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE instance_health (
        instance_id text PRIMARY KEY,
        task_id text NOT NULL,
        app_id text NOT NULL,
        checks jsonb NOT NULL,
        sentenced_at timestamptz,
        replaced_by text,
        replacement_requested_at timestamptz,
        held jsonb,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX instance_health_app ON instance_health (app_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE instance_health');
  }
}
