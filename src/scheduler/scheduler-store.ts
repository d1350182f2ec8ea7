import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import type { AppDefinition } from '../core/apps';
import type { Deployment, StepStatus } from '../core/deployments/deployment';
import type { StoredHealth } from '../core/health/stored';
import type { Instance, TaskFailure } from '../core/instances';
import type { AppStore } from '../persistence/app-store';
import type { ChangeNotifier } from '../persistence/change-feed';
import type { InstanceStore, Queryable } from '../persistence/instance-store';
import { FencedError, inFencedTransaction, type TermPool, type TermQueryable } from '../leader/fencing';
import type { SchedulerStore } from './ports';

export interface FailureSink {
  recordMany(failures: readonly TaskFailure[]): Promise<unknown>;
}

/** Where Pacer-side health is kept (InstanceHealthStore). */
export interface HealthRecords {
  loadAll(): Promise<StoredHealth[]>;
  upsertMany(records: readonly StoredHealth[]): Promise<unknown>;
  deleteMany(instanceIds: readonly string[]): Promise<unknown>;
}

/** The scheduler's Postgres adapter: the stores the API uses, plus the few statements only the leader runs. */
export class PgSchedulerStore implements SchedulerStore {
  constructor(
    private readonly ds: DataSource,
    private readonly instances: InstanceStore,
    private readonly apps: AppStore,
    private readonly notifier: ChangeNotifier,
    private readonly failures: FailureSink,
    /** absent (tests of other parts): no health is loaded or kept */
    private readonly health?: HealthRecords,
    /**
     * The leadership term this scheduler writes under: when given, instance and plan writes run in
     * a transaction that first checks it is still the current term (src/leader/fencing.ts), so a
     * paused old leader can never write after a new one took over. One statement more per batch,
     * sent with BEGIN in the same round trip.
     */
    private readonly fencing?: { readonly term: number; readonly onFenced: (e: FencedError) => void },
  ) {}

  /** fn inside a fenced transaction (or on the pool without fencing). */
  private async write<T>(fn: (c: Queryable & TermQueryable) => Promise<T>): Promise<T> {
    if (this.fencing === undefined) return fn(this.pool() as unknown as Queryable & TermQueryable);
    try {
      return await inFencedTransaction(this.pool() as unknown as TermPool, this.fencing.term, (c) => fn(c as Queryable & TermQueryable));
    } catch (e) {
      if (e instanceof FencedError) this.fencing.onFenced(e);
      throw e;
    }
  }

  loadInstances(): Promise<Instance[]> {
    return this.instances.loadAll();
  }

  async writeInstances(upserts: readonly Instance[], deletes: readonly string[]): Promise<void> {
    if (upserts.length === 0 && deletes.length === 0) return;
    await this.write(async (c) => {
      if (upserts.length > 0) await this.instances.upsertMany(upserts, c);
      if (deletes.length > 0) await this.instances.deleteMany(deletes, c);
    });
  }

  async loadApps(ids?: readonly string[]): Promise<Map<string, AppDefinition | null>> {
    const out = new Map<string, AppDefinition | null>();
    for (const id of ids ?? []) out.set(id, null);
    const res = await this.pool().query<{ id: string; json: string }>(
      ids === undefined
        ? { text: 'SELECT id, definition::text AS json FROM apps' }
        : { name: 'pacer_scheduler_apps', text: 'SELECT id, definition::text AS json FROM apps WHERE id = ANY($1::text[])', values: [ids] },
    );
    for (const r of res.rows) out.set(r.id, JSON.parse(r.json) as AppDefinition);
    return out;
  }

  async configVersions(pairs: readonly (readonly [string, string])[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (let i = 0; i < pairs.length; i += 10_000) {
      const chunk = pairs.slice(i, i + 10_000);
      const res = await this.pool().query<{ app_id: string; version: string; config: string }>({
        text: `SELECT v.app_id,
                      to_char(v.version AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS version,
                      coalesce(v.definition->'versionInfo'->>'lastConfigChangeAt',
                               to_char(v.version AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) AS config
                 FROM app_versions v
                 JOIN unnest($1::text[], $2::timestamptz[]) AS p(app_id, version)
                   ON v.app_id = p.app_id AND v.version = p.version`,
        values: [chunk.map((p) => p[0]), chunk.map((p) => p[1])],
      });
      for (const r of res.rows) out.set(`${r.app_id} ${r.version}`, r.config);
    }
    return out;
  }

  loadDeployments(): Promise<Deployment<AppDefinition>[]> {
    return this.apps.listDeployments();
  }

  async saveProgress(progress: readonly { readonly id: string; readonly step: number; readonly status: StepStatus }[]): Promise<void> {
    await this.write(async (c) => {
      for (let i = 0; i < progress.length; i += 1000) {
        const chunk = progress.slice(i, i + 1000);
        await c.query({
          name: 'pacer_deployment_progress_many',
          text: `UPDATE deployments d SET current_step = u.step, status = 'running', step_status = u.status::jsonb
                   FROM unnest($1::uuid[], $2::int[], $3::text[]) AS u(id, step, status) WHERE d.id = u.id`,
          values: [chunk.map((p) => p.id), chunk.map((p) => p.step), chunk.map((p) => JSON.stringify(p.status))],
        });
      }
    });
  }

  async finishDeployments(deploymentIds: readonly string[]): Promise<Set<string>> {
    const out = new Set<string>();
    await this.write(async (c) => {
      for (let i = 0; i < deploymentIds.length; i += 1000) {
        const res = (await c.query({
          name: 'pacer_finish_deployments',
          text: 'DELETE FROM deployments WHERE id = ANY($1::uuid[]) RETURNING id::text AS id',
          values: [deploymentIds.slice(i, i + 1000)],
        })) as unknown as { rows: Array<{ id: string }> };
        for (const r of res.rows) out.add(r.id);
      }
    });
    return out;
  }

  async recordFailures(failures: readonly TaskFailure[]): Promise<void> {
    await this.failures.recordMany(failures);
  }

  announce(appIds: readonly string[]): void {
    this.notifier.announce(appIds);
  }

  announceStatus(appIds: Iterable<string>): void {
    this.notifier.announceStatus(appIds);
  }

  async loadHealth(): Promise<StoredHealth[]> {
    return (await this.health?.loadAll()) ?? [];
  }

  async writeHealth(upserts: readonly StoredHealth[], deletes: readonly string[]): Promise<void> {
    if (this.health === undefined) return;
    // Deletes first: an instance relaunched since its old task's record was dropped is upserted anew.
    if (deletes.length > 0) await this.health.deleteMany(deletes);
    if (upserts.length > 0) await this.health.upsertMany(upserts);
  }

  private pool(): Pool {
    return (this.ds.driver as unknown as { master: Pool }).master;
  }
}
