/**
 * The health-kill circuit breaker (issue 7 §4; reference §7 pain point 5, Marathon issue #3317 "can
 * kill lots of services at once if its host gets overloaded"). When many instances that were healthy
 * turn unhealthy together, or the prober itself runs late, the likelier cause is the prober's side (an
 * overloaded Pacer, Redis stalled, a network blip) and killing would take the fleet down; so kills stop
 * and the reason is reported, until the probes are on time and the share has dropped again.
 *
 * Pure: `evaluateBreaker(previous, input, config)` on every health tick (e.g. once a second) returns the
 * next state; `killBlock(state, appId)` tells the kill planner whether, and why, an app's kills wait.
 *
 * Only instances that were healthy and then failed ("fallen") count. Instances that never passed a
 * check (a broken version, a bad health path) are not a sign of prober trouble, so their grace-period
 * expiry never trips the breaker and they are replaced as in Marathon.
 */
import type { HealthState } from './verdict';

export interface BreakerConfig {
  /** an app's kills stop when this share of its probed instances fell within its window… */
  readonly appShare: number;
  /** …and at least this many did (a lone instance of a small app falling is not a mass event) */
  readonly appMinInstances: number;
  /** all kills stop when this share of all probed instances fell within the window… */
  readonly globalShare: number;
  readonly globalMinInstances: number;
  /** what "at once" means; an app's window is at least two of its check intervals (`appWindowMs`) */
  readonly windowMs: number;
  /** all kills stop while probes run later than this after their due time (p99) */
  readonly maxLagMs: number;
  /** every condition must stay clear this long before kills resume (no flapping) */
  readonly resumeAfterMs: number;
}

export const DEFAULT_BREAKER_CONFIG: BreakerConfig = Object.freeze({
  appShare: 0.5,
  appMinInstances: 2,
  globalShare: 0.3,
  globalMinInstances: 3,
  windowMs: 60_000,
  maxLagMs: 2_000,
  resumeAfterMs: 30_000,
});

/** Per app, over its instances with at least one Pacer-side health state. */
export interface AppHealthSummary {
  readonly appId: string;
  readonly probed: number;
  /** were alive, are failing now */
  readonly fallen: number;
  /** of those, fell within the app's window */
  readonly fallenRecently: number;
}

export interface BreakerInput {
  readonly now: number;
  readonly apps: readonly AppHealthSummary[];
  /** p99 of (ranAt − dueAt) over recent results, or the age of the oldest overdue unanswered probe if larger */
  readonly lagMs: number;
  /** any other reason to distrust the prober now (e.g. "probe queue full: 120 probes dropped") */
  readonly proberTrouble?: string;
}

export type TripKind = 'app-share' | 'global-share' | 'probe-lag' | 'prober';

export interface Gate {
  readonly open: boolean;
  /** why kills stop (open), or why they last stopped */
  readonly kind?: TripKind;
  readonly reason?: string;
  readonly openedAt?: number;
  /** open: since when every condition has been clear (resume at clearSince + resumeAfterMs) */
  readonly clearSince?: number;
  /** closed: when kills last resumed; a sentence needs a failure after it (`killBlock`) */
  readonly resumedAt?: number;
}

export interface BreakerState {
  readonly global: Gate;
  /** only apps whose gate is open, or resumed while some instances still fail; others are closed */
  readonly apps: ReadonlyMap<string, Gate>;
}

export const CLOSED_BREAKER: BreakerState = Object.freeze({ global: Object.freeze({ open: false }), apps: new Map<string, Gate>() });

/** An app's window: at least two of its intervals, so probes spread over an interval all land in it. */
export function appWindowMs(config: Pick<BreakerConfig, 'windowMs'>, intervalSeconds: number): number {
  return Math.max(config.windowMs, 2 * intervalSeconds * 1000);
}

/**
 * When an instance fell (the start of its current failures after having been alive), or undefined.
 * With several checks, the earliest fall counts.
 */
export function fellAt(states: Iterable<HealthState>): number | undefined {
  let at: number | undefined;
  for (const s of states) {
    if (s.firstSuccess === undefined || s.consecutiveFailures === 0) continue;
    const since = s.failingSince ?? s.lastFailure;
    if (since !== undefined && (at === undefined || since < at)) at = since;
  }
  return at;
}

/** One app's summary from its instances' states (one array per instance with any state). */
export function summarizeApp(appId: string, instances: Iterable<readonly HealthState[]>, now: number, windowMs: number): AppHealthSummary {
  let probed = 0;
  let fallen = 0;
  let fallenRecently = 0;
  for (const states of instances) {
    if (states.length === 0) continue;
    probed++;
    const at = fellAt(states);
    if (at === undefined) continue;
    fallen++;
    if (at >= now - windowMs) fallenRecently++;
  }
  return { appId, probed, fallen, fallenRecently };
}

/*
 * Thresholds, with a share s and a minimum m over p probed instances:
 *   threshold = max(m, ceil(s × p))
 *   trip   when fallen within the window ≥ threshold   ("at once")
 *   hold   while fallen (any time)       ≥ threshold   ("the share has not dropped")
 *
 * Worked example, app share 0.5, min 2:
 *   p 10 → threshold max(2, 5) = 5: 5 of 10 falling within the window open the app's gate; it stays
 *          open while 5 or more are still failing; at 4, after resumeAfterMs clear, kills resume.
 *   p 1  → threshold max(2, 1) = 2: one instance can never open it (it is killed as in Marathon).
 * Global share 0.3, min 3, 200 probed over all apps: 60 falling within the window stop every kill.
 */
export function threshold(share: number, min: number, probed: number): number {
  return Math.max(min, Math.ceil(share * probed - 1e-9));
}

interface Condition {
  readonly kind: TripKind;
  readonly reason: string;
}

export function evaluateBreaker(previous: BreakerState, input: BreakerInput, config: BreakerConfig = DEFAULT_BREAKER_CONFIG): BreakerState {
  const { now } = input;
  let probed = 0;
  let fallen = 0;
  let fallenRecently = 0;
  const apps = new Map<string, Gate>();
  for (const a of input.apps) {
    probed += a.probed;
    fallen += a.fallen;
    fallenRecently += a.fallenRecently;
    const t = threshold(config.appShare, config.appMinInstances, a.probed);
    const prev = previous.apps.get(a.appId);
    const trip = a.fallenRecently >= t ? shareCondition('app-share', `app ${a.appId}: ${a.fallenRecently} of ${a.probed} instances turned unhealthy at once`, t, config.appShare) : undefined;
    const hold = a.fallen >= t ? shareCondition('app-share', `app ${a.appId}: ${a.fallen} of ${a.probed} instances still unhealthy`, t, config.appShare) : undefined;
    const gate = step(prev, trip, hold, now, config.resumeAfterMs);
    // A resumed gate is kept while the app has fallen instances: their older failures need a fresh one.
    if (gate.open || (gate.resumedAt !== undefined && a.fallen > 0)) apps.set(a.appId, gate);
  }

  const g = threshold(config.globalShare, config.globalMinInstances, probed);
  const lag = input.lagMs > config.maxLagMs ? { kind: 'probe-lag' as const, reason: `probes run late: p99 lag ${Math.round(input.lagMs)} ms > ${config.maxLagMs} ms` } : undefined;
  const trouble = input.proberTrouble !== undefined ? { kind: 'prober' as const, reason: input.proberTrouble } : undefined;
  const globalTrip = trouble ?? lag ?? (fallenRecently >= g ? shareCondition('global-share', `${fallenRecently} of ${probed} instances turned unhealthy at once`, g, config.globalShare) : undefined);
  const globalHold = trouble ?? lag ?? (fallen >= g ? shareCondition('global-share', `${fallen} of ${probed} instances still unhealthy`, g, config.globalShare) : undefined);
  return { global: step(previous.global, globalTrip, globalHold, now, config.resumeAfterMs), apps };
}

function shareCondition(kind: TripKind, what: string, t: number, share: number): Condition {
  return { kind, reason: `${what} (threshold ${t}: ${Math.round(share * 100)} %)` };
}

/** One gate's transition: open on a trip; stay open while held; close after resumeAfterMs clear. */
function step(prev: Gate | undefined, trip: Condition | undefined, hold: Condition | undefined, now: number, resumeAfterMs: number): Gate {
  if (prev === undefined || !prev.open) {
    if (trip !== undefined) return { open: true, kind: trip.kind, reason: trip.reason, openedAt: now };
    return prev ?? { open: false };
  }
  if (hold !== undefined) return { open: true, kind: hold.kind, reason: hold.reason, openedAt: prev.openedAt ?? now };
  const clearSince = prev.clearSince ?? now;
  if (now - clearSince >= resumeAfterMs) return { open: false, kind: prev.kind, reason: prev.reason, resumedAt: now };
  return { ...prev, clearSince };
}

export type KillBlock =
  | { readonly blocked: true; readonly kind: TripKind; readonly reason: string }
  | { readonly blocked: false; readonly resumedAt?: number };

/**
 * Whether an app's health kills (and replacement starts) wait, and why. After a resume, the caller
 * kills only instances with a failure later than `resumedAt`: failures counted while the breaker was
 * open may be the prober's fault.
 */
export function killBlock(state: BreakerState, appId: string): KillBlock {
  const g = state.global;
  if (g.open) return { blocked: true, kind: g.kind ?? 'prober', reason: g.reason ?? 'circuit breaker open' };
  const a = state.apps.get(appId);
  if (a?.open === true) return { blocked: true, kind: a.kind ?? 'app-share', reason: a.reason ?? 'circuit breaker open' };
  const resumedAt = Math.max(g.resumedAt ?? -Infinity, a?.resumedAt ?? -Infinity);
  return resumedAt === -Infinity ? { blocked: false } : { blocked: false, resumedAt };
}
