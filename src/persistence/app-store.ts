import { Injectable } from '@nestjs/common';
import type { Pool, PoolClient, QueryResult } from 'pg';
import { DataSource } from 'typeorm';
import type { AppDefinition } from '../core/apps';
import type { Deployment, DeploymentStep, StepStatus } from '../core/deployments/deployment';

/**
 * Responsibilities: every SQL statement about apps, app versions, deployments and service ports,
 * and the group rows a /v2/groups change writes in the same transaction (reads: group-store.ts).
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

/** The WHERE clause of a list filter (id and cmd as case-insensitive substrings, a group prefix). */
function listWhere(filter: AppListFilter): { where: string; params: unknown[] } {
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
  return { where: where.length ? `WHERE ${where.join(' AND ')}` : '', params };
}

/**
 * Marathon's `app.servicePorts` from the stored definition: the ports of portDefinitions (host
 * networking) then the servicePorts of container.portMappings (bridge/container), as a jsonb array.
 */
const SERVICE_PORTS = `(jsonb_path_query_array(definition, '$.portDefinitions[*].port') || jsonb_path_query_array(definition, '$.container.portMappings[*].servicePort'))`;

/** Escapes LIKE wildcards so user text matches literally. */
function likeLiteral(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

@Injectable()
export class AppStore {
  constructor(private readonly ds: DataSource) {}

  /**
   * A write transaction on a connection of the DataSource's own pg pool (TypeORM's PostgresDriver
   * keeps it as `master`), rolled back on any error, connection always returned.
   */
  async transaction<T>(fn: (tx: AppStoreTx) => Promise<T>): Promise<T> {
    const client = await this.pool().connect();
    const tx = new AppStoreTx(client);
    let broken = false;
    try {
      const result = await fn(tx);
      // A change that turned out to change nothing ends without COMMIT: never hand a connection
      // back to the pool inside a transaction (it would keep the advisory locks).
      await tx.rollback();
      return result;
    } catch (err) {
      try {
        await tx.rollback();
      } catch {
        broken = true; // the connection is unusable: destroy it rather than return it to the pool
      }
      throw err;
    } finally {
      client.release(broken);
    }
  }

  /**
   * Apps as stored JSON text (no parse/serialize round trip for list responses), filtered in SQL.
   * `labels` is parsed only when a label selector needs it, `servicePorts` read only when asked.
   */
  async listAppsText(
    filter: AppListFilter = {},
    options: { readonly labels?: boolean; readonly servicePorts?: boolean } = {},
  ): Promise<Array<{ id: string; json: string; labels?: Record<string, string>; servicePorts?: number[] }>> {
    const { where, params } = listWhere(filter);
    const labels = options.labels ? `, definition->'labels' AS labels` : '';
    const ports = options.servicePorts ? `, ${SERVICE_PORTS} AS "servicePorts"` : '';
    return this.ds.query(`SELECT id, definition::text AS json${labels}${ports} FROM apps ${where} ORDER BY id`, params);
  }

  /** One app as stored JSON text plus its deployment ids and service ports, in one round trip. */
  async getAppText(id: string): Promise<{ json: string; deployments: string[]; servicePorts: number[] } | undefined> {
    // The hot read: straight on the DataSource's pg pool, as a named prepared statement.
    const res = await this.pool().query<{ json: string; deployments: string[]; servicePorts: number[] }>({
      name: 'pacer_get_app_text',
      text:
      `SELECT a.definition::text AS json,
              ARRAY(SELECT d.id::text FROM deployments d WHERE d.affected_apps @> ARRAY[a.id] ORDER BY d.created_at) AS deployments,
              ${SERVICE_PORTS} AS "servicePorts"
         FROM apps a WHERE a.id = $1`,
      values: [id],
    });
    return res.rows[0];
  }

  /** Current definitions as JSON text by id, for these ids (unknown ids are absent). */
  async appsTextById(ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const res = await this.pool().query<{ id: string; json: string }>({
      name: 'pacer_apps_text_by_id',
      text: 'SELECT id, definition::text AS json FROM apps WHERE id = ANY($1::text[])',
      values: [[...new Set(ids)]],
    });
    return new Map(res.rows.map((r) => [r.id, r.json]));
  }

  /** Marathon's `app.servicePorts` by app id, for these ids (unknown ids are absent). */
  async servicePortsOf(ids: readonly string[]): Promise<Map<string, number[]>> {
    if (ids.length === 0) return new Map();
    const res = await this.pool().query<{ id: string; ports: number[] }>({
      name: 'pacer_service_ports_of',
      text: `SELECT id, ${SERVICE_PORTS} AS ports FROM apps WHERE id = ANY($1::text[])`,
      values: [[...new Set(ids)]],
    });
    return new Map(res.rows.map((r) => [r.id, r.ports]));
  }

  private pool(): Pool {
    return (this.ds.driver as unknown as { master: Pool }).master;
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
      step_status: StepStatus | null;
    }> = await this.ds.query(
      `SELECT id, version, affected_apps, original, target, steps, current_step, status, step_status FROM deployments ORDER BY created_at, id`,
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
      ...(r.step_status ? { stepStatus: r.step_status } : {}),
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
  /** Stored deployments (a trigger-kept sharded counter: O(1) whatever the number stored). */
  readonly deploymentCount: number;
  /** Existing app ids that are a parent group of, or lie below, one of the ids. */
  readonly related: string[];
  /** Service ports each of the ids holds now. */
  readonly heldPorts: Map<string, number[]>;
}

/** A create whose every write was computed assuming its id is free. */
export interface FastCreate {
  readonly app: AppDefinition;
  readonly ports: readonly number[];
  readonly deployment: Deployment<AppDefinition>;
}

export interface AppWrite {
  readonly app: AppDefinition;
  readonly existed: boolean;
  /** Every service port the app holds after the write (others it held are released). */
  readonly ports: readonly number[];
}

/** Group rows a change through /v2/groups writes with its apps (see migrations/…-groups.ts). */
export interface GroupWrite {
  /** Stored groups created or changed: id and dependencies (their version becomes the change's). */
  readonly upsert: ReadonlyArray<{ readonly id: string; readonly dependencies: readonly string[] }>;
  /** Stored groups dropped, with their recorded versions. */
  readonly remove: readonly string[];
  /** A deleted group: every recorded version at or below it is dropped. */
  readonly forgetVersionsOf?: string;
  /** Record this group's subtree, as the transaction commits it, as a version. */
  readonly snapshot?: string;
}

export interface ChangeCommit {
  readonly saves: readonly AppWrite[];
  readonly deletes: readonly string[];
  /** Stored deployments this change supersedes (force). */
  readonly supersede: readonly string[];
  readonly deployment?: Deployment<AppDefinition>;
  readonly keepVersions: number;
  /** Group rows, written after the apps (a recorded version sees them); `version` is the change's. */
  readonly groups?: GroupWrite & { readonly version: string };
}

/**
 * SQL literals for the write path. Writes send several statements in one simple-protocol message
 * (one network round trip), which cannot carry bind parameters, so values are inlined with the
 * driver's own escaping. Every value goes through one of these; nothing is concatenated raw.
 */
const lit = {
  text: (client: PoolClient, v: string): string => client.escapeLiteral(v),
  texts: (client: PoolClient, vs: readonly string[]): string => (vs.length === 0 ? `'{}'::text[]` : `ARRAY[${vs.map((v) => client.escapeLiteral(v)).join(',')}]::text[]`),
  ints: (vs: readonly number[]): string => {
    for (const v of vs) if (!Number.isSafeInteger(v)) throw new Error(`not an integer: ${v}`);
    return vs.length === 0 ? `'{}'::int[]` : `ARRAY[${vs.join(',')}]::int[]`;
  },
  int: (v: number): string => {
    if (!Number.isSafeInteger(v)) throw new Error(`not an integer: ${v}`);
    return String(v);
  },
  json: (client: PoolClient, v: unknown): string => `${client.escapeLiteral(JSON.stringify(v))}::jsonb`,
  uuids: (client: PoolClient, vs: readonly string[]): string => (vs.length === 0 ? `'{}'::uuid[]` : `ARRAY[${vs.map((v) => client.escapeLiteral(v)).join(',')}]::uuid[]`),
};

/** From this many apps on, a write saves them with one statement (pacer_save_apps). */
const BULK_SAVES = 16;

/**
 * One write transaction on a dedicated connection. It costs two or three round trips whatever
 * the change: `begin` (BEGIN, the locks, and the read, pipelined), `claimPortsMany` (only when service
 * ports must be claimed) and `commit` (every write and COMMIT, pipelined). Each statement gets its
 * own snapshot (READ COMMITTED), so the read that follows the locks sees every write committed
 * before them.
 */
export class AppStoreTx {
  private open = false;

  constructor(private readonly client: PoolClient) {}

  /** BEGIN, per-app advisory locks (in key order: no deadlocks), then the snapshot, in one round trip. */
  async begin(ids: readonly string[]): Promise<ChangeSnapshot> {
    const c = this.client;
    const parents = new Set<string>();
    for (const id of ids) {
      const segs = id.split('/').filter(Boolean);
      for (let i = 1; i < segs.length; i++) parents.add(`/${segs.slice(0, i).join('/')}`);
    }
    // Apps below an id: an index range scan per id on the text_pattern_ops index. '/a/' ≤ id < '/a0'
    // holds exactly the ids starting with '/a/' ('0' follows '/' in byte order); LIKE ANY would scan.
    const lo = ids.map((id) => `${id}/`);
    const hi = ids.map((id) => `${id}0`);
    const sql = [
      'BEGIN',
      `SELECT pacer_begin_change(${lit.texts(c, ids)}, ${lit.texts(c, [...parents])}, ${lit.texts(c, lo)}, ${lit.texts(c, hi)}) AS r`,
    ].join(';\n');
    this.open = true;
    const results = (await this.client.query(sql)) as unknown as QueryResult[];
    const row = results[1].rows[0].r as { apps: AppDefinition[]; conflicts: DeploymentRow[]; n: number; related: string[]; held: Record<string, number[]> };
    return {
      apps: new Map(row.apps.map((a) => [a.id, a])),
      conflicts: row.conflicts,
      deploymentCount: row.n,
      related: row.related,
      heldPorts: new Map(Object.entries(row.held)),
    };
  }

  /** Apps whose id equals one of `prefixes` or lies below it (a group's apps). */
  async loadAppsUnder(prefixes: readonly string[]): Promise<Map<string, AppDefinition>> {
    if (prefixes.length === 0) return new Map();
    const patterns = prefixes.map((p) => `${likeLiteral(p === '/' ? '' : p)}/%`);
    const res = await this.client.query<DefinitionRow>(`SELECT definition FROM apps WHERE id = ANY($1::text[]) OR id LIKE ANY($2::text[])`, [prefixes, patterns]);
    return new Map(res.rows.map((r) => [r.definition.id, r.definition]));
  }

  /**
   * Claims service ports for one app in one statement: the fixed ones as given, and as many of the
   * random `candidates` as are free. Returns which fixed and random ports it newly got; a fixed port
   * neither got nor already held belongs to another app (a clash). Unused claims are released by
   * the commit.
   */
  async claimPorts(appId: string, fixed: readonly number[], candidates: readonly number[]): Promise<{ fixedClaimed: number[]; randomClaimed: number[] }> {
    const res = (await this.client.query(this.claimSql(appId, fixed, candidates))) as unknown as QueryResult<{ r: { fixed: number[]; rnd: number[] } }>;
    return { fixedClaimed: res.rows[0].r.fixed, randomClaimed: res.rows[0].r.rnd };
  }

  /**
   * The first claims of many apps in one round trip (one statement each, pipelined), in order:
   * a change of 1,000 apps costs one round trip here instead of 1,000.
   */
  async claimPortsMany(claims: ReadonlyArray<{ appId: string; fixed: readonly number[]; candidates: readonly number[] }>): Promise<Array<{ fixedClaimed: number[]; randomClaimed: number[] }>> {
    if (claims.length === 0) return [];
    const res = (await this.client.query(claims.map((x) => this.claimSql(x.appId, x.fixed, x.candidates)).join(';\n'))) as unknown as
      | QueryResult<{ r: { fixed: number[]; rnd: number[] } }>
      | Array<QueryResult<{ r: { fixed: number[]; rnd: number[] } }>>;
    const results = Array.isArray(res) ? res : [res];
    return results.map((q) => ({ fixedClaimed: q.rows[0].r.fixed, randomClaimed: q.rows[0].r.rnd }));
  }

  private claimSql(appId: string, fixed: readonly number[], candidates: readonly number[]): string {
    return `SELECT pacer_claim_ports(${lit.text(this.client, appId)}, ${lit.ints(fixed)}, ${lit.ints(candidates)}) AS r`;
  }

  /** Every write of the change and COMMIT, in one round trip. */
  async commit(change: ChangeCommit): Promise<void> {
    const c = this.client;
    // Many apps (a group's) are saved by one set-based statement: one statement each cost a parse
    // and plan apiece. Few keep one statement each (their plans are cached per connection).
    const statements =
      change.saves.length >= BULK_SAVES
        ? [
            `SELECT pacer_save_apps(${lit.json(c, change.saves.map((w) => ({ id: w.app.id, version: w.app.version, def: w.app, existed: w.existed, ports: w.ports })))}, ` +
              `${lit.int(Math.max(1, change.keepVersions))})`,
          ]
        : change.saves.map(
            (w) =>
              `SELECT pacer_save_app(${lit.text(c, w.app.id)}, ${lit.text(c, w.app.version as string)}, ${lit.json(c, w.app)}, ${w.existed}, ` +
              `${lit.int(Math.max(1, change.keepVersions))}, ${lit.ints(w.ports)})`,
          );
    const d = change.deployment;
    if (change.deletes.length > 0 || change.supersede.length > 0 || d) {
      statements.push(
        `SELECT pacer_finish_change(${lit.texts(c, change.deletes)}, ${lit.uuids(c, change.supersede)}, ` +
          (d
            ? `${lit.text(c, d.id)}::uuid, ${lit.text(c, d.version)}, ${lit.texts(c, d.affectedApps)}, ${lit.json(c, d.original)}, ` +
              `${lit.json(c, d.target)}, ${lit.json(c, d.steps)}, ${lit.int(d.currentStep)}, ${lit.text(c, d.status)})`
            : `NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`),
      );
    }
    const g = change.groups;
    if (g) {
      const upserts = g.upsert.map((u) => ({ id: u.id, dependencies: u.dependencies }));
      statements.push(
        `SELECT pacer_save_groups(${lit.json(c, upserts)}, ${lit.texts(c, g.remove)}, ${g.forgetVersionsOf === undefined ? 'NULL' : lit.text(c, g.forgetVersionsOf)}, ` +
          `${g.snapshot === undefined ? 'NULL' : lit.text(c, g.snapshot)}, ${lit.text(c, g.version)}, ${lit.int(Math.max(1, change.keepVersions))})`,
      );
    }
    statements.push('COMMIT');
    await this.client.query(statements.join(';\n'));
    this.open = false;
  }

  /**
   * Creates apps in one round trip and one transaction, each only if its id is free (see
   * pacer_create_apps): BEGIN, the verifying writes, COMMIT. Returns, per create, whether it was
   * written; the others wrote nothing.
   */
  async createIfFree(creates: readonly FastCreate[], maxDeployments: number): Promise<boolean[]> {
    const c = this.client;
    const reqs = creates.map(({ app, ports, deployment }) => {
      const segs = app.id.split('/').filter(Boolean);
      return {
        app: app.id,
        parents: segs.slice(0, -1).map((_, i) => `/${segs.slice(0, i + 1).join('/')}`),
        version: app.version,
        def: app,
        ports,
        deployment: deployment.id,
        original: deployment.original,
        target: deployment.target,
        steps: deployment.steps,
      };
    });
    this.open = true;
    const results = (await c.query(`BEGIN; SELECT pacer_create_apps(${lit.json(c, reqs)}, ${lit.int(maxDeployments)}) AS r; COMMIT`)) as unknown as QueryResult[];
    this.open = false;
    return results[1].rows[0].r as boolean[];
  }

  /** Undoes an unfinished transaction (after an error or a refused change). */
  async rollback(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    await this.client.query('ROLLBACK');
  }
}
