import type { Agent } from '../agent/agent';
import type { Framework } from './framework';
import { Resources } from './resources';
import { Task, type TaskState } from './task';

const STATES: TaskState[] = [
  'TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED',
  'TASK_LOST', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_UNREACHABLE', 'TASK_GONE', 'TASK_GONE_BY_OPERATOR', 'TASK_UNKNOWN',
];

describe('Task (state and flags packed in one integer)', () => {
  const task = (hasHealthCheck: boolean): Task => new Task('t', 'n', {} as Framework, {} as Agent, new Resources(), hasHealthCheck);

  it('starts STAGING with no flags but the health check one', () => {
    const t = task(true);
    expect(t.state).toBe('TASK_STAGING');
    expect([t.hasHealthCheck, t.healthy, t.released, t.killRequested]).toEqual([true, undefined, false, false]);
  });

  it('keeps every state and every flag independently', () => {
    for (const state of STATES) {
      for (const healthy of [undefined, true, false]) {
        const t = task(false);
        t.released = true;
        t.healthy = healthy;
        t.state = state;
        t.killRequested = true;
        expect([t.state, t.healthy, t.released, t.killRequested, t.hasHealthCheck]).toEqual([state, healthy, true, true, false]);
        t.released = false;
        t.killRequested = false;
        expect([t.state, t.healthy, t.released, t.killRequested]).toEqual([state, healthy, false, false]);
      }
    }
  });
});
