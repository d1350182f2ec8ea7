/**
 * Reconnect delays: capped exponential backoff with "equal jitter" (half fixed, half random), so a
 * fleet of schedulers does not resubscribe in lockstep after a master failover, yet no delay
 * collapses to zero. Pure: randomness is a parameter.
 */
export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
}

/** Delay before retry number `attempt` (0 = first retry). `random` returns [0, 1). */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt, 30));
  const half = exp / 2;
  return Math.round(half + random() * half);
}
