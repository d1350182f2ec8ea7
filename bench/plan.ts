import { cpus, loadavg } from 'node:os';
import { needsRestart, normalizeApp, type AppDefinition } from '../src/core/apps';
import type { DeploymentStep } from '../src/core/deployments/deployment';
import { planDeployment, type PlanInput } from '../src/core/deployments/plan-deployment';
import { stampVersion, withoutVersion } from '../src/core/deployments/versioning';
import { percentile, saveResult } from './lib';

/**
 * Deployment plan computation: the pure `planDeployment` (core/deployments/plan-deployment.ts) with
 * 1,000 and 10,000 apps in the store, fed as ChangeService feeds it.
 *
 * - Store: N normalized apps spread over 100 groups, each stamped with a version; 10 % of them depend
 *   on a random earlier app (so some dependency chains are several apps long).
 * - 1 changed: ChangeService loads only the touched app and its dependency closure
 *   (`withDependencies`), so `original` holds that app and `target` the new definition plus the closure.
 *   The changed app alternates between a dependent and an independent one, and between a config change
 *   (restart) and a scale. Target: ≤ 2 ms whatever the store size.
 * - All changed: every app touched, either all scaled (instances + 1) or all restarted (cmd changed).
 *   Target: ≤ 500 ms with 10,000 apps.
 *
 * New definitions share no objects with the stored ones (as after parsing a request body).
 * Only the call to planDeployment is timed (inputs are built beforehand); median and p99 over many
 * iterations after a warm-up. One core, one process.
 */
const GROUPS = 100;
const DEPENDENT_FRACTION = 0.1;
const V0 = '2026-01-01T00:00:00.000Z';
const V1 = '2026-01-01T00:05:00.000Z';
const TARGET_ONE_MS = 2;
const TARGET_ALL_MS = 500;

/** mulberry32 */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const appId = (i: number): string => `/bench/g${i % GROUPS}/app-${i}`;

function makeStore(n: number): { store: Map<string, AppDefinition>; dependents: string[]; independents: string[] } {
  const random = rng(n);
  const store = new Map<string, AppDefinition>();
  const dependents: string[] = [];
  const independents: string[] = [];
  for (let i = 0; i < n; i++) {
    const dependsOn = i > 0 && random() < DEPENDENT_FRACTION ? [appId(Math.floor(random() * i))] : [];
    const r = normalizeApp({
      id: appId(i),
      cmd: `./serve --port $PORT0 --shard ${i}`,
      cpus: 0.25,
      mem: 256,
      instances: 1 + (i % 5),
      dependencies: dependsOn,
      portDefinitions: [{ port: 0, name: 'http' }],
      labels: { team: `t${i % 17}`, tier: i % 2 === 0 ? 'web' : 'worker' },
      env: { SHARD: String(i), MODE: 'prod' },
      healthChecks: [{ protocol: 'HTTP', path: '/health', portIndex: 0 }],
      upgradeStrategy: { minimumHealthCapacity: 0.5, maximumOverCapacity: 0.2 },
    });
    if (!r.ok) throw new Error(JSON.stringify(r.details));
    store.set(r.app.id, stampVersion(undefined, r.app, V0, true));
    (dependsOn.length > 0 ? dependents : independents).push(r.app.id);
  }
  return { store, dependents, independents };
}

/**
 * ChangeService.applyIn for one app: the change stamped, original = before, target = after + closure.
 * `next` is deep-copied first: a definition from a request body shares no objects with the stored
 * one, so needsRestart compares it field by field (no shortcut on shared references).
 */
function change(before: AppDefinition, edited: AppDefinition): { original: AppDefinition; stamped: AppDefinition } {
  const next = structuredClone(edited);
  const configChanged = needsRestart(withoutVersion(before), withoutVersion(next));
  return { original: before, stamped: stampVersion(before, next, V1, configChanged) };
}

/** ChangeService.withDependencies over an in-memory store (dependencies here always name apps). */
function withDependencies(store: ReadonlyMap<string, AppDefinition>, target: ReadonlyMap<string, AppDefinition>): Map<string, AppDefinition> {
  const out = new Map(target);
  const asked = new Set<string>();
  for (;;) {
    const missing = new Set<string>();
    for (const app of out.values()) for (const dep of app.dependencies) if (!asked.has(dep)) missing.add(dep);
    if (missing.size === 0) return out;
    for (const dep of missing) {
      asked.add(dep);
      const loaded = store.get(dep);
      if (loaded && !out.has(dep)) out.set(dep, loaded);
    }
  }
}

type Input = PlanInput<AppDefinition>;

function oneChangedInputs(store: Map<string, AppDefinition>, dependents: string[], independents: string[], count: number): Input[] {
  const inputs: Input[] = [];
  for (let k = 0; k < count; k++) {
    const pool = k % 2 === 0 ? dependents : independents;
    const id = pool[Math.floor(k / 2) % pool.length];
    const before = store.get(id) as AppDefinition;
    const next = Math.floor(k / 2) % 2 === 0 ? { ...before, cmd: `${before.cmd} --v2` } : { ...before, instances: before.instances + 1 };
    const { original, stamped } = change(before, next);
    inputs.push({ original: new Map([[id, original]]), target: withDependencies(store, new Map([[id, stamped]])), touched: new Set([id]), needsRestart });
  }
  return inputs;
}

function allChangedInput(store: Map<string, AppDefinition>, kind: 'scale' | 'restart'): Input {
  const target = new Map<string, AppDefinition>();
  for (const [id, before] of store) {
    const next = kind === 'scale' ? { ...before, instances: before.instances + 1 } : { ...before, cmd: `${before.cmd} --v2` };
    target.set(id, change(before, next).stamped);
  }
  return { original: store, target, touched: new Set(store.keys()), needsRestart };
}

interface Timing {
  samplesMs: number[];
  last: DeploymentStep[];
}

function time(inputs: readonly Input[], warmup: number, iterations: number): Timing {
  let last: DeploymentStep[] = [];
  for (let i = 0; i < warmup; i++) last = planDeployment(inputs[i % inputs.length]);
  const samplesMs: number[] = new Array<number>(iterations);
  for (let i = 0; i < iterations; i++) {
    const input = inputs[i % inputs.length];
    const t0 = process.hrtime.bigint();
    last = planDeployment(input);
    samplesMs[i] = Number(process.hrtime.bigint() - t0) / 1e6;
  }
  return { samplesMs, last };
}

interface Case {
  readonly apps: number;
  readonly changed: '1' | 'all scaled' | 'all restarted';
  readonly touched: number;
  readonly plan_target_apps: number;
  readonly warmup: number;
  readonly iterations: number;
  readonly median_ms: number;
  readonly p99_ms: number;
  readonly max_ms: number;
  readonly target_ms: number;
  readonly meets_target: boolean;
  readonly steps: number;
  readonly actions: number;
}

const round = (ms: number): number => Number(ms.toPrecision(3));

function report(apps: number, changed: Case['changed'], inputs: readonly Input[], warmup: number, iterations: number, targetMs: number): Case {
  const { samplesMs, last } = time(inputs, warmup, iterations);
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const p99 = percentile(sorted, 99);
  const avg = (f: (i: Input) => number) => Math.round(inputs.reduce((s, i) => s + f(i), 0) / inputs.length);
  return {
    apps,
    changed,
    touched: avg((i) => i.touched.size),
    plan_target_apps: avg((i) => i.target.size),
    warmup,
    iterations,
    median_ms: round(percentile(sorted, 50)),
    p99_ms: round(p99),
    max_ms: round(sorted[sorted.length - 1]),
    target_ms: targetMs,
    meets_target: p99 <= targetMs,
    steps: last.length,
    actions: last.reduce((s, step) => s + step.actions.length, 0),
  };
}

function main(): void {
  const loadAtStart = loadavg()[0];
  const cases: Case[] = [];
  for (const n of [1_000, 10_000]) {
    const { store, dependents, independents } = makeStore(n);
    cases.push(report(n, '1', oneChangedInputs(store, dependents, independents, 1_000), 5_000, 50_000, TARGET_ONE_MS));
    const allIterations = n <= 1_000 ? 300 : 60;
    const allWarmup = n <= 1_000 ? 30 : 6;
    cases.push(report(n, 'all scaled', [allChangedInput(store, 'scale')], allWarmup, allIterations, TARGET_ALL_MS));
    cases.push(report(n, 'all restarted', [allChangedInput(store, 'restart')], allWarmup, allIterations, TARGET_ALL_MS));
  }

  const header = ['apps', 'changed', 'touched', 'plan target', 'iterations', 'median ms', 'p99 ms', 'max ms', 'target ms', 'ok', 'steps', 'actions'];
  const rows = cases.map((c) => [c.apps, c.changed, c.touched, c.plan_target_apps, c.iterations, c.median_ms, c.p99_ms, c.max_ms, c.target_ms, c.meets_target ? 'yes' : 'NO', c.steps, c.actions].map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join('  ');
  console.log(line(header));
  for (const r of rows) console.log(line(r));

  const result = {
    benchmark: 'plan',
    description:
      'pure planDeployment (core/deployments/plan-deployment.ts) fed as ChangeService feeds it: N normalized apps in 100 groups, 10 % depending on a random earlier app; ' +
      '1 changed = original holds the touched app, target the new definition plus its dependency closure (ChangeService.withDependencies), alternating dependent/independent apps and restart/scale; ' +
      'all changed = every app scaled (instances + 1) or restarted (cmd changed); new definitions are deep copies (as parsed from a request); only the planDeployment call is timed, after a warm-up; one core',
    dependent_fraction: DEPENDENT_FRACTION,
    groups: GROUPS,
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    load_average_1m_at_start: Number(loadAtStart.toFixed(2)),
    target_one_changed_ms: TARGET_ONE_MS,
    target_all_changed_10000_ms: TARGET_ALL_MS,
    cases,
    at: new Date().toISOString(),
  };
  console.log(`written to ${saveResult('plan', result)}`);
}

main();
