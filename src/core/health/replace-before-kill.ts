/**
 * Replace before kill (issue 7 §4; reference §5 and §7 pain point 6): Marathon kills an instance its
 * check sentenced and relaunches it afterwards, so the app runs one short until the relaunch is up.
 * Pacer first starts a replacement when the app's maximumOverCapacity leaves room, and kills the
 * sentenced instance (without relaunching it) only once the replacement is running and healthy.
 * Without room it kills first, as Marathon.
 *
 * Pure, per app; called on every health tick with the app's sentenced instances. The caller gates the
 * result with the circuit breaker and the kill rate limit (`planHealthKills` in plan.ts does both).
 *
 * Caller's duties: a started replacement is a new running-goal instance of the app's current version,
 * remembered as standing in for the sentenced one (`SentencedInstance.replacement`); while it stands in,
 * the sentenced instance is left out of what converge counts toward `instances` (else converge sees
 * N + 1 and scales one down). `relaunch: false` kills set the goal to decommissioned; `relaunch: true`
 * kills keep the goal running, so the instance is relaunched (new incarnation) as in Marathon.
 */

export interface SentencedInstance {
  readonly instanceId: string;
  /** when its check first sentenced it (epoch ms) */
  readonly sentencedAt: number;
  /** its latest counted failure (HealthState.lastFailure); after a breaker resume it must be newer */
  readonly lastFailure?: number;
  /** the instance started to stand in for it, while that instance exists */
  readonly replacement?: {
    readonly requestedAt: number;
    /** running, and alive on every Pacer-side check (or TaskStatus.healthy for Mesos-side ones) */
    readonly healthy: boolean;
  };
}

export interface ReplaceInput {
  /** app.instances */
  readonly instances: number;
  readonly maximumOverCapacity: number;
  /**
   * Instances that hold or will hold capacity: every running-goal instance (scheduled, replacements
   * and the sentenced ones included) plus decommissioned/stopped ones whose task has not ended yet.
   */
  readonly occupied: number;
  readonly sentenced: readonly SentencedInstance[];
  readonly now: number;
  /** longest wait for a replacement to become healthy, or for room to start one, before killing anyway */
  readonly replacementTimeoutMs: number;
}

export type KillCause =
  /** its replacement runs and is healthy */
  | 'replacement-healthy'
  /** its replacement did not become healthy in time; the replacement keeps standing in */
  | 'replacement-timeout'
  /** maximumOverCapacity is 0: kill first, as Marathon */
  | 'no-over-capacity'
  /** room for a replacement never came in time: kill first */
  | 'no-room-timeout';

export type ReplaceDecision =
  | { readonly kind: 'start-replacement'; readonly instanceId: string }
  /** relaunch false: decommission (a replacement stands in); true: keep the goal, relaunched in place */
  | { readonly kind: 'kill'; readonly instanceId: string; readonly relaunch: boolean; readonly cause: KillCause }
  | { readonly kind: 'wait'; readonly instanceId: string; readonly reason: 'replacement-not-healthy' | 'no-room'; readonly until: number };

/*
 * Room for replacements:
 *   maxCapacity = floor(N × (1 + maximumOverCapacity))
 *   slots       = maxCapacity − N, but at least 1 when maximumOverCapacity > 0
 *   free        = N + slots − occupied
 *
 * Worked examples:
 *   N 10, maxOC 1    → maxCapacity 20, 10 slots: up to 10 sentenced instances are replaced side by side.
 *   N 10, maxOC 0.1  → maxCapacity 11, 1 slot: occupied 10 → free 1 → the oldest sentence gets a
 *                      replacement; the next waits until that kill has ended (occupied back to 10).
 *   N 3,  maxOC 0.2  → floor(3.6) = 3, 0 slots by the formula, but the user allowed some excess: 1 slot.
 *   N 4,  maxOC 0    → no slot: every sentenced instance is killed first and relaunched, as Marathon.
 */
export function replacementSlots(instances: number, maximumOverCapacity: number): number {
  const n = Math.max(0, instances);
  const maxCapacity = Math.floor(n * (1 + maximumOverCapacity) + 1e-9);
  const slots = maxCapacity - n;
  return maximumOverCapacity > 0 ? Math.max(1, slots) : Math.max(0, slots);
}

/**
 * A generous default for `replacementTimeoutMs` from the check: the replacement may need a launch,
 * its whole grace period and a round of failures before its own verdict is known.
 * Example, Marathon defaults (grace 300 s, interval 60 s, max 3) with a 300 s launch allowance:
 * 300 + 60 × 4 + 300 = 840 s.
 */
export function defaultReplacementTimeoutMs(
  check: { readonly gracePeriodSeconds: number; readonly intervalSeconds: number; readonly maxConsecutiveFailures: number },
  launchAllowanceSeconds = 300,
): number {
  return (check.gracePeriodSeconds + check.intervalSeconds * (check.maxConsecutiveFailures + 1) + launchAllowanceSeconds) * 1000;
}

/** Oldest sentence first, then by id: the same input always gives the same decisions. */
export function decideReplacements(input: ReplaceInput): ReplaceDecision[] {
  const slots = replacementSlots(input.instances, input.maximumOverCapacity);
  let free = input.instances + slots - input.occupied;
  const ordered = [...input.sentenced].sort((a, b) => a.sentencedAt - b.sentencedAt || (a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0));
  const out: ReplaceDecision[] = [];
  for (const s of ordered) {
    const r = s.replacement;
    if (r !== undefined) {
      const until = r.requestedAt + input.replacementTimeoutMs;
      if (r.healthy) out.push({ kind: 'kill', instanceId: s.instanceId, relaunch: false, cause: 'replacement-healthy' });
      else if (input.now >= until) out.push({ kind: 'kill', instanceId: s.instanceId, relaunch: false, cause: 'replacement-timeout' });
      else out.push({ kind: 'wait', instanceId: s.instanceId, reason: 'replacement-not-healthy', until });
    } else if (slots === 0) {
      out.push({ kind: 'kill', instanceId: s.instanceId, relaunch: true, cause: 'no-over-capacity' });
    } else if (free > 0) {
      out.push({ kind: 'start-replacement', instanceId: s.instanceId });
      free--;
    } else {
      const until = s.sentencedAt + input.replacementTimeoutMs;
      if (input.now >= until) out.push({ kind: 'kill', instanceId: s.instanceId, relaunch: true, cause: 'no-room-timeout' });
      else out.push({ kind: 'wait', instanceId: s.instanceId, reason: 'no-room', until });
    }
  }
  return out;
}

/** Whether carrying out the decision costs a rate-limit token (it lowers or adds capacity). */
export function takesToken(d: ReplaceDecision): boolean {
  return d.kind === 'start-replacement' || (d.kind === 'kill' && d.relaunch);
}
