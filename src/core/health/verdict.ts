/**
 * The verdict of one Marathon-side health check (HTTP, HTTPS, TCP) on one task, as Marathon keeps it
 * (`core/health/Health.scala`, `impl/HealthCheckActor.scala`; reference marathon-api.md §5).
 *
 * Responsibilities: fold probe results into a `HealthState`, say whether the task is alive and whether
 * the check has sentenced it, and render Marathon's `healthCheckResults` item. Non-responsibilities:
 * probing (src/health-checks/probe.ts: it decides what a 1xx answer is), killing (replace-before-kill.ts,
 * circuit-breaker.ts and kill-rate-limit.ts decide whether a sentence is carried out, and when), events
 * (the caller publishes them from `HealthUpdate`).
 *
 * Times are epoch milliseconds. One state per (task id, index of the check in app.healthChecks); a
 * relaunched instance has a new task id and starts from `NEW_HEALTH_STATE`.
 */
import type { HealthCheck } from '../apps';

export interface HealthState {
  readonly firstSuccess?: number;
  readonly lastSuccess?: number;
  readonly lastFailure?: number;
  readonly lastFailureCause?: string;
  /** counted failures since the last success */
  readonly consecutiveFailures: number;
  /** first counted failure of the current run of failures (not in Marathon's JSON; the breaker reads it) */
  readonly failingSince?: number;
}

/** Marathon's `Health(instanceId)`: what a task has before any result counted. */
export const NEW_HEALTH_STATE: HealthState = Object.freeze({ consecutiveFailures: 0 });

/**
 * One probe's answer, as src/health-checks/probe.ts returns it. `ignored` (an HTTP 1xx answer with
 * ignoreHttp1xx, or a probe the worker skipped because it was picked up too late) leaves the state
 * as it is, as Marathon's `Ignored` result does.
 */
export interface ProbeOutcome {
  readonly ok: boolean;
  readonly ignored?: boolean;
  readonly cause?: string;
}

export interface VerdictContext {
  /** when the probe answered (worker ranAt + latencyMs); stamps lastSuccess / lastFailure */
  readonly now: number;
  /** first TASK_RUNNING of the task (Instance.startedAt); undefined = not running yet */
  readonly taskStartedAt: number | undefined;
  readonly check: Pick<HealthCheck, 'gracePeriodSeconds' | 'maxConsecutiveFailures'>;
  /** false when the task is no longer TASK_RUNNING (killing, unreachable…): failures are ignored; default true */
  readonly running?: boolean;
}

/**
 * - `success`: counted success (consecutiveFailures reset)
 * - `failure`: counted failure → failed_health_check_event
 * - `failure-ignored`: failure inside the grace period (or task not running): state unchanged
 * - `ignored`: 1xx with ignoreHttp1xx, or a skipped probe: state unchanged
 */
export type ResultKind = 'success' | 'failure' | 'failure-ignored' | 'ignored';

export interface HealthUpdate {
  readonly state: HealthState;
  readonly kind: ResultKind;
  readonly wasAlive: boolean;
  readonly alive: boolean;
  /** alive flipped → health_status_changed_event (and instance_health_changed_event when the instance's aggregate flips) */
  readonly aliveChanged: boolean;
  /** the check has sentenced the task (`isSentenced`); level-triggered: true on every failure past the limit */
  readonly shouldKill: boolean;
}

/** Marathon's `Health.alive`: a success, and none of the failures came after it. */
export function isAlive(state: HealthState): boolean {
  return state.lastSuccess !== undefined && (state.lastFailure === undefined || state.lastSuccess > state.lastFailure);
}

/**
 * Marathon kills when a failure arrives while the count *before* it is already ≥ max, i.e. on the
 * (max + 1)-th consecutive counted failure — its docs say "fails more than maxConsecutiveFailures";
 * 0 = never. Example, max 3, interval 10 s, grace over: failures at 0, 10, 20 s leave the task alive
 * (consecutiveFailures 1, 2, 3); the failure at 30 s (count 4) sentences it.
 */
export function isSentenced(state: HealthState, maxConsecutiveFailures: number): boolean {
  return maxConsecutiveFailures > 0 && state.consecutiveFailures > maxConsecutiveFailures;
}

/**
 * Failures are ignored while the task is not running, and while it has never succeeded and is inside
 * its grace period (Marathon `ignoreFailures`: `startedAt + gracePeriod > now`). Example, grace 300 s,
 * RUNNING at t=0: a failure at t=299 s is ignored, one at t=300 s counts; after one success at t=5 s
 * every later failure counts, grace or not.
 */
export function failureIgnored(state: HealthState, ctx: VerdictContext): boolean {
  if (ctx.running === false || ctx.taskStartedAt === undefined) return true;
  return state.firstSuccess === undefined && ctx.now < ctx.taskStartedAt + ctx.check.gracePeriodSeconds * 1000;
}

export function applyProbeResult(state: HealthState, result: ProbeOutcome, ctx: VerdictContext): HealthUpdate {
  const wasAlive = isAlive(state);
  let next: HealthState;
  let kind: ResultKind;
  if (result.ignored === true) {
    next = state;
    kind = 'ignored';
  } else if (result.ok) {
    next = withoutFailing({ ...state, firstSuccess: state.firstSuccess ?? ctx.now, lastSuccess: ctx.now, consecutiveFailures: 0 });
    kind = 'success';
  } else if (failureIgnored(state, ctx)) {
    next = state;
    kind = 'failure-ignored';
  } else {
    next = {
      ...state,
      lastFailure: ctx.now,
      lastFailureCause: result.cause ?? 'unknown',
      consecutiveFailures: state.consecutiveFailures + 1,
      failingSince: state.consecutiveFailures === 0 ? ctx.now : (state.failingSince ?? ctx.now),
    };
    kind = 'failure';
  }
  const alive = isAlive(next);
  return { state: next, kind, wasAlive, alive, aliveChanged: alive !== wasAlive, shouldKill: isSentenced(next, ctx.check.maxConsecutiveFailures) };
}

function withoutFailing(state: HealthState): HealthState {
  if (state.failingSince === undefined) return state;
  const { failingSince: _dropped, ...rest } = state;
  return rest;
}

/** One item of a task's `healthCheckResults` (same key order and nulls as Marathon 1.10). */
export interface HealthCheckResultJson {
  readonly alive: boolean;
  readonly consecutiveFailures: number;
  readonly firstSuccess: string | null;
  readonly lastSuccess: string | null;
  readonly lastFailure: string | null;
  readonly lastFailureCause: string | null;
  readonly instanceId: string;
}

export function healthCheckResultJson(state: HealthState, instanceId: string): HealthCheckResultJson {
  const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());
  return {
    alive: isAlive(state),
    consecutiveFailures: state.consecutiveFailures,
    firstSuccess: iso(state.firstSuccess),
    lastSuccess: iso(state.lastSuccess),
    lastFailure: iso(state.lastFailure),
    lastFailureCause: state.lastFailureCause ?? null,
    instanceId,
  };
}

/**
 * A task's health over all its Marathon-side checks, as `tasksHealthy` / `tasksUnhealthy` count it
 * (reference §2.8): no state yet → undefined (counted in neither); any check not alive → false; else true.
 * A state exists once any result arrived, even an ignored one, so a task inside its grace period with
 * failing probes shows alive=false, as in Marathon.
 */
export function taskHealth(states: Iterable<HealthState | undefined>): boolean | undefined {
  let seen = false;
  for (const s of states) {
    if (s === undefined) continue;
    if (!isAlive(s)) return false;
    seen = true;
  }
  return seen ? true : undefined;
}
