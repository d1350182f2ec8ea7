// Benchmark: simulated mode, 100,000 tasks over 500 agents launched through raw ACCEPT calls, every
// update acknowledged. Reports launches (tasks reaching TASK_RUNNING) per second and the master's
// resident memory per task. Targets: ≥ 5,000 tasks/s and ≤ 1 KB per task.
//   npx tsc -p tsconfig.build.json && node dist/bench/local-mesos-simulated.js
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { Json } from '../local-mesos/testing/client';
import { OfferLauncher, operatorGet, PipelinedCaller, startMasterProcess, subscribe, writeResult, type MasterProcess } from './local-mesos-client';

const TASKS = Number(process.env.TASKS ?? 100_000);
const AGENTS = Number(process.env.AGENTS ?? 500);
const PER_OFFER = Math.ceil(TASKS / AGENTS);
/** Node flags of the master process (space separated); MASTER_NODE_FLAGS overrides the default. */
const MASTER_NODE_FLAGS = (process.env.MASTER_NODE_FLAGS ?? '').split(' ').filter((f) => f !== '');

interface Memory {
  /** VmRSS once the forced collections have returned their pages (see memory()). */
  rss: number;
  /** RSS as the GC request itself saw it, before V8 had returned the pages it freed. */
  rssAtGc: number;
  /** VmRSS before the forced collections: what the master holds by its own GC alone. */
  rssBeforeGc: number;
  heapUsed: number;
  /** process.memoryUsage() as the GC request returned it. */
  usage: Record<string, number>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Wait after the forced collections before reading RSS (V8 unmaps freed pages on a background thread). */
const GC_SETTLE_MS = Number(process.env.GC_SETTLE_MS ?? 1000);

let lastHeapSpaces: unknown;
/**
 * The master's resident memory with garbage collected: two forced full collections, then VmRSS read
 * from /proc once V8 has handed the freed pages back (it unmaps them on a background thread just
 * after the collection; an RSS read inside the GC request still counts ~50 MB of them).
 */
async function memory(master: MasterProcess): Promise<Memory> {
  const rssBeforeGc = master.rssKb() * 1024;
  await operatorGet(master.url, '/gc', 'POST');
  const r = await operatorGet(master.url, '/gc', 'POST');
  lastHeapSpaces = r.heap_spaces;
  await sleep(GC_SETTLE_MS);
  const usage = r.memory as Record<string, number>;
  return { rss: master.rssKb() * 1024, rssAtGc: usage.rss, rssBeforeGc, heapUsed: usage.heapUsed, usage };
}

async function main(): Promise<void> {
  const master = await startMasterProcess(
    ['--simulate', '--agents', String(AGENTS), '--cpus', '1000', '--mem', '10000000', '--allocation-interval', '100ms', '--status-update-resend', '60s'],
    {},
    MASTER_NODE_FLAGS,
  );
  let running = 0;
  let allRunning = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const resources: Json[] = [
    { name: 'cpus', type: 'SCALAR', scalar: { value: 0.01 }, role: '*' },
    { name: 'mem', type: 'SCALAR', scalar: { value: 16 }, role: '*' },
  ];
  const launcher = new OfferLauncher({
    total: TASKS,
    perOffer: PER_OFFER,
    acceptRefuseSeconds: 3600,
    task: (n, agentId) => ({ name: 'sim', task_id: { value: `sim-${n}` }, agent_id: agentId, resources, command: { value: 'sleep 1000' } }),
    onUpdate: (s) => {
      if (s.state === 'TASK_RUNNING' && ++running === TASKS) {
        allRunning = Date.now();
        done();
      }
    },
  });
  // Offers that arrive while the baseline is measured are buffered by the launcher until attach.
  const sub = await subscribe(master.port, { user: os.userInfo().username, name: 'bench-simulated', capabilities: [{ type: 'PARTITION_AWARE' }] }, launcher.onEvent);
  // Measure the baseline with the framework subscribed but before any task exists.
  const before = await memory(master);
  const caller = new PipelinedCaller(master.port, sub.streamId, 8);
  launcher.attach(caller, sub.frameworkId);
  await finished;
  await caller.drained();
  // Let the burst's transient buffers go (sockets, parsers), then measure live memory.
  await sleep(Number(process.env.SETTLE_MS ?? 3000));
  const after = await memory(master);
  const metrics = await operatorGet(master.url, '/metrics');
  const seconds = (allRunning - launcher.firstAcceptAt) / 1000;
  const result = {
    benchmark: 'local-mesos-simulated',
    tasks: TASKS,
    agents: AGENTS,
    seconds_first_accept_to_all_running: seconds,
    tasks_running_per_second: Math.round(TASKS / seconds),
    target_tasks_per_second: 5000,
    master_rss_before_mb: Math.round(before.rss / 1e5) / 10,
    master_rss_after_mb: Math.round(after.rss / 1e5) / 10,
    // (RSS with the tasks − RSS before the launch) / tasks, both after forced GC (see memory()).
    rss_bytes_per_task: Math.round((after.rss - before.rss) / TASKS),
    // The same difference read inside the GC request (how earlier results were read).
    rss_bytes_per_task_read_at_gc: Math.round((after.rssAtGc - before.rssAtGc) / TASKS),
    // The same difference without forced GC (SETTLE_MS after the last task ran, V8 left to itself).
    rss_bytes_per_task_without_forced_gc: Math.round((after.rssBeforeGc - before.rssBeforeGc) / TASKS),
    heap_bytes_per_task: Math.round((after.heapUsed - before.heapUsed) / TASKS),
    target_bytes_per_task: 1024,
    settle_ms: Number(process.env.SETTLE_MS ?? 3000),
    gc_settle_ms: GC_SETTLE_MS,
    master_node_flags: MASTER_NODE_FLAGS,
    master_malloc_arena_max: process.env.MALLOC_ARENA_MAX ?? null,
    master_memory_after: { ...after.usage, vm_rss_after_gc: after.rss, vm_rss_before_gc: after.rssBeforeGc },
    master_heap_spaces_after: lastHeapSpaces,
    master_tasks: metrics.tasks,
    calls: caller.sent,
    call_failures: caller.failures,
    machine: { cpus: os.cpus().length, node: process.version },
    measured_at: new Date().toISOString(),
  };
  if (process.env.SMAPS) console.error(residentByMapping(master.child.pid!));
  caller.close();
  sub.req.destroy();
  await master.stop();
  writeResult('local-mesos-simulated', result);
}

/** Diagnostics (SMAPS=1): resident KB of the master by mapping kind, largest anonymous mappings. */
function residentByMapping(pid: number): string {
  const lines = fs.readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n');
  const kinds: Record<string, number> = {};
  const anon: number[] = [];
  let kind = '';
  for (const line of lines) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+(?:\s+(.*))?$/.exec(line);
    if (head) {
      kind = head[1] ? (head[1].startsWith('/') ? 'file' : head[1]) : 'anon';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) {
      kinds[kind] = (kinds[kind] ?? 0) + Number(rss[1]);
      if (kind === 'anon') anon.push(Number(rss[1]));
    }
  }
  anon.sort((a, b) => b - a);
  return JSON.stringify({ kinds, largestAnonKb: anon.slice(0, 12), anonMappings: anon.length });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
