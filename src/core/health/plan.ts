/**
 * What the leader does about one app's sentenced instances on a health tick: replace-before-kill
 * decisions, gated by the circuit breaker and the per-app kill rate limit.
 *
 *   breaker open for the app          → nothing happens; every sentenced instance is held with the reason
 *   breaker resumed at R              → an instance whose latest failure is not after R is held
 *   decision costs a token (start a replacement, kill-first) and the bucket is empty → held until retryAt
 *   otherwise                          → the decision is an action
 */
import { killBlock, type BreakerState, type TripKind } from './circuit-breaker';
import { tryTake, type KillRateLimit, type TokenBucket } from './kill-rate-limit';
import { decideReplacements, takesToken, type ReplaceDecision, type ReplaceInput } from './replace-before-kill';

export interface HealthKillPlanInput extends ReplaceInput {
  readonly appId: string;
  readonly breaker: BreakerState;
  /** the app's bucket (undefined = full) */
  readonly bucket: TokenBucket | undefined;
  readonly rateLimit: KillRateLimit;
}

export type HoldKind = 'breaker' | 'stale-failure' | 'rate-limit' | 'replacement-not-healthy' | 'no-room';

export interface HeldInstance {
  readonly instanceId: string;
  readonly kind: HoldKind;
  /** for the API and metrics ("why is this unhealthy instance still running?") */
  readonly reason: string;
  readonly tripKind?: TripKind;
  /** when the hold ends at the latest, when known */
  readonly until?: number;
}

export type HealthAction = Exclude<ReplaceDecision, { kind: 'wait' }>;

export interface HealthKillPlan {
  readonly actions: readonly HealthAction[];
  readonly held: readonly HeldInstance[];
  /** the app's bucket after the actions' tokens were taken; keep it for the next tick */
  readonly bucket: TokenBucket | undefined;
}

export function planHealthKills(input: HealthKillPlanInput): HealthKillPlan {
  const block = killBlock(input.breaker, input.appId);
  if (block.blocked) {
    return {
      actions: [],
      held: input.sentenced.map((s) => ({ instanceId: s.instanceId, kind: 'breaker' as const, reason: block.reason, tripKind: block.kind })),
      bucket: input.bucket,
    };
  }
  const lastFailure = new Map(input.sentenced.map((s) => [s.instanceId, s.lastFailure]));
  const actions: HealthAction[] = [];
  const held: HeldInstance[] = [];
  let bucket = input.bucket;
  for (const d of decideReplacements(input)) {
    if (d.kind === 'wait') {
      const reason = d.reason === 'no-room' ? 'waiting for room to start a replacement (maximumOverCapacity)' : 'waiting for its replacement to become healthy';
      held.push({ instanceId: d.instanceId, kind: d.reason, reason, until: d.until });
      continue;
    }
    const failedAt = lastFailure.get(d.instanceId);
    if (block.resumedAt !== undefined && (failedAt === undefined || failedAt <= block.resumedAt)) {
      held.push({ instanceId: d.instanceId, kind: 'stale-failure', reason: 'kills resumed after the circuit breaker: waiting for a failure observed since' });
      continue;
    }
    if (takesToken(d)) {
      const t = tryTake(bucket, input.now, input.rateLimit);
      bucket = t.bucket;
      if (!t.allowed) {
        held.push({ instanceId: d.instanceId, kind: 'rate-limit', reason: `health kills of ${input.appId} are rate-limited`, until: t.retryAt });
        continue;
      }
    }
    actions.push(d);
  }
  return { actions, held, bucket };
}
