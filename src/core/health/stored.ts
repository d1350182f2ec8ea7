/**
 * What Pacer keeps of one instance's Pacer-side health in Postgres (table `instance_health`,
 * migration 1795350000000): written by the leader's HealthMonitor (src/scheduler/health-monitor.ts),
 * loaded by the next leader so health survives a failover, and read by every replica for a task's
 * `healthCheckResults`. Times are epoch milliseconds.
 *
 * One record per instance, for its current task only: a relaunched instance (new task id) starts
 * from no state, and the record is deleted when the task ends.
 */
import type { HoldKind } from './plan';
import { healthCheckResultJson, type HealthCheckResultJson, type HealthState } from './verdict';

export interface StoredCheckHealth {
  /** index of the check in app.healthChecks */
  readonly index: number;
  /**
   * What the check probed (`checkSignature`): a state recorded for another check at the same index
   * (the app's checks changed) is not carried over. Absent = unknown, accepted.
   */
  readonly sig?: string;
  readonly state: HealthState;
}

export interface StoredHealth {
  readonly instanceId: string;
  readonly taskId: string;
  readonly appId: string;
  /** one per Pacer-side check that has a state, ordered by index */
  readonly checks: readonly StoredCheckHealth[];
  /** when a check first sentenced the task (replace-before-kill.ts `SentencedInstance.sentencedAt`) */
  readonly sentencedAt?: number;
  /** the instance started to stand in for this one, and when */
  readonly replacement?: { readonly instanceId: string; readonly requestedAt: number };
  /** why a sentenced instance still runs (circuit breaker, rate limit, waiting for its replacement) */
  readonly held?: { readonly kind: HoldKind; readonly reason: string; readonly since: number };
}

/** What identifies a check's target, so a state is not applied to a different check after an app change. */
export function checkSignature(check: { readonly protocol: string; readonly port?: number; readonly portIndex?: number; readonly path?: string }): string {
  return `${check.protocol} ${check.port !== undefined ? `port ${check.port}` : `index ${check.portIndex ?? 0}`} ${check.path ?? ''}`;
}

/** Marathon's `healthCheckResults` of a task from its stored checks, in check order. */
export function storedResults(instanceId: string, checks: readonly StoredCheckHealth[]): HealthCheckResultJson[] {
  return [...checks].sort((a, b) => a.index - b.index).map((c) => healthCheckResultJson(c.state, instanceId));
}
