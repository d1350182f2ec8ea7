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

  /** A write transaction (READ COMMITTED, Postgres' default: no extra SET statement). */
  transaction<T>(fn: (tx: AppStoreTx) => Promise<T>): Promise<T> {
    return this.ds.transaction((em) => fn(new AppStoreTx(em)));
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

  /**
   * Apps as stored JSON text (no parse/serialize round trip for list responses), filtered in SQL.
   * `labels` is parsed only when a label selector needs it.
   */
  async listAppsText(filter: AppListFilter = {}, withLabels = false): Promise<Array<{ id: string; json: string; labels?: Record<string, string> }>> {
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
    const labels = withLabels ? `, definition->'labels' AS labels` : '';
    return this.ds.query(`SELECT id, definition::text AS json${labels} FROM apps ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`, params);
  }

  /** One app as stored JSON text plus its deployment ids, in one round trip. */
  async getAppText(id: string): Promise<{ json: string; deployments: string[] } | undefined> {
    const rows: Array<{ json: string; deployments: string[] }> = await this.ds.query(
      `SELECT a.definition::text AS json,
              ARRAY(SELECT d.id::text FROM deployments d WHERE d.affected_apps @> ARRAY[a.id] ORDER BY d.created_at) AS deployments
         FROM apps a WHERE a.id = $1`,
      [id],
    );
    return rows[0];
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

  /** Forgets a stored plan. Returns the plan's apps, or undefined when no such plan was stored. */
  async deleteDeployment(id: string): Promise<string[] | undefined> {
    const rows: Array<{ affected_apps: string[] }> = await this.ds.query(`DELETE FROM deployments WHERE id = $1 RETURNING affected_apps`, [id]);
    return rows[0]?.affected_apps;
  }
}

/** What a write needs to know before deciding, read in one statement after the locks are held. */
export interface ChangeSnapshot {
  readonly apps: Map<string, AppDefinition>;
  /** Stored deployments touching any of the ids (they lock them). */
  readonly conflicts: DeploymentRow[];
  /** Stored deployments, counted up to MAX_RUNNING_DEPLOYMENTS (the cost stays bounded by it). */
  readonly deploymentCount: number;
  /** Existing app ids that are a parent group of, or lie below, one of the ids. */
  readonly related: string[];
}

export interface AppWrite {
  readonly app: AppDefinition;
  readonly existed: boolean;
  /** Every service port the app holds after the write (others it held are released). */
  readonly ports: readonly number[];
}

export interface ChangeCommit {
  readonly saves: readonly AppWrite[];
  readonly deletes: readonly string[];
  /** Stored deployments this change supersedes (force). */
  readonly supersede: readonly string[];
  readonly deployment?: Deployment<AppDefinition>;
  readonly keepVersions: number;
}

/**
 * Statements of one write transaction. The whole write costs six round trips whatever its size
 * class: BEGIN, lock, read, claim ports, write (one statement per app, one for the rest), COMMIT.
 */
export class AppStoreTx {
  constructor(private readonly em: EntityManager) {}

  /**
   * Serialises writers per app id across every replica: transaction-scoped advisory locks, taken in
   * key order so two writers on overlapping id sets cannot deadlock.
   */
  async lockApps(ids: readonly string[]): Promise<void> {
    await this.em.query(
      `SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT DISTINCT hashtextextended(id, 0) AS k FROM unnest($1::text[]) id ORDER BY k) s`,
      [ids],
    );
  }

  /** Must run after lockApps, in a new statement, so it sees every write committed before the locks. */
  async readForChange(ids: readonly string[], maxDeployments: number): Promise<ChangeSnapshot> {
    const parents = new Set<string>();
    for (const id of ids) {
      const segs = id.split('/').filter(Boolean);
      for (let i = 1; i < segs.length; i++) parents.add(`/${segs.slice(0, i).join('/')}`);
    }
    // Apps below an id: an index range scan per id on the text_pattern_ops index. '/a/' ≤ id < '/a0'
    // holds exactly the ids starting with '/a/' ('0' follows '/' in byte order); LIKE ANY would scan.
    const lo = ids.map((id) => `${id}/`);
    const hi = ids.map((id) => `${id}0`);
    const rows: Array<{ apps: AppDefinition[]; conflicts: DeploymentRow[]; n: number; related: string[] }> = await this.em.query(
      `SELECT
         (SELECT coalesce(json_agg(definition), '[]') FROM apps WHERE id = ANY($1::text[])) AS apps,
         (SELECT coalesce(json_agg(json_build_object('id', id, 'affectedApps', affected_apps) ORDER BY created_at), '[]')
            FROM deployments WHERE affected_apps && $1::text[]) AS conflicts,
         (SELECT count(*)::int FROM (SELECT 1 FROM deployments LIMIT $5) d) AS n,
         (SELECT coalesce(json_agg(id), '[]') FROM (
            SELECT id FROM apps WHERE id = ANY($2::text[])
            UNION ALL
            SELECT (SELECT id FROM apps WHERE id ~>=~ t.lo AND id ~<~ t.hi LIMIT 1) FROM unnest($3::text[], $4::text[]) AS t(lo, hi)
          ) r WHERE id IS NOT NULL) AS related`,
      [ids, [...parents], lo, hi, maxDeployments],
    );
    const r = rows[0];
    return { apps: new Map(r.apps.map((a) => [a.id, a])), conflicts: r.conflicts, deploymentCount: r.n, related: r.related };
  }

  /** Apps whose id equals one of `prefixes` or lies below it (a group's apps). */
  async loadAppsUnder(prefixes: readonly string[]): Promise<Map<string, AppDefinition>> {
    if (prefixes.length === 0) return new Map();
    const patterns = prefixes.map((p) => `${likeLiteral(p === '/' ? '' : p)}/%`);
    const rows: DefinitionRow[] = await this.em.query(
      `SELECT definition FROM apps WHERE id = ANY($1::text[]) OR id LIKE ANY($2::text[])`,
      [prefixes, patterns],
    );
    return new Map(rows.map((r) => [r.definition.id, r.definition]));
  }

  /**
   * Claims service ports for one app in one statement: the fixed ones as given, and as many of the
   * random `candidates` as are free. Returns what the app held before, what it newly got, and which
   * fixed ports another app holds (a clash). Candidates are random, so the cost does not grow with
   * the number of ports taken; unused claims are released by the write statement.
   */
  async claimPorts(appId: string, fixed: readonly number[], candidates: readonly number[]): Promise<{ held: number[]; fixedClaimed: number[]; randomClaimed: number[] }> {
    const rows: Array<{ held: number[] | null; fixed: number[] | null; rnd: number[] | null }> = await this.em.query(
      `WITH held AS (SELECT port FROM service_ports WHERE app_id = $1),
            f AS (INSERT INTO service_ports (port, app_id) SELECT DISTINCT p, $1 FROM unnest($2::int[]) p
                    ON CONFLICT (port) DO NOTHING RETURNING port),
            r AS (INSERT INTO service_ports (port, app_id) SELECT DISTINCT p, $1 FROM unnest($3::int[]) p WHERE NOT (p = ANY($2::int[]))
                    ON CONFLICT (port) DO NOTHING RETURNING port)
       SELECT (SELECT array_agg(port) FROM held) AS held, (SELECT array_agg(port) FROM f) AS fixed, (SELECT array_agg(port) FROM r) AS rnd`,
      [appId, fixed, candidates],
    );
    return { held: rows[0].held ?? [], fixedClaimed: rows[0].fixed ?? [], randomClaimed: rows[0].rnd ?? [] };
  }

  async commit(change: ChangeCommit): Promise<void> {
    for (const w of change.saves) await this.saveApp(w, change.keepVersions);
    const d = change.deployment;
    await this.em.query(
      `WITH del_apps AS (DELETE FROM apps WHERE id = ANY($1::text[])),
            del_versions AS (DELETE FROM app_versions WHERE app_id = ANY($1::text[])),
            del_ports AS (DELETE FROM service_ports WHERE app_id = ANY($1::text[])),
            superseded AS (DELETE FROM deployments WHERE id = ANY($2::uuid[])),
            ins AS (INSERT INTO deployments (id, version, affected_apps, original, target, steps, current_step, status)
                    SELECT $3::uuid, $4, $5::text[], $6::jsonb, $7::jsonb, $8::jsonb, $9, $10 WHERE $3::uuid IS NOT NULL)
       SELECT 1`,
      [
        change.deletes,
        change.supersede,
        d?.id ?? null,
        d?.version ?? null,
        d?.affectedApps ?? null,
        d ? JSON.stringify(d.original) : null,
        d ? JSON.stringify(d.target) : null,
        d ? JSON.stringify(d.steps) : null,
        d?.currentStep ?? null,
        d?.status ?? null,
      ],
    );
  }

  /**
   * One statement per saved app: the immutable version, the current row, history pruned to `keep`
   * (the statement's snapshot does not see its own insert, so it keeps keep-1 older versions), and
   * service ports the app no longer uses released.
   */
  private async saveApp(w: AppWrite, keep: number): Promise<void> {
    const prune = w.existed
      ? keep <= 1
        ? `, pruned AS (DELETE FROM app_versions WHERE app_id = $1)`
        : `, pruned AS (DELETE FROM app_versions WHERE app_id = $1 AND version < (
             SELECT version FROM app_versions WHERE app_id = $1 ORDER BY version DESC OFFSET ${keep - 2} LIMIT 1))`
      : '';
    await this.em.query(
      `WITH v AS (INSERT INTO app_versions (app_id, version, definition) VALUES ($1, $2, $3))${prune},
            released AS (DELETE FROM service_ports WHERE app_id = $1 AND NOT (port = ANY($4::int[])))
       INSERT INTO apps (id, version, definition) VALUES ($1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, definition = EXCLUDED.definition, updated_at = now()`,
      [w.app.id, w.app.version, w.app, w.ports],
    );
  }
}
