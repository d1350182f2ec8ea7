import { Injectable } from '@nestjs/common';
import type { Pool, PoolClient, QueryConfig } from 'pg';
import { DataSource } from 'typeorm';
import { parseTaskId, type Goal, type Instance, type InstanceState, type LastStatus, type TaskFailure } from '../core/instances';
import { storedResults, type StoredCheckHealth } from '../core/health/stored';
import { STAGED_STATES, type TaskCounts, type TaskRecord } from '../core/instances/task-view';

/**
 * Responsibilities: every SQL statement about the `instances` table (migration 1795320000000) —
 * batched upserts and deletes by the leader, reads by any replica, the full load of a new leader.
 * Takes and returns core `Instance` records. Non-responsibilities: deciding anything (the core's
 * reducer computes the records), leadership (the caller writes only while it leads).
 *
 * Speed of the full load (target ≥ 100,000 instances/s): rows come back as raw text (no pg type
 * parsers, `rowMode: 'array'`), in keyset pages of 10,000 inside one read-only REPEATABLE READ
 * transaction with the time zone set to UTC, so timestamps become ISO strings by slicing.
 */
export interface InstanceCounts {
  readonly total: number;
  /** instances per stored state (only states that occur) */
  readonly byState: Partial<Record<InstanceState, number>>;
  /** last health reported true / false (unknown counts in neither) */
  readonly healthy: number;
  readonly unhealthy: number;
}

/** What the API shows of one app besides its definition: its tasks and its last task failure. */
export interface AppTaskStatus {
  /** instances that have a task (`hasTask`), ordered by instance id, with their health results */
  readonly tasks: TaskRecord[];
  readonly lastFailure?: TaskFailure;
}

/** Rows per INSERT statement (one round trip each). */
export const UPSERT_BATCH = 1000;
/** Rows per keyset page of `pages` / `loadAll`. */
export const LOAD_PAGE = 10_000;
const DELETE_BATCH = 10_000;
/** Connections `loadAll` reads on at once. */
export const LOAD_PARALLEL = 4;

const COLUMNS =
  'instance_id, app_id, app_version, goal, state, incarnation, task_id, agent_id, host, ports, healthy, ' +
  'created_at, state_since, staged_at, started_at, unreachable_since, last_status';

/**
 * The whole row as one string (fields split by U+001F, SQL NULL as U+001E): the driver then makes
 * one string per row instead of 17, which halves the client's share of a full load. A field that
 * contains either separator (never in ids, versions, ports or JSON text) makes the row unsplittable;
 * such a row is read again column by column.
 */
const PACKED = `concat_ws(E'\\x1f', instance_id, app_id, app_version, goal, state, incarnation, coalesce(task_id, E'\\x1e'),
  coalesce(agent_id, E'\\x1e'), coalesce(host, E'\\x1e'), ports, coalesce(healthy::text, E'\\x1e'), created_at, state_since,
  coalesce(staged_at::text, E'\\x1e'), coalesce(started_at::text, E'\\x1e'), coalesce(unreachable_since::text, E'\\x1e'),
  coalesce(last_status::text, E'\\x1e'))`;
/** Instances that have a task to show (core `hasTask`), as a WHERE condition. */
const HAS_TASK = `i.task_id IS NOT NULL AND i.state <> 'scheduled'`;
const I_COLUMNS = COLUMNS.split(',').map((c) => `i.${c.trim()}`).join(', ');
/** The Pacer-side health of the instance's current task (table `instance_health`), joined to `instances i`. */
const JOIN_HEALTH = 'LEFT JOIN instance_health h ON h.instance_id = i.instance_id AND h.task_id = i.task_id';
const FIELD_SEP = '\x1f';
const NULL_MARK = '\x1e';

/** A packed row → its 17 raw fields, or undefined when a field contained a separator. */
export function unpackRow(packed: string): RawRow | undefined {
  const parts: RawRow = packed.split(FIELD_SEP);
  if (parts.length !== 17) return undefined;
  for (let i = 6; i < 17; i++) if (parts[i] === NULL_MARK) parts[i] = null;
  return parts;
}

/** Each column as the string (or null) Postgres sends: no per-type parsing in the driver. */
type RawRow = Array<string | null>;
const RAW_TYPES = { getTypeParser: () => (v: string): string => v };

const UPSERT_SQL = `
  INSERT INTO instances (${COLUMNS}, updated_at)
  SELECT u.instance_id, u.app_id, u.app_version, u.goal, u.state, u.incarnation, u.task_id, u.agent_id, u.host,
         u.ports::int[], u.healthy, u.created_at, u.state_since, u.staged_at, u.started_at, u.unreachable_since,
         u.last_status::jsonb, now()
    FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::int[], $7::text[], $8::text[],
                $9::text[], $10::text[], $11::boolean[], $12::timestamptz[], $13::timestamptz[], $14::timestamptz[],
                $15::timestamptz[], $16::timestamptz[], $17::text[])
      AS u(instance_id, app_id, app_version, goal, state, incarnation, task_id, agent_id, host, ports, healthy,
           created_at, state_since, staged_at, started_at, unreachable_since, last_status)
  ON CONFLICT (instance_id) DO UPDATE SET
    app_id = EXCLUDED.app_id, app_version = EXCLUDED.app_version, goal = EXCLUDED.goal, state = EXCLUDED.state,
    incarnation = EXCLUDED.incarnation, task_id = EXCLUDED.task_id, agent_id = EXCLUDED.agent_id, host = EXCLUDED.host,
    ports = EXCLUDED.ports, healthy = EXCLUDED.healthy, created_at = EXCLUDED.created_at,
    state_since = EXCLUDED.state_since, staged_at = EXCLUDED.staged_at, started_at = EXCLUDED.started_at,
    unreachable_since = EXCLUDED.unreachable_since, last_status = EXCLUDED.last_status, updated_at = now()`;

/** The 17 array parameters of `UPSERT_SQL` for one batch (column-wise). */
export function upsertParams(batch: readonly Instance[]): unknown[][] {
  const cols: unknown[][] = Array.from({ length: 17 }, () => new Array<unknown>(batch.length));
  for (let i = 0; i < batch.length; i++) {
    const x = batch[i];
    cols[0][i] = x.instanceId;
    cols[1][i] = x.appId;
    cols[2][i] = x.appVersion;
    cols[3][i] = x.goal;
    cols[4][i] = x.state;
    cols[5][i] = x.incarnation;
    cols[6][i] = x.taskId ?? null;
    cols[7][i] = x.agentId ?? null;
    cols[8][i] = x.host ?? null;
    cols[9][i] = `{${x.hostPorts.join(',')}}`;
    cols[10][i] = x.healthy ?? null;
    cols[11][i] = x.createdAt;
    cols[12][i] = x.stateSince;
    cols[13][i] = x.stagedAt ?? null;
    cols[14][i] = x.startedAt ?? null;
    cols[15][i] = x.unreachableSince ?? null;
    cols[16][i] = x.lastStatus === undefined ? null : JSON.stringify(x.lastStatus);
  }
  return cols;
}

/**
 * A timestamptz as Postgres prints it (DateStyle ISO) → the core's ISO form with milliseconds.
 * Fast path for UTC (`2026-11-22 02:04:48.12+00`); any other offset goes through Date.
 */
export function isoFromPg(s: string): string {
  const n = s.length;
  if (s.charCodeAt(n - 3) === 43 /* + */ && s.charCodeAt(n - 2) === 48 && s.charCodeAt(n - 1) === 48 && s.charCodeAt(10) === 32) {
    const base = `${s.slice(0, 10)}T${s.slice(11, 19)}`;
    if (n === 22) return `${base}.000Z`; // no fraction
    const frac = s.slice(20, n - 3);
    return `${base}.${frac.length >= 3 ? frac.slice(0, 3) : frac.padEnd(3, '0')}Z`;
  }
  const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)([+-]\d\d)(?::?(\d\d))?(?::\d\d)?$/.exec(s);
  const d = m ? new Date(`${m[1]}T${m[2]}${m[3]}:${m[4] ?? '00'}`) : new Date(Number.NaN);
  if (Number.isNaN(d.getTime())) throw new Error(`unexpected timestamp from Postgres: ${s}`);
  return d.toISOString();
}

/** `{31000,31001}` → [31000, 31001]. */
export function intsFromPg(s: string): number[] {
  if (s.length <= 2) return [];
  const parts = s.slice(1, -1).split(',');
  const out = new Array<number>(parts.length);
  for (let i = 0; i < parts.length; i++) out[i] = Number(parts[i]);
  return out;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** One raw row (columns in `COLUMNS` order) → the core record; absent optionals stay absent. */
export function instanceFromRow(r: RawRow): Instance {
  const x: Mutable<Instance> = {
    instanceId: r[0] as string,
    appId: r[1] as string,
    appVersion: isoFromPg(r[2] as string),
    goal: r[3] as Goal,
    state: r[4] as InstanceState,
    incarnation: Number(r[5]),
    hostPorts: intsFromPg(r[9] as string),
    createdAt: isoFromPg(r[11] as string),
    stateSince: isoFromPg(r[12] as string),
  };
  if (r[6] !== null) x.taskId = r[6];
  if (r[7] !== null) x.agentId = r[7];
  if (r[8] !== null) x.host = r[8];
  if (r[10] !== null) x.healthy = r[10] === 't' || r[10] === 'true'; // column: t/f, packed: true/false
  if (r[13] !== null) x.stagedAt = isoFromPg(r[13]);
  if (r[14] !== null) x.startedAt = isoFromPg(r[14]);
  if (r[15] !== null) x.unreachableSince = isoFromPg(r[15]);
  if (r[16] !== null) x.lastStatus = JSON.parse(r[16]) as LastStatus;
  return x;
}

/** The record with its task's health results, from `instance_health.checks` as text (null = none). */
export function withHealth(x: Instance, checks: string | null): TaskRecord {
  if (checks === null) return x;
  const parsed = JSON.parse(checks) as StoredCheckHealth[];
  if (parsed.length === 0) return x;
  return Object.assign(x, { healthCheckResults: storedResults(x.instanceId, parsed) });
}

/** The last write of each instance id, in input order of first appearance. */
function lastWriteWins(instances: readonly Instance[]): Instance[] {
  const byId = new Map<string, Instance>();
  for (const x of instances) byId.set(x.instanceId, x);
  return byId.size === instances.length ? [...instances] : [...byId.values()];
}

/** A connection inside a caller's transaction (pg PoolClient or Client). */
export interface Queryable {
  query(config: QueryConfig): Promise<{ rowCount: number | null }>;
}

@Injectable()
export class InstanceStore {
  constructor(private readonly ds: DataSource) {}

  /**
   * Inserts or replaces records, one statement per batch of `UPSERT_BATCH`; several batches run in
   * one transaction (all or nothing). A record listed twice is written once (the last one wins).
   * Timestamps are stored to the millisecond. Returns the number of records written.
   */
  async upsertMany(instances: readonly Instance[], client?: Queryable): Promise<number> {
    if (instances.length === 0) return 0;
    const rows = lastWriteWins(instances);
    const statement = (batch: readonly Instance[]): QueryConfig => ({ name: 'pacer_upsert_instances', text: UPSERT_SQL, values: upsertParams(batch) });
    if (client !== undefined) {
      // inside the caller's (fenced) transaction
      for (let i = 0; i < rows.length; i += UPSERT_BATCH) await client.query(statement(rows.slice(i, i + UPSERT_BATCH)));
      return rows.length;
    }
    if (rows.length <= UPSERT_BATCH) {
      await this.pool().query(statement(rows));
      return rows.length;
    }
    await this.inTransaction('BEGIN', async (c) => {
      for (let i = 0; i < rows.length; i += UPSERT_BATCH) await c.query(statement(rows.slice(i, i + UPSERT_BATCH)));
    });
    return rows.length;
  }

  /** Deletes records by instance id (unknown ids are ignored); returns how many were deleted. */
  async deleteMany(instanceIds: readonly string[], client?: Queryable): Promise<number> {
    let deleted = 0;
    for (let i = 0; i < instanceIds.length; i += DELETE_BATCH) {
      const res = await (client ?? this.pool()).query({
        name: 'pacer_delete_instances',
        text: 'DELETE FROM instances WHERE instance_id = ANY($1::text[])',
        values: [instanceIds.slice(i, i + DELETE_BATCH)],
      });
      deleted += res.rowCount ?? 0;
    }
    return deleted;
  }

  /**
   * Every record, in pages ordered by instance id (keyset: `instance_id > last`), all read from one
   * snapshot. Stop iterating early and the transaction ends with the loop.
   */
  async *pages(pageSize = LOAD_PAGE): AsyncGenerator<Instance[]> {
    const client = await this.pool().connect();
    let broken = false;
    try {
      await client.query(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL TIME ZONE 'UTC'; SET LOCAL DateStyle = 'ISO'`);
      let after: string | null = null;
      for (;;) {
        const res: { rows: RawRow[] } = await client.query<RawRow>({
          name: after === null ? 'pacer_instances_first_page' : 'pacer_instances_next_page',
          text: after === null
            ? `SELECT ${COLUMNS} FROM instances ORDER BY instance_id LIMIT $1`
            : `SELECT ${COLUMNS} FROM instances WHERE instance_id > $2 ORDER BY instance_id LIMIT $1`,
          values: after === null ? [pageSize] : [pageSize, after],
          rowMode: 'array',
          types: RAW_TYPES,
        });
        const rows = res.rows;
        if (rows.length === 0) break;
        after = rows[rows.length - 1][0];
        const page = new Array<Instance>(rows.length);
        for (let i = 0; i < rows.length; i++) page[i] = instanceFromRow(rows[i]);
        yield page;
        if (rows.length < pageSize) break;
      }
    } finally {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      client.release(broken);
    }
  }

  /**
   * Every record (what a new leader loads at start), ordered by instance id, from one snapshot.
   * Postgres' text output of a row costs more than decoding it here, so the key space is split
   * into `parallel` ranges (from the planner's histogram of instance_id; one range when there is
   * none yet) read concurrently on that many connections (at most half the pool), all in the
   * snapshot of the first.
   */
  async loadAll(pageSize = LOAD_PAGE, parallel = LOAD_PARALLEL): Promise<Instance[]> {
    const first = await this.pool().connect();
    const others: PoolClient[] = [];
    const broken = new Set<PoolClient>();
    try {
      await first.query(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL TIME ZONE 'UTC'; SET LOCAL DateStyle = 'ISO'`);
      // never more than half the pool: the extra connections are awaited while `first` is held
      const n = Math.min(parallel, Math.max(1, Math.floor((this.pool().options.max ?? 10) / 2)));
      const bounds = n > 1 ? await this.rangeBounds(first, n) : [];
      if (bounds.length > 0) {
        const snapshot = (await first.query<{ s: string }>('SELECT pg_export_snapshot() AS s')).rows[0].s;
        for (let i = 0; i < bounds.length; i++) {
          const c = await this.pool().connect();
          others.push(c);
          await c.query(
            `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT ${c.escapeLiteral(snapshot)}; ` +
            `SET LOCAL TIME ZONE 'UTC'; SET LOCAL DateStyle = 'ISO'`,
          );
        }
      }
      const clients = [first, ...others];
      // range i: (bounds[i - 1], bounds[i]]; the first starts at the beginning, the last has no end
      const ranges = await Promise.all(
        clients.map((c, i) => this.loadRange(c, i === 0 ? null : bounds[i - 1], i < bounds.length ? bounds[i] : null, pageSize)),
      );
      if (ranges.length === 1) return ranges[0];
      const all: Instance[] = [];
      for (const r of ranges) for (const x of r) all.push(x);
      return all;
    } finally {
      for (const c of [first, ...others]) {
        try {
          await c.query('ROLLBACK');
        } catch {
          broken.add(c);
        }
        c.release(broken.has(c));
      }
    }
  }

  /** Up to `n - 1` increasing split points of instance_id from pg_stats (none if not analyzed yet). */
  private async rangeBounds(c: PoolClient, n: number): Promise<string[]> {
    const res = await c.query<{ b: string[] | null }>(
      `SELECT histogram_bounds::text::text[] AS b FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'instances' AND attname = 'instance_id'`,
    );
    const h = res.rows[0]?.b;
    if (!h || h.length < n * 2) return [];
    const out: string[] = [];
    for (let i = 1; i < n; i++) out.push(h[Math.floor((i * (h.length - 1)) / n)]);
    return out;
  }

  /** The records with `from < instance_id <= to` (null = open end), in keyset pages of packed rows. */
  private async loadRange(c: PoolClient, from: string | null, to: string | null, pageSize: number): Promise<Instance[]> {
    const out: Instance[] = [];
    let after = from;
    for (;;) {
      const res: { rows: Array<[string, string]> } = await c.query<[string, string]>({
        name: `pacer_instances_range_${after === null ? 'a' : 'b'}${to === null ? '' : 'c'}`,
        text:
          `SELECT instance_id, ${PACKED} FROM instances WHERE ${after === null ? 'true' : 'instance_id > $2'}` +
          `${to === null ? '' : ` AND instance_id <= $${after === null ? 2 : 3}`} ORDER BY instance_id LIMIT $1`,
        values: [pageSize, ...(after === null ? [] : [after]), ...(to === null ? [] : [to])],
        rowMode: 'array',
        types: RAW_TYPES,
      });
      const rows = res.rows;
      for (let i = 0; i < rows.length; i++) {
        const raw = unpackRow(rows[i][1]);
        if (raw !== undefined) {
          out.push(instanceFromRow(raw));
        } else {
          const again = await c.query<RawRow>({ text: `SELECT ${COLUMNS} FROM instances WHERE instance_id = $1`, values: [rows[i][0]], rowMode: 'array', types: RAW_TYPES });
          out.push(instanceFromRow(again.rows[0]));
        }
      }
      if (rows.length < pageSize) return out;
      after = rows[rows.length - 1][0];
    }
  }

  /** The records of one app, ordered by instance id. */
  async byApp(appId: string): Promise<Instance[]> {
    return this.select('pacer_instances_by_app', `SELECT ${COLUMNS} FROM instances WHERE app_id = $1 ORDER BY instance_id`, [appId]);
  }

  /** One record, or undefined. */
  async get(instanceId: string): Promise<Instance | undefined> {
    const rows = await this.select('pacer_instance_get', `SELECT ${COLUMNS} FROM instances WHERE instance_id = $1`, [instanceId]);
    return rows[0];
  }

  /** Counts per app (every asked id is in the answer; zero when it has no instance). */
  async countByApp(appIds: readonly string[]): Promise<Map<string, InstanceCounts>> {
    const out = new Map<string, { total: number; byState: Partial<Record<InstanceState, number>>; healthy: number; unhealthy: number }>();
    for (const id of appIds) out.set(id, { total: 0, byState: {}, healthy: 0, unhealthy: 0 });
    if (appIds.length === 0) return out;
    const res = await this.pool().query<{ app_id: string; state: InstanceState; n: number; healthy: number; unhealthy: number }>({
      name: 'pacer_instance_counts',
      text: `SELECT app_id, state, count(*)::int AS n, (count(*) FILTER (WHERE healthy))::int AS healthy,
                    (count(*) FILTER (WHERE NOT healthy))::int AS unhealthy
               FROM instances WHERE app_id = ANY($1::text[]) GROUP BY app_id, state`,
      values: [[...new Set(appIds)]],
    });
    for (const r of res.rows) {
      const c = out.get(r.app_id);
      if (c === undefined) continue;
      c.total += r.n;
      c.byState[r.state] = r.n;
      c.healthy += r.healthy;
      c.unhealthy += r.unhealthy;
    }
    return out;
  }

  /**
   * Per app, its tasks and its last task failure (table `task_failures`), in one round trip for all
   * the apps: the status part of `GET /v2/apps/{id}` when the read cache does not hold it (the
   * scheduler announces its writes, which drops it there). Every asked id is in the answer.
   */
  async appStatuses(appIds: readonly string[]): Promise<Map<string, AppTaskStatus>> {
    const out = new Map<string, { tasks: TaskRecord[]; lastFailure?: TaskFailure }>();
    for (const id of appIds) out.set(id, { tasks: [] });
    if (out.size === 0) return out;
    const res = await this.pool().query<RawRow>({
      name: 'pacer_app_task_statuses',
      text: `SELECT a.app_id, f.failure::text, h.checks::text, ${I_COLUMNS}
               FROM unnest($1::text[]) AS a(app_id)
               LEFT JOIN task_failures f ON f.app_id = a.app_id
               LEFT JOIN instances i ON i.app_id = a.app_id AND ${HAS_TASK}
               ${JOIN_HEALTH}
              ORDER BY a.app_id, i.instance_id`,
      values: [[...out.keys()]],
      rowMode: 'array',
      types: RAW_TYPES,
    });
    for (const r of res.rows) {
      const status = out.get(r[0] as string);
      if (status === undefined) continue;
      if (r[1] !== null && status.lastFailure === undefined) status.lastFailure = JSON.parse(r[1]) as TaskFailure;
      if (r[3] !== null) status.tasks.push(withHealth(instanceFromRow(r.slice(3)), r[2]));
    }
    return out;
  }

  /**
   * Instances that have a task (core `hasTask`), ordered by app id then instance id: of these apps
   * (every app when `appIds` is undefined), in these states (any when undefined), with their
   * current task's health results (same statement).
   */
  async tasks(filter: { readonly appIds?: readonly string[]; readonly states?: readonly InstanceState[] } = {}): Promise<TaskRecord[]> {
    const { appIds, states } = filter;
    if (appIds?.length === 0 || states?.length === 0) return [];
    const where = [HAS_TASK];
    const values: unknown[] = [];
    if (appIds !== undefined) {
      values.push([...new Set(appIds)]);
      where.push(`i.app_id = ANY($${values.length}::text[])`);
    }
    if (states !== undefined) {
      values.push(states);
      where.push(`i.state = ANY($${values.length}::text[])`);
    }
    const name = `pacer_tasks_${appIds === undefined ? 'all' : 'apps'}_${states === undefined ? 'any' : 'states'}_h`;
    const res = await this.pool().query<RawRow>({
      name,
      text: `SELECT h.checks::text, ${I_COLUMNS} FROM instances i ${JOIN_HEALTH} WHERE ${where.join(' AND ')} ORDER BY i.app_id, i.instance_id`,
      values,
      rowMode: 'array',
      types: RAW_TYPES,
    });
    return res.rows.map((r) => withHealth(instanceFromRow(r.slice(1)), r[0]));
  }

  /**
   * The instances whose current task has one of these ids, ordered by instance id (unknown and
   * unparseable ids are left out; an older incarnation's id finds nothing). Looked up by instance id.
   */
  async byTaskIds(taskIds: readonly string[]): Promise<Instance[]> {
    const instanceIds = new Set<string>();
    for (const id of taskIds) {
      const parsed = parseTaskId(id);
      if (parsed.ok) instanceIds.add(parsed.value.instanceId);
    }
    if (instanceIds.size === 0) return [];
    return this.select(
      'pacer_instances_by_task_ids',
      `SELECT ${COLUMNS} FROM instances WHERE instance_id = ANY($1::text[]) AND task_id = ANY($2::text[]) ORDER BY instance_id`,
      [[...instanceIds], [...new Set(taskIds)]],
    );
  }

  /**
   * Marathon's AppInfo counts (core `countTasks`) per app, computed in one grouped statement: for
   * these apps, or every app when `appIds` is undefined. Apps without staged or running tasks are
   * absent (their counts are zero).
   */
  async taskCounts(appIds?: readonly string[]): Promise<Map<string, TaskCounts>> {
    const out = new Map<string, TaskCounts>();
    if (appIds?.length === 0) return out;
    const counted = [...STAGED_STATES, 'TASK_RUNNING'];
    const res = await this.pool().query<[string, number, number, number, number]>({
      name: appIds === undefined ? 'pacer_task_counts_all' : 'pacer_task_counts_of',
      text: `SELECT app_id, count(*) FILTER (WHERE state = ANY($1::text[]))::int,
                    count(*) FILTER (WHERE state = 'TASK_RUNNING')::int,
                    count(*) FILTER (WHERE state = 'TASK_RUNNING' AND healthy)::int,
                    count(*) FILTER (WHERE state = 'TASK_RUNNING' AND NOT healthy)::int
               FROM instances WHERE state = ANY($2::text[])${appIds === undefined ? '' : ' AND app_id = ANY($3::text[])'}
              GROUP BY app_id`,
      values: appIds === undefined ? [STAGED_STATES, counted] : [STAGED_STATES, counted, [...new Set(appIds)]],
      rowMode: 'array',
    });
    for (const [app, staged, running, healthy, unhealthy] of res.rows) out.set(app, { staged, running, healthy, unhealthy });
    return out;
  }

  /** Rows on any pooled connection: timestamps take `isoFromPg`'s fast path when the server's zone is UTC. */
  private async select(name: string, text: string, values: unknown[]): Promise<Instance[]> {
    const res = await this.pool().query<RawRow>({ name, text, values, rowMode: 'array', types: RAW_TYPES });
    return res.rows.map(instanceFromRow);
  }

  /** `begin`, fn, COMMIT on one pooled connection; ROLLBACK on error (connection destroyed if that fails). */
  private async inTransaction(begin: string, fn: (c: PoolClient) => Promise<void>): Promise<void> {
    const client = await this.pool().connect();
    let broken = false;
    try {
      await client.query(begin);
      await fn(client);
      await client.query('COMMIT');
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      throw err;
    } finally {
      client.release(broken);
    }
  }

  /** The DataSource's own pg pool (TypeORM's PostgresDriver keeps it as `master`), as AppStore uses it. */
  private pool(): Pool {
    return (this.ds.driver as unknown as { master: Pool }).master;
  }
}
