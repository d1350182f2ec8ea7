import { ConfigError, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('gives the documented defaults and a frozen object', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      httpPort: 8080,
      databaseUrl: 'postgres://postgres:postgres@127.0.0.1:5432/pacer',
      redisUrl: 'redis://127.0.0.1:6379',
      leaderElection: 'standalone',
      mesosMaster: 'http://127.0.0.1:5050',
      mesosEncoding: 'protobuf',
      failoverTimeoutSeconds: 604800,
      maxAppVersions: 50,
      maxRunningDeployments: 100,
      httpBodyLimitBytes: 1048576,
      localPortMin: 10000,
      localPortMax: 20000,
    });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('ZK_URL switches leader election to zookeeper', () => {
    expect(loadConfig({ ZK_URL: 'zk://127.0.0.1:2181/pacer' }).leaderElection).toBe('zookeeper');
  });

  it.each([
    [{ HTTP_PORT: 'eighty' }, "HTTP_PORT: must be an integer, got 'eighty'"],
    [{ HTTP_PORT: '70000' }, 'HTTP_PORT: must be between 0 and 65535, got 70000'],
    [{ DATABASE_URL: 'mysql://x' }, "DATABASE_URL: must use postgres: or postgresql:, got 'mysql:'"],
    [{ DATABASE_URL: 'not a url' }, "DATABASE_URL: is not a valid URL: 'not a url'"],
    [{ MESOS_ENCODING: 'xml' }, "MESOS_ENCODING: must be one of protobuf, json, got 'xml'"],
    [{ MESOS_MASTER: 'http://a:5050,ftp://b' }, "MESOS_MASTER: 'ftp://b' is not an http(s) URL or zk:// URL"],
    [{ MESOS_MASTER: 'zk://host' }, "MESOS_MASTER: zk URL needs hosts and a path, got 'zk://host'"],
    [{ LEADER_ELECTION: 'zookeeper' }, 'ZK_URL: is required when LEADER_ELECTION=zookeeper'],
    [{ LOCAL_PORT_MIN: '20000', LOCAL_PORT_MAX: '10000' }, 'LOCAL_PORT_MAX: must be greater than LOCAL_PORT_MIN (20000)'],
    [{ LOG_PRETTY: 'maybe' }, "LOG_PRETTY: must be true or false, got 'maybe'"],
  ])('rejects %j with one line naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(new ConfigError(message.split(':')[0], message.slice(message.indexOf(':') + 2)));
  });

  it('health checks: documented defaults, overrides, and shares in (0, 1]', () => {
    expect(loadConfig({})).toMatchObject({
      healthProbeConcurrency: 256, healthProbeMaxQueued: 50_000, healthProbeMaxLagMs: 30_000, healthKillBurst: 1, healthKillRefillSeconds: 10,
      healthQueuePrefix: 'pacer', healthBreakerAppShare: 0.5, healthBreakerGlobalShare: 0.3, healthBreakerMaxLagMs: 2000, healthProbeWorker: true,
    });
    expect(loadConfig({ HEALTH_BREAKER_APP_SHARE: '0.75', HEALTH_BREAKER_GLOBAL_SHARE: '1', HEALTH_QUEUE_PREFIX: 'run-42', HEALTH_PROBE_WORKER: 'false' })).toMatchObject({
      healthBreakerAppShare: 0.75, healthBreakerGlobalShare: 1, healthQueuePrefix: 'run-42', healthProbeWorker: false,
    });
    for (const bad of ['0', '1.5', '-0.2', 'half']) {
      expect(() => loadConfig({ HEALTH_BREAKER_APP_SHARE: bad })).toThrow(new ConfigError('HEALTH_BREAKER_APP_SHARE', `must be a number in (0, 1], got '${bad}'`));
    }
  });

  it('accepts a comma list of masters and a zk:// master', () => {
    expect(loadConfig({ MESOS_MASTER: 'http://a:5050, http://b:5050' }).mesosMaster).toBe('http://a:5050, http://b:5050');
    expect(loadConfig({ MESOS_MASTER: 'zk://z1:2181,z2:2181/mesos' }).mesosMaster).toBe('zk://z1:2181,z2:2181/mesos');
  });
});
