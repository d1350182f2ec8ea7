import { decideReplacements, defaultReplacementTimeoutMs, replacementSlots, takesToken, type ReplaceInput, type SentencedInstance } from './replace-before-kill';

const S = 1000;
const TIMEOUT = 600 * S;
const input = (over: Partial<ReplaceInput>): ReplaceInput => ({
  instances: 10, maximumOverCapacity: 1, occupied: 10, sentenced: [], now: 1000 * S, replacementTimeoutMs: TIMEOUT, ...over,
});
const sentenced = (id: string, at = 900, replacement?: { requestedAt: number; healthy: boolean }): SentencedInstance => ({
  instanceId: id, sentencedAt: at * S, ...(replacement ? { replacement: { requestedAt: replacement.requestedAt * S, healthy: replacement.healthy } } : {}),
});
const brief = (r: ReturnType<typeof decideReplacements>): string[] =>
  r.map((d) => (d.kind === 'kill' ? `kill ${d.instanceId} ${d.relaunch ? 'relaunch' : 'decommission'} (${d.cause})` : d.kind === 'wait' ? `wait ${d.instanceId} (${d.reason})` : `replace ${d.instanceId}`));

describe('replacementSlots', () => {
  it.each([
    // N, maxOC, slots
    [10, 1, 10],
    [10, 0.1, 1],
    [10, 0.15, 1], // floor(11.5) = 11
    [3, 0.2, 1], // floor(3.6) = 3 → 0 by the formula, at least 1 since maxOC > 0
    [4, 0, 0],
    [0, 1, 1],
    [100, 0.07, 7], // 107.00000000000001 → 7, no float surprise
  ] as const)('N %d, maximumOverCapacity %d → %d', (n, oc, slots) => {
    expect(replacementSlots(n, oc)).toBe(slots);
  });
});

describe('decideReplacements', () => {
  it.each([
    ['room: start a replacement first', input({ sentenced: [sentenced('a')] }), ['replace a']],
    ['replacement starting: wait', input({ occupied: 11, sentenced: [sentenced('a', 900, { requestedAt: 950, healthy: false })] }), ['wait a (replacement-not-healthy)']],
    ['replacement healthy: kill without relaunch', input({ occupied: 11, sentenced: [sentenced('a', 900, { requestedAt: 950, healthy: true })] }), ['kill a decommission (replacement-healthy)']],
    ['replacement never healthy within the timeout: kill anyway; the replacement stands in', input({ occupied: 11, now: 1550 * S, sentenced: [sentenced('a', 900, { requestedAt: 950, healthy: false })] }), ['kill a decommission (replacement-timeout)']],
    ['maximumOverCapacity 0: kill first and relaunch, as Marathon', input({ maximumOverCapacity: 0, sentenced: [sentenced('a'), sentenced('b')] }), ['kill a relaunch (no-over-capacity)', 'kill b relaunch (no-over-capacity)']],
    ['one slot, two sentenced: oldest first, the other waits for room', input({ maximumOverCapacity: 0.1, sentenced: [sentenced('b', 901), sentenced('a', 900)] }), ['replace a', 'wait b (no-room)']],
    ['one slot in use by a pending replacement: the next waits', input({ maximumOverCapacity: 0.1, occupied: 11, sentenced: [sentenced('a', 900, { requestedAt: 950, healthy: false }), sentenced('b', 901)] }), ['wait a (replacement-not-healthy)', 'wait b (no-room)']],
    ['no room for too long: kill first', input({ maximumOverCapacity: 0.1, occupied: 11, now: 1502 * S, sentenced: [sentenced('b', 901)] }), ['kill b relaunch (no-room-timeout)']],
    ['room counts terminating kills (occupied over N): wait', input({ maximumOverCapacity: 0.1, occupied: 11, sentenced: [sentenced('a')] }), ['wait a (no-room)']],
    ['several slots: several replacements at once, in order', input({ occupied: 18, sentenced: [sentenced('c', 902), sentenced('a', 900), sentenced('b', 900)] }), ['replace a', 'replace b', 'wait c (no-room)']],
  ] as const)('%s', (_name, inp, want) => {
    expect(brief(decideReplacements(inp))).toEqual(want);
  });

  it('wait decisions say until when', () => {
    const [d] = decideReplacements(input({ occupied: 11, sentenced: [sentenced('a', 900, { requestedAt: 950, healthy: false })] }));
    expect(d).toMatchObject({ kind: 'wait', until: 950 * S + TIMEOUT });
  });

  it('only starting a replacement and kill-first take a rate-limit token', () => {
    expect(takesToken({ kind: 'start-replacement', instanceId: 'a' })).toBe(true);
    expect(takesToken({ kind: 'kill', instanceId: 'a', relaunch: true, cause: 'no-over-capacity' })).toBe(true);
    expect(takesToken({ kind: 'kill', instanceId: 'a', relaunch: false, cause: 'replacement-healthy' })).toBe(false);
    expect(takesToken({ kind: 'wait', instanceId: 'a', reason: 'no-room', until: 0 })).toBe(false);
  });

  it('defaultReplacementTimeoutMs: grace + interval × (max + 1) + launch allowance', () => {
    expect(defaultReplacementTimeoutMs({ gracePeriodSeconds: 300, intervalSeconds: 60, maxConsecutiveFailures: 3 })).toBe(840 * S);
  });
});
