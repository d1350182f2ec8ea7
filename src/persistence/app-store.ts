import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { AppDefinition } from '../core/apps';
import type { Deployment, DeploymentStep } from '../core/deployments/deployment';

/**
 * Responsibilities: every SQL statement about apps, app versions, deployments and service ports.
 * Returns domain objects (plain JSON definitions), never entities. Writes happen inside
 * `transaction`, which serialises writers per app id with transaction-scoped advisory locks.
 * Non-responsibilities: deciding anything (locks, plans, versions are the services' and core's).
 */
export interface DeploymentRow {
  readonly id: string;
  readonly affectedApps: string[];
}

export interface AppListFilter {
  /** Case-insensitive substring of the id. */
  readonly id?: string;
  /** Case-insensitive substring of cmd. */
  readonly cmd?: string;
  /** Only apps whose id is below this group (`/prod` → `/prod/...`). */
  readonly under?: string;
}

interface DefinitionRow {
  definition: AppDefinition;
}

/** Escapes LIKE wildcards so user text matches literally. */
function likeLiteral(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

@Injectable()
export class AppStore {
  constructor(private readonly ds: DataSource) {}

  transaction<T>(fn: (tx: AppStoreTx) => Promise<T>): Promise<T> {
    return this.ds.transaction('READ COMMITTED', (em) => fn(new AppStoreTx(em)));
  }

  async listApps(filter: AppListFilter = {}): Promise<AppDefinition[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.id) {
      params.push(`%${likeLiteral(filter.id)}%`);
      where.push(`id ILIKE $${params.length}`);
    }
    if (filter.cmd) {
      params.push(`%${likeLiteral(filter.cmd)}%`);
      where.push(`definition->>'cmd' ILIKE $${params.length}`);
    }
    if (filter.under && filter.under !== '/') {
      params.push(`${likeLiteral(filter.under)}/%`);
      where.push(`id LIKE $${params.length}`);
    }
    const sql = `SELECT definition FROM apps ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`;
    const rows: DefinitionRow[] = await this.ds.query(sql, params);
    return rows.map((r) => r.definition);
  }

  /** The app and the ids of the stored deployments touching it, in one round trip. */
  async getApp(id: string): Promise<{ app: AppDefinition; deployments: string[] } | undefined> {
    const rows: Array<{ definition: AppDefinition; deployments: string[] }> = await this.ds.query(
      `SELECT a.definition,
              ARRAY(SELECT d.id::text FROM deployments d WHERE d.affected_apps @> ARRAY[a.id] ORDER BY d.created_at) AS deployments
         FROM apps a WHERE a.id = $1`,
      [id],
    );
    return rows[0] ? { app: rows[0].definition, deployments: rows[0].deployments } : undefined;
  }

  async listVersions(appId: string): Promise<string[] | undefined> {
    const rows: Array<{ version: string; exists: boolean }> = await this.ds.query(
      `SELECT to_char(v.version AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS version
         FROM app_versions v WHERE v.app_id = $1 ORDER BY v.version DESC`,
      [appId],
    );
    if (rows.length > 0) return rows.map((r) => r.version);
    const exists: unknown[] = await this.ds.query(`SELECT 1 FROM apps WHERE id = $1`, [appId]);
    return exists.length > 0 ? [] : undefined;
  }

  async getVersion(appId: string, version: Date): Promise<AppDefinition | undefined> {
    const rows: DefinitionRow[] = await this.ds.query(`SELECT definition FROM app_versions WHERE app_id = $1 AND version = $2`, [appId, version]);
    return rows[0]?.definition;
  }

  /** Every stored deployment (bounded by MAX_RUNNING_DEPLOYMENTS), oldest first. */
  async listDeployments(): Promise<Deployment<AppDefinition>[]> {
    const rows: Array<{
      id: string;
      version: Date;
      affected_apps: string[];
      original: Record<string, AppDefinition | null>;
      target: Record<string, AppDefinition | null>;
      steps: DeploymentStep[];
      current_step: number;
      status: 'scheduled' | 'running';
    }> = await this.ds.query(
      `SELECT id, version, affected_apps, original, target, steps, current_step, status FROM deployments ORDER BY created_at, id`,
    );
    return rows.map((r) => ({
      id: r.id,
      version: r.version.toISOString(),
      affectedApps: r.affected_apps,
      original: r.original,
      target: r.target,
      steps: r.steps,
      currentStep: r.current_step,
      status: r.status,
    }));
  }

  /** Deployment ids per app id, for the given apps (or all apps when `ids` is undefined). */
  async deploymentsByApp(ids?: readonly string[]): Promise<Map<string, string[]>> {
    const rows: Array<{ app: string; id: string }> = ids
      ? await this.ds.query(
          `SELECT a.app, d.id::text AS id FROM deployments d, unnest(d.affected_apps) AS a(app)
            WHERE d.affected_apps && $1::text[] AND a.app = ANY($1::text[]) ORDER BY d.created_at`,
          [ids],
        )
      : await this.ds.query(`SELECT a.app, d.id::text AS id FROM deployments d, unnest(d.affected_apps) AS a(app) ORDER BY d.created_at`);
    const out = new Map<string, string[]>();
    for (const r of rows) {
      const list = out.get(r.app) ?? [];
      list.push(r.id);
      out.set(r.app, list);
    }
    return out;
  }

  async deleteDeployment(id: string): Promise<boolean> {
    const res: [unknown[], number] = await this.ds.query(`DELETE FROM deployments WHERE id = $1`, [id]);
    return res[1] > 0;
  }
}

/** Statements that run inside one write transaction. */
export class AppStoreTx {
  constructor(private readonly em: EntityManager) {}

  /**
   * Serialises writers per app id across every replica: transaction-scoped advisory locks, taken in
   * sorted order so two writers on overlapping id sets cannot deadlock.
   */
  async lockApps(ids: readonly string[]): Promise<void> {
    const sorted = [...new Set(ids)].sort();
    for (const id of sorted) await this.em.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [id]);
  }

  async loadApps(ids: readonly string[]): Promise<Map<string, AppDefinition>> {
    const rows: DefinitionRow[] = await this.em.query(`SELECT definition FROM apps WHERE id = ANY($1::text[])`, [ids]);
    return new Map(rows.map((r) => [r.definition.id, r.definition]));
  }

  /** Apps whose id equals one of `ids` or lies below it (a group's apps), plus exact ids. */
  async loadAppsUnder(prefixes: readonly string[]): Promise<Map<string, AppDefinition>> {
    if (prefixes.length === 0) return new Map();
    const patterns = prefixes.map((p) => `${likeLiteral(p === '/' ? '' : p)}/%`);
    const rows: DefinitionRow[] = await this.em.query(
      `SELECT definition FROM apps WHERE id = ANY($1::text[]) OR id LIKE ANY($2::text[])`,
      [prefixes, patterns],
    );
    return new Map(rows.map((r) => [r.definition.id, r.definition]));
  }

  /** Ids that exist as apps and are a proper prefix (group) of, or lie below, the given id. */
  async clashingIds(id: string): Promise<string[]> {
    const parents: string[] = [];
    const segs = id.split('/').filter(Boolean);
    for (let i = 1; i < segs.length; i++) parents.push(`/${segs.slice(0, i).join('/')}`);
    const rows: Array<{ id: string }> = await this.em.query(
      `(SELECT id FROM apps WHERE id = ANY($1::text[])) UNION ALL (SELECT id FROM apps WHERE id LIKE $2 LIMIT 1)`,
      [parents, `${likeLiteral(id)}/%`],
    );
    return rows.map((r) => r.id);
  }

  async conflictingDeployments(ids: readonly string[]): Promise<DeploymentRow[]> {
    const rows: Array<{ id: string; affected_apps: string[] }> = await this.em.query(
      `SELECT id::text AS id, affected_apps FROM deployments WHERE affected_apps && $1::text[] ORDER BY created_at`,
      [ids],
    );
    return rows.map((r) => ({ id: r.id, affectedApps: r.affected_apps }));
  }

  async countDeployments(): Promise<number> {
    const rows: Array<{ n: number }> = await this.em.query(`SELECT count(*)::int AS n FROM deployments`);
    return rows[0].n;
  }

  async deleteDeployments(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.em.query(`DELETE FROM deployments WHERE id = ANY($1::uuid[])`, [ids]);
  }

  /** Stores a new current definition and its immutable version; prunes history beyond `keep`. */
  async saveApp(app: AppDefinition, existed: boolean, keep: number): Promise<void> {
    const version = app.version as string;
    await this.em.query(
      `WITH v AS (INSERT INTO app_versions (app_id, version, definition) VALUES ($1, $2, $3))
       INSERT INTO apps (id, version, definition) VALUES ($1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, definition = EXCLUDED.definition, updated_at = now()`,
      [app.id, version, app],
    );
    // A new app has one version: nothing to prune, and no need to pay for the query.
    if (existed) {
      await this.em.query(
        `DELETE FROM app_versions WHERE app_id = $1 AND version < (
           SELECT min(version) FROM (SELECT version FROM app_versions WHERE app_id = $1 ORDER BY version DESC LIMIT $2) newest)`,
        [app.id, keep],
      );
    }
  }

  /** Drops the app, all its versions and its service ports (Marathon drops all versions on delete). */
  async deleteApp(id: string): Promise<void> {
    await this.em.query(
      `WITH a AS (DELETE FROM apps WHERE id = $1), v AS (DELETE FROM app_versions WHERE app_id = $1)
       DELETE FROM service_ports WHERE app_id = $1`,
      [id],
    );
  }

  async insertDeployment(d: Deployment<AppDefinition>): Promise<void> {
    await this.em.query(
      `INSERT INTO deployments (id, version, affected_apps, original, target, steps, current_step, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [d.id, d.version, d.affectedApps, d.original, d.target, JSON.stringify(d.steps), d.currentStep, d.status],
    );
  }

  /** The service ports an app holds now. */
  async servicePortsOf(appId: string): Promise<number[]> {
    const rows: Array<{ port: number }> = await this.em.query(`SELECT port FROM service_ports WHERE app_id = $1 ORDER BY port`, [appId]);
    return rows.map((r) => r.port);
  }

  /**
   * Reserves `ports` for the app (fixed ones) and releases the app's other reservations.
   * Returns the ports another app already holds (a fixed service port clash).
   */
  async reserveFixedPorts(appId: string, ports: readonly number[]): Promise<number[]> {
    await this.em.query(`DELETE FROM service_ports WHERE app_id = $1 AND NOT (port = ANY($2::int[]))`, [appId, ports]);
    if (ports.length === 0) return [];
    const rows: Array<{ port: number }> = await this.em.query(
      `WITH ins AS (INSERT INTO service_ports (port, app_id) SELECT unnest($2::int[]), $1 ON CONFLICT (port) DO NOTHING RETURNING port)
       SELECT s.port FROM service_ports s WHERE s.port = ANY($2::int[]) AND s.app_id <> $1 AND s.port NOT IN (SELECT port FROM ins)`,
      [appId, ports],
    );
    return rows.map((r) => r.port);
  }

  /**
   * Picks `count` free ports in [min, max] for the app. Candidates are drawn at random and claimed
   * with ON CONFLICT DO NOTHING, so concurrent writers never get the same port and the cost does
   * not grow with the number of ports already taken (until the range is nearly full).
   */
  async claimRandomPorts(appId: string, count: number, min: number, max: number, random: () => number): Promise<number[]> {
    const claimed: number[] = [];
    for (let attempt = 0; claimed.length < count && attempt < 20; attempt++) {
      const want = (count - claimed.length) * 2;
      const candidates = Array.from({ length: want }, () => min + Math.floor(random() * (max - min + 1)));
      const rows: Array<{ port: number }> = await this.em.query(
        `INSERT INTO service_ports (port, app_id) SELECT DISTINCT unnest($2::int[]), $1 ON CONFLICT (port) DO NOTHING RETURNING port`,
        [appId, candidates],
      );
      for (const r of rows) if (claimed.length < count) claimed.push(r.port);
      const extra = rows.map((r) => r.port).filter((p) => !claimed.includes(p));
      if (extra.length > 0) await this.em.query(`DELETE FROM service_ports WHERE app_id = $1 AND port = ANY($2::int[])`, [appId, extra]);
    }
    if (claimed.length < count) {
      // Range nearly full: fall back to an exact scan for what is left.
      const rows: Array<{ port: number }> = await this.em.query(
        `INSERT INTO service_ports (port, app_id)
           SELECT p, $1 FROM generate_series($2::int, $3::int) p WHERE NOT EXISTS (SELECT 1 FROM service_ports s WHERE s.port = p)
           ORDER BY p LIMIT $4 ON CONFLICT (port) DO NOTHING RETURNING port`,
        [appId, min, max, count - claimed.length],
      );
      claimed.push(...rows.map((r) => r.port));
    }
    return claimed;
  }
}
