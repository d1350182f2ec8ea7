/**
 * Per-app rate limit of health kills (issue 7 §4; reference §7 pain point 5): a token bucket, so a
 * flapping check or a half-broken app loses at most `burst` instances at once and then one per
 * `refillSeconds`. Pure: the caller keeps one `TokenBucket` per app id and passes `now` (epoch ms).
 *
 * What takes a token is the decision to replace an instance (replace-before-kill.ts: starting a
 * replacement, or a kill-first); killing an instance whose replacement is already healthy is
 * capacity-neutral and takes none.
 */

export interface KillRateLimit {
  /** tokens a quiet app has saved up: kills allowed back to back */
  readonly burst: number;
  /** one token comes back every this many seconds */
  readonly refillSeconds: number;
}

export const DEFAULT_KILL_RATE_LIMIT: KillRateLimit = Object.freeze({ burst: 1, refillSeconds: 10 });

export interface TokenBucket {
  readonly tokens: number;
  readonly updatedAt: number;
}

/*
 * tokens(now) = min(burst, tokens + (now − updatedAt) / refill)
 * a take needs tokens(now) ≥ 1; when refused the next token is there at now + (1 − tokens(now)) × refill.
 *
 * Worked example, burst 2, refill 10 s, bucket full at t = 0:
 *   t=0   take → 1 left;  t=0 take → 0 left;  t=5 s: 0.5 → refused, retry at 5 + 0.5 × 10 = 10 s;
 *   t=10 s: 1 → take → 0;  t=60 s: min(2, 0 + 5) = 2 → full again.
 */
export function refill(bucket: TokenBucket | undefined, now: number, limit: KillRateLimit): TokenBucket {
  const burst = Math.max(1, limit.burst);
  if (bucket === undefined) return { tokens: burst, updatedAt: now };
  const refillMs = Math.max(1, limit.refillSeconds * 1000);
  const elapsed = Math.max(0, now - bucket.updatedAt);
  return { tokens: Math.min(burst, bucket.tokens + elapsed / refillMs), updatedAt: Math.max(now, bucket.updatedAt) };
}

export interface TakeResult {
  readonly allowed: boolean;
  readonly bucket: TokenBucket;
  /** when a token is (or was) available */
  readonly retryAt: number;
}

export function tryTake(bucket: TokenBucket | undefined, now: number, limit: KillRateLimit): TakeResult {
  const b = refill(bucket, now, limit);
  if (b.tokens >= 1) return { allowed: true, bucket: { tokens: b.tokens - 1, updatedAt: b.updatedAt }, retryAt: now };
  return { allowed: false, bucket: b, retryAt: now + Math.ceil((1 - b.tokens) * Math.max(1, limit.refillSeconds * 1000)) };
}

/** A full bucket is the same as none: the caller may drop it to keep the table bounded. */
export function isFull(bucket: TokenBucket, now: number, limit: KillRateLimit): boolean {
  return refill(bucket, now, limit).tokens >= Math.max(1, limit.burst);
}
