import { backoffDelayMs } from './backoff';
import { normalizeMasterUrl, parseMesosMaster, resolveRedirect, StaticMasterDetector } from './detector';
import { leaderNode, masterUrlFromInfo, parseZkMasterUrl } from './zk-detector';

describe('MESOS_MASTER forms', () => {
  it('splits a comma list and recognises zk://', () => {
    expect(parseMesosMaster('http://a:5050, http://b:5050')).toEqual({ kind: 'static', urls: ['http://a:5050', 'http://b:5050'] });
    expect(parseMesosMaster('zk://z1:2181,z2:2181/mesos')).toEqual({ kind: 'zk', url: 'zk://z1:2181,z2:2181/mesos' });
    expect(normalizeMasterUrl('http://a:5050/')).toBe('http://a:5050');
  });

  it('a static list tries the masters in turn', async () => {
    const d = new StaticMasterDetector(['http://a:5050', 'http://b:5050']);
    expect(await d.current()).toBe('http://a:5050');
    d.failed('http://a:5050');
    expect(await d.current()).toBe('http://b:5050');
    d.failed('http://a:5050'); // a stale failure report does not skip the current one
    expect(await d.current()).toBe('http://b:5050');
    d.failed('http://b:5050');
    expect(await d.current()).toBe('http://a:5050');
  });
});

describe('307 Location', () => {
  it.each([
    ['http://m1:5050', '//m2.example:5050/api/v1/scheduler', 'http://m2.example:5050'],
    ['https://m1:5050', '//m2:5050/api/v1/scheduler', 'https://m2:5050'],
    ['http://m1:5050', 'http://m3:5051/api/v1/scheduler', 'http://m3:5051'],
    ['http://m1:5050', '//10.0.0.2:5050', 'http://10.0.0.2:5050'],
  ])('from %s, %s goes to %s (scheme kept for protocol-relative)', (current, location, expected) => {
    expect(resolveRedirect(current, location)).toBe(expected);
  });
});

describe('ZooKeeper master group', () => {
  it('the lowest json.info_ sequence leads; other children are ignored', () => {
    expect(leaderNode(['json.info_0000000012', 'json.info_0000000003', 'log_replicas', 'info_0000000001', 'json.info_0000000007'])).toBe('json.info_0000000003');
    expect(leaderNode(['log_replicas'])).toBeUndefined();
    expect(leaderNode([])).toBeUndefined();
  });

  it('reads the master address from MasterInfo JSON', () => {
    expect(masterUrlFromInfo({ id: 'x', ip: 16777343, port: 5050, hostname: 'm1', address: { hostname: 'm1', ip: '10.1.2.3', port: 5051 } })).toBe('http://10.1.2.3:5051');
    expect(masterUrlFromInfo({ id: 'x', hostname: 'm1', address: { hostname: 'm1', port: 5052 } })).toBe('http://m1:5052');
    // Legacy packed ip (network byte order): 127.0.0.1 = 0x0100007f.
    expect(masterUrlFromInfo({ id: 'x', ip: 16777343, port: 5050 })).toBe('http://127.0.0.1:5050');
    expect(masterUrlFromInfo({ id: 'x', hostname: 'm1' })).toBe('http://m1:5050');
    expect(masterUrlFromInfo({ id: 'x' })).toBeUndefined();
    expect(masterUrlFromInfo('nonsense')).toBeUndefined();
  });

  it('parses zk:// URLs with several hosts, credentials and a default path', () => {
    expect(parseZkMasterUrl('zk://z1:2181,z2:2181/mesos')).toEqual({ hosts: 'z1:2181,z2:2181', path: '/mesos' });
    expect(parseZkMasterUrl('zk://u:p@z1:2181/a/b/')).toEqual({ hosts: 'z1:2181', path: '/a/b', auth: 'u:p' });
    expect(parseZkMasterUrl('zk://z1:2181')).toEqual({ hosts: 'z1:2181', path: '/mesos' });
    expect(() => parseZkMasterUrl('http://x')).toThrow(/Invalid ZooKeeper URL/);
  });
});

describe('reconnect backoff', () => {
  const policy = { initialMs: 500, maxMs: 15_000 };

  it('grows exponentially and is capped', () => {
    const upper = (n: number) => backoffDelayMs(n, policy, () => 0.999999);
    expect(upper(0)).toBe(500);
    expect(upper(1)).toBe(1000);
    expect(upper(3)).toBe(4000);
    expect(upper(10)).toBe(15_000);
    expect(upper(1000)).toBe(15_000);
  });

  it('jitters within [half, full] of the exponential delay', () => {
    for (let n = 0; n < 12; n++) {
      const full = Math.min(15_000, 500 * 2 ** n);
      for (const r of [0, 0.25, 0.5, 0.99]) {
        const d = backoffDelayMs(n, policy, () => r);
        expect(d).toBeGreaterThanOrEqual(full / 2);
        expect(d).toBeLessThanOrEqual(full);
      }
    }
    expect(backoffDelayMs(4, policy, () => 0)).not.toBe(backoffDelayMs(4, policy, () => 0.9));
  });
});
