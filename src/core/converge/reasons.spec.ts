import type { ConvergeProgress } from './converge';
import { reasonsFor, type ActionFacts } from './reasons';

const progress = (p: Partial<ConvergeProgress> = {}): ConvergeProgress => ({ target: 3, current: 3, healthyCurrent: 0, old: 0, terminating: 0, waiting: 0, ...p });
const facts = (f: Partial<ActionFacts> = {}): ActionFacts => ({
  progress: progress(), done: false, backoffSecondsLeft: 0, offerReasons: [], offersProcessed: 0, agents: 3, agentsRuledOutByConstraints: 0,
  unhealthy: [], notReady: 0, oldestTerminatingSeconds: 0, ...f,
});

describe('reasons a deployment action gives', () => {
  it.each<[string, Partial<ActionFacts>, string[]]>([
    ['done: nothing to say', { done: true, progress: progress({ waiting: 2 }) }, []],
    ['progressing quietly', {}, []],
    ['waiting, no offer seen yet', { progress: progress({ waiting: 1 }) }, ['waiting for offers for 1 instance']],
    [
      'waiting, offers did not fit',
      { progress: progress({ waiting: 2 }), offersProcessed: 5, offerReasons: [{ reason: 'InsufficientMemory', declined: 3 }, { reason: 'UnfulfilledConstraint', declined: 2 }] },
      ['waiting for offers for 2 instances: of the last 5 offers, 3 had insufficient memory, 2 did not satisfy the constraints'],
    ],
    [
      'constraints rule out every agent',
      { progress: progress({ waiting: 1 }), agentsRuledOutByConstraints: 3, offersProcessed: 3, offerReasons: [{ reason: 'UnfulfilledConstraint', declined: 3 }] },
      ['waiting to launch 1 instance: the constraints cannot be satisfied by any of the 3 current agents'],
    ],
    [
      'backing off after failures',
      { progress: progress({ waiting: 1 }), backoffSecondsLeft: 3.2, lastFailure: { taskId: 't.1', state: 'TASK_FAILED', message: 'exit 3' } },
      ['waiting to launch 1 instance: launch backoff, 4 s left (last failure: task t.1 TASK_FAILED: exit 3)'],
    ],
    ['unhealthy new instances', { unhealthy: [{ taskId: 'a' }, { taskId: 'b', cause: 'HTTP 503' }] }, ['2 new instances running but not healthy (last check: HTTP 503)']],
    ['not ready', { notReady: 1 }, ['1 new instance healthy but not ready yet']],
    ['slow kills', { progress: progress({ terminating: 2 }), oldestTerminatingSeconds: 45 }, ['2 old instances not terminated 45 s after being killed']],
    ['kills still within their grace', { progress: progress({ terminating: 2 }), oldestTerminatingSeconds: 5 }, []],
  ])('%s', (_name, f, expected) => {
    expect(reasonsFor(facts(f))).toEqual(expected);
  });
});
