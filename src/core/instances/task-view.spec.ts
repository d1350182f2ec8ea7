import type { Instance, InstanceState } from './instance';
import { countTasks, hasTask, isKillable, STAGED_STATES, statesForConditions, taskStateName } from './task-view';

const inst = (state: InstanceState, extra: Partial<Instance> = {}): Instance => ({
  instanceId: 'app.instance-1', appId: '/app', appVersion: '2026-01-01T00:00:00.000Z', goal: 'running', state, incarnation: 1,
  taskId: 'app.instance-1._app.1', hostPorts: [], createdAt: '2026-01-01T00:00:00.000Z', stateSince: '2026-01-01T00:00:00.000Z', ...extra,
});

describe('taskStateName (Marathon toMesosTaskStateOrStaging)', () => {
  it.each<[InstanceState, string]>([
    ['provisioned', 'TASK_STAGING'],
    ['TASK_STAGING', 'TASK_STAGING'],
    ['TASK_STARTING', 'TASK_STARTING'],
    ['TASK_RUNNING', 'TASK_RUNNING'],
    ['TASK_KILLING', 'TASK_KILLING'],
    ['TASK_FAILED', 'TASK_FAILED'],
    ['TASK_GONE_BY_OPERATOR', 'TASK_GONE'],
    ['TASK_UNREACHABLE', 'TASK_UNREACHABLE'],
    ['unreachable-inactive', 'TASK_UNREACHABLE'],
  ])('%s → %s', (state, shown) => {
    expect(taskStateName(state)).toBe(shown);
  });
});

describe('hasTask', () => {
  it.each<[string, Instance, boolean]>([
    ['never launched', inst('scheduled', { taskId: undefined, incarnation: 0 }), false],
    ['provisioned', inst('provisioned'), true],
    ['running', inst('TASK_RUNNING'), true],
    ['ended, waiting for its relaunch', inst('TASK_FAILED'), true],
    ['a task id but scheduled again', inst('scheduled'), false],
  ])('%s → %s', (_name, i, expected) => {
    expect(hasTask(i)).toBe(expected);
  });
});

describe('countTasks (AppInfo tasksStaged/Running/Healthy/Unhealthy)', () => {
  it.each<[string, Instance[], [number, number, number, number]]>([
    ['none', [], [0, 0, 0, 0]],
    ['scheduled ones count nowhere', [inst('scheduled', { taskId: undefined })], [0, 0, 0, 0]],
    ['provisioned, staging and starting are staged', [inst('provisioned'), inst('TASK_STAGING'), inst('TASK_STARTING')], [3, 0, 0, 0]],
    ['running with health true / false / unknown', [inst('TASK_RUNNING', { healthy: true }), inst('TASK_RUNNING', { healthy: false }), inst('TASK_RUNNING')], [0, 3, 1, 1]],
    ['health of a task that is not running is not counted', [inst('TASK_KILLING', { healthy: true }), inst('TASK_STARTING', { healthy: false })], [1, 0, 0, 0]],
    ['killing, unreachable and terminal count nowhere', [inst('TASK_KILLING'), inst('TASK_UNREACHABLE'), inst('TASK_FAILED'), inst('unreachable-inactive')], [0, 0, 0, 0]],
  ])('%s', (_name, instances, [staged, running, healthy, unhealthy]) => {
    expect(countTasks(instances)).toEqual({ staged, running, healthy, unhealthy });
  });

  it('staged states are the ones the SQL count uses', () => {
    expect(STAGED_STATES).toEqual(['provisioned', 'TASK_STAGING', 'TASK_STARTING']);
  });
});

describe('isKillable (what scale=true sentences)', () => {
  it.each<[InstanceState, boolean]>([
    ['provisioned', true],
    ['TASK_RUNNING', true],
    ['TASK_UNREACHABLE', true],
    ['TASK_KILLING', false],
    ['TASK_FINISHED', false],
    ['scheduled', false],
    ['unreachable-inactive', false],
  ])('%s → %s', (state, expected) => {
    expect(isKillable(inst(state))).toBe(expected);
  });
});

describe('statesForConditions (GET /v2/tasks?status=)', () => {
  it.each<[string[], InstanceState[]]>([
    [['running'], ['TASK_RUNNING']],
    [['RUNNING', 'Staging'], ['TASK_RUNNING', 'TASK_STAGING']],
    [['gone'], ['TASK_GONE', 'TASK_GONE_BY_OPERATOR']],
    [['unreachableInactive'], ['unreachable-inactive']],
    [['scheduled'], []],
    [['TASK_RUNNING'], ['TASK_UNKNOWN']],
    [['running', 'running'], ['TASK_RUNNING']],
  ])('%j → %j', (names, states) => {
    expect(statesForConditions(names)).toEqual(states);
  });
});
