/**
 * Level-triggered convergence of one app (ARCHITECTURE core idea 1): given the app's target definition
 * and every instance record it has, decide which instances to decommission and how many new ones to
 * create, and whether the deployment action is done. Called again whenever anything changed; the same
 * inputs always give the same decision, so a new leader resumes a stored plan just by calling it.
 *
 * Sources: reference marathon-api.md §3.2 (action execution), §3.3 (rolling restart), §3.4 (which
 * instances a scale-down kills: `proposeScale`).
 *
 * Non-responsibilities: launching (the launch queue launches every scheduled instance), killing (the
 * caller applies `setGoal` to the decommissioned ones and kills their tasks), readiness checks and
 * Marathon-side health checks (their results arrive with later issues through `isHealthy`).
 */
import type { AppDefinition } from '../apps';
import { isActive, isScheduled, type Instance } from '../instances/instance';
import { isScaleCandidate, killOrder, proposeScale } from '../instances/scale-down';

export type ConvergeMode = 'StartApplication' | 'ScaleApplication' | 'RestartApplication' | 'StopApplication' | 'Maintain';

export interface ConvergeInput {
  readonly mode: ConvergeMode;
  /** the target definition; undefined when the app is being (or was) removed */
  readonly app: AppDefinition | undefined;
  /** every instance record of the app */
  readonly instances: readonly Instance[];
  /**
   * Whether an instance runs (or, when launched, will run) the target's configuration. Scheduled
   * instances launch with the current definition, so callers answer true for them.
   */
  readonly isCurrent: (instance: Instance) => boolean;
  /** counts toward "healthy" (running, and healthy when the app has checks whose results Pacer knows) */
  readonly isHealthy: (instance: Instance) => boolean;
  /** instance ids chosen to die first (`DELETE …/tasks?scale=true`) */
  readonly sentenced?: readonly string[];
}

export interface ConvergeProgress {
  /** the target instance count */
  readonly target: number;
  /** running-goal instances on the target configuration (scheduled ones included) */
  readonly current: number;
  readonly healthyCurrent: number;
  /** running-goal instances on an older configuration */
  readonly old: number;
  /** decommissioned or stopped instances whose task may still run */
  readonly terminating: number;
  /** running-goal instances waiting to be launched */
  readonly waiting: number;
}

export interface ConvergeDecision {
  /** instances to give the goal `decommissioned`, in kill order */
  readonly decommission: readonly Instance[];
  /** new instances to create (they wait in the launch queue) */
  readonly toStart: number;
  readonly done: boolean;
  readonly progress: ConvergeProgress;
}

/**
 * proposeScale (Marathon's order), except that instances still waiting to be launched go before any
 * task that runs: removing a waiting instance costs nothing, killing a running one costs capacity
 * (Marathon's condition order puts Scheduled after Running).
 * Example: 2 running + 1 waiting, target 2 ⇒ the waiting one is removed, both running ones stay.
 */
function scaleDown(instances: readonly Instance[], target: number, app: AppDefinition, sentenced?: readonly string[]): { toDecommission: Instance[]; toStart: number } {
  const sentencedIds = new Set(sentenced ?? []);
  const candidates = instances.filter(isScaleCandidate);
  const excess = Math.max(0, candidates.length - target - candidates.filter((i) => sentencedIds.has(i.instanceId)).length);
  const waitingFirst = candidates.filter((i) => isScheduled(i) && !sentencedIds.has(i.instanceId)).slice(0, excess);
  const gone = new Set(waitingFirst.map((i) => i.instanceId));
  const p = proposeScale({
    instances: instances.filter((i) => !gone.has(i.instanceId)),
    target,
    sentenced,
    killSelection: app.killSelection,
    constraints: app.constraints,
  });
  return { toDecommission: [...waitingFirst, ...p.toDecommission], toStart: p.toStart };
}

/** A task that may still run on an agent: it holds capacity until Mesos reports it terminal. */
function holdsCapacity(i: Instance): boolean {
  return isActive(i) || i.state === 'unreachable-inactive';
}

export function converge(input: ConvergeInput): ConvergeDecision {
  const { app, instances } = input;
  const terminating = instances.filter((i) => i.goal !== 'running' && holdsCapacity(i)).length;
  const waiting = instances.filter(isScheduled).length;
  if (input.mode === 'StopApplication' || app === undefined) return stop(instances, terminating, waiting);
  if (input.mode === 'RestartApplication') return restart(input, app, terminating, waiting);
  if (input.mode === 'StartApplication') return start(app, terminating, waiting);
  return scale(input, app, terminating, waiting);
}

/**
 * StartApplication: Marathon's legacy no-op ("scale to 0", reference §3.2), done at once. The new
 * app's instances are launched by its ScaleApplication in its dependency step; starting them here
 * would launch every new app of a group in the plan's first step, dependencies or not.
 */
function start(app: AppDefinition, terminating: number, waiting: number): ConvergeDecision {
  return { decommission: [], toStart: 0, done: true, progress: { target: Math.max(0, app.instances), current: 0, healthyCurrent: 0, old: 0, terminating, waiting } };
}

/** StopApplication: every instance goes; done when no record is left. */
function stop(instances: readonly Instance[], terminating: number, waiting: number): ConvergeDecision {
  const decommission = instances.filter((i) => i.goal === 'running');
  return {
    decommission,
    toStart: 0,
    done: instances.length === 0,
    progress: { target: 0, current: 0, healthyCurrent: 0, old: decommission.length, terminating, waiting },
  };
}

/**
 * Start / Scale / Maintain (reference §3.2, §3.4): `proposeScale` picks who dies and how many start.
 * Done when exactly `target` running-goal instances are left, all healthy, and every decommissioned
 * task has ended.
 */
function scale(input: ConvergeInput, app: AppDefinition, terminating: number, waiting: number): ConvergeDecision {
  const target = Math.max(0, app.instances);
  const p = scaleDown(input.instances, target, app, input.sentenced);
  const dying = new Set(p.toDecommission.map((i) => i.instanceId));
  const kept = input.instances.filter((i) => isScaleCandidate(i) && !dying.has(i.instanceId));
  const healthy = kept.filter(input.isHealthy).length;
  const toStart = Math.max(0, p.toStart);
  return {
    decommission: p.toDecommission,
    toStart,
    done: p.toDecommission.length === 0 && toStart === 0 && kept.length === target && healthy === target && terminating === 0,
    progress: {
      target,
      current: kept.filter(input.isCurrent).length + toStart,
      healthyCurrent: kept.filter((i) => input.isCurrent(i) && input.isHealthy(i)).length,
      old: kept.filter((i) => !input.isCurrent(i)).length,
      terminating: terminating + p.toDecommission.filter(holdsCapacity).length,
      waiting: waiting + toStart,
    },
  };
}

/*
 * RestartApplication (reference §3.3), evaluated level-triggered: every call looks at the records as
 * they are now and returns the next kills and starts.
 *
 *   N           = target instances
 *   minHealthy  = ceil(N × minimumHealthCapacity)
 *   maxCapacity = floor(N × (1 + maximumOverCapacity)), + 1 when it equals minHealthy (else no
 *                 instance could ever be replaced without going below minHealthy)
 *   H           = healthy running-goal instances of any configuration
 *   kill        = every old instance that is not running (it serves nothing), then
 *                 max(0, H − minHealthy) healthy old ones (YOUNGEST/OLDEST per killSelection)
 *   alive       = old instances kept + decommissioned tasks not yet terminal + current instances
 *   start       = min(N − current, maxCapacity − alive)
 *
 * Worked example, N = 10, minimumHealthCapacity 0.5, maximumOverCapacity 0:
 *   minHealthy 5, maxCapacity 10; 10 old healthy ⇒ kill 10 − 5 = 5; alive = 5 + 5 (terminating) = 10
 *   ⇒ start 0. As the 5 killed tasks end, alive drops and up to 5 new start; each new one healthy
 *   raises H, so one more old one may die, and so on.
 * Worked example, N = 5, minimumHealthCapacity 1, maximumOverCapacity 0: minHealthy 5 = maxCapacity
 *   ⇒ maxCapacity 6: start 1 new; when it is healthy H = 6 ⇒ kill 1 old; when that one has ended,
 *   start the next: one at a time, never below 5 healthy.
 * Done when no old instance is left, nothing is terminating, and N current instances are healthy.
 */
function restart(input: ConvergeInput, app: AppDefinition, terminating: number, waiting: number): ConvergeDecision {
  const N = Math.max(0, app.instances);
  const minHealthy = Math.ceil(N * app.upgradeStrategy.minimumHealthCapacity - 1e-9);
  let maxCapacity = Math.floor(N * (1 + app.upgradeStrategy.maximumOverCapacity) + 1e-9);
  if (maxCapacity === minHealthy) maxCapacity += 1;

  const candidates = input.instances.filter(isScaleCandidate);
  const current = candidates.filter(input.isCurrent);
  const old = candidates.filter((i) => !input.isCurrent(i));
  const H = candidates.filter(input.isHealthy).length;

  const order = killOrder(app.killSelection);
  const unhealthyOld = old.filter((i) => i.state !== 'TASK_RUNNING').sort(order);
  const healthyOld = old.filter((i) => i.state === 'TASK_RUNNING').sort(order);
  // Running old instances that are not (yet) known healthy neither count in H nor are killed early.
  const killHealthy = healthyOld.filter(input.isHealthy).slice(0, Math.max(0, H - minHealthy));
  const decommission: Instance[] = [...unhealthyOld, ...killHealthy];

  // Leftovers beyond N on the current configuration (a forced deployment left too many): scale them down.
  const extraCurrent = current.length > N ? scaleDown(current, N, app).toDecommission : [];
  decommission.push(...extraCurrent);
  const currentKept = current.length - extraCurrent.length;

  const dying = new Set(decommission.map((i) => i.instanceId));
  const oldKept = old.filter((i) => !dying.has(i.instanceId)).length;
  const terminatingAfter = terminating + decommission.filter(holdsCapacity).length;
  const alive = oldKept + terminatingAfter + currentKept;
  const toStart = Math.max(0, Math.min(N - currentKept, maxCapacity - alive));

  const healthyCurrent = current.filter((i) => !dying.has(i.instanceId) && input.isHealthy(i)).length;
  return {
    decommission,
    toStart,
    done: decommission.length === 0 && toStart === 0 && oldKept === 0 && terminating === 0 && currentKept === N && healthyCurrent === N,
    progress: { target: N, current: currentKept + toStart, healthyCurrent, old: oldKept, terminating: terminatingAfter, waiting: waiting + toStart },
  };
}
