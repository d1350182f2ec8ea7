import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Instances (core `Instance`, src/core/instances/instance.ts): one row per instance, written by the
 * leader in batches (`InstanceStore.upsertMany`), read by every replica and loaded whole by a new
 * leader. One column per field, no JSONB copy of the record: loading the columns (packed into one
 * text per row) measured at least as fast as parsing a JSONB document per row (bench/instance-load.ts),
 * and a copy would double every write.
 *
 * - `instance_id` is Marathon's instance id (`<safe app path>.instance-<uuid>`); `COLLATE "C"` keeps
 *   the primary key's comparisons bytewise (cheaper, and the keyset paging order is locale-free).
 * - Timestamps are millisecond precision, like the ISO strings of the core record.
 * - `updated_at` is when the row was last written (not part of the core record).
 */
export class Instances1795320000000 implements MigrationInterface {
  name = 'Instances1795320000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE instances (
        instance_id text COLLATE "C" PRIMARY KEY,
        app_id text NOT NULL,
        app_version timestamptz(3) NOT NULL,
        goal text NOT NULL CHECK (goal IN ('running', 'stopped', 'decommissioned')),
        state text NOT NULL,
        incarnation int NOT NULL CHECK (incarnation >= 0),
        task_id text,
        agent_id text,
        host text,
        ports int[] NOT NULL DEFAULT '{}',
        healthy boolean,
        created_at timestamptz(3) NOT NULL,
        state_since timestamptz(3) NOT NULL,
        staged_at timestamptz(3),
        started_at timestamptz(3),
        unreachable_since timestamptz(3),
        last_status jsonb,
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX instances_app_id ON instances (app_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE instances');
  }
}
