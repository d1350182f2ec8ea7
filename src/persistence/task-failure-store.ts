import { Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { TaskFailure } from '../core/instances/instance';

/**
 * Responsibilities: the `task_failures` table (migration 1795330000000): the last task failure per
 * app, recorded by the leader's scheduler, read by every replica for `lastTaskFailure`.
 * Non-responsibilities: deciding what is a failure (the core's reducer emits `record-task-failure`)
 * and forgetting a deleted app's failure (a trigger on `apps` does, in the deleting transaction).
 */
@Injectable()
export class TaskFailureStore {
  constructor(private readonly ds: DataSource) {}

  /**
   * Records failures in one statement: per app the last one listed wins, and replaces the stored
   * one. Failures of apps that do not exist (any more) are skipped, so a task that fails while its
   * app is being deleted leaves nothing behind. Returns how many were stored.
   */
  async recordMany(failures: readonly TaskFailure[]): Promise<number> {
    if (failures.length === 0) return 0;
    const last = new Map<string, TaskFailure>();
    for (const f of failures) {
      last.delete(f.appId); // keep insertion order = order of the last write
      last.set(f.appId, f);
    }
    const res = await this.pool().query({
      name: 'pacer_record_task_failures',
      text: `INSERT INTO task_failures (app_id, failure, recorded_at)
             SELECT u.app_id, u.failure::jsonb, now() FROM unnest($1::text[], $2::text[]) AS u(app_id, failure)
              WHERE EXISTS (SELECT 1 FROM apps a WHERE a.id = u.app_id)
             ON CONFLICT (app_id) DO UPDATE SET failure = EXCLUDED.failure, recorded_at = EXCLUDED.recorded_at`,
      values: [[...last.keys()], [...last.values()].map(failureText)],
    });
    return res.rowCount ?? 0;
  }

  /** The app's last failure, or undefined. */
  async get(appId: string): Promise<TaskFailure | undefined> {
    return (await this.byApps([appId])).get(appId);
  }

  /** Last failures by app id, for these apps (or every app when `appIds` is undefined). */
  async byApps(appIds?: readonly string[]): Promise<Map<string, TaskFailure>> {
    if (appIds !== undefined && appIds.length === 0) return new Map();
    const res = await this.pool().query<{ app_id: string; failure: TaskFailure }>(
      appIds === undefined
        ? { name: 'pacer_task_failures_all', text: 'SELECT app_id, failure FROM task_failures' }
        : { name: 'pacer_task_failures_of', text: 'SELECT app_id, failure FROM task_failures WHERE app_id = ANY($1::text[])', values: [[...new Set(appIds)]] },
    );
    return new Map(res.rows.map((r) => [r.app_id, r.failure]));
  }

  /** The DataSource's own pg pool, as the other stores use it. */
  private pool(): Pool {
    return (this.ds.driver as unknown as { master: Pool }).master;
  }
}

/** JSON text for a jsonb column: Postgres cannot store NUL in JSON strings, and Mesos messages are free text. */
export function failureText(f: TaskFailure): string {
  return JSON.stringify(f, (_k, v: unknown) => (typeof v === 'string' ? v.replaceAll('\u0000', '') : v));
}
