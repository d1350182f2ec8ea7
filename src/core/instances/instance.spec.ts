import fc from 'fast-check';
import { formatInstanceId } from './ids';
import {
  MESOS_TASK_STATES, applyStatus, checkUnreachable, conditionOf, isActive, isOverdue, isScheduled, isTerminal, newInstance, provision, setGoal,
} from './instance';
import type { Goal, Instance, InstanceEffect, MesosTaskState, UnreachablePolicy } from './instance';

const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-01T00:00:01.000Z';
const at = (s: number): string => new Date(Date.parse(T0) + s * 1000).toISOString();
const ID = formatInstanceId('/web', 'u1');
const TASK1 = `${ID}._app.1`;

function launched(goal: Goal = 'running'): Instance {
  const i = provision(newInstance({ instanceId: ID, appId: '/web', appVersion: 'v1', now: T0 }), { agentId: 'a1', host: 'h1', hostPorts: [31000] }, T0);
  return goal === 'running' ? i : { ...i, goal };
}
function kinds(effects: readonly InstanceEffect[]): string[] {
  return effects.map((e) => e.kind);
}

describe('lifecycle', () => {
  it('new → provisioned → staging → running', () => {
    const n = newInstance({ instanceId: ID, appId: '/web', appVersion: 'v1', now: T0 });
    expect(isScheduled(n)).toBe(true);
    expect(isActive(n)).toBe(false);
    const p = launched();
    expect(p).toMatchObject({ state: 'provisioned', taskId: TASK1, incarnation: 1, agentId: 'a1', host: 'h1', hostPorts: [31000], stagedAt: T0 });
    expect(isActive(p)).toBe(true);
    const s = applyStatus(p, { taskId: TASK1, state: 'TASK_STAGING' }, T1);
    expect(s.instance.state).toBe('TASK_STAGING');
    expect(kinds(s.effects)).toEqual(['backoff-progress']);
    const r = applyStatus(s.instance, { taskId: TASK1, state: 'TASK_RUNNING', healthy: true }, at(2));
    expect(r.instance).toMatchObject({ state: 'TASK_RUNNING', startedAt: at(2), healthy: true, stateSince: at(2) });
    const again = applyStatus(r.instance, { taskId: TASK1, state: 'TASK_RUNNING', healthy: false }, at(3));
    expect(again.effects).toEqual([]);
    expect(again.instance).toMatchObject({ healthy: false, startedAt: at(2), stateSince: at(2) });
  });

  it('relaunch uses incarnation + 1', () => {
    const failed = applyStatus(launched(), { taskId: TASK1, state: 'TASK_FAILED', message: 'exit 1' }, T1).instance;
    expect(isScheduled(failed)).toBe(true);
    expect(provision(failed, { agentId: 'a2', host: 'h2', hostPorts: [] }, at(5)).taskId).toBe(`${ID}._app.2`);
  });

  it('provision refuses an instance that is not scheduled', () => {
    expect(() => provision(launched(), { agentId: 'a', host: 'h', hostPorts: [] }, T1)).toThrow();
  });
});

describe('terminal states (mesos-protocol §4.3, reference §4.4)', () => {
  it.each<[MesosTaskState, string | undefined, string, string[]]>([
    ['TASK_FINISHED', undefined, 'TASK_FINISHED', ['backoff-failure', 'relaunch']],
    ['TASK_FAILED', undefined, 'TASK_FAILED', ['record-task-failure', 'backoff-failure', 'relaunch']],
    ['TASK_KILLED', undefined, 'TASK_KILLED', ['relaunch']],
    ['TASK_ERROR', undefined, 'TASK_ERROR', ['record-task-failure', 'backoff-failure', 'relaunch']],
    ['TASK_DROPPED', undefined, 'TASK_DROPPED', ['record-task-failure', 'backoff-failure', 'relaunch']],
    ['TASK_GONE', undefined, 'TASK_GONE', ['record-task-failure', 'backoff-failure', 'relaunch']],
    ['TASK_GONE_BY_OPERATOR', undefined, 'TASK_GONE_BY_OPERATOR', ['record-task-failure', 'backoff-failure', 'relaunch']],
    ['TASK_UNKNOWN', undefined, 'TASK_UNKNOWN', ['record-task-failure', 'relaunch']],
    ['TASK_LOST', 'REASON_TASK_UNKNOWN', 'TASK_UNKNOWN', ['record-task-failure', 'relaunch']],
    ['TASK_LOST', 'REASON_AGENT_RESTARTED', 'TASK_GONE', ['record-task-failure', 'backoff-failure', 'relaunch']],
    ['TASK_LOST', undefined, 'TASK_GONE', ['record-task-failure', 'backoff-failure', 'relaunch']],
  ])('%s (%s) ⇒ %s, %j', (state, reason, expected, effects) => {
    const r = applyStatus(launched(), { taskId: TASK1, state, ...(reason ? { reason } : {}) }, T1);
    expect(r.instance.state).toBe(expected);
    expect(kinds(r.effects)).toEqual(effects);
    expect(isTerminal(r.instance)).toBe(true);
  });

  it('records lastTaskFailure as Marathon shows it', () => {
    const r = applyStatus(launched(), { taskId: TASK1, state: 'TASK_FAILED', message: 'Command exited with status 1', agentId: 'a1' }, T1);
    expect(r.effects[0]).toEqual({
      kind: 'record-task-failure',
      failure: { appId: '/web', taskId: TASK1, state: 'TASK_FAILED', message: 'Command exited with status 1', host: 'h1', version: 'v1', timestamp: T1, slaveId: 'a1' },
    });
  });

  it.each<[Goal, string[]]>([
    ['decommissioned', ['expunge']],
    ['stopped', []],
  ])('terminal with goal %s ⇒ %j (no relaunch)', (goal, effects) => {
    const r = applyStatus(launched(goal), { taskId: TASK1, state: 'TASK_KILLED' }, T1);
    expect(kinds(r.effects)).toEqual(effects);
    expect(isScheduled(r.instance)).toBe(false);
  });

  it('a duplicate terminal update has no effect (no double backoff)', () => {
    const failed = applyStatus(launched(), { taskId: TASK1, state: 'TASK_FAILED' }, T1).instance;
    expect(applyStatus(failed, { taskId: TASK1, state: 'TASK_FAILED' }, at(2)).effects).toEqual([]);
  });

  it('a task seen running after a terminal state is killed (LOST/GONE_BY_OPERATOR/UNKNOWN may come back)', () => {
    const gone = applyStatus(launched(), { taskId: TASK1, state: 'TASK_GONE_BY_OPERATOR' }, T1).instance;
    const r = applyStatus(gone, { taskId: TASK1, state: 'TASK_RUNNING' }, at(2));
    expect(r.instance.state).toBe('TASK_GONE_BY_OPERATOR');
    expect(r.effects).toEqual([{ kind: 'kill', taskId: TASK1, reason: 'reappeared-after-terminal' }]);
  });
});

describe('goal not running', () => {
  it('a running task of a decommissioned instance is killed', () => {
    const r = applyStatus(launched('decommissioned'), { taskId: TASK1, state: 'TASK_RUNNING' }, T1);
    expect(r.effects).toContainEqual({ kind: 'kill', taskId: TASK1, reason: 'goal-not-running' });
  });

  it.each<[Instance['state'], Goal, string[]]>([
    ['TASK_RUNNING', 'decommissioned', ['kill']],
    ['TASK_RUNNING', 'stopped', ['kill']],
    ['TASK_RUNNING', 'running', []],
    ['provisioned', 'decommissioned', ['kill']],
    ['TASK_FAILED', 'decommissioned', ['expunge']],
    ['scheduled', 'decommissioned', ['expunge']],
    ['TASK_UNREACHABLE', 'decommissioned', []],
  ])('setGoal on %s → %s ⇒ %j', (state, goal, effects) => {
    expect(kinds(setGoal({ ...launched(), state }, goal).effects)).toEqual(effects);
  });
});

describe('unreachable (reference §2.5)', () => {
  const policy = (inactiveAfterSeconds: number, expungeAfterSeconds: number): UnreachablePolicy => ({ inactiveAfterSeconds, expungeAfterSeconds });
  const running = (): Instance => applyStatus(launched(), { taskId: TASK1, state: 'TASK_RUNNING' }, T0).instance;

  it.each<[string, MesosTaskState, string | undefined]>([
    ['TASK_UNREACHABLE', 'TASK_UNREACHABLE', undefined],
    ['TASK_LOST agent removed', 'TASK_LOST', 'REASON_AGENT_REMOVED'],
    ['TASK_LOST agent disconnected', 'TASK_LOST', 'REASON_AGENT_DISCONNECTED'],
    ['TASK_LOST reconciliation', 'TASK_LOST', 'REASON_RECONCILIATION'],
  ])('%s with the default {0,0} ⇒ inactive, replaced and expunged at once', (_n, state, reason) => {
    const r = applyStatus(running(), { taskId: TASK1, state, ...(reason ? { reason } : {}) }, T1, policy(0, 0));
    expect(r.instance.state).toBe('unreachable-inactive');
    expect(kinds(r.effects)).toEqual(['schedule-replacement', 'expunge']);
  });

  it('disabled ⇒ waits forever, and the task may come back', () => {
    const u = applyStatus(running(), { taskId: TASK1, state: 'TASK_UNREACHABLE', unreachableTime: T0 }, T1, 'disabled');
    expect(u.instance).toMatchObject({ state: 'TASK_UNREACHABLE', unreachableSince: T0 });
    expect(isActive(u.instance)).toBe(true);
    expect(checkUnreachable(u.instance, 'disabled', at(100_000)).effects).toEqual([]);
    const back = applyStatus(u.instance, { taskId: TASK1, state: 'TASK_RUNNING' }, at(50));
    expect(back.instance.state).toBe('TASK_RUNNING');
    expect(back.instance.unreachableSince).toBeUndefined();
  });

  it('{60, 600}: inactive + one replacement after 60 s, expunge after 600 s', () => {
    const p = policy(60, 600);
    const u = applyStatus(running(), { taskId: TASK1, state: 'TASK_UNREACHABLE' }, T0, p);
    expect(u.effects).toEqual([]);
    expect(checkUnreachable(u.instance, p, at(59)).effects).toEqual([]);
    const inactive = checkUnreachable(u.instance, p, at(60));
    expect(inactive.instance.state).toBe('unreachable-inactive');
    expect(kinds(inactive.effects)).toEqual(['schedule-replacement']);
    expect(isActive(inactive.instance)).toBe(false);
    expect(checkUnreachable(inactive.instance, p, at(300)).effects).toEqual([]);
    expect(kinds(checkUnreachable(inactive.instance, p, at(600)).effects)).toEqual(['expunge']);
    // it comes back before the expunge: adopted (the scale check kills the surplus)
    expect(applyStatus(inactive.instance, { taskId: TASK1, state: 'TASK_RUNNING' }, at(120)).instance.state).toBe('TASK_RUNNING');
    // it ends while inactive: its replacement exists, so it is expunged rather than relaunched
    expect(kinds(applyStatus(inactive.instance, { taskId: TASK1, state: 'TASK_GONE' }, at(120)).effects)).toEqual(['record-task-failure', 'backoff-failure', 'expunge']);
  });

  it('a repeated UNREACHABLE keeps the first unreachable time', () => {
    const p = policy(60, 600);
    const u = applyStatus(running(), { taskId: TASK1, state: 'TASK_UNREACHABLE' }, T0, p).instance;
    const again = applyStatus(u, { taskId: TASK1, state: 'TASK_UNREACHABLE' }, at(30), p).instance;
    expect(again.unreachableSince).toBe(T0);
  });
});

describe('stale and foreign task ids', () => {
  it('a live older incarnation is killed, the record unchanged', () => {
    const second = provision(applyStatus(launched(), { taskId: TASK1, state: 'TASK_FAILED' }, T1).instance, { agentId: 'a', host: 'h', hostPorts: [] }, at(2));
    const r = applyStatus(second, { taskId: TASK1, state: 'TASK_RUNNING' }, at(3));
    expect(r.instance).toBe(second);
    expect(r.effects).toEqual([{ kind: 'kill', taskId: TASK1, reason: 'stale-incarnation' }]);
    expect(applyStatus(second, { taskId: TASK1, state: 'TASK_KILLED' }, at(3)).effects).toEqual([]);
  });

  it('another task id is ignored', () => {
    const r = applyStatus(launched(), { taskId: 'other.instance-x._app.1', state: 'TASK_RUNNING' }, T1);
    expect(r.ignored).toBeDefined();
    expect(r.effects).toEqual([]);
  });
});

describe('isOverdue (launch timeouts, reference §4.3)', () => {
  it.each<[string, Instance['state'], number, boolean]>([
    ['provisioned within the confirm timeout', 'provisioned', 300, false],
    ['provisioned past the confirm timeout', 'provisioned', 301, true],
    ['staging past the launch timeout', 'TASK_STAGING', 301, true],
    ['starting within the launch timeout', 'TASK_STARTING', 299, false],
    ['running is never overdue', 'TASK_RUNNING', 10_000, false],
    ['scheduled is never overdue', 'scheduled', 10_000, false],
  ])('%s', (_n, state, seconds, expected) => {
    expect(isOverdue({ ...launched(), state }, at(seconds))).toBe(expected);
  });
  it('takes custom timeouts', () => {
    expect(isOverdue(launched(), at(31), { launchConfirmTimeoutSeconds: 30, launchTimeoutSeconds: 300 })).toBe(true);
  });
});

describe('conditionOf', () => {
  it('maps only TASK_LOST', () => {
    for (const s of MESOS_TASK_STATES) if (s !== 'TASK_LOST') expect(conditionOf(s, 'REASON_AGENT_REMOVED')).toBe(s);
  });
});

describe('properties', () => {
  const update = fc.record({
    state: fc.constantFrom(...MESOS_TASK_STATES),
    reason: fc.constantFrom(undefined, 'REASON_AGENT_REMOVED', 'REASON_TASK_UNKNOWN', 'REASON_COMMAND_EXECUTOR_FAILED'),
    dt: fc.nat(1000),
  });
  const goal = fc.constantFrom<Goal>('running', 'stopped', 'decommissioned');
  const policy = fc.oneof(fc.constant<UnreachablePolicy>('disabled'), fc.record({ inactiveAfterSeconds: fc.nat(300), expungeAfterSeconds: fc.nat(600) }).map((p) => ({ inactiveAfterSeconds: Math.min(p.inactiveAfterSeconds, p.expungeAfterSeconds), expungeAfterSeconds: p.expungeAfterSeconds })));

  it('never relaunches a goal that is not running; a replacement at most once; relaunch ⇒ scheduled', () => {
    fc.assert(fc.property(goal, policy, fc.array(update, { maxLength: 12 }), (g, p, updates) => {
      let inst = launched(g);
      let t = 0;
      let replacements = 0;
      for (const u of updates) {
        t += u.dt;
        const r = applyStatus(inst, { taskId: TASK1, state: u.state, ...(u.reason ? { reason: u.reason } : {}) }, at(t), p);
        const c = checkUnreachable(r.instance, p, at(t));
        const effects = [...r.effects, ...c.effects];
        if (g !== 'running') expect(kinds(effects)).not.toContain('relaunch');
        if (kinds(effects).includes('relaunch')) expect(isScheduled(c.instance)).toBe(true);
        replacements += kinds(effects).filter((k) => k === 'schedule-replacement').length;
        expect(isActive(c.instance) && isTerminal(c.instance)).toBe(false);
        inst = c.instance;
        if (kinds(effects).includes('expunge')) break;
      }
      expect(replacements).toBeLessThanOrEqual(1);
    }));
  });

  it('backoff-failure at most once per task', () => {
    fc.assert(fc.property(fc.array(update, { maxLength: 12 }), (updates) => {
      let inst = launched();
      let failures = 0;
      for (const u of updates) {
        const r = applyStatus(inst, { taskId: TASK1, state: u.state, ...(u.reason ? { reason: u.reason } : {}) }, at(u.dt));
        failures += kinds(r.effects).filter((k) => k === 'backoff-failure').length;
        inst = r.instance;
      }
      expect(failures).toBeLessThanOrEqual(1);
    }));
  });
});
