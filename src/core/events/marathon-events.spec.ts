import { readFileSync } from 'node:fs';
import path from 'node:path';
import { normalizeApp, type AppDefinition, type HealthCheck } from '../apps';
import type { Deployment } from '../deployments/deployment';
import type { Instance, InstanceState } from '../instances/instance';
import {
  MARATHON_EVENT_TYPES,
  apiPost,
  appTerminated,
  deploymentFailed,
  deploymentInfo,
  deploymentStepFailure,
  deploymentStepSuccess,
  deploymentSuccess,
  eventStreamAttached,
  eventStreamDetached,
  failedHealthCheck,
  groupChangeFailed,
  groupChangeSuccess,
  healthStatusChanged,
  instanceChanged,
  instanceHealthChanged,
  isMarathonEventType,
  marathonCondition,
  rootGroup,
  schedulerDisconnected,
  schedulerRegistered,
  schedulerReregistered,
  statusUpdate,
  statusUpdateOf,
  subscribe,
  toMarathonPlan,
  unhealthyInstanceKill,
  unknownInstanceTerminated,
  unsubscribe,
  type MarathonCondition,
} from './marathon-events';

const T = '2026-03-01T12:00:00.123Z';
const V1 = '2026-02-01T00:00:00.000Z';
const V2 = '2026-03-01T11:59:59.000Z';

function app(raw: Record<string, unknown>, version: string): AppDefinition {
  const r = normalizeApp({ cmd: 'sleep 100', ...raw });
  if (!r.ok) throw new Error(JSON.stringify(r.details));
  return { ...r.app, version, versionInfo: { lastScalingAt: version, lastConfigChangeAt: version } };
}

const webV1 = app({ id: '/prod/web', instances: 2, dependencies: ['/prod/db'] }, V1);
const webV2 = { ...webV1, cmd: 'sleep 200', version: V2, versionInfo: { lastScalingAt: V2, lastConfigChangeAt: V2 } };
const db = app({ id: '/prod/db' }, V2);
const tool = app({ id: '/tool' }, V1);

const deployment: Deployment<AppDefinition> = {
  id: 'd-1',
  version: V2,
  affectedApps: ['/prod/db', '/prod/web', '/tool'],
  original: { '/prod/web': webV1, '/prod/db': null, '/tool': tool },
  target: { '/prod/web': webV2, '/prod/db': db, '/tool': null },
  steps: [
    { actions: [{ action: 'StopApplication', app: '/tool' }] },
    { actions: [{ action: 'StartApplication', app: '/prod/db' }] },
    { actions: [{ action: 'ScaleApplication', app: '/prod/db', sentenced: ['x.instance-1'] }] },
    { actions: [{ action: 'RestartApplication', app: '/prod/web' }] },
  ],
  currentStep: 3,
  status: 'running',
};

const inst = (state: InstanceState, extra: Partial<Instance> = {}): Instance => ({
  instanceId: 'prod_web.instance-1',
  appId: '/prod/web',
  appVersion: V2,
  goal: 'running',
  state,
  incarnation: 2,
  taskId: 'prod_web.instance-1._app.2',
  agentId: 'agent-S1',
  host: 'host-1.example',
  hostPorts: [31001, 31002],
  createdAt: V1,
  stateSince: V2,
  ...extra,
});

const healthCheck: HealthCheck = {
  protocol: 'HTTP', path: '/health', portIndex: 0, gracePeriodSeconds: 300, intervalSeconds: 60, timeoutSeconds: 20,
  maxConsecutiveFailures: 3, delaySeconds: 15, ignoreHttp1xx: false, ipProtocol: 'IPv4',
};

/** Group keys python3-marathon's MarathonDeploymentOriginalState/TargetState accept. */
const GROUP_KEYS = ['id', 'apps', 'groups', 'pods', 'dependencies', 'version'];

describe('Marathon event shapes: exact keys, in Marathon’s order', () => {
  it.each<[string, object, string[]]>([
    ['deployment_info', deploymentInfo(deployment, T), ['plan', 'currentStep', 'eventType', 'timestamp']],
    ['deployment_step_success', deploymentStepSuccess(deployment, T), ['plan', 'currentStep', 'eventType', 'timestamp']],
    ['deployment_step_failure', deploymentStepFailure(deployment, T), ['plan', 'currentStep', 'eventType', 'timestamp']],
    ['deployment_success', deploymentSuccess(deployment, T), ['id', 'plan', 'eventType', 'timestamp']],
    ['deployment_failed', deploymentFailed(deployment, T), ['id', 'plan', 'eventType', 'timestamp']],
    ['deployment_failed with reason', deploymentFailed(deployment, T, 'cancelled'), ['id', 'plan', 'reason', 'eventType', 'timestamp']],
    ['group_change_success', groupChangeSuccess('/', V2, T), ['groupId', 'version', 'eventType', 'timestamp']],
    ['group_change_failed', groupChangeFailed('/', V2, 'boom', T), ['groupId', 'version', 'reason', 'eventType', 'timestamp']],
    [
      'status_update_event',
      statusUpdateOf(inst('TASK_RUNNING'), { taskId: 't', state: 'TASK_RUNNING' }, T),
      ['slaveId', 'taskId', 'taskStatus', 'message', 'appId', 'host', 'ipAddresses', 'ports', 'version', 'eventType', 'timestamp'],
    ],
    [
      'instance_changed_event',
      instanceChanged(inst('TASK_RUNNING'), T),
      ['instanceId', 'condition', 'runSpecId', 'agentId', 'host', 'runSpecVersion', 'timestamp', 'eventType'],
    ],
    [
      'instance_health_changed_event',
      instanceHealthChanged(inst('TASK_RUNNING'), true, T),
      ['instanceId', 'runSpecId', 'healthy', 'runSpecVersion', 'timestamp', 'eventType'],
    ],
    [
      'unknown_instance_terminated_event',
      unknownInstanceTerminated('x.instance-1', '/x', 'TASK_KILLED', T),
      ['instanceId', 'runSpecId', 'condition', 'timestamp', 'eventType'],
    ],
    ['app_terminated_event', appTerminated('/prod/web', T), ['appId', 'eventType', 'timestamp']],
    [
      'health_status_changed_event',
      healthStatusChanged({ appId: '/a', instanceId: 'a.instance-1', version: V1, alive: false }, T),
      ['appId', 'instanceId', 'version', 'alive', 'eventType', 'timestamp'],
    ],
    [
      'failed_health_check_event',
      failedHealthCheck({ appId: '/a', instanceId: 'a.instance-1', healthCheck }, T),
      ['appId', 'eventType', 'healthCheck', 'taskId', 'timestamp'],
    ],
    [
      'unhealthy_instance_kill_event',
      unhealthyInstanceKill({ appId: '/a', taskId: 't', instanceId: 'i', version: V1, reason: '500 Internal Server Error', host: 'h', slaveId: 's' }, T),
      ['appId', 'taskId', 'instanceId', 'version', 'reason', 'host', 'slaveId', 'eventType', 'timestamp'],
    ],
    [
      'unhealthy_instance_kill_event without slaveId',
      unhealthyInstanceKill({ appId: '/a', taskId: 't', instanceId: 'i', version: V1, reason: 'r', host: 'h' }, T),
      ['appId', 'taskId', 'instanceId', 'version', 'reason', 'host', 'eventType', 'timestamp'],
    ],
    ['api_post_event', apiPost('10.0.0.1', '/v2/apps/prod/web', webV2, T), ['clientIp', 'uri', 'appDefinition', 'eventType', 'timestamp']],
    ['scheduler_registered_event', schedulerRegistered('fw-1', 'master:5050', T), ['frameworkId', 'master', 'eventType', 'timestamp']],
    ['scheduler_reregistered_event', schedulerReregistered('master:5050', T), ['master', 'eventType', 'timestamp']],
    ['scheduler_disconnected_event', schedulerDisconnected(T), ['eventType', 'timestamp']],
    ['event_stream_attached', eventStreamAttached('127.0.0.1', T), ['remoteAddress', 'eventType', 'timestamp']],
    ['event_stream_detached', eventStreamDetached('127.0.0.1', T), ['remoteAddress', 'eventType', 'timestamp']],
    ['subscribe_event', subscribe('10.0.0.1', 'http://hook:9000/events', T), ['clientIp', 'callbackUrl', 'eventType', 'timestamp']],
    ['unsubscribe_event', unsubscribe('10.0.0.1', 'http://hook:9000/events', T), ['clientIp', 'callbackUrl', 'eventType', 'timestamp']],
  ])('%s', (name, event, keys) => {
    expect(Object.keys(event)).toEqual(keys);
    const e = event as { eventType: string; timestamp: string };
    expect(e.eventType).toBe(name.split(' ')[0]);
    expect(isMarathonEventType(e.eventType)).toBe(true);
    expect(e.timestamp).toBe(T);
    // Plain JSON: survives a round trip unchanged (no undefined, no class instances).
    expect(JSON.parse(JSON.stringify(event))).toEqual(event);
  });

  it('formats a Date timestamp as ISO with ms and Z', () => {
    expect(appTerminated('/a', new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6))).timestamp).toBe('2026-01-02T03:04:05.006Z');
  });

  it('lists Marathon’s event types once each, the HTTP-callback ones included', () => {
    expect(new Set(MARATHON_EVENT_TYPES).size).toBe(MARATHON_EVENT_TYPES.length);
    expect(isMarathonEventType('subscribe_event')).toBe(true);
    expect(isMarathonEventType('unsubscribe_event')).toBe(true);
    expect(isMarathonEventType('pacer_offer_event')).toBe(false);
  });
});

describe('against Marathon’s own stream (marathon-examples/responses/events.txt)', () => {
  const file = path.join(__dirname, '..', '..', '..', '..', 'shared', 'marathon-examples', 'responses', 'events.txt');
  const lines = (() => {
    try {
      return readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice('data: '.length));
    } catch {
      return [];
    }
  })();
  const sample = (type: string): string | undefined => lines.find((l) => (JSON.parse(l) as { eventType: string }).eventType === type);

  it('event_stream_attached serializes byte for byte like Marathon', () => {
    const line = sample('event_stream_attached');
    if (line === undefined) return; // examples not checked out next to the repository
    expect(JSON.stringify(eventStreamAttached('0:0:0:0:0:0:0:1', '2015-09-30T12:44:30.061Z'))).toBe(line);
  });

  it('status_update_event serializes like Marathon (1.4 and older omitted empty ipAddresses)', () => {
    const line = sample('status_update_event');
    if (line === undefined) return;
    const m = JSON.parse(line) as Record<string, string & number[]>;
    const event = statusUpdate(
      { slaveId: m.slaveId, taskId: m.taskId, taskStatus: m.taskStatus as 'TASK_FAILED', message: m.message, appId: m.appId, host: m.host, ports: m.ports, version: m.version },
      m.timestamp,
    );
    const { ipAddresses, ...rest } = event;
    expect(ipAddresses).toEqual([]);
    expect(JSON.stringify(rest)).toBe(line);
  });
});

describe('toMarathonPlan', () => {
  const plan = toMarathonPlan(deployment);

  it('has DeploymentPlanWrites’ keys: id, original, target, steps, version', () => {
    expect(Object.keys(plan)).toEqual(['id', 'original', 'target', 'steps', 'version']);
    expect(plan.id).toBe('d-1');
    expect(plan.version).toBe(V2);
  });

  it('keeps only action and app in steps (sentenced stays in the store)', () => {
    expect(plan.steps).toEqual([
      { actions: [{ action: 'StopApplication', app: '/tool' }] },
      { actions: [{ action: 'StartApplication', app: '/prod/db' }] },
      { actions: [{ action: 'ScaleApplication', app: '/prod/db' }] },
      { actions: [{ action: 'RestartApplication', app: '/prod/web' }] },
    ]);
  });

  it('nests the affected apps in root groups; removed apps only in original, new ones only in target', () => {
    expect(plan.original).toEqual({
      id: '/',
      apps: [tool],
      groups: [{ id: '/prod', apps: [webV1], groups: [], pods: [], dependencies: [], version: V1 }],
      pods: [],
      dependencies: [],
      version: V1,
    });
    expect(plan.target).toEqual({
      id: '/',
      apps: [],
      groups: [{ id: '/prod', apps: [db, webV2], groups: [], pods: [], dependencies: [], version: V2 }],
      pods: [],
      dependencies: [],
      version: V2,
    });
    for (const g of [plan.original, plan.target, plan.target.groups[0]]) expect(Object.keys(g)).toEqual(GROUP_KEYS);
  });

  it('builds intermediate groups for deep ids', () => {
    const a = { id: '/a/b/c/app', instances: 1, dependencies: [] };
    const root = rootGroup([a], V1);
    expect(root.groups.map((g) => g.id)).toEqual(['/a']);
    expect(root.groups[0].groups[0].groups[0]).toMatchObject({ id: '/a/b/c', apps: [a] });
  });

  it('original root version falls back to the deployment version when every app is new', () => {
    const fresh = toMarathonPlan({ ...deployment, original: { '/prod/db': null }, target: { '/prod/db': db } });
    expect(fresh.original).toEqual({ id: '/', apps: [], groups: [], pods: [], dependencies: [], version: V2 });
  });
});

describe('deployment step events', () => {
  it('currentStep is the deployment’s current step (1-based), or the one asked for', () => {
    expect(deploymentInfo(deployment, T).currentStep).toEqual({ actions: [{ action: 'ScaleApplication', app: '/prod/db' }] });
    expect(deploymentStepSuccess(deployment, T, 1).currentStep).toEqual({ actions: [{ action: 'StopApplication', app: '/tool' }] });
    expect(deploymentStepFailure(deployment, T, 4).currentStep).toEqual({ actions: [{ action: 'RestartApplication', app: '/prod/web' }] });
  });

  it('a step out of range is an empty step', () => {
    expect(deploymentInfo({ ...deployment, currentStep: 0 }, T).currentStep).toEqual({ actions: [] });
    expect(deploymentInfo(deployment, T, 9).currentStep).toEqual({ actions: [] });
  });

  it('deployment_success / deployment_failed carry the id and the plan', () => {
    expect(deploymentSuccess(deployment, T)).toEqual({ id: 'd-1', plan: toMarathonPlan(deployment), eventType: 'deployment_success', timestamp: T });
    expect(deploymentFailed(deployment, T, 'superseded')).toMatchObject({ id: 'd-1', reason: 'superseded', eventType: 'deployment_failed' });
  });
});

describe('instance events', () => {
  it.each<[InstanceState, MarathonCondition]>([
    ['scheduled', 'Scheduled'],
    ['provisioned', 'Provisioned'],
    ['TASK_STAGING', 'Staging'],
    ['TASK_STARTING', 'Starting'],
    ['TASK_RUNNING', 'Running'],
    ['TASK_KILLING', 'Killing'],
    ['TASK_FINISHED', 'Finished'],
    ['TASK_FAILED', 'Failed'],
    ['TASK_KILLED', 'Killed'],
    ['TASK_ERROR', 'Error'],
    ['TASK_DROPPED', 'Dropped'],
    ['TASK_UNREACHABLE', 'Unreachable'],
    ['unreachable-inactive', 'UnreachableInactive'],
    ['TASK_GONE', 'Gone'],
    ['TASK_GONE_BY_OPERATOR', 'Gone'],
    ['TASK_UNKNOWN', 'Unknown'],
  ])('condition of %s is %s', (state, condition) => {
    expect(marathonCondition(state)).toBe(condition);
    expect(instanceChanged(inst(state), T).condition).toBe(condition);
  });

  it('instance_changed_event: values from the instance; agentId and host null before placement', () => {
    expect(instanceChanged(inst('TASK_RUNNING'), T)).toEqual({
      instanceId: 'prod_web.instance-1', condition: 'Running', runSpecId: '/prod/web', agentId: 'agent-S1', host: 'host-1.example',
      runSpecVersion: V2, timestamp: T, eventType: 'instance_changed_event',
    });
    const fresh = instanceChanged(inst('scheduled', { agentId: undefined, host: undefined, taskId: undefined }), T);
    expect(fresh).toMatchObject({ agentId: null, host: null, condition: 'Scheduled' });
  });

  it('status_update_event: the raw Mesos state, the instance’s agent, host, ports and version', () => {
    expect(
      statusUpdateOf(inst('TASK_GONE'), { taskId: 'prod_web.instance-1._app.2', state: 'TASK_LOST', message: 'agent lost', agentId: 'other' }, T, [
        { ipAddress: '10.0.0.5', protocol: 'IPv4' },
      ]),
    ).toEqual({
      slaveId: 'agent-S1', taskId: 'prod_web.instance-1._app.2', taskStatus: 'TASK_LOST', message: 'agent lost', appId: '/prod/web',
      host: 'host-1.example', ipAddresses: [{ ipAddress: '10.0.0.5', protocol: 'IPv4' }], ports: [31001, 31002], version: V2,
      eventType: 'status_update_event', timestamp: T,
    });
    const unplaced = statusUpdateOf(inst('TASK_ERROR', { agentId: undefined, host: undefined }), { taskId: 't', state: 'TASK_ERROR', agentId: 'a-9' }, T);
    expect(unplaced).toMatchObject({ slaveId: 'a-9', host: '', message: '', ipAddresses: [] });
  });

  it('instance_health_changed_event: healthy null when unknown', () => {
    expect(instanceHealthChanged(inst('TASK_RUNNING'), undefined, T).healthy).toBeNull();
    expect(instanceHealthChanged(inst('TASK_RUNNING'), false, T).healthy).toBe(false);
  });
});

describe('health events', () => {
  it('failed_health_check_event writes the instance id under taskId, as Marathon does', () => {
    expect(failedHealthCheck({ appId: '/a', instanceId: 'a.instance-1', healthCheck }, T)).toEqual({
      appId: '/a', eventType: 'failed_health_check_event', healthCheck, taskId: 'a.instance-1', timestamp: T,
    });
  });
});
