import {
  appWindowMs, CLOSED_BREAKER, DEFAULT_BREAKER_CONFIG, evaluateBreaker, fellAt, killBlock, summarizeApp, threshold,
  type AppHealthSummary, type BreakerState,
} from './circuit-breaker';
import { NEW_HEALTH_STATE, type HealthState } from './verdict';

const S = 1000;
const cfg = DEFAULT_BREAKER_CONFIG; // app 50 % / min 2, global 30 % / min 3, window 60 s, lag 2 s, resume 30 s
const app = (appId: string, probed: number, fallen: number, fallenRecently = fallen): AppHealthSummary => ({ appId, probed, fallen, fallenRecently });

/** A big quiet app next to the ones under test, so the global share stays low unless a row says otherwise. */
const REST = app('/rest', 100, 0);

/** Evaluates a run of ticks (time in s, apps, lag ms) from a closed breaker; tells what `appId`'s kills do. */
function story(ticks: readonly (readonly [number, readonly AppHealthSummary[], number?])[], appId = '/web', neighbour: AppHealthSummary | null = REST): string[] {
  let st: BreakerState = CLOSED_BREAKER;
  return ticks.map(([t, apps, lag]) => {
    st = evaluateBreaker(st, { now: t * S, apps: neighbour !== null ? [...apps, neighbour] : apps, lagMs: lag ?? 0 });
    const b = killBlock(st, appId);
    return b.blocked ? `${t}s blocked ${b.kind}` : `${t}s open${b.resumedAt !== undefined ? ` resumed@${b.resumedAt / S}` : ''}`;
  });
}

describe('threshold', () => {
  it.each([
    // share, min, probed, threshold
    [0.5, 2, 10, 5],
    [0.5, 2, 1, 2],
    [0.5, 2, 3, 2],
    [0.3, 3, 200, 60],
    [0.3, 3, 5, 3],
    [0.3, 3, 10, 3], // 0.3 × 10 = 3.0000000000000004 must not round up to 4
  ] as const)('share %d, min %d, %d probed → %d', (share, min, probed, t) => {
    expect(threshold(share, min, probed)).toBe(t);
  });
});

describe('circuit breaker', () => {
  it.each([
    ['quiet fleet', [[0, [app('/web', 10, 0)]]], ['0s open']],
    ['half an app falls at once: its kills stop', [[0, [app('/web', 10, 5)]]], ['0s blocked app-share']],
    ['4 of 10: below the share, kills go on', [[0, [app('/web', 10, 4)]]], ['0s open']],
    ['a lone instance falling never trips (min 2)', [[0, [app('/web', 1, 1)]]], ['0s open']],
    ['both instances of a 2-instance app fall', [[0, [app('/web', 2, 2)]]], ['0s blocked app-share']],
    ['half an app fell, but slowly (not within the window): kills go on', [[0, [app('/web', 10, 5, 1)]]], ['0s open']],
    ['probes late: every kill stops', [[0, [app('/web', 10, 0)], 2500]], ['0s blocked probe-lag']],
    ['lag at the limit is fine', [[0, [app('/web', 10, 0)], 2000]], ['0s open']],
  ] as const)('%s', (_name, ticks, want) => {
    expect(story(ticks)).toEqual(want);
  });

  it('one app\'s gate leaves the other apps\' kills alone', () => {
    expect(story([[0, [app('/web', 10, 5)]]], '/rest')).toEqual(['0s open']);
  });

  it.each([
    ['30 % of all instances fall across apps (no app at 50 %): every kill stops', [app('/a', 10, 4), app('/b', 10, 2)], '/quiet', ['0s blocked global-share']],
    ['29 % is below the global share', [app('/a', 50, 14, 14), app('/b', 50, 15, 15)], '/quiet', ['0s open']],
  ] as const)('%s', (_name, apps, appId, want) => {
    expect(story([[0, [...apps, app('/quiet', 0, 0)]]], appId, null)).toEqual(want);
  });

  it('stays blocked while the share has not dropped, resumes 30 s after it has, and reports the resume', () => {
    expect(story([
      [0, [app('/web', 10, 6)]],
      [100, [app('/web', 10, 6, 0)]], // fell long ago but still failing: held
      [110, [app('/web', 10, 2)]], // share dropped: clear since 110
      [130, [app('/web', 10, 2)]],
      [135, [app('/web', 10, 5, 0)]], // back up before resuming: clear again from scratch
      [140, [app('/web', 10, 1)]],
      [169, [app('/web', 10, 1)]],
      [170, [app('/web', 10, 1)]], // 30 s clear → resumed
      [200, [app('/web', 10, 1)]],
      [210, [app('/web', 10, 0)]], // nothing fallen any more: the resumed gate is forgotten
    ])).toEqual([
      '0s blocked app-share', '100s blocked app-share', '110s blocked app-share', '130s blocked app-share', '135s blocked app-share',
      '140s blocked app-share', '169s blocked app-share', '170s open resumed@170', '200s open resumed@170', '210s open',
    ]);
  });

  it('lag: resumes once probes are on time again for resumeAfterMs', () => {
    expect(story([[0, [], 5000], [10, [], 100], [39, [], 100], [40, [], 100]])).toEqual([
      '0s blocked probe-lag', '10s blocked probe-lag', '39s blocked probe-lag', '40s open resumed@40',
    ]);
  });

  it('any other prober trouble blocks every kill, with its reason', () => {
    const st = evaluateBreaker(CLOSED_BREAKER, { now: 0, apps: [], lagMs: 0, proberTrouble: 'probe queue full: 12 probes dropped' });
    expect(killBlock(st, '/any')).toEqual({ blocked: true, kind: 'prober', reason: 'probe queue full: 12 probes dropped' });
  });

  it('gives readable reasons', () => {
    const st = evaluateBreaker(CLOSED_BREAKER, { now: 0, apps: [app('/web', 10, 6), REST], lagMs: 0 });
    expect(killBlock(st, '/web')).toMatchObject({ reason: 'app /web: 6 of 10 instances turned unhealthy at once (threshold 5: 50 %)' });
    const lag = evaluateBreaker(CLOSED_BREAKER, { now: 0, apps: [], lagMs: 3456.4 });
    expect(killBlock(lag, '/web')).toMatchObject({ reason: 'probes run late: p99 lag 3456 ms > 2000 ms' });
  });

  it('appWindowMs is at least two check intervals', () => {
    expect(appWindowMs(cfg, 10)).toBe(60 * S);
    expect(appWindowMs(cfg, 300)).toBe(600 * S);
  });
});

describe('fallen instances (were alive, fail now)', () => {
  const st = (s: Partial<HealthState>): HealthState => ({ ...NEW_HEALTH_STATE, ...s });
  it.each([
    ['no result', [NEW_HEALTH_STATE], undefined],
    ['alive', [st({ firstSuccess: 1, lastSuccess: 5 })], undefined],
    ['never succeeded and failing (a broken version): not a fall', [st({ lastFailure: 9, consecutiveFailures: 4, failingSince: 6 })], undefined],
    ['succeeded, then failing since 6', [st({ firstSuccess: 1, lastSuccess: 5, lastFailure: 9, consecutiveFailures: 2, failingSince: 6 })], 6],
    ['several checks: the earliest fall', [st({ firstSuccess: 1, lastSuccess: 5, lastFailure: 9, consecutiveFailures: 2, failingSince: 8 }), st({ firstSuccess: 1, lastSuccess: 2, lastFailure: 9, consecutiveFailures: 5, failingSince: 3 })], 3],
  ] as const)('%s', (_name, states, at) => {
    expect(fellAt(states)).toBe(at);
  });

  it('summarizeApp counts probed, fallen and fallen within the window', () => {
    const fell = (at: number): HealthState => st({ firstSuccess: 1, lastSuccess: 1, lastFailure: at, consecutiveFailures: 1, failingSince: at });
    const alive = st({ firstSuccess: 1, lastSuccess: 1 });
    expect(summarizeApp('/web', [[alive], [fell(100 * S)], [fell(10 * S)], [], [alive, fell(150 * S)]], 150 * S, 60 * S))
      .toEqual({ appId: '/web', probed: 4, fallen: 3, fallenRecently: 2 });
  });
});
