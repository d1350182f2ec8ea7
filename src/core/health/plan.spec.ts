import { CLOSED_BREAKER, evaluateBreaker, type BreakerState } from './circuit-breaker';
import { planHealthKills, type HealthKillPlanInput } from './plan';
import type { SentencedInstance } from './replace-before-kill';

const S = 1000;
const sentenced = (id: string, lastFailure = 990, replacement?: { requestedAt: number; healthy: boolean }): SentencedInstance => ({
  instanceId: id, sentencedAt: 900 * S, lastFailure: lastFailure * S,
  ...(replacement ? { replacement: { requestedAt: replacement.requestedAt * S, healthy: replacement.healthy } } : {}),
});
const input = (over: Partial<HealthKillPlanInput>): HealthKillPlanInput => ({
  appId: '/web', instances: 10, maximumOverCapacity: 1, occupied: 10, sentenced: [], now: 1000 * S, replacementTimeoutMs: 600 * S,
  breaker: CLOSED_BREAKER, bucket: undefined, rateLimit: { burst: 1, refillSeconds: 10 }, ...over,
});
const open: BreakerState = evaluateBreaker(CLOSED_BREAKER, { now: 0, apps: [{ appId: '/web', probed: 10, fallen: 8, fallenRecently: 8 }, { appId: '/rest', probed: 100, fallen: 0, fallenRecently: 0 }], lagMs: 0 });
const resumedAt995: BreakerState = { global: { open: false, resumedAt: 995 * S }, apps: new Map() };

function brief(inp: HealthKillPlanInput): string[] {
  const p = planHealthKills(inp);
  return [
    ...p.actions.map((a) => (a.kind === 'kill' ? `kill ${a.instanceId}${a.relaunch ? ' relaunch' : ''}` : `replace ${a.instanceId}`)),
    ...p.held.map((h) => `hold ${h.instanceId} ${h.kind}`),
  ];
}

describe('planHealthKills', () => {
  it.each([
    ['breaker closed, room: replace', input({ sentenced: [sentenced('a')] }), ['replace a']],
    ['breaker open: nothing, every sentenced instance held', input({ breaker: open, sentenced: [sentenced('a'), sentenced('b', 990, { requestedAt: 950, healthy: true })] }), ['hold a breaker', 'hold b breaker']],
    ['rate limit: one replacement per token', input({ sentenced: [sentenced('a'), sentenced('b')] }), ['replace a', 'hold b rate-limit']],
    ['rate limit applies to kill-first too', input({ maximumOverCapacity: 0, sentenced: [sentenced('a'), sentenced('b')] }), ['kill a relaunch', 'hold b rate-limit']],
    ['a healthy replacement\'s kill costs no token', input({ bucket: { tokens: 0, updatedAt: 1000 * S }, occupied: 11, sentenced: [sentenced('a', 990, { requestedAt: 950, healthy: true })] }), ['kill a']],
    ['after a resume, failures from before it do not kill', input({ breaker: resumedAt995, sentenced: [sentenced('a', 990), sentenced('b', 999)] }), ['replace b', 'hold a stale-failure']],
    ['waits are reported as held', input({ occupied: 11, sentenced: [sentenced('a', 990, { requestedAt: 950, healthy: false })] }), ['hold a replacement-not-healthy']],
  ] as const)('%s', (_name, inp, want) => {
    expect(brief(inp)).toEqual(want);
  });

  it('returns the bucket to keep, and the breaker reason on held instances', () => {
    const p = planHealthKills(input({ sentenced: [sentenced('a')] }));
    expect(p.bucket).toEqual({ tokens: 0, updatedAt: 1000 * S });
    expect(planHealthKills(input({ breaker: open, sentenced: [sentenced('a')] })).held[0]).toMatchObject({ kind: 'breaker', tripKind: 'app-share', reason: expect.stringContaining('8 of 10') });
  });
});
