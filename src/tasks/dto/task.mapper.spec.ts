import type { Instance, TaskFailure } from '../../core/instances/instance';
import { ipAddressesOf, servicePortsFor, taskFailureJson, taskJson } from './task.mapper';

const running: Instance = {
  instanceId: 'prod_web.instance-6f1c0b9e', appId: '/prod/web', appVersion: '2026-01-01T00:00:00.000Z', goal: 'running',
  state: 'TASK_RUNNING', incarnation: 2, taskId: 'prod_web.instance-6f1c0b9e._app.2', agentId: 'agent-1', host: 'node-1.example.com',
  hostPorts: [31000, 31001], healthy: true, createdAt: '2026-01-01T00:00:01.000Z', stateSince: '2026-01-01T00:00:03.000Z',
  stagedAt: '2026-01-01T00:00:02.000Z', startedAt: '2026-01-01T00:00:03.000Z',
};

describe('taskJson', () => {
  it("writes exactly Marathon's keys, in Marathon's order", () => {
    expect(JSON.stringify(taskJson(running, [10001, 10002]))).toBe(
      '{"appId":"/prod/web","healthCheckResults":[],"host":"node-1.example.com","id":"prod_web.instance-6f1c0b9e._app.2",' +
        '"ipAddresses":[],"ports":[31000,31001],"servicePorts":[10001,10002],"slaveId":"agent-1","state":"TASK_RUNNING",' +
        '"stagedAt":"2026-01-01T00:00:02.000Z","startedAt":"2026-01-01T00:00:03.000Z","version":"2026-01-01T00:00:00.000Z","localVolumes":[]}',
    );
  });

  it.each<[string, Partial<Instance>, Record<string, unknown>]>([
    ['provisioned shows TASK_STAGING, no startedAt', { state: 'provisioned', startedAt: undefined }, { state: 'TASK_STAGING', stagedAt: '2026-01-01T00:00:02.000Z', version: '2026-01-01T00:00:00.000Z' }],
    ['killing keeps ports and times', { state: 'TASK_KILLING' }, { state: 'TASK_KILLING', ports: [31000, 31001], startedAt: '2026-01-01T00:00:03.000Z' }],
    ['ended: no ports, times or version (Marathon: inactive task)', { state: 'TASK_FAILED' }, { state: 'TASK_FAILED', ports: [], stagedAt: undefined, startedAt: undefined, version: undefined }],
    ['gone by operator shows TASK_GONE', { state: 'TASK_GONE_BY_OPERATOR' }, { state: 'TASK_GONE' }],
    ['unreachable-inactive shows TASK_UNREACHABLE with its ports', { state: 'unreachable-inactive' }, { state: 'TASK_UNREACHABLE', ports: [31000, 31001] }],
    ['no agent id: no slaveId key', { agentId: undefined }, { slaveId: undefined }],
    ['an IPv4 host is its address', { host: '10.0.0.7' }, { ipAddresses: [{ ipAddress: '10.0.0.7', protocol: 'IPv4' }] }],
  ])('%s', (_name, change, expected) => {
    const json = taskJson({ ...running, ...change }, [10001, 10002]);
    expect(json).toMatchObject(Object.fromEntries(Object.entries(expected).filter(([, v]) => v !== undefined)));
    for (const [k, v] of Object.entries(expected)) if (v === undefined) expect(k in json).toBe(false);
  });

  it('never writes agentId, checkResult, role, region or zone', () => {
    const json = taskJson(running, []);
    for (const k of ['agentId', 'checkResult', 'role', 'region', 'zone', 'healthy', 'instanceId']) expect(k in json).toBe(false);
  });

  it('carries the Pacer-side health results the record was read with', () => {
    const result = { alive: true, consecutiveFailures: 0, firstSuccess: '2026-01-01T00:00:05.000Z', lastSuccess: '2026-01-01T00:00:15.000Z', lastFailure: null, lastFailureCause: null, instanceId: running.instanceId };
    expect(taskJson({ ...running, healthCheckResults: [result] }, []).healthCheckResults).toEqual([result]);
    expect('healthCheckResults' in taskJson(running, [])).toBe(true);
  });

  it('servicePorts are at least as long as ports', () => {
    expect(taskJson(running, []).servicePorts).toEqual([0, 0]);
    expect(taskJson(running, [10001]).servicePorts).toEqual([10001, 0]);
  });

  it('refuses an instance without a task', () => {
    expect(() => taskJson({ ...running, state: 'scheduled', taskId: undefined }, [])).toThrow('has no task');
  });
});

describe('ipAddressesOf', () => {
  it.each<[string | undefined, unknown[]]>([
    [undefined, []],
    ['node-1', []],
    ['192.168.1.20', [{ ipAddress: '192.168.1.20', protocol: 'IPv4' }]],
    ['256.1.1.1', []],
    ['fd00::1', [{ ipAddress: 'fd00::1', protocol: 'IPv6' }]],
  ])('%s → %j', (host, expected) => {
    expect(ipAddressesOf(host)).toEqual(expected);
  });
});

describe('servicePortsFor', () => {
  it.each<[number[], number[], number[]]>([
    [[10001], [], [10001]],
    [[10001, 10002], [31000], [10001, 10002]],
    [[], [31000, 31001], [0, 0]],
  ])('%j for host ports %j → %j', (service, host, expected) => {
    expect(servicePortsFor(service, host)).toEqual(expected);
  });
});

describe('taskFailureJson', () => {
  const failure: TaskFailure = {
    appId: '/prod/web', taskId: 'prod_web.instance-6f1c0b9e._app.1', state: 'TASK_FAILED', message: 'exit 1', host: 'node-1',
    version: '2026-01-01T00:00:00.000Z', timestamp: '2026-01-01T00:01:00.000Z', slaveId: 'agent-1',
  };

  it("keeps Marathon's keys only, in its order", () => {
    const stored = { ...failure, extra: 'x' } as TaskFailure;
    expect(Object.keys(taskFailureJson(stored))).toEqual(['appId', 'host', 'message', 'state', 'taskId', 'timestamp', 'version', 'slaveId']);
  });

  it('omits slaveId when unknown', () => {
    const { slaveId: _unused, ...noAgent } = failure;
    expect('slaveId' in taskFailureJson(noAgent)).toBe(false);
  });
});
