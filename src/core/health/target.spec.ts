import type { HealthCheck } from '../apps';
import { firstDueAt, nextDueAt, pacerSideChecks, probeSpec } from './target';

const base: HealthCheck = {
  protocol: 'HTTP', path: '/health', portIndex: 0, gracePeriodSeconds: 300, intervalSeconds: 10, timeoutSeconds: 2,
  maxConsecutiveFailures: 3, delaySeconds: 15, ipProtocol: 'IPv4',
};
const task = { host: 'agent-1', hostPorts: [31000, 31001] };

describe('probeSpec', () => {
  it.each([
    ['HTTP on the host port at portIndex', base, { protocol: 'HTTP', host: 'agent-1', port: 31000, path: '/health', timeoutSeconds: 2, ignoreHttp1xx: false }],
    ['portIndex 1', { ...base, portIndex: 1 }, { port: 31001 }],
    ['explicit port wins', { ...base, port: 8080 }, { port: 8080 }],
    ['HTTPS with ignoreHttp1xx, path defaults to /', { ...base, protocol: 'HTTPS', path: undefined, ignoreHttp1xx: true }, { protocol: 'HTTPS', path: '/', ignoreHttp1xx: true }],
    ['TCP has no path', { ...base, protocol: 'TCP' }, { protocol: 'TCP', port: 31000 }],
  ] as const)('%s', (_name, check, want) => {
    expect(probeSpec(check as HealthCheck, task)).toMatchObject(want);
  });

  it.each([
    ['Mesos-side check', { ...base, protocol: 'MESOS_HTTP' }, task],
    ['COMMAND', { ...base, protocol: 'COMMAND', command: { value: 'true' } }, task],
    ['portIndex beyond the task ports', { ...base, portIndex: 5 }, task],
    ['no host yet', base, { hostPorts: [31000] }],
  ] as const)('none for %s', (_name, check, t) => {
    expect(probeSpec(check as HealthCheck, t)).toBeUndefined();
  });

  it('TCP spec carries no path key', () => {
    expect('path' in (probeSpec({ ...base, protocol: 'TCP' }, task) ?? {})).toBe(false);
  });

  it('pacerSideChecks keeps the index in app.healthChecks', () => {
    const app = { healthChecks: [{ ...base, protocol: 'MESOS_TCP' as const }, base, { ...base, protocol: 'TCP' as const }] };
    expect(pacerSideChecks(app).map((c) => [c.index, c.check.protocol])).toEqual([[1, 'HTTP'], [2, 'TCP']]);
  });
});

describe('due times', () => {
  it.each([
    // interval (s), spread (s), window (ms)
    [10, undefined, 10_000],
    [10, 5, 5000],
    [2, 5, 2000],
  ] as const)('first probes spread evenly over min(interval %d s, spread %s s), stable per key', (interval, spread, window) => {
    const offsets = Array.from({ length: 1000 }, (_, i) => firstDueAt(0, interval, `task-${i}.0`, spread));
    expect(Math.min(...offsets)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...offsets)).toBeLessThan(window);
    const firstHalf = offsets.filter((o) => o < window / 2).length;
    expect(firstHalf).toBeGreaterThan(400);
    expect(firstHalf).toBeLessThan(600);
  });

  it('first due time: same key, same offset; interval 0 → now', () => {
    expect(firstDueAt(0, 10, 'x')).toBe(firstDueAt(0, 10, 'x'));
    expect(firstDueAt(100, 0, 'x')).toBe(100);
  });

  it.each([
    // due (s), interval (s), now (s), next (s)
    [100, 10, 105, 110],
    [100, 10, 100, 110],
    [100, 10, 127.5, 130], // two rounds missed: skipped, no burst
    [100, 10, 130, 140],
    [100, 10, 50, 110],
  ] as const)('next after due %d, interval %d, now %d → %d', (due, interval, now, next) => {
    expect(nextDueAt(due * 1000, interval, now * 1000)).toBe(next * 1000);
  });
});
