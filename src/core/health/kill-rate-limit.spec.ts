import { DEFAULT_KILL_RATE_LIMIT, isFull, refill, tryTake, type TokenBucket } from './kill-rate-limit';

const S = 1000;

describe('kill rate limit (token bucket)', () => {
  it('walks the worked example: burst 2, one token per 10 s', () => {
    const limit = { burst: 2, refillSeconds: 10 };
    let b: TokenBucket | undefined;
    const log: string[] = [];
    for (const t of [0, 0, 5, 10, 11, 60]) {
      const r = tryTake(b, t * S, limit);
      b = r.bucket;
      log.push(`${t}s ${r.allowed ? 'kill' : `wait until ${r.retryAt / S}s`} (${b.tokens.toFixed(1)} left)`);
    }
    expect(log).toEqual([
      '0s kill (1.0 left)', '0s kill (0.0 left)', '5s wait until 10s (0.5 left)', '10s kill (0.0 left)', '11s wait until 20s (0.1 left)', '60s kill (1.0 left)',
    ]);
  });

  it.each([
    // name, bucket, now (s), limit, allowed
    ['an unseen app has a full bucket', undefined, 0, DEFAULT_KILL_RATE_LIMIT, true],
    ['empty, just after a kill', { tokens: 0, updatedAt: 0 }, 9.9, DEFAULT_KILL_RATE_LIMIT, false],
    ['empty, one refill later', { tokens: 0, updatedAt: 0 }, 10, DEFAULT_KILL_RATE_LIMIT, true],
    ['a clock going backwards neither refills nor throws', { tokens: 0.5, updatedAt: 100 * S }, 50, DEFAULT_KILL_RATE_LIMIT, false],
    ['burst below 1 behaves as 1', undefined, 0, { burst: 0, refillSeconds: 10 }, true],
  ] as const)('%s', (_name, bucket, now, limit, allowed) => {
    expect(tryTake(bucket, now * S, limit).allowed).toBe(allowed);
  });

  it('saves up to burst only', () => {
    expect(refill({ tokens: 0, updatedAt: 0 }, 3600 * S, { burst: 3, refillSeconds: 10 }).tokens).toBe(3);
    expect(isFull({ tokens: 0, updatedAt: 0 }, 10 * S, DEFAULT_KILL_RATE_LIMIT)).toBe(true);
    expect(isFull({ tokens: 0, updatedAt: 0 }, 9 * S, DEFAULT_KILL_RATE_LIMIT)).toBe(false);
  });
});
