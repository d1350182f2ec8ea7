/**
 * Launch backoff, as Marathon's RateLimiter (`core/launchqueue/impl/RateLimiter.scala`, reference
 * marathon-api.md §4.4). Pure: every function takes `nowMs` (epoch milliseconds) and returns new values.
 *
 * - Key: (app id, versionInfo.lastConfigChangeAt). A new config version has no entry, so it starts
 *   with no delay; the old version's entry is left to the stable-period cleanup.
 * - Failure (the caller decides what is one: instance.ts `isBackoffFailure` — Failed, Error, Finished,
 *   Gone, Dropped, Unknown; never Killed) → the delay grows (formula below), reference := now.
 * - Progress (Provisioned, Staging, Starting, Running of that config) → reference := now, delay kept.
 *   The deadline therefore moves to now + delay: Marathon spaces further launches of a crash-looping
 *   config by one delay even after one of them came up.
 * - Reset: DELETE /v2/queue/{id}/delay, start of a restart, stop, agent drain → the entry is removed.
 * - Stable-period forget: an entry whose reference is older than maxLaunchDelaySeconds (no failure
 *   and no progress for that long) is dropped (Marathon checks every 10 s; `forgetExpired`).
 *   Issue #3059 (mesosphere/marathon) shows users reading this as "the delay resets after 300 s".
 */
import type { AppDefinition } from '../apps';

export interface BackoffStrategy {
  readonly backoffSeconds: number;
  readonly backoffFactor: number;
  readonly maxLaunchDelaySeconds: number;
}

export interface LaunchDelay {
  readonly appId: string;
  /** `versionInfo.lastConfigChangeAt` of the app version the delay belongs to */
  readonly configVersion: string;
  /** current delay in seconds (≤ maxLaunchDelaySeconds) */
  readonly delaySeconds: number;
  /** time of the last failure or progress, epoch ms; deadline = reference + delay */
  readonly referenceMs: number;
  readonly maxLaunchDelaySeconds: number;
  /** consecutive failures recorded since the entry was created */
  readonly failures: number;
}

/** All delays, keyed by `backoffKey(appId, configVersion)`. */
export type BackoffTable = ReadonlyMap<string, LaunchDelay>;

export function backoffStrategyOf(app: Pick<AppDefinition, 'backoffSeconds' | 'backoffFactor' | 'maxLaunchDelaySeconds'>): BackoffStrategy {
  return { backoffSeconds: app.backoffSeconds, backoffFactor: app.backoffFactor, maxLaunchDelaySeconds: app.maxLaunchDelaySeconds };
}

/** The config version an app's delay is keyed by: lastConfigChangeAt, else its version. */
export function configVersionOf(app: Pick<AppDefinition, 'version' | 'versionInfo'>): string {
  return app.versionInfo?.lastConfigChangeAt ?? app.version ?? '';
}

export function backoffKey(appId: string, configVersion: string): string {
  return `${appId} ${configVersion}`;
}

/*
 * The formula. n = consecutive failures of one config version:
 *
 *   delay(1) = min(backoffSeconds, maxLaunchDelaySeconds)
 *   delay(n) = min(delay(n-1) × backoffFactor, maxLaunchDelaySeconds)
 *   deadline = time of the failure + delay(n)
 *
 * Worked example with the defaults (backoffSeconds 1, backoffFactor 1.15, maxLaunchDelaySeconds 300):
 *   failure  1   2     3       4         5         …  41       42   43 …
 *   delay s  1   1.15  1.3225  1.520875  1.749006  …  267.86   300  300 …
 * (1.15^40 ≈ 267.86, 1.15^41 ≈ 308.0 → capped), so a command that exits at once is retried at
 * 1 s, then 1.15 s after that failure, and so on, settling at one attempt every 5 minutes.
 * backoffFactor = 1 keeps a constant delay; backoffSeconds = 0 disables backoff (0 × f = 0).
 */
export function nextDelaySeconds(previous: number | undefined, strategy: BackoffStrategy): number {
  const max = Math.max(0, strategy.maxLaunchDelaySeconds);
  if (previous === undefined) return Math.min(Math.max(0, strategy.backoffSeconds), max);
  return Math.min(previous * strategy.backoffFactor, max);
}

/** Record a failure of (appId, configVersion) at nowMs. */
export function onFailure(
  delay: LaunchDelay | undefined,
  appId: string,
  configVersion: string,
  strategy: BackoffStrategy,
  nowMs: number,
): LaunchDelay {
  return {
    appId,
    configVersion,
    delaySeconds: nextDelaySeconds(delay?.delaySeconds, strategy),
    referenceMs: nowMs,
    maxLaunchDelaySeconds: strategy.maxLaunchDelaySeconds,
    failures: (delay?.failures ?? 0) + 1,
  };
}

/** Record progress (a task of this config reached Provisioned/Staging/Starting/Running): reference := now. */
export function onProgress(delay: LaunchDelay | undefined, nowMs: number): LaunchDelay | undefined {
  return delay === undefined ? undefined : { ...delay, referenceMs: nowMs };
}

/** Reset: there is no delay afterwards (DELETE /v2/queue/{id}/delay, restart, stop, drain). */
export function reset(): undefined {
  return undefined;
}

export function deadlineMs(delay: LaunchDelay | undefined): number | undefined {
  return delay === undefined ? undefined : delay.referenceMs + delay.delaySeconds * 1000;
}

/** Launches of this config may proceed at nowMs (no delay, or its deadline has passed). */
export function isReady(delay: LaunchDelay | undefined, nowMs: number): boolean {
  const deadline = deadlineMs(delay);
  return deadline === undefined || deadline <= nowMs;
}

/** Milliseconds until launches may proceed (0 when ready); `/v2/queue` shows it as timeLeftSeconds. */
export function timeLeftMs(delay: LaunchDelay | undefined, nowMs: number): number {
  const deadline = deadlineMs(delay);
  return deadline === undefined ? 0 : Math.max(0, deadline - nowMs);
}

/** Stable-period rule: no failure and no progress for maxLaunchDelaySeconds ⇒ forget the delay. */
export function isExpired(delay: LaunchDelay, nowMs: number): boolean {
  return nowMs > delay.referenceMs + delay.maxLaunchDelaySeconds * 1000;
}

// ---- table helpers (what the launch queue keeps) ----

export function recordFailure(table: BackoffTable, appId: string, configVersion: string, strategy: BackoffStrategy, nowMs: number): BackoffTable {
  const key = backoffKey(appId, configVersion);
  const next = new Map(table);
  next.set(key, onFailure(table.get(key), appId, configVersion, strategy, nowMs));
  return next;
}

export function recordProgress(table: BackoffTable, appId: string, configVersion: string, nowMs: number): BackoffTable {
  const key = backoffKey(appId, configVersion);
  const current = table.get(key);
  if (current === undefined) return table;
  const next = new Map(table);
  next.set(key, { ...current, referenceMs: nowMs });
  return next;
}

/** Remove the delays of an app: of one config version, or of every version when none is given. */
export function resetDelay(table: BackoffTable, appId: string, configVersion?: string): BackoffTable {
  const next = new Map(table);
  for (const [key, d] of table) {
    if (d.appId === appId && (configVersion === undefined || d.configVersion === configVersion)) next.delete(key);
  }
  return next.size === table.size ? table : next;
}

/** The periodic cleanup: drop every entry past its stable period. */
export function forgetExpired(table: BackoffTable, nowMs: number): BackoffTable {
  const next = new Map(table);
  for (const [key, d] of table) if (isExpired(d, nowMs)) next.delete(key);
  return next.size === table.size ? table : next;
}

export function delayFor(table: BackoffTable, appId: string, configVersion: string): LaunchDelay | undefined {
  return table.get(backoffKey(appId, configVersion));
}
