import { Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { StoredHealth } from '../core/health/stored';

/** Rows per INSERT statement. */
const UPSERT_BATCH = 1000;
const DELETE_BATCH = 10_000;

const SELECT = `SELECT instance_id, task_id, app_id, checks,
                       round(extract(epoch FROM sentenced_at) * 1000)::float8 AS sentenced_ms,
                       replaced_by,
                       round(extract(epoch FROM replacement_requested_at) * 1000)::float8 AS replacement_ms,
                       held
                  FROM instance_health`;

const UPSERT_SQL = `
  INSERT INTO instance_health (instance_id, task_id, app_id, checks, sentenced_at, replaced_by, replacement_requested_at, held, updated_at)
  SELECT u.instance_id, u.task_id, u.app_id, u.checks::jsonb, to_timestamp(u.sentenced_ms / 1000.0), u.replaced_by,
         to_timestamp(u.replacement_ms / 1000.0), u.held::jsonb, now()
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::text[], $7::float8[], $8::text[])
      AS u(instance_id, task_id, app_id, checks, sentenced_ms, replaced_by, replacement_ms, held)
  ON CONFLICT (instance_id) DO UPDATE SET
    task_id = EXCLUDED.task_id, app_id = EXCLUDED.app_id, checks = EXCLUDED.checks, sentenced_at = EXCLUDED.sentenced_at,
    replaced_by = EXCLUDED.replaced_by, replacement_requested_at = EXCLUDED.replacement_requested_at, held = EXCLUDED.held,
    updated_at = now()`;

interface Row {
  instance_id: string;
  task_id: string;
  app_id: string;
  checks: StoredHealth['checks'];
  sentenced_ms: number | null;
  replaced_by: string | null;
  replacement_ms: number | null;
  held: StoredHealth['held'] | null;
}

export function healthFromRow(r: Row): StoredHealth {
  return {
    instanceId: r.instance_id,
    taskId: r.task_id,
    appId: r.app_id,
    checks: r.checks,
    ...(r.sentenced_ms !== null ? { sentencedAt: r.sentenced_ms } : {}),
    ...(r.replaced_by !== null && r.replacement_ms !== null ? { replacement: { instanceId: r.replaced_by, requestedAt: r.replacement_ms } } : {}),
    ...(r.held !== null ? { held: r.held } : {}),
  };
}

/** JSON text for a jsonb column: Postgres cannot store NUL in JSON strings (probe causes are free text). */
export function jsonText(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'string' ? x.replaceAll('\u0000', '') : x));
}

/** The 8 array parameters of `UPSERT_SQL` for one batch (column-wise). */
export function healthUpsertParams(batch: readonly StoredHealth[]): unknown[][] {
  return [
    batch.map((h) => h.instanceId),
    batch.map((h) => h.taskId),
    batch.map((h) => h.appId),
    batch.map((h) => jsonText(h.checks)),
    batch.map((h) => h.sentencedAt ?? null),
    batch.map((h) => h.replacement?.instanceId ?? null),
    batch.map((h) => h.replacement?.requestedAt ?? null),
    batch.map((h) => (h.held === undefined ? null : jsonText(h.held))),
  ];
}

/**
 * Responsibilities: the `instance_health` table (migration 1795350000000): Pacer-side health per
 * instance (core `StoredHealth`), written in batches by the leader's HealthMonitor (through the
 * scheduler's store), loaded by a new leader, read by any replica. Non-responsibilities: deciding
 * anything (src/scheduler/health-monitor.ts does), joining health into task answers (InstanceStore
 * `tasks` / `appStatuses` do, in their own statements, so a task list stays one round trip).
 *
 * Times are epoch ms in the core record and timestamptz in the table (ms precision both ways).
 */
@Injectable()
export class InstanceHealthStore {
  constructor(private readonly ds: DataSource) {}

  /**
   * Inserts or replaces records (one statement per `UPSERT_BATCH`, all in one transaction when there
   * are several). A record listed twice is written once, the last one wins. Returns how many were written.
   */
  async upsertMany(records: readonly StoredHealth[]): Promise<number> {
    if (records.length === 0) return 0;
    const byId = new Map<string, StoredHealth>();
    for (const r of records) byId.set(r.instanceId, r);
    const rows = [...byId.values()];
    const statement = (batch: readonly StoredHealth[]) => ({ name: 'pacer_upsert_instance_health', text: UPSERT_SQL, values: healthUpsertParams(batch) });
    if (rows.length <= UPSERT_BATCH) {
      await this.pool().query(statement(rows));
      return rows.length;
    }
    const client = await this.pool().connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      try {
        for (let i = 0; i < rows.length; i += UPSERT_BATCH) await client.query(statement(rows.slice(i, i + UPSERT_BATCH)));
        await client.query('COMMIT');
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true;
        }
        throw err;
      }
    } finally {
      client.release(broken);
    }
    return rows.length;
  }

  /** Deletes the records of these instances (unknown ids are ignored); returns how many were deleted. */
  async deleteMany(instanceIds: readonly string[]): Promise<number> {
    let deleted = 0;
    for (let i = 0; i < instanceIds.length; i += DELETE_BATCH) {
      const res = await this.pool().query({
        name: 'pacer_delete_instance_health',
        text: 'DELETE FROM instance_health WHERE instance_id = ANY($1::text[])',
        values: [instanceIds.slice(i, i + DELETE_BATCH)],
      });
      deleted += res.rowCount ?? 0;
    }
    return deleted;
  }

  /** Every record (what a new leader loads), ordered by instance id. */
  async loadAll(): Promise<StoredHealth[]> {
    const res = await this.pool().query<Row>({ name: 'pacer_instance_health_all', text: `${SELECT} ORDER BY instance_id` });
    return res.rows.map(healthFromRow);
  }

  /** The records of these instances (whatever their task), ordered by instance id. */
  async byInstanceIds(instanceIds: readonly string[]): Promise<StoredHealth[]> {
    if (instanceIds.length === 0) return [];
    const res = await this.pool().query<Row>({
      name: 'pacer_instance_health_by_ids',
      text: `${SELECT} WHERE instance_id = ANY($1::text[]) ORDER BY instance_id`,
      values: [[...new Set(instanceIds)]],
    });
    return res.rows.map(healthFromRow);
  }

  /** The records of these apps' instances, ordered by app id then instance id. */
  async byApps(appIds: readonly string[]): Promise<StoredHealth[]> {
    if (appIds.length === 0) return [];
    const res = await this.pool().query<Row>({
      name: 'pacer_instance_health_by_apps',
      text: `${SELECT} WHERE app_id = ANY($1::text[]) ORDER BY app_id, instance_id`,
      values: [[...new Set(appIds)]],
    });
    return res.rows.map(healthFromRow);
  }

  /** The DataSource's own pg pool, as the other stores use it. */
  private pool(): Pool {
    return (this.ds.driver as unknown as { master: Pool }).master;
  }
}
