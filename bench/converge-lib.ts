// Shared pieces of the converge benchmarks (issue 5): a local-mesos master and a Pacer process as
// children, a database of their own for the run, polling with deadlines, and cleanup that runs on
// failure and on SIGINT/SIGTERM too. Not a benchmark itself (bench.sh runs it as a no-op module).
import { execFile, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { freePort, ROOT, startNode, waitForHttp } from './lib';
import { startMasterProcess, type MasterProcess } from './local-mesos-client';

const ADMIN_URL = 'postgres://postgres:postgres@127.0.0.1:5432/postgres';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Set when a child (Pacer, local-mesos) exits while its cluster is still open: every wait then fails. */
let childDied: Error | undefined;

/**
 * Polls `check` every `everyMs` until it returns a value (not undefined); throws after `timeoutMs`,
 * or as soon as Pacer or local-mesos has died.
 */
export async function until<T>(what: string, timeoutMs: number, everyMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (childDied) throw new Error(`${childDied.message} (while waiting for ${what})`);
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export function machine(): Record<string, unknown> {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memTotalMb: Math.round(os.totalmem() / 1e6),
    node: process.version,
    loadAverageAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

export function rssKbOf(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
}

/** Live processes whose parent is `pid` (task shells of a real local-mesos agent). */
export function childProcessCount(pid: number): number {
  let n = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid …: comm may hold spaces, so parse after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid && fields[0] !== 'Z') n++;
    } catch {
      // gone meanwhile
    }
  }
  return n;
}

export interface ClusterOptions {
  /** local-mesos CLI flags besides --port/--quiet. */
  readonly mesosArgs: string[];
  /** Pacer environment on top of the bench defaults. */
  readonly pacerEnv?: Record<string, string>;
  /** Node flags of the Pacer process (BENCH_PACER_NODE_ARGS adds to them, e.g. `--require dist/bench/converge-profile.js` with PACER_CPU_PROFILE=<file>). */
  readonly pacerNodeArgs?: string[];
}

export interface Cluster {
  readonly mesos: MasterProcess;
  readonly pacer: ChildProcess;
  /** Pacer's base URL */
  readonly base: string;
  readonly databaseUrl: string;
  /** a connection to the run's database (counts, timestamps) */
  readonly db: Client;
  readonly pacerEnv: Record<string, string>;
  readonly pacerNodeArgs: string[];
  /** Idempotent: stops Pacer, then local-mesos (which kills every task), then drops the database. */
  close(): Promise<void>;
}

/** What every converge bench sets for Pacer (printed and saved with the figures). */
export const PACER_DEFAULTS: Record<string, string> = {
  LOG_LEVEL: 'warn',
  // Marathon's default is 5 s; a bench that revives after each create would otherwise wait for it.
  MIN_REVIVE_OFFERS_INTERVAL_MS: '200',
  MAX_RUNNING_DEPLOYMENTS: '100000',
  DATABASE_POOL_SIZE: '16',
};

let closers: Array<() => Promise<void>> = [];
let signalsHooked = false;

function hookSignals(): void {
  if (signalsHooked) return;
  signalsHooked = true;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      console.error(`${sig}: cleaning up`);
      const all = closers;
      closers = [];
      void Promise.allSettled(all.map((c) => c())).finally(() => process.exit(130));
    });
  }
}

/**
 * A database `pacer_bench_converge_<pid>_<n>` with every migration, a local-mesos master, and Pacer
 * subscribed to it (the framework is connected before this returns). Everything is undone by
 * `close()`, also when start-up fails half way.
 */
let clusters = 0;
export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  hookSignals();
  childDied = undefined;
  const dbName = `pacer_bench_converge_${process.pid}_${clusters++}`;
  const steps: Array<() => Promise<void>> = [];
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    closers = closers.filter((c) => c !== close);
    for (const s of steps.reverse()) {
      try {
        await s();
      } catch (e) {
        console.error(`cleanup: ${(e as Error).message}`);
      }
    }
  };
  closers.push(close);
  try {
    steps.push(() => dropDatabase(dbName));
    const databaseUrl = await migratedDatabase(dbName);
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    steps.push(() => db.end());
    const mesos = await startMasterProcess(opts.mesosArgs);
    mesos.child.once('exit', (code, signal) => {
      if (!closed) childDied = new Error(`local-mesos exited (${signal ?? code})`);
    });
    steps.push(() => stopMaster(mesos));
    const port = await freePort();
    const pacerEnv: Record<string, string> = {
      ...PACER_DEFAULTS,
      ...opts.pacerEnv,
      DATABASE_URL: databaseUrl,
      HTTP_PORT: String(port),
      HTTP_HOST: '127.0.0.1',
      PACER_ADVERTISED_ADDRESS: `127.0.0.1:${port}`,
      MESOS_MASTER: mesos.url,
      FRAMEWORK_USER: os.userInfo().username,
      SCHEDULER_ENABLED: 'true',
    };
    const pacerNodeArgs = [...(opts.pacerNodeArgs ?? []), ...(process.env.BENCH_PACER_NODE_ARGS ?? '').split(' ').filter(Boolean)];
    const pacer = startNode('src/main.js', pacerEnv, [], pacerNodeArgs);
    pacer.once('exit', (code, signal) => {
      if (!closed) childDied = new Error(`pacer exited (${signal ?? code})`);
    });
    steps.push(() => stopPacer(pacer));
    const base = `http://127.0.0.1:${port}`;
    await Promise.race([
      waitForHttp(`${base}/ping`, 60_000),
      new Promise<never>((_, reject) => pacer.once('exit', (code) => reject(new Error(`pacer exited with ${code}`)))),
    ]);
    // Subscribed and idle (suppressed) before anything is measured.
    await until('Pacer to subscribe to local-mesos', 30_000, 100, async () => {
      const s = (await (await fetch(`${mesos.url}/state?tasks=false`)).json()) as MesosState;
      const fw = s.frameworks?.[0];
      return fw?.connected && fw.suppressed_roles?.includes('*') ? true : undefined;
    });
    return { mesos, pacer, base, databaseUrl, db, pacerEnv, pacerNodeArgs, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * SIGTERM, then SIGKILL after a grace: 5 s, or 120 s while a CPU profile is to be written (a long
 * profile takes a while to serialize, see converge-profile.ts).
 */
async function stopPacer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), process.env.PACER_CPU_PROFILE ? 120_000 : 5000);
  await done;
  clearTimeout(t);
}

async function stopMaster(m: MasterProcess): Promise<void> {
  if (m.child.exitCode !== null || m.child.signalCode !== null) return;
  const done = m.stop();
  const t = setTimeout(() => m.child.kill('SIGKILL'), 15_000);
  await done;
  clearTimeout(t);
}

/**
 * Creates the database and applies every migration with `node dist/src/persistence/migrate.js`
 * (`npm run migration:run`) in a child process: the migrations of the dist/ Pacer will run, even
 * when dist/ was rebuilt since this bench process started.
 */
async function migratedDatabase(name: string): Promise<string> {
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = `postgres://postgres:postgres@127.0.0.1:5432/${name}`;
  await new Promise<void>((resolve, reject) => {
    execFile(process.execPath, [path.join(ROOT, 'dist', 'src', 'persistence', 'migrate.js')], { env: { ...process.env, DATABASE_URL: url }, timeout: 120_000 }, (err, _out, stderr) =>
      err ? reject(new Error(`migrations failed: ${err.message} ${stderr}`)) : resolve(),
    );
  });
  return url;
}

async function dropDatabase(name: string): Promise<void> {
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

export interface MesosTask {
  state: string;
  framework_id: string;
}
export interface MesosState {
  frameworks?: Array<{ id: string; connected: boolean; suppressed_roles?: string[]; task_count: number; offers: unknown[] }>;
  task_count?: number;
  tasks?: MesosTask[];
}

/** Tasks in TASK_RUNNING and tasks the master still holds (any state), from GET /state. */
export async function mesosTaskCounts(mesosUrl: string): Promise<{ running: number; live: number }> {
  const s = (await (await fetch(`${mesosUrl}/state`)).json()) as MesosState;
  let running = 0;
  for (const t of s.tasks ?? []) if (t.state === 'TASK_RUNNING') running++;
  return { running, live: s.task_count ?? 0 };
}

export async function postJson(url: string, body: unknown, method = 'POST'): Promise<{ status: number; json: unknown; headers: Headers }> {
  const res = await fetch(url, body === undefined ? { method } : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, json, headers: res.headers };
}

/** A lightweight app: no ports, tiny resources. */
export function sleeperApp(id: string, instances: number): Record<string, unknown> {
  return { id, cmd: 'sleep 3600', cpus: 0.01, mem: 8, instances, portDefinitions: [] };
}

/**
 * Instances Pacer has recorded TASK_RUNNING (its instances table, which GET /v2/apps/{id} counts
 * tasksRunning from). Read in Postgres rather than through the API: GET /v2/apps/{id} embeds every
 * task, so polling it with 10,000 instances would load the Pacer process being measured.
 */
export async function pacerRunning(db: Client, appId?: string): Promise<number> {
  const r = await db.query<{ n: string }>(
    appId === undefined
      ? `SELECT count(*)::text AS n FROM instances WHERE state = 'TASK_RUNNING'`
      : { text: `SELECT count(*)::text AS n FROM instances WHERE state = 'TASK_RUNNING' AND app_id = $1`, values: [appId] },
  );
  return Number(r.rows[0].n);
}

/** tasksRunning of one app by the API (checked once at the end, not polled). */
export async function apiTasksRunning(base: string, appId: string): Promise<number | undefined> {
  const app = (await (await fetch(`${base}/v2/apps${appId}`)).json()) as { app?: { tasksRunning?: number } };
  return app.app?.tasksRunning;
}

/** Pacer's own record of when each task became RUNNING (Instance.startedAt, ms since epoch), sorted. */
export async function startedAtMs(db: Client): Promise<number[]> {
  const r = await db.query<{ t: string }>(
    `SELECT (extract(epoch FROM started_at) * 1000)::bigint::text AS t FROM instances WHERE state = 'TASK_RUNNING' AND started_at IS NOT NULL ORDER BY started_at`,
  );
  return r.rows.map((row) => Number(row.t));
}

/** Resident memory of Pacer by /proc and heap figures from its /metrics (prom-client default metrics). */
export async function pacerMemory(c: Cluster): Promise<{ vmRssMb: number; heapUsedMb?: number; heapTotalMb?: number; externalMb?: number; processRssMb?: number }> {
  const vmRssMb = Math.round(rssKbOf(c.pacer.pid!) / 102.4) / 10;
  const text = await (await fetch(`${c.base}/metrics`)).text();
  const metric = (name: string): number | undefined => {
    const m = new RegExp(`^${name} ([0-9.e+]+)`, 'm').exec(text);
    return m ? Math.round(Number(m[1]) / 104857.6) / 10 : undefined;
  };
  const out: { vmRssMb: number; heapUsedMb?: number; heapTotalMb?: number; externalMb?: number; processRssMb?: number } = { vmRssMb };
  const heapUsed = metric('pacer_nodejs_heap_size_used_bytes');
  const heapTotal = metric('pacer_nodejs_heap_size_total_bytes');
  const external = metric('pacer_nodejs_external_memory_bytes');
  const processRss = metric('pacer_process_resident_memory_bytes');
  if (heapUsed !== undefined) out.heapUsedMb = heapUsed;
  if (heapTotal !== undefined) out.heapTotalMb = heapTotal;
  if (external !== undefined) out.externalMb = external;
  if (processRss !== undefined) out.processRssMb = processRss;
  return out;
}

/**
 * What the run did to Postgres (cumulative statistics of the run's database): transactions, and per
 * table rows inserted/updated/deleted and rows read by sequential scans (a full-table read repeated
 * per change shows up as seq_tup_read far above the table's size).
 */
export async function databaseActivity(db: Client): Promise<Record<string, unknown>> {
  const x = await db.query<{ xact_commit: string; xact_rollback: string; tup_returned: string; tup_fetched: string }>(
    `SELECT xact_commit::text, xact_rollback::text, tup_returned::text, tup_fetched::text FROM pg_stat_database WHERE datname = current_database()`,
  );
  const t = await db.query<{ relname: string; seq_scan: string; seq_tup_read: string; idx_scan: string | null; n_tup_ins: string; n_tup_upd: string; n_tup_del: string; n_live_tup: string }>(
    `SELECT relname, seq_scan::text, seq_tup_read::text, idx_scan::text, n_tup_ins::text, n_tup_upd::text, n_tup_del::text, n_live_tup::text
       FROM pg_stat_user_tables WHERE n_tup_ins + n_tup_upd + n_tup_del + seq_tup_read > 0 ORDER BY relname`,
  );
  const num = (o: Record<string, string | null>): Record<string, number> => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Number(v ?? 0)]));
  return {
    database: num(x.rows[0]),
    tables: Object.fromEntries(t.rows.map(({ relname, ...rest }) => [relname, num(rest)])),
  };
}

/** Min/max of a figure over runs. */
export function range(values: readonly number[]): { min: number; max: number } {
  return { min: Math.min(...values), max: Math.max(...values) };
}

/** Scheduler knobs as this run sets them: the bench's environment (passed on to Pacer), else Pacer's default. */
export function schedulerKnobs(): Record<string, string> {
  const defaults: Record<string, string> = {
    MAX_INSTANCES_PER_OFFER: '100',
    SCHEDULER_TICK_MS: '1000',
    DECLINE_OFFER_DURATION_SECONDS: '120',
    SCALE_APPS_INTERVAL_SECONDS: '60',
  };
  const out: Record<string, string> = {};
  for (const [k, d] of Object.entries(defaults)) out[k] = process.env[k] ?? `default (${d})`;
  return out;
}

/**
 * Runs `once` RUNS times; a failed run is reported and recorded, and the others still count (each
 * run has its own database and processes). Throws when no run succeeded. With BENCH_QUIET_LOAD=x,
 * each run first waits (up to 20 min) for the 1-minute load average to fall below x: the machine is
 * shared, and test suites running meanwhile move the figures a lot. The load at each start is kept.
 */
export async function repeat<T>(
  once: () => Promise<T>,
  report: (r: T, i: number) => void,
): Promise<{ runs: T[]; failures: Array<{ run: number; error: string }>; loadAtRunStart: number[] }> {
  const runs: T[] = [];
  const failures: Array<{ run: number; error: string }> = [];
  const loadAtRunStart: number[] = [];
  const quiet = Number(process.env.BENCH_QUIET_LOAD ?? 0);
  for (let i = 0; i < RUNS; i++) {
    if (quiet > 0) {
      const deadline = Date.now() + 20 * 60_000;
      while (os.loadavg()[0] >= quiet && Date.now() < deadline) await sleep(5000);
    }
    loadAtRunStart.push(round(os.loadavg()[0]));
    try {
      const r = await once();
      runs.push(r);
      report(r, i);
    } catch (e) {
      console.error(`run ${i + 1}/${RUNS} failed: ${(e as Error).stack ?? String(e)}`);
      failures.push({ run: i + 1, error: (e as Error).message });
    }
  }
  if (runs.length === 0) throw new Error(`every run failed: ${failures.map((f) => f.error).join('; ')}`);
  if (failures.length > 0) process.exitCode = 1;
  return { runs, failures, loadAtRunStart };
}

export const RUNS = Number(process.env.BENCH_RUNS ?? 1);

export const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;
