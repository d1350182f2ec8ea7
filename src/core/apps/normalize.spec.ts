import * as fs from 'fs';
import * as path from 'path';
import { APP_DEFAULTS, APP_KEYS, APP_VALIDATION_MESSAGES as M, ID_MESSAGES, normalizeApp } from './index';
import type { AppDefinition } from './index';

const FIXTURES = path.join(__dirname, '../../../test/fixtures/marathon-examples');
const fixture = (name: string): unknown => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8'));
const base = { id: '/a', cmd: 'sleep 1' };

function ok(raw: unknown, options?: Parameters<typeof normalizeApp>[1]): AppDefinition {
  const r = normalizeApp(raw, options);
  if (!r.ok) throw new Error(`expected valid, got ${JSON.stringify(r.details)}`);
  return r.app;
}
function details(raw: unknown, options?: Parameters<typeof normalizeApp>[1]) {
  const r = normalizeApp(raw, options);
  if (r.ok) throw new Error(`expected invalid, got ${JSON.stringify(r.app)}`);
  return r.details;
}

describe('Marathon example definitions (test/fixtures/marathon-examples)', () => {
  const valid = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.json'))
    .filter((f) => !['docs__app.json', 'system__private-ucr-docker-app.json', 'system__external-volume-mesos-app.json'].includes(f));

  it('has every example file', () => {
    expect(valid.length).toBe(21);
  });

  it.each(valid)('%s normalizes', (f) => {
    const raw = fixture(f);
    for (const item of Array.isArray(raw) ? raw : [raw]) {
      const app = ok(item);
      expect(app.id).toBe('/' + String((item as { id: string }).id).replace(/^\//, ''));
      expect(Object.keys(app).every((k) => (APP_KEYS as readonly string[]).includes(k))).toBe(true);
    }
  });

  it.each([
    ['docs__app.json', '/', M.cmdArgsContainer],
    ['docs__app.json', '/secrets', M.feature('secrets')],
    ['system__private-ucr-docker-app.json', '/secrets', M.feature('secrets')],
    ['system__external-volume-mesos-app.json', '/container/volumes(0)', M.feature('external_volumes')],
  ])('%s is rejected at %s with %s', (f, p, msg) => {
    expect(details(fixture(f))).toContainEqual(expect.objectContaining({ path: p, errors: expect.arrayContaining([msg]) }));
  });

  it('the UCR private image example is valid once the secrets feature is on', () => {
    const app = ok(fixture('system__private-ucr-docker-app.json'), { enabledFeatures: ['secrets'] });
    expect(app.container?.docker?.pullConfig).toEqual({ secret: 'pullConfigSecret' });
    expect(app.secrets).toEqual({ pullConfigSecret: { source: '/pullconfig' } });
  });

  it('drops fields Marathon does not know (tty, check, docker.requirePorts, docker.forcePull)', () => {
    const check = ok(fixture('docs__app-check-http-example.json')) as unknown as Record<string, unknown>;
    expect(check.check).toBeUndefined();
    const bridge = ok(fixture('system__pinger-bridge-app.json'));
    expect(bridge.container?.docker).toEqual({ image: 'python:3.5-alpine', forcePullImage: false, privileged: false, parameters: [] });
  });

  it('translates docker BRIDGE networking and docker.portMappings', () => {
    const app = ok(fixture('system__docker-http-server.json'));
    expect(app.networks).toEqual([{ mode: 'container/bridge' }]);
    expect(app.portDefinitions).toBeUndefined();
    expect(app.container?.portMappings).toEqual([{ containerPort: 8080, hostPort: 0, servicePort: 0, protocol: 'tcp' }]);
  });

  it('translates ipAddress with discovery ports into a MESOS container on a named network', () => {
    const app = ok(fixture('system__pinger-container-app.json'));
    expect(app.networks).toEqual([{ mode: 'container', name: 'dcos' }]);
    expect(app.container).toEqual({
      type: 'MESOS', volumes: [], portMappings: [{ containerPort: 7777, servicePort: 0, protocol: 'tcp', name: 'my-port' }],
    });
  });

  it('resident apps get residency, upgradeStrategy {0.5,0} and unreachableStrategy disabled', () => {
    const app = ok(fixture('system__healthcheck-and-volume.json'));
    expect(app.residency).toEqual({ relaunchEscalationTimeoutSeconds: 3600, taskLostBehavior: 'WAIT_FOREVER' });
    expect(app.upgradeStrategy).toEqual({ minimumHealthCapacity: 0.5, maximumOverCapacity: 0 });
    expect(app.unreachableStrategy).toBe('disabled');
  });
});

describe('defaults', () => {
  const app = ok({ id: 'x', cmd: 'sleep 10' });
  it.each([
    ['id', '/x'],
    ['instances', 1], ['cpus', 1], ['mem', 128], ['disk', 0], ['gpus', 0], ['executor', ''],
    ['backoffSeconds', 1], ['backoffFactor', 1.15], ['maxLaunchDelaySeconds', 300],
    ['requirePorts', false], ['killSelection', 'YOUNGEST_FIRST'],
    ['upgradeStrategy', { minimumHealthCapacity: 1, maximumOverCapacity: 1 }],
    ['unreachableStrategy', { inactiveAfterSeconds: 0, expungeAfterSeconds: 0 }],
    ['networks', [{ mode: 'host' }]],
    ['portDefinitions', [{ port: 0, protocol: 'tcp', name: 'default' }]],
    ['env', {}], ['labels', {}], ['constraints', []], ['dependencies', []], ['fetch', []],
    ['healthChecks', []], ['readinessChecks', []], ['secrets', {}],
  ])('%s = %j', (k, v) => {
    expect((app as unknown as Record<string, unknown>)[k]).toEqual(v);
  });

  it.each(['args', 'user', 'container', 'acceptedResourceRoles', 'storeUrls', 'taskKillGracePeriodSeconds', 'version', 'versionInfo', 'role', 'residency'])(
    '%s is omitted when unset (not null)', (k) => {
      expect(Object.prototype.hasOwnProperty.call(app, k)).toBe(false);
    });

  it('APP_DEFAULTS matches what normalizeApp fills in', () => {
    expect(app.cpus).toBe(APP_DEFAULTS.cpus);
    expect(app.maxLaunchDelaySeconds).toBe(APP_DEFAULTS.maxLaunchDelaySeconds);
  });

  it('health check defaults per protocol', () => {
    const a = ok({ ...base, healthChecks: [{}, { protocol: 'TCP' }, { protocol: 'COMMAND', command: { value: 'true' } }, { protocol: 'MESOS_HTTP' }] });
    expect(a.healthChecks).toEqual([
      { protocol: 'HTTP', path: '/', portIndex: 0, gracePeriodSeconds: 300, intervalSeconds: 60, timeoutSeconds: 20, maxConsecutiveFailures: 3, delaySeconds: 15, ignoreHttp1xx: false, ipProtocol: 'IPv4' },
      { protocol: 'TCP', portIndex: 0, gracePeriodSeconds: 300, intervalSeconds: 60, timeoutSeconds: 20, maxConsecutiveFailures: 3, delaySeconds: 15, ipProtocol: 'IPv4' },
      { protocol: 'COMMAND', command: { value: 'true' }, gracePeriodSeconds: 300, intervalSeconds: 60, timeoutSeconds: 20, maxConsecutiveFailures: 3, delaySeconds: 15, ipProtocol: 'IPv4' },
      { protocol: 'MESOS_HTTP', path: '/', portIndex: 0, gracePeriodSeconds: 300, intervalSeconds: 60, timeoutSeconds: 20, maxConsecutiveFailures: 3, delaySeconds: 15, ipProtocol: 'IPv4' },
    ]);
  });

  it('readiness check defaults', () => {
    const a = ok({ ...base, portDefinitions: [{ port: 0, name: 'http-api' }], readinessChecks: [{ httpStatusCodesForReady: [] }] });
    expect(a.readinessChecks).toEqual([{
      name: 'readinessCheck', protocol: 'HTTP', path: '/', portName: 'http-api', intervalSeconds: 30, timeoutSeconds: 10,
      httpStatusCodesForReady: [200], preserveLastResponse: false,
    }]);
  });
});

describe('normalization', () => {
  it.each([
    ['relative id against root', { id: 'a/b', cmd: 'xx' }, undefined, '/a/b'],
    ['relative id against base', { id: 'b', cmd: 'xx' }, '/g', '/g/b'],
    ['.. against base', { id: '../c', cmd: 'xx' }, '/g/h', '/g/c'],
    ['double slashes', { id: '//a//b/', cmd: 'xx' }, undefined, '/a/b'],
  ])('%s', (_n, raw, b, id) => {
    expect(ok(raw, b === undefined ? {} : { base: b }).id).toBe(id);
  });

  it('dependencies are made absolute against the base', () => {
    expect(ok({ id: 'x', cmd: 'xx', dependencies: ['y', '/z', '../w'] }, { base: '/g/h' }).dependencies).toEqual(['/g/h/y', '/z', '/g/w']);
  });

  it('legacy ports become portDefinitions', () => {
    expect(ok({ ...base, ports: [0, 8080] }).portDefinitions).toEqual([{ port: 0, protocol: 'tcp' }, { port: 8080, protocol: 'tcp' }]);
  });

  it('uris become fetch with extract by extension', () => {
    expect(ok({ ...base, uris: ['http://x/a.tgz', 'http://x/b.sh'] }).fetch).toEqual([
      { uri: 'http://x/a.tgz', extract: true, executable: false, cache: false },
      { uri: 'http://x/b.sh', extract: false, executable: false, cache: false },
    ]);
  });

  it('requirePorts is forced false off host networking', () => {
    expect(ok({ ...base, requirePorts: true, networks: [{ mode: 'container/bridge' }] }).requirePorts).toBe(false);
  });

  it('non-host networking without a container gets a MESOS container with a default port mapping', () => {
    const a = ok({ ...base, networks: [{ mode: 'container/bridge' }] });
    expect(a.container).toEqual({ type: 'MESOS', volumes: [], portMappings: [{ containerPort: 0, hostPort: 0, servicePort: 0, protocol: 'tcp' }] });
  });

  it('host networking drops portMappings', () => {
    const a = ok({ ...base, container: { type: 'DOCKER', docker: { image: 'x' }, portMappings: [{ containerPort: 80 }] } });
    expect(a.container?.portMappings).toBeUndefined();
  });

  it('enums are case-insensitive, sets are de-duplicated, nulls are absent', () => {
    const a = ok({ ...base, killSelection: 'oldest_first', acceptedResourceRoles: ['*', '*'], constraints: [['hostname', 'UNIQUE'], ['hostname', 'UNIQUE']], args: null, user: null });
    expect(a.killSelection).toBe('OLDEST_FIRST');
    expect(a.acceptedResourceRoles).toEqual(['*']);
    expect(a.constraints).toEqual([['hostname', 'UNIQUE']]);
    expect('args' in a || 'user' in a).toBe(false);
  });

  it('reads Marathon 0.x output (app_list.json shape with nulls)', () => {
    const a = ok({
      id: '/myapp', cmd: 'env && sleep 60', args: null, user: null, env: { LD_LIBRARY_PATH: '/usr/local/lib/myLib' }, instances: 3,
      cpus: 0.1, mem: 5, disk: 0, executor: '', constraints: [['hostname', 'UNIQUE']], uris: ['https://raw.github.com/x/README.md'],
      ports: [10013, 10015], requirePorts: false, backoffSeconds: 1, backoffFactor: 1.15, maxLaunchDelaySeconds: 3600, container: null,
      healthChecks: [], dependencies: [], upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: 1 }, labels: {},
      acceptedResourceRoles: null, version: '2015-09-25T15:13:48.343Z',
      versionInfo: { lastScalingAt: '2015-09-25T15:13:48.343Z', lastConfigChangeAt: '2015-09-25T15:13:48.343Z' },
      tasksStaged: 0, deployments: [{ id: 'x' }],
    });
    expect(a.portDefinitions).toEqual([{ port: 10013, protocol: 'tcp' }, { port: 10015, protocol: 'tcp' }]);
    expect(a.version).toBe('2015-09-25T15:13:48.343Z');
    expect((a as unknown as Record<string, unknown>).tasksStaged).toBeUndefined();
  });

  it('sets role from options.defaultRole only when absent', () => {
    expect(ok(base, { defaultRole: '*' }).role).toBe('*');
    expect(ok({ ...base, role: 'dev' }, { defaultRole: '*' }).role).toBe('dev');
  });
});

/** One row per rule: [name, app fields over {id:'/a',cmd:'sleep 1'}, path, message]. */
const RULES: [string, Record<string, unknown>, string, string][] = [
  // JSON types (play-json keys)
  ['cpus wrong type', { cpus: 'one' }, '/cpus', 'error.expected.jsnumber'],
  ['instances fractional', { instances: 1.5 }, '/instances', 'error.expected.int'],
  ['instances negative', { instances: -1 }, '/instances', 'error.min'],
  ['mem negative', { mem: -1 }, '/mem', 'error.min'],
  ['cpus zero', { cpus: 0 }, '/cpus', 'error.min'],
  ['env value not a string', { env: { A: 1 } }, '/env/A', 'error.expected.jsstring'],
  ['labels value not a string', { labels: { a: true } }, '/labels/a', 'error.expected.jsstring'],
  ['requirePorts not boolean', { requirePorts: 'true' }, '/requirePorts', 'error.expected.jsboolean'],
  ['healthChecks not an array', { healthChecks: {} }, '/healthChecks', 'error.expected.jsarray'],
  ['health check portIndex wrong type', { healthChecks: [{ portIndex: '0' }] }, '/healthChecks(0)/portIndex', 'error.expected.jsnumber'],
  ['container not an object', { container: 'DOCKER' }, '/container', 'error.expected.jsobject'],
  ['cmd empty', { cmd: '' }, '/cmd', 'error.minLength'],
  ['executor pattern', { executor: 'a//b' }, '/executor', 'error.pattern'],
  ['upgradeStrategy minimumHealthCapacity > 1', { upgradeStrategy: { minimumHealthCapacity: 1.1, maximumOverCapacity: 1 } }, '/upgradeStrategy/minimumHealthCapacity', 'error.max'],
  ['upgradeStrategy maximumOverCapacity < 0', { upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: -0.1 } }, '/upgradeStrategy/maximumOverCapacity', 'error.min'],
  ['backoffFactor < 1', { backoffFactor: 0.5 }, '/backoffFactor', 'error.min'],
  ['backoffSeconds negative', { backoffSeconds: -1 }, '/backoffSeconds', 'error.min'],
  ['maxLaunchDelaySeconds negative', { maxLaunchDelaySeconds: -1 }, '/maxLaunchDelaySeconds', 'error.min'],
  ['taskKillGracePeriodSeconds negative', { taskKillGracePeriodSeconds: -1 }, '/taskKillGracePeriodSeconds', 'error.min'],
  ['killSelection enum', { killSelection: 'RANDOM' }, '/killSelection', 'error.unknown.enum.literal'],
  ['unreachableStrategy other string', { unreachableStrategy: 'never' }, '/unreachableStrategy', 'error.unknown.enum.literal'],
  ['port out of range', { portDefinitions: [{ port: 70000 }] }, '/portDefinitions(0)/port', 'error.max'],
  ['port protocol enum', { portDefinitions: [{ port: 0, protocol: 'sctp' }] }, '/portDefinitions(0)/protocol', 'error.unknown.enum.literal'],
  ['port name pattern', { portDefinitions: [{ port: 0, name: 'Http' }] }, '/portDefinitions(0)/name', 'error.pattern'],
  ['health check protocol enum', { healthChecks: [{ protocol: 'UDP' }] }, '/healthChecks(0)/protocol', 'error.unknown.enum.literal'],
  ['readiness status code range', { readinessChecks: [{ httpStatusCodesForReady: [99] }] }, '/readinessChecks(0)/httpStatusCodesForReady(0)', 'error.min'],
  ['readiness timeout < 1', { readinessChecks: [{ timeoutSeconds: 0 }] }, '/readinessChecks(0)/timeoutSeconds', 'error.min'],
  ['fetch uri too long', { fetch: [{ uri: 'x'.repeat(1025) }] }, '/fetch(0)/uri', 'error.maxLength'],
  ['fetch uri missing', { fetch: [{}] }, '/fetch(0)/uri', 'error.path.missing'],
  ['network mode enum', { networks: [{ mode: 'overlay' }] }, '/networks(0)/mode', 'error.unknown.enum.literal'],
  ['version not a timestamp', { version: 'yesterday' }, '/version', 'error.pattern'],
  // id
  ['id uppercase', { id: '/Foo' }, '/id', ID_MESSAGES.pattern],
  ['id leading dash', { id: '/-foo' }, '/id', ID_MESSAGES.pattern],
  ['id underscore', { id: '/a_b' }, '/id', ID_MESSAGES.pattern],
  ['id reserved restart', { id: '/a/restart' }, '/id', ID_MESSAGES.reserved],
  ['id reserved tasks', { id: '/tasks' }, '/id', ID_MESSAGES.reserved],
  ['id reserved versions', { id: 'g/versions' }, '/id', ID_MESSAGES.reserved],
  ['id not a string', { id: 5 }, '/id', 'error.expected.jsstring'],
  ['id missing', { id: null }, '/id', 'error.path.missing'],
  ['dependency invalid', { dependencies: ['/ok', '/Not_Ok'] }, '/dependencies(1)', ID_MESSAGES.pattern],
  // command
  ['cmd of one char', { cmd: 'x' }, '/', M.emptyCmd],
  ['cmd and args', { args: ['sleep', '1'] }, '/', M.cmdArgsContainer],
  ['neither cmd, args nor container', { cmd: null }, '/', M.cmdArgsContainer],
  ['container without image does not replace cmd', { cmd: null, container: { type: 'MESOS' } }, '/', M.cmdArgsContainer],
  // ports
  ['port names unique', { portDefinitions: [{ port: 0, name: 'a' }, { port: 0, name: 'a' }] }, '/portDefinitions', M.portNamesUnique],
  ['non-zero ports unique', { portDefinitions: [{ port: 80 }, { port: 80 }] }, '/portDefinitions', M.portsUnique],
  ['legacy ports unique', { ports: [80, 80] }, '/', M.legacyPortsUnique],
  ['ports and portDefinitions', { ports: [80], portDefinitions: [{ port: 81 }] }, '/', M.portsAndDefinitions],
  ['uris and fetch', { uris: ['http://a'], fetch: [{ uri: 'http://b' }] }, '/uris', 'may not be set in conjunction with fetch'],
  ['port mapping names unique', { networks: [{ mode: 'container/bridge' }], container: { docker: { image: 'i' }, portMappings: [{ name: 'a' }, { name: 'a' }] } }, '/container/portMappings', M.portNamesUnique],
  // health checks
  ['portIndex out of range', { healthChecks: [{ portIndex: 1 }] }, '/healthChecks(0)', M.healthCheckPortIndex],
  ['no ports for a port-based check', { portDefinitions: [], healthChecks: [{ protocol: 'TCP' }] }, '/healthChecks(0)', M.healthCheckPortIndex],
  ['health check with port and portIndex', { healthChecks: [{ port: 80, portIndex: 0 }] }, '/healthChecks(0)', M.portXorPortIndex],
  ['Mesos health check without any port', { portDefinitions: [], healthChecks: [{ protocol: 'MESOS_TCP' }] }, '/healthChecks(0)', M.portXorPortIndex],
  ['two Mesos health checks', { healthChecks: [{ protocol: 'MESOS_HTTP' }, { protocol: 'MESOS_TCP' }] }, '/', M.oneMesosHealthCheck],
  ['COMMAND without command', { healthChecks: [{ protocol: 'COMMAND' }] }, '/healthChecks(0)', M.commandRequired],
  ['IPv6 on a Marathon-side check', { healthChecks: [{ ipProtocol: 'IPv6' }] }, '/healthChecks(0)', M.ipv6],
  // readiness
  ['two readiness checks', { portDefinitions: [{ port: 0, name: 'http-api' }], readinessChecks: [{}, { name: 'b' }] }, '/readinessChecks', 'got 2, expected 1 or less'],
  ['readiness portName unknown', { readinessChecks: [{ portName: 'web' }] }, '/readinessChecks(0)/portName', M.noPortName('web')],
  ['readiness timeout >= interval', { portDefinitions: [{ port: 0, name: 'http-api' }], readinessChecks: [{ intervalSeconds: 5, timeoutSeconds: 5 }] }, '/readinessChecks(0)/timeoutSeconds', 'got 5, expected less than 5'],
  // constraints
  ['constraint arity', { constraints: [['hostname']] }, '/constraints(0)', M.constraintArity],
  ['constraint operator', { constraints: [['hostname', 'SOMETIMES']] }, '/constraints(0)', M.constraintOperator],
  ['UNIQUE with value', { constraints: [['hostname', 'UNIQUE', 'x']] }, '/constraints(0)', M.constraintUniqueValue],
  // Marathon 0.x printed UNIQUE as ["hostname","UNIQUE",""]; Marathon 1.x rejects that on input too
  ['UNIQUE with empty value', { constraints: [['hostname', 'UNIQUE', '']] }, '/constraints(0)', M.constraintUniqueValue],
  ['GROUP_BY not a number', { constraints: [['rack', 'GROUP_BY', 'three']] }, '/constraints(0)', M.constraintGroupBy],
  ['MAX_PER without value', { constraints: [['rack', 'MAX_PER']] }, '/constraints(0)', M.constraintMaxPer],
  ['MAX_PER not a number', { constraints: [['rack', 'MAX_PER', '1.5']] }, '/constraints(0)', M.constraintMaxPer],
  ['LIKE without value', { constraints: [['hostname', 'LIKE']] }, '/constraints(0)', M.constraintRegexMissing],
  ['UNLIKE invalid regex', { constraints: [['hostname', 'UNLIKE', '(']] }, '/constraints(0)', M.regex('(')],
  ['IS invalid value', { constraints: [['rack', 'IS', 'a b']] }, '/constraints(0)', M.constraintIsValue],
  ['constraint element not a string', { constraints: [['rack', 'MAX_PER', 2]] }, '/constraints(0)(2)', 'error.expected.jsstring'],
  // strategies and labels
  ['single instance label: instances', { labels: { MARATHON_SINGLE_INSTANCE_APP: 'true' }, instances: 2, upgradeStrategy: { minimumHealthCapacity: 0, maximumOverCapacity: 0 } }, '/', M.singleInstance],
  ['single instance label: upgradeStrategy', { labels: { MARATHON_SINGLE_INSTANCE_APP: 'true' }, upgradeStrategy: { minimumHealthCapacity: 0, maximumOverCapacity: 1 } }, '/upgradeStrategy/maximumOverCapacity', 'got 1.0, expected 0.0'],
  ['unreachable inactive > expunge', { unreachableStrategy: { inactiveAfterSeconds: 10, expungeAfterSeconds: 5 } }, '/unreachableStrategy', M.unreachableOrder],
  ['residency without persistent volumes', { residency: {} }, '/', M.residency],
  ['resident app with over-capacity', { container: { type: 'MESOS', volumes: [{ containerPath: 'data', persistent: { size: 1 } }] }, upgradeStrategy: { minimumHealthCapacity: 0.5, maximumOverCapacity: 0.5 } }, '/upgradeStrategy/maximumOverCapacity', 'got 0.5, expected 0.0'],
  ['resident app with unreachable enabled', { container: { type: 'MESOS', volumes: [{ containerPath: 'data', persistent: { size: 1 } }] }, unreachableStrategy: { inactiveAfterSeconds: 1, expungeAfterSeconds: 2 } }, '/', M.residentUnreachable],
  ['DC/OS migration labels incomplete', { labels: { DCOS_MIGRATION_API_VERSION: 'v1' } }, '/', M.migrationApi],
  ['acceptedResourceRoles empty', { acceptedResourceRoles: [] }, '/acceptedResourceRoles', M.notEmpty],
  ['gpus need the feature', { gpus: 1 }, '/', M.feature('gpu_resources')],
  ['env secret needs the feature', { env: { P: { secret: 's' } } }, '/env/P', M.feature('secrets')],
  // networks and containers
  ['docker.network and networks', { container: { docker: { image: 'i', network: 'HOST' } }, networks: [{ mode: 'host' }] }, '/', 'must not specify both container.docker.network and networks'],
  ['ipAddress and networks', { ipAddress: { networkName: 'n' }, networks: [{ mode: 'container', name: 'n' }] }, '/', 'must not specify both networks and ipAddress'],
  ['host mixed with bridge', { networks: [{ mode: 'host' }, { mode: 'container/bridge' }] }, '/networks', M.networkModes],
  ['host network with a name', { networks: [{ mode: 'host', name: 'x' }] }, '/networks', M.hostNetworkNames],
  ['container network without name', { networks: [{ mode: 'container' }] }, '/networks', M.containerNetworkName],
  ['docker image empty', { container: { type: 'DOCKER', docker: { image: '' } } }, '/container/docker/image', M.notEmpty],
  ['docker pullConfig', { container: { type: 'DOCKER', docker: { image: 'i', pullConfig: { secret: 's' } } } }, '/container/docker/pullConfig', M.pullConfigDocker],
  ['host volume without hostPath', { container: { type: 'MESOS', volumes: [{ containerPath: '/data' }] } }, '/container/volumes(0)/hostPath', M.notEmpty],
  ['unsupported docker network', { container: { docker: { image: 'i', network: 'NONE' } } }, '/', 'unsupported docker network type NONE'],
];

describe('validation rules (one row per rule: exact path and Marathon message)', () => {
  it.each(RULES)('%s', (_name, fields, p, msg) => {
    const d = details({ ...base, ...fields });
    expect(d).toContainEqual({ path: p, errors: expect.arrayContaining([msg]) });
  });

  it('reports every problem at once, grouped by path', () => {
    const d = details({ id: '/Bad', cmd: 'sleep 1', args: ['x'], constraints: [['a', 'NOPE']], instances: 2, labels: { MARATHON_SINGLE_INSTANCE_APP: 'true' } });
    expect(d).toEqual([
      { path: '/id', errors: [ID_MESSAGES.pattern] },
      { path: '/', errors: [M.cmdArgsContainer, M.singleInstance] },
      { path: '/upgradeStrategy/minimumHealthCapacity', errors: ['got 1.0, expected 0.0'] },
      { path: '/upgradeStrategy/maximumOverCapacity', errors: ['got 1.0, expected 0.0'] },
      { path: '/constraints(0)', errors: [M.constraintOperator] },
    ]);
  });

  it('the root id is rejected', () => {
    expect(details({ id: '/', cmd: 'xx' })).toEqual([
      { path: '/id', errors: [ID_MESSAGES.empty] },
      { path: '/', errors: [ID_MESSAGES.root] },
    ]);
  });

  it.each([null, [], 'x', 1, true])('a non-object body (%j) is a type error', (raw) => {
    expect(details(raw)).toEqual([{ path: '/', errors: ['error.expected.jsobject'] }]);
  });

  it.each([
    ['GROUP_BY without value', ['rack', 'GROUP_BY']],
    ['GROUP_BY empty value (Marathon 0.x output)', ['rack', 'GROUP_BY', '']],
    ['GROUP_BY int', ['rack', 'GROUP_BY', '3']],
    ['CLUSTER without value', ['rack', 'CLUSTER']],
    ['CLUSTER with value', ['rack', 'CLUSTER', 'a']],
    ['MAX_PER int', ['rack', 'MAX_PER', '2']],
    ['LIKE regex', ['hostname', 'LIKE', 'srv2.*']],
    ['IS value', ['rack', 'IS', 'rack-1']],
  ])('valid constraint: %s', (_n, c) => {
    expect(ok({ ...base, constraints: [c] }).constraints).toEqual([c]);
  });

  it('ports equal to portDefinitions are accepted together', () => {
    expect(ok({ ...base, ports: [80], portDefinitions: [{ port: 80 }] }).portDefinitions).toEqual([{ port: 80, protocol: 'tcp' }]);
  });

  it('args alone or a docker image alone is enough', () => {
    expect(ok({ id: '/a', args: ['sleep', '1'] }).args).toEqual(['sleep', '1']);
    expect(ok({ id: '/a', container: { docker: { image: 'nginx' } } }).container?.type).toBe('DOCKER');
  });
});
