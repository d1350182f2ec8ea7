/**
 * What a Pacer-side probe targets and when it is due. Pure helpers for the leader, which turns them
 * into probe jobs (src/health-checks/probe-queue.ts).
 *
 * Sources: Marathon `MarathonHealthCheck.effectivePort` (explicit `port`, else the task's host port at
 * `portIndex`) and `HealthCheckActor.preStart` (first tick after min(interval, 5 s)).
 */
import type { AppDefinition, HealthCheck } from '../apps';

export type PacerProtocol = 'HTTP' | 'HTTPS' | 'TCP';

const PACER_SIDE: ReadonlySet<string> = new Set<PacerProtocol>(['HTTP', 'HTTPS', 'TCP']);

export function isPacerSide(check: Pick<HealthCheck, 'protocol'>): check is HealthCheck & { protocol: PacerProtocol } {
  return PACER_SIDE.has(check.protocol);
}

/** The app's checks Pacer runs itself, with their index in app.healthChecks (the state key). */
export function pacerSideChecks(app: Pick<AppDefinition, 'healthChecks'>): { readonly index: number; readonly check: HealthCheck & { protocol: PacerProtocol } }[] {
  const out: { index: number; check: HealthCheck & { protocol: PacerProtocol } }[] = [];
  app.healthChecks.forEach((check, index) => {
    if (isPacerSide(check)) out.push({ index, check });
  });
  return out;
}

export interface ProbeSpec {
  readonly protocol: PacerProtocol;
  readonly host: string;
  readonly port: number;
  /** HTTP/HTTPS only */
  readonly path?: string;
  readonly timeoutSeconds: number;
  readonly ignoreHttp1xx: boolean;
}

/**
 * The probe for one check of one running task, or undefined when it cannot be addressed (no host,
 * port index beyond the task's ports, port 0). Unlike Mesos-side checks (src/mesos/task-info.ts
 * `healthCheckPort`, which probe from inside the task's network and so use the container port),
 * Pacer probes from outside and so uses the host port.
 */
export function probeSpec(check: HealthCheck, task: { readonly host?: string; readonly hostPorts: readonly number[] }): ProbeSpec | undefined {
  if (!isPacerSide(check) || task.host === undefined || task.host === '') return undefined;
  const port = check.port ?? task.hostPorts[check.portIndex ?? 0];
  if (port === undefined || port <= 0) return undefined;
  return {
    protocol: check.protocol,
    host: task.host,
    port,
    ...(check.protocol !== 'TCP' ? { path: check.path ?? '/' } : {}),
    timeoutSeconds: check.timeoutSeconds,
    ignoreHttp1xx: check.ignoreHttp1xx === true,
  };
}

/** Marathon `HealthCheck.DefaultFirstHealthCheckAfter`: a new check's first round comes this soon. */
export const FIRST_CHECK_AFTER_MS = 5000;

/**
 * First due time of a (task, check) first seen at `now`, spread by a hash of `key` (task id + check
 * index) over min(interval, spreadSeconds). Later rounds keep that offset (`nextDueAt`), so:
 * - tasks already running when a leader starts: spread over the whole interval (the default). Example:
 *   10,000 tasks, interval 10 s → offsets even over [0, 10 s), 1,000 probes/s flat, never a burst;
 * - a task that just started: pass spreadSeconds 5 (FIRST_CHECK_AFTER_MS), so its first verdict comes
 *   within 5 s as in Marathon; tasks start at different times, so this does not bunch them up.
 */
export function firstDueAt(now: number, intervalSeconds: number, key: string, spreadSeconds: number = intervalSeconds): number {
  const window = Math.max(0, Math.min(intervalSeconds, spreadSeconds)) * 1000;
  return now + (window < 1 ? 0 : fnv1a(key) % Math.floor(window));
}

/**
 * Next due time after a probe due at `dueAt`: one interval later, but never in the past, so a prober
 * that fell behind skips missed rounds instead of bursting to catch up:
 *   rounds = max(1, floor((now − dueAt) / interval) + 1);  next = dueAt + rounds × interval  (> now)
 * Example: interval 10 s, due 100 s, now 127.5 s → rounds = floor(2.75) + 1 = 3 → 130 s, not 110 s;
 * now 105 s → rounds 1 → 110 s.
 */
export function nextDueAt(dueAt: number, intervalSeconds: number, now: number): number {
  const step = Math.max(1, intervalSeconds * 1000);
  const rounds = Math.max(1, Math.floor((now - dueAt) / step) + 1);
  return dueAt + rounds * step;
}

/** 32-bit FNV-1a: a stable, cheap spread (not security). */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
