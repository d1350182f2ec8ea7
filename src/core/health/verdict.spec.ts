import {
  applyProbeResult, failureIgnored, healthCheckResultJson, isAlive, isSentenced, NEW_HEALTH_STATE, taskHealth,
  type HealthState, type ProbeOutcome, type VerdictContext,
} from './verdict';

const S = 1000;
const check = { gracePeriodSeconds: 300, maxConsecutiveFailures: 3 };
const ctx = (now: number, over: Partial<VerdictContext> = {}): VerdictContext => ({ now, taskStartedAt: 0, check, ...over });
const ok: ProbeOutcome = { ok: true };
const fail = (cause = '503 Service Unavailable'): ProbeOutcome => ({ ok: false, cause });

/** Folds a run of (time in s, result) through applyProbeResult. */
function run(steps: readonly (readonly [number, ProbeOutcome])[], over: Partial<VerdictContext> = {}): HealthState {
  return steps.reduce((s, [t, r]) => applyProbeResult(s, r, ctx(t * S, over)).state, NEW_HEALTH_STATE);
}

describe('grace period (failures before the first success)', () => {
  it.each([
    // name, task RUNNING at (s), failure at (s), grace (s), counted?
    ['inside grace', 0, 299, 300, false],
    ['at grace end exactly (Marathon: startedAt + grace > now ignores)', 0, 300, 300, true],
    ['after grace', 0, 301, 300, true],
    ['grace 0: the first failure counts', 0, 0, 0, true],
    ['task started late: grace runs from RUNNING', 100, 350, 300, false],
  ] as const)('%s', (_name, startedAt, at, grace, counted) => {
    const u = applyProbeResult(NEW_HEALTH_STATE, fail(), ctx(at * S, { taskStartedAt: startedAt * S, check: { ...check, gracePeriodSeconds: grace } }));
    expect(u.kind).toBe(counted ? 'failure' : 'failure-ignored');
    expect(u.state.consecutiveFailures).toBe(counted ? 1 : 0);
  });

  it.each([
    ['task not running yet (no startedAt)', { taskStartedAt: undefined }],
    ['task no longer running (killing, unreachable)', { running: false }],
  ] as const)('failures are ignored: %s', (_name, over) => {
    const healthy = run([[1, ok]]);
    const u = applyProbeResult(healthy, fail(), ctx(10_000 * S, over));
    expect(u.kind).toBe('failure-ignored');
    expect(u.state).toBe(healthy);
  });

  it('after one success, failures count even inside the grace period', () => {
    const s = run([[5, ok], [10, fail()]]);
    expect(s.consecutiveFailures).toBe(1);
    expect(failureIgnored(run([[5, ok]]), ctx(10 * S))).toBe(false);
  });
});

describe('first success, counting, alive', () => {
  it.each([
    // name, steps, expected {firstSuccess, lastSuccess, lastFailure, consecutiveFailures, alive}
    ['nothing yet', [], { consecutiveFailures: 0, alive: false }],
    ['one success', [[10, ok]], { firstSuccess: 10, lastSuccess: 10, consecutiveFailures: 0, alive: true }],
    ['firstSuccess is kept, lastSuccess moves', [[10, ok], [20, ok]], { firstSuccess: 10, lastSuccess: 20, consecutiveFailures: 0, alive: true }],
    ['a counted failure after a success', [[10, ok], [20, fail()]], { firstSuccess: 10, lastSuccess: 10, lastFailure: 20, consecutiveFailures: 1, alive: false }],
    ['failures add up', [[10, ok], [20, fail()], [30, fail()], [40, fail()]], { lastFailure: 40, consecutiveFailures: 3, alive: false }],
    ['a success resets the count', [[10, ok], [20, fail()], [30, fail()], [40, ok]], { lastSuccess: 40, lastFailure: 30, consecutiveFailures: 0, alive: true }],
    ['grace over, never succeeded', [[400, fail()], [410, fail()]], { lastFailure: 410, consecutiveFailures: 2, alive: false }],
  ] as const)('%s', (_name, steps, want) => {
    const s = run(steps);
    const { alive, ...fields } = want;
    for (const [k, v] of Object.entries(fields)) expect(s[k as keyof HealthState]).toBe(typeof v === 'number' && k !== 'consecutiveFailures' ? v * S : v);
    expect(isAlive(s)).toBe(alive);
  });

  it('keeps the cause of the latest counted failure; "unknown" when the probe gave none', () => {
    expect(run([[10, ok], [20, fail('Connection refused')], [30, fail('timed out after 2000 ms')]]).lastFailureCause).toBe('timed out after 2000 ms');
    expect(run([[10, ok], [20, { ok: false }]]).lastFailureCause).toBe('unknown');
  });

  it('failingSince is the first failure of the current run and goes with a success', () => {
    expect(run([[10, ok], [20, fail()], [30, fail()]]).failingSince).toBe(20 * S);
    expect(run([[10, ok], [20, fail()], [30, ok]]).failingSince).toBeUndefined();
  });

  it('reports alive flips (health_status_changed_event) and counted failures (failed_health_check_event)', () => {
    const kinds = [[10, ok], [20, ok], [30, fail()], [40, fail()], [50, ok]].reduce<{ s: HealthState; out: string[] }>((acc, [t, r]) => {
      const u = applyProbeResult(acc.s, r as ProbeOutcome, ctx((t as number) * S));
      return { s: u.state, out: [...acc.out, `${u.kind}${u.aliveChanged ? `→${u.alive ? 'alive' : 'dead'}` : ''}`] };
    }, { s: NEW_HEALTH_STATE, out: [] }).out;
    expect(kinds).toEqual(['success→alive', 'success', 'failure→dead', 'failure', 'success→alive']);
  });
});

describe('HTTP 1xx with ignoreHttp1xx, and skipped probes (the prober marks them ignored)', () => {
  it.each([
    ['before any result', NEW_HEALTH_STATE],
    ['while alive', run([[10, ok]])],
    ['while failing', run([[10, ok], [20, fail()]])],
  ] as const)('leave the state unchanged: %s', (_name, s) => {
    const u = applyProbeResult(s, { ok: false, ignored: true, cause: '102 Processing' }, ctx(500 * S));
    expect(u).toMatchObject({ kind: 'ignored', aliveChanged: false });
    expect(u.state).toBe(s);
  });
});

describe('maxConsecutiveFailures: kill on the failure after the limit (Marathon: "fails more than")', () => {
  it.each([
    // max, counted failures, sentenced?
    [3, 0, false], [3, 1, false], [3, 3, false], [3, 4, true], [3, 9, true],
    [1, 1, false], [1, 2, true],
    [0, 100, false], // 0 = never kill
  ] as const)('max %d, %d failures → sentenced %s', (max, failures, sentenced) => {
    const steps: [number, ProbeOutcome][] = [[1, ok]];
    for (let i = 0; i < failures; i++) steps.push([10 + i, fail()]);
    const s = run(steps, { check: { ...check, maxConsecutiveFailures: max } });
    expect(s.consecutiveFailures).toBe(failures);
    expect(isSentenced(s, max)).toBe(sentenced);
    if (failures > 0) expect(applyProbeResult(run(steps.slice(0, -1), { check: { ...check, maxConsecutiveFailures: max } }), fail(), ctx(99 * S, { check: { ...check, maxConsecutiveFailures: max } })).shouldKill).toBe(sentenced);
  });

  it('a success lifts the sentence', () => {
    const s = run([[1, ok], [10, fail()], [11, fail()], [12, fail()], [13, fail()]]);
    expect(isSentenced(s, 3)).toBe(true);
    expect(applyProbeResult(s, ok, ctx(14 * S)).shouldKill).toBe(false);
  });
});

describe('healthCheckResults JSON', () => {
  it('has Marathon\'s keys, ISO timestamps and nulls', () => {
    expect(JSON.stringify(healthCheckResultJson(NEW_HEALTH_STATE, 'web.instance-1'))).toBe(
      '{"alive":false,"consecutiveFailures":0,"firstSuccess":null,"lastSuccess":null,"lastFailure":null,"lastFailureCause":null,"instanceId":"web.instance-1"}',
    );
    const s = run([[1, ok], [2, fail('500 Internal Server Error')]], { taskStartedAt: 0 });
    expect(healthCheckResultJson({ ...s, firstSuccess: Date.UTC(2024, 0, 2, 3, 4, 5, 6) }, 'i')).toEqual({
      alive: false, consecutiveFailures: 1, firstSuccess: '2024-01-02T03:04:05.006Z', lastSuccess: '1970-01-01T00:00:01.000Z',
      lastFailure: '1970-01-01T00:00:02.000Z', lastFailureCause: '500 Internal Server Error', instanceId: 'i',
    });
  });
});

describe('taskHealth over a task\'s checks (tasksHealthy / tasksUnhealthy)', () => {
  const alive = run([[1, ok]]);
  const dead = run([[1, ok], [2, fail()]]);
  it.each([
    ['no results', [], undefined],
    ['no state for any check', [undefined, undefined], undefined],
    ['all alive', [alive, alive], true],
    ['one not alive', [alive, dead], false],
    ['a state without any counted result (grace) is not alive', [NEW_HEALTH_STATE], false],
    ['checks without a state are skipped', [undefined, alive], true],
  ] as const)('%s', (_name, states, want) => {
    expect(taskHealth(states)).toBe(want);
  });
});
