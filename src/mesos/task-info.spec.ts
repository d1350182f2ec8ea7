import fc from 'fast-check';
import { normalizeApp, type AppDefinition } from '../core/apps';
import { matchOffer, type Launch } from '../core/matching';
import { decodeCallProtobuf, protobufCodec, type WireCall } from './codec';
import { alignedHostPorts, buildTaskInfo, taskName, type BuiltTaskInfo } from './task-info';

const VERSION = '2020-01-01T00:00:00.000Z';
const TASK = 'prod_api.instance-u1._app.1';

function app(raw: Record<string, unknown>): AppDefinition {
  const r = normalizeApp({ id: '/prod/api', cmd: 'sleep 100', ...raw });
  if (!r.ok) throw new Error(JSON.stringify(r.details));
  return { ...r.app, version: VERSION };
}

function launchFor(a: AppDefinition, hostPorts: readonly number[]): Launch {
  return {
    key: `${a.id}@${VERSION}`,
    appId: a.id,
    resources: [
      { name: 'cpus', role: '*', scalar: a.cpus },
      { name: 'mem', role: '*', scalar: a.mem },
      ...(hostPorts.length > 0 ? [{ name: 'ports', role: '*', ranges: hostPorts.map((p) => ({ begin: p, end: p })) }] : []),
    ],
    hostPorts,
  };
}

function build(a: AppDefinition, hostPorts: readonly number[] = []): BuiltTaskInfo {
  return buildTaskInfo({ app: a, taskId: TASK, agentId: 'agent-1', hostname: 'host-1', launch: launchFor(a, hostPorts) });
}

function envOf(t: BuiltTaskInfo): Record<string, string | undefined> {
  return Object.fromEntries((t.command.environment?.variables ?? []).map((v) => [v.name, v.value]));
}

const timing = { gracePeriodSeconds: 30, intervalSeconds: 10, timeoutSeconds: 5, maxConsecutiveFailures: 2, delaySeconds: 3 };
const mesosTiming = { grace_period_seconds: 30, interval_seconds: 10, timeout_seconds: 5, consecutive_failures: 2, delay_seconds: 3 };

describe('taskName', () => {
  it.each([
    ['/api', 'api'],
    ['/prod/web/api', 'api.web.prod'],
  ])('%s → %s (PathId.toHostname)', (id, name) => expect(taskName(id)).toBe(name));
});

describe('buildTaskInfo: table', () => {
  interface Row {
    readonly title: string;
    readonly raw: Record<string, unknown>;
    readonly hostPorts?: readonly number[];
    readonly expected: Partial<BuiltTaskInfo>;
    readonly env?: Record<string, string>;
  }
  const rows: Row[] = [
    {
      title: 'cmd → shell command; no labels, no kill policy, no health check; discovery without ports',
      raw: { cmd: 'echo hi', portDefinitions: [] },
      expected: {
        name: 'api.prod',
        task_id: { value: TASK },
        agent_id: { value: 'agent-1' },
        discovery: { visibility: 'FRAMEWORK', name: 'api.prod', ports: { ports: [] } },
      },
    },
    {
      title: 'args → shell=false, value = args[0], arguments = args; user',
      raw: { cmd: undefined, args: ['/bin/server', '--port', '80'], user: 'nobody', portDefinitions: [] },
      expected: { command: { value: '/bin/server', shell: false, arguments: ['/bin/server', '--port', '80'], user: 'nobody' } },
    },
    {
      title: 'fetch → uris with extract/executable/cache/output_file',
      raw: {
        fetch: [
          { uri: 'https://x/app.tgz', extract: true, executable: false, cache: true },
          { uri: 'https://x/run.sh', extract: false, executable: true, cache: false, destPath: 'bin/run' },
        ],
        portDefinitions: [],
      },
      expected: {
        command: {
          uris: [
            { value: 'https://x/app.tgz', extract: true, executable: false, cache: true },
            { value: 'https://x/run.sh', extract: false, executable: true, cache: false, output_file: 'bin/run' },
          ],
        },
      },
    },
    {
      title: 'labels and kill grace period',
      raw: { labels: { team: 'core', tier: 'web' }, taskKillGracePeriodSeconds: 30, portDefinitions: [] },
      expected: {
        labels: { labels: [{ key: 'team', value: 'core' }, { key: 'tier', value: 'web' }] },
        kill_policy: { grace_period: { nanoseconds: 30_000_000_000 } },
      },
      env: { MARATHON_APP_LABELS: 'TEAM TIER', MARATHON_APP_LABEL_TEAM: 'core' },
    },
    {
      title: 'several named ports, udp,tcp split in discovery, port labels; env PORT0.., PORT_<NAME>',
      raw: {
        portDefinitions: [
          { port: 0, name: 'http', labels: { VIP_0: '/api:80' } },
          { port: 0, protocol: 'udp,tcp', name: 'dns' },
          { port: 0 },
        ],
      },
      hostPorts: [31001, 31005, 31009],
      expected: {
        discovery: {
          visibility: 'FRAMEWORK',
          name: 'api.prod',
          ports: {
            ports: [
              { number: 31001, protocol: 'tcp', name: 'http', labels: { labels: [{ key: 'VIP_0', value: '/api:80' }] } },
              { number: 31005, protocol: 'udp', name: 'dns' },
              { number: 31005, protocol: 'tcp', name: 'dns' },
              { number: 31009, protocol: 'tcp' },
            ],
          },
        },
      },
      env: { PORT0: '31001', PORT1: '31005', PORT2: '31009', PORTS: '31001,31005,31009', PORT_HTTP: '31001', PORT_DNS: '31005', PORT: '31001', HOST: 'host-1' },
    },
    {
      title: 'app env merged last (taskEnv)',
      raw: { env: { FOO: 'bar', HOST: 'mine' }, portDefinitions: [] },
      expected: {},
      env: { FOO: 'bar', HOST: 'mine', MESOS_TASK_ID: TASK, MARATHON_APP_ID: '/prod/api', MARATHON_APP_VERSION: VERSION },
    },
    {
      title: 'MESOS_HTTP: port from portIndex = allocated host port, scheme http, path',
      raw: { portDefinitions: [{ port: 0 }, { port: 0 }], healthChecks: [{ protocol: 'MESOS_HTTP', path: '/health', portIndex: 1, ...timing }] },
      hostPorts: [31000, 31500],
      expected: { health_check: { type: 'HTTP', http: { port: 31500, path: '/health', scheme: 'http' }, ...mesosTiming } },
    },
    {
      title: 'MESOS_HTTPS → scheme https',
      raw: { portDefinitions: [{ port: 0 }], healthChecks: [{ protocol: 'MESOS_HTTPS', path: '/', portIndex: 0, ...timing }] },
      hostPorts: [31000],
      expected: { health_check: { type: 'HTTP', http: { port: 31000, path: '/', scheme: 'https' }, ...mesosTiming } },
    },
    {
      title: 'MESOS_TCP with a fixed port',
      raw: { portDefinitions: [{ port: 0 }], healthChecks: [{ protocol: 'MESOS_TCP', port: 8080, ...timing }] },
      hostPorts: [31000],
      expected: { health_check: { type: 'TCP', tcp: { port: 8080 }, ...mesosTiming } },
    },
    {
      title: 'COMMAND → COMMAND with the shell command',
      raw: { portDefinitions: [], healthChecks: [{ protocol: 'COMMAND', command: { value: 'curl -f localhost' }, ...timing }] },
      expected: { health_check: { type: 'COMMAND', command: { value: 'curl -f localhost' }, ...mesosTiming } },
    },
    {
      title: 'Marathon-side HTTP/TCP checks are skipped; the first Mesos-side one is used',
      raw: {
        portDefinitions: [{ port: 0 }],
        healthChecks: [
          { protocol: 'HTTP', portIndex: 0, ...timing },
          { protocol: 'TCP', portIndex: 0, ...timing },
          { protocol: 'MESOS_TCP', portIndex: 0, ...timing },
          { protocol: 'COMMAND', command: { value: 'true' }, ...timing },
        ],
      },
      hostPorts: [31234],
      expected: { health_check: { type: 'TCP', tcp: { port: 31234 }, ...mesosTiming } },
    },
  ];

  it.each(rows)('$title', ({ raw, hostPorts, expected, env }) => {
    const t = build(app(raw), hostPorts ?? []);
    expect(t).toMatchObject(expected);
    if (env) expect(envOf(t)).toMatchObject(env);
  });

  it('cmd: exact command (shell default, no arguments)', () => {
    const t = build(app({ cmd: 'echo hi', portDefinitions: [] }));
    expect(t.command.value).toBe('echo hi');
    expect(t.command.shell).toBeUndefined();
    expect(t.command.arguments).toBeUndefined();
    expect(t.command.uris).toBeUndefined();
    expect(t.labels).toBeUndefined();
    expect(t.kill_policy).toBeUndefined();
    expect(t.health_check).toBeUndefined();
    expect(t.resources).toEqual([
      { name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, role: '*', allocation_info: { role: '*' } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 128 }, role: '*', allocation_info: { role: '*' } },
    ]);
  });

  it('fetch → uris', () => {
    const t = build(
      app({
        fetch: [
          { uri: 'https://x/app.tgz', extract: true, executable: false, cache: true },
          { uri: 'https://x/run.sh', extract: false, executable: true, cache: false, destPath: 'bin/run' },
        ],
        portDefinitions: [],
      }),
    );
    expect(t.command.uris).toEqual([
      { value: 'https://x/app.tgz', extract: true, executable: false, cache: true },
      { value: 'https://x/run.sh', extract: false, executable: true, cache: false, output_file: 'bin/run' },
    ]);
  });

  it('bridge networking: discovery from port mappings with network-scope; MESOS_HTTP probes the container port', () => {
    const a = app({
      portDefinitions: undefined,
      networks: [{ mode: 'container/bridge' }],
      container: {
        type: 'DOCKER',
        docker: { image: 'nginx' },
        portMappings: [
          { containerPort: 80, hostPort: 0, name: 'web', protocol: 'tcp', labels: { a: 'b' } },
          { containerPort: 9090, hostPort: 0, protocol: 'udp,tcp' },
        ],
      },
      healthChecks: [{ protocol: 'MESOS_HTTP', portIndex: 0, ...timing }],
    });
    const t = build(a, [31080, 31090]);
    expect(t.discovery.ports?.ports).toEqual([
      { number: 31080, protocol: 'tcp', name: 'web', labels: { labels: [{ key: 'a', value: 'b' }, { key: 'network-scope', value: 'host' }] } },
      { number: 31090, protocol: 'udp,tcp', labels: { labels: [{ key: 'network-scope', value: 'host' }] } },
    ]);
    expect(t.health_check?.http?.port).toBe(80);
    expect(envOf(t)).toMatchObject({ PORT0: '31080', PORT1: '31090', PORT_80: '31080', PORT_WEB: '31080' });
    // with a container the command executor does not need value = args[0]; cmd stays a shell command
    expect(t.command.value).toBe('sleep 100');
  });

  it('allocation role: reserved resources and an explicit allocationRole', () => {
    const a = app({ portDefinitions: [], role: 'web' });
    const launch: Launch = { key: 'k', appId: a.id, resources: [{ name: 'cpus', role: 'web', scalar: 1 }, { name: 'mem', role: '*', scalar: 128 }], hostPorts: [] };
    const t = buildTaskInfo({ app: a, taskId: TASK, agentId: 'a', hostname: 'h', launch });
    expect(t.resources.map((r) => [r.role, r.allocation_info?.role])).toEqual([['web', 'web'], ['*', 'web']]);
    const u = buildTaskInfo({ app: a, taskId: TASK, agentId: 'a', hostname: 'h', launch, allocationRole: 'other' });
    expect(u.resources.map((r) => r.allocation_info?.role)).toEqual(['other', 'other']);
  });
});

describe('buildTaskInfo: properties', () => {
  const portDef = fc.record({ name: fc.option(fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/), { nil: undefined }), protocol: fc.constantFrom('tcp', 'udp', 'udp,tcp') });
  const portDefs = fc.uniqueArray(portDef, { maxLength: 5, selector: (d) => d.name ?? Symbol('unnamed') });

  it('resources equal the allocation; PORT<i>, discovery and the ports resource agree', () => {
    fc.assert(
      fc.property(portDefs, fc.double({ min: 0.1, max: 2, noNaN: true }), fc.integer({ min: 0, max: 1000 }), (defs, cpus, seed) => {
        const a = app({ cpus, mem: 64, portDefinitions: defs.map((d) => ({ port: 0, protocol: d.protocol, ...(d.name !== undefined ? { name: d.name } : {}) })) });
        let s = seed;
        const random = (): number => {
          s = (s * 9301 + 49297) % 233280;
          return s / 233280;
        };
        const result = matchOffer({
          offer: {
            id: 'o1',
            agentId: 'agent-1',
            hostname: 'host-1',
            attributes: [],
            resources: [
              { name: 'cpus', role: '*', scalar: 8 },
              { name: 'mem', role: '*', scalar: 4096 },
              { name: 'ports', role: '*', ranges: [{ begin: 31000, end: 31010 }, { begin: 32000, end: 32100 }] },
            ],
          },
          groups: [{ key: 'k', app: a, count: 1 }],
          random,
        });
        const launch = result.launches[0];
        expect(launch).toBeDefined();
        if (launch === undefined) return;
        const t = buildTaskInfo({ app: a, taskId: TASK, agentId: 'agent-1', hostname: 'host-1', launch });

        // resources: exactly the allocation
        expect(
          t.resources.map((r) => ({
            name: r.name,
            role: r.role,
            ...(r.scalar ? { scalar: r.scalar.value } : {}),
            ...(r.ranges ? { ranges: r.ranges.range } : {}),
          })),
        ).toEqual(launch.resources.map((r) => ({ ...r })));

        // the ports resource covers exactly the host ports
        const fromRanges = t.resources
          .filter((r) => r.name === 'ports')
          .flatMap((r) => (r.ranges?.range ?? []).flatMap(({ begin, end }) => Array.from({ length: end - begin + 1 }, (_, i) => begin + i)));
        expect([...fromRanges].sort()).toEqual([...launch.hostPorts].sort());

        // env PORT<i> = host port i; PORTS lists them in order
        const env = envOf(t);
        launch.hostPorts.forEach((p, i) => expect(env[`PORT${i}`]).toBe(String(p)));
        expect(env[`PORT${launch.hostPorts.length}`]).toBeUndefined();
        if (launch.hostPorts.length > 0) expect(env.PORTS).toBe(launch.hostPorts.join(','));

        // discovery: one port per definition and protocol, numbered with that definition's host port
        const expected = defs.flatMap((d, i) => d.protocol.split(',').map((protocol) => ({ number: launch.hostPorts[i], protocol, ...(d.name !== undefined ? { name: d.name } : {}) })));
        expect(t.discovery.ports?.ports).toEqual(expected);
        expect(alignedHostPorts(a, launch.hostPorts)).toEqual(launch.hostPorts);
      }),
      { numRuns: 200 },
    );
  });
});

describe('buildTaskInfo: protobuf round trip', () => {
  it('encodes in an ACCEPT/LAUNCH call with the driver codec and decodes back equal', () => {
    const a = app({
      cmd: undefined,
      args: ['/bin/server', '--v'],
      user: 'nobody',
      fetch: [{ uri: 'https://x/a.tgz', extract: true, executable: false, cache: false, destPath: 'a' }],
      labels: { team: 'core' },
      taskKillGracePeriodSeconds: 12,
      portDefinitions: [{ port: 0, name: 'http', protocol: 'udp,tcp', labels: { l: 'v' } }, { port: 0 }],
      healthChecks: [{ protocol: 'MESOS_HTTPS', path: '/h', portIndex: 0, ...timing }],
    });
    const infos = [
      build(a, [31000, 31001]),
      build(app({ portDefinitions: [{ port: 0 }], healthChecks: [{ protocol: 'MESOS_TCP', portIndex: 0, ...timing }] }), [31002]),
      build(app({ portDefinitions: [{ port: 0 }], healthChecks: [{ protocol: 'COMMAND', command: { value: 'true' }, ...timing }] }), [31003]),
      build(
        app({
          portDefinitions: undefined,
          networks: [{ mode: 'container/bridge' }],
          container: { type: 'DOCKER', docker: { image: 'nginx' }, portMappings: [{ containerPort: 80, hostPort: 0, name: 'web', protocol: 'tcp' }] },
          healthChecks: [{ protocol: 'MESOS_TCP', portIndex: 0, ...timing, ipProtocol: 'IPv6' }],
        }),
        [31004],
      ),
    ];
    const call: WireCall = {
      type: 'ACCEPT',
      framework_id: { value: 'F' },
      accept: { offer_ids: [{ value: 'O' }], operations: [{ type: 'LAUNCH', launch: { task_infos: infos } }] },
    };
    const bytes = protobufCodec.encodeCall(call);
    // JSON round trip first: drops undefined and makes every object plain
    expect(decodeCallProtobuf(bytes)).toEqual(JSON.parse(JSON.stringify(call)));
  });
});
