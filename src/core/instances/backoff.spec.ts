import fc from 'fast-check';
import {
  backoffKey, configVersionOf, delayFor, forgetExpired, isExpired, isReady, nextDelaySeconds, onFailure, onProgress,
  recordFailure, recordProgress, reset, resetDelay, timeLeftMs,
} from './backoff';
import type { BackoffStrategy, BackoffTable, LaunchDelay } from './backoff';

const DEFAULTS: BackoffStrategy = { backoffSeconds: 1, backoffFactor: 1.15, maxLaunchDelaySeconds: 300 };
const T0 = 1_700_000_000_000;

function failures(n: number, strategy = DEFAULTS): LaunchDelay | undefined {
  let d: LaunchDelay | undefined;
  for (let i = 0; i < n; i++) d = onFailure(d, '/app', 'v1', strategy, T0);
  return d;
}

describe('delay formula (reference §4.4)', () => {
  it.each([
    [1, 1],
    [2, 1.15],
    [3, 1.3225],
    [4, 1.520875],
    [41, 267.8635],
    [42, 300],
    [100, 300],
  ])('defaults: failure %i ⇒ %f s', (n, seconds) => {
    expect(failures(n)?.delaySeconds).toBeCloseTo(seconds, 3);
  });

  it.each([
    ['backoffSeconds above the cap', { backoffSeconds: 600, backoffFactor: 2, maxLaunchDelaySeconds: 300 }, 1, 300],
    ['factor 1 keeps the delay', { backoffSeconds: 5, backoffFactor: 1, maxLaunchDelaySeconds: 300 }, 10, 5],
    ['backoffSeconds 0 disables backoff', { backoffSeconds: 0, backoffFactor: 2, maxLaunchDelaySeconds: 300 }, 10, 0],
    ['cap 0', { backoffSeconds: 1, backoffFactor: 2, maxLaunchDelaySeconds: 0 }, 3, 0],
    ['factor 2', { backoffSeconds: 1, backoffFactor: 2, maxLaunchDelaySeconds: 3600 }, 5, 16],
  ])('%s', (_name, strategy, n, seconds) => {
    expect(failures(n, strategy)?.delaySeconds).toBe(seconds);
  });

  it('nextDelaySeconds starts at backoffSeconds', () => {
    expect(nextDelaySeconds(undefined, DEFAULTS)).toBe(1);
    expect(nextDelaySeconds(2, DEFAULTS)).toBeCloseTo(2.3);
  });
});

describe('deadline, progress, reset, stable period', () => {
  const d = onFailure(undefined, '/app', 'v1', DEFAULTS, T0);

  it('not ready before the deadline, ready at it', () => {
    expect(isReady(d, T0 + 999)).toBe(false);
    expect(timeLeftMs(d, T0 + 400)).toBe(600);
    expect(isReady(d, T0 + 1000)).toBe(true);
    expect(timeLeftMs(d, T0 + 5000)).toBe(0);
  });

  it('no delay ⇒ ready', () => {
    expect(isReady(undefined, T0)).toBe(true);
    expect(timeLeftMs(undefined, T0)).toBe(0);
    expect(isReady(reset(), T0)).toBe(true);
  });

  it('progress moves the reference, keeps the delay', () => {
    const p = onProgress(d, T0 + 10_000);
    expect(p).toEqual({ ...d, referenceMs: T0 + 10_000 });
    expect(isReady(p, T0 + 10_500)).toBe(false);
    expect(onProgress(undefined, T0)).toBeUndefined();
  });

  it('forgets a delay only after maxLaunchDelaySeconds without failure or progress', () => {
    expect(isExpired(d, T0 + 300_000)).toBe(false);
    expect(isExpired(d, T0 + 300_001)).toBe(true);
  });

  it('table: record, progress, reset per app or version, cleanup', () => {
    let t: BackoffTable = new Map();
    t = recordFailure(t, '/a', 'v1', DEFAULTS, T0);
    t = recordFailure(t, '/a', 'v1', DEFAULTS, T0 + 1000);
    t = recordFailure(t, '/a', 'v2', DEFAULTS, T0);
    t = recordFailure(t, '/b', 'v1', DEFAULTS, T0);
    expect(delayFor(t, '/a', 'v1')?.failures).toBe(2);
    expect(delayFor(t, '/a', 'v1')?.delaySeconds).toBeCloseTo(1.15);
    expect(recordProgress(t, '/c', 'v1', T0)).toBe(t);
    t = recordProgress(t, '/b', 'v1', T0 + 200_000);
    expect(resetDelay(t, '/a', 'v2').has(backoffKey('/a', 'v1'))).toBe(true);
    expect(resetDelay(t, '/a').size).toBe(1);
    expect(resetDelay(t, '/zzz')).toBe(t);
    const cleaned = forgetExpired(t, T0 + 301_000 + 1);
    expect([...cleaned.keys()]).toEqual([backoffKey('/b', 'v1')]);
  });

  it('configVersionOf prefers lastConfigChangeAt', () => {
    expect(configVersionOf({ version: 'v2', versionInfo: { lastScalingAt: 'v2', lastConfigChangeAt: 'v1' } })).toBe('v1');
    expect(configVersionOf({ version: 'v2' })).toBe('v2');
  });
});

describe('properties', () => {
  const strategy = fc.record({
    backoffSeconds: fc.integer({ min: 0, max: 3600 }),
    backoffFactor: fc.double({ min: 1, max: 10, noNaN: true }),
    maxLaunchDelaySeconds: fc.integer({ min: 0, max: 7200 }),
  });

  it('the delay never exceeds maxLaunchDelaySeconds and never decreases over consecutive failures', () => {
    fc.assert(fc.property(strategy, fc.array(fc.nat(1_000_000), { minLength: 1, maxLength: 60 }), (s, gaps) => {
      let d: LaunchDelay | undefined;
      let now = T0;
      let previous = 0;
      for (const gap of gaps) {
        now += gap;
        d = onFailure(d, '/a', 'v', s, now);
        expect(d.delaySeconds).toBeLessThanOrEqual(s.maxLaunchDelaySeconds);
        expect(d.delaySeconds).toBeGreaterThanOrEqual(previous);
        previous = d.delaySeconds;
      }
    }));
  });

  it('reset ⇒ ready at any time; expired ⇒ ready', () => {
    fc.assert(fc.property(strategy, fc.integer({ min: 1, max: 50 }), fc.nat(10_000_000), (s, n, later) => {
      let t: BackoffTable = new Map();
      for (let i = 0; i < n; i++) t = recordFailure(t, '/a', 'v', s, T0);
      expect(isReady(delayFor(resetDelay(t, '/a'), '/a', 'v'), T0)).toBe(true);
      const d = delayFor(t, '/a', 'v');
      if (d !== undefined && isExpired(d, T0 + later)) expect(isReady(d, T0 + later)).toBe(true);
    }));
  });

  it('timeLeft + now = deadline while waiting', () => {
    fc.assert(fc.property(strategy, fc.nat(400_000), (s, elapsed) => {
      const d = onFailure(undefined, '/a', 'v', s, T0);
      const left = timeLeftMs(d, T0 + elapsed);
      expect(left === 0).toBe(isReady(d, T0 + elapsed));
    }));
  });
});
