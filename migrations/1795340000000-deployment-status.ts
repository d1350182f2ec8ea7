import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the leader last knew about each stored plan's current step: per action its progress
 * (instances started, healthy, ready, old remaining), the reasons it cannot progress, and readiness
 * results; plus when the step started. Written by the leader only when it changes (and at most about
 * once a second per plan), read by every replica for `/v2/deployments`. JSON, because it is shown,
 * never queried.
 */
export class DeploymentStatus1795340000000 implements MigrationInterface {
  name = 'DeploymentStatus1795340000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE deployments ADD COLUMN step_status jsonb');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE deployments DROP COLUMN step_status');
  }
}
