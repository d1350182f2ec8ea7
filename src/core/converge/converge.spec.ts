import fc from 'fast-check';
import { normalizeApp, type AppDefinition } from '../apps';
import { setGoal, type Instance, type InstanceState } from '../instances/instance';
import { converge, type ConvergeInput } from './converge';

const at = (s: number): string => new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString();

function app(extra: Record<string, unknown> = {}): AppDefinition {
  const r = normalizeApp({ id: '/app', cmd: 'sleep 1000', instances: 3, ...extra });
  if (!r.ok) throw new Error(JSON.stringify(r.details));
  return { ...r.app, version: at(100) };
}

function inst(id: string, state: InstanceState, version: 'old' | 'new' = 'new', extra: Partial<Instance> = {}): Instance {
  return {
    instanceId: id, appId: '/app', appVersion: version, goal: 'running', state, incarnation: state === 'scheduled' ? 0 : 1,
    hostPorts: [], createdAt: at(0), stateSince: at(1), stagedAt: at(1),
    ...(state === 'TASK_RUNNING' ? { startedAt: at(Number(id.replace(/\D/g, '')) || 1) } : {}),
    ...(state !== 'scheduled' ? { taskId: `${id}.t`, host: 'h1', agentId: 'a1' } : {}),
    ...extra,
  };
}

function input(mode: ConvergeInput['mode'], a: AppDefinition | undefined, instances: Instance[], sentenced?: string[]): ConvergeInput {
  return {
    mode, app: a, instances, sentenced,
    isCurrent: (i) => i.state === 'scheduled' || i.appVersion === 'new',
    isHealthy: (i) => i.goal === 'running' && i.state === 'TASK_RUNNING' && i.healthy !== false,
  };
}

const ids = (xs: readonly Instance[]): string[] => xs.map((x) => x.instanceId);

describe('scale and start (reference §3.2, §3.4)', () => {
  it.each<[string, number, InstanceState[], number, number, boolean]>([
    // name, target, states, decommissioned, toStart, done
    ['nothing yet: start all', 3, [], 0, 3, false],
    ['some waiting: start the rest', 3, ['scheduled'], 0, 2, false],
    ['all asked for, not running yet', 3, ['scheduled', 'TASK_STAGING', 'TASK_STARTING'], 0, 0, false],
    ['all running: done', 3, ['TASK_RUNNING', 'TASK_RUNNING', 'TASK_RUNNING'], 0, 0, true],
    ['too many: decommission the extras', 1, ['TASK_RUNNING', 'TASK_RUNNING', 'TASK_RUNNING'], 2, 0, false],
    ['to zero', 0, ['TASK_RUNNING', 'scheduled'], 2, 0, false],
    ['zero and nothing left: done', 0, [], 0, 0, true],
  ])('%s', (_n, target, states, decommissioned, toStart, done) => {
    const d = converge(input('ScaleApplication', app({ instances: target }), states.map((s, i) => inst(`i${i + 1}`, s))));
    expect(d.decommission).toHaveLength(decommissioned);
    expect(d.toStart).toBe(toStart);
    expect(d.done).toBe(done);
  });

  it('is not done while a decommissioned task still runs', () => {
    const dying = setGoal(inst('i9', 'TASK_RUNNING'), 'decommissioned').instance;
    const d = converge(input('ScaleApplication', app({ instances: 1 }), [inst('i1', 'TASK_RUNNING'), dying]));
    expect(d.decommission).toHaveLength(0);
    expect(d.done).toBe(false);
    expect(d.progress.terminating).toBe(1);
  });

  it('kills the sentenced first, then by kill order (YOUNGEST_FIRST)', () => {
    const xs = [inst('i1', 'TASK_RUNNING'), inst('i2', 'TASK_RUNNING'), inst('i3', 'TASK_RUNNING')];
    expect(ids(converge(input('ScaleApplication', app({ instances: 1 }), xs, ['i1'])).decommission)).toEqual(['i1', 'i3']);
  });

  it('removes instances still waiting to launch before killing running ones', () => {
    const xs = [inst('i1', 'TASK_RUNNING'), inst('i2', 'TASK_RUNNING'), inst('i3', 'scheduled')];
    expect(ids(converge(input('ScaleApplication', app({ instances: 2 }), xs)).decommission)).toEqual(['i3']);
    expect(ids(converge(input('ScaleApplication', app({ instances: 1 }), xs, ['i1'])).decommission)).toEqual(['i3', 'i1']);
  });

  it('an unreachable-inactive instance is replaced, not counted', () => {
    const xs = [inst('i1', 'TASK_RUNNING'), inst('i2', 'unreachable-inactive')];
    const d = converge(input('Maintain', app({ instances: 2 }), xs));
    expect(d.toStart).toBe(1);
    expect(d.decommission).toHaveLength(0);
  });
});

describe('stop', () => {
  it('decommissions every running-goal instance; done when none is left', () => {
    const xs = [inst('i1', 'TASK_RUNNING'), inst('i2', 'scheduled')];
    const d = converge(input('StopApplication', undefined, xs));
    expect(ids(d.decommission)).toEqual(['i1', 'i2']);
    expect(d.done).toBe(false);
    expect(converge(input('StopApplication', undefined, [])).done).toBe(true);
  });
});

describe('rolling restart (reference §3.3)', () => {
  const running = (n: number, v: 'old' | 'new', from = 1): Instance[] => Array.from({ length: n }, (_, i) => inst(`${v}${from + i}`, 'TASK_RUNNING', v));

  it.each<[string, number, number, number, number, number]>([
    // name, N, minHC, maxOC, decommission, toStart (first evaluation, N old healthy)
    ['1 / 1 (default): start N new at once, kill none', 10, 1, 1, 0, 10],
    ['1 / 0: one at a time (the +1 slack)', 10, 1, 0, 0, 1],
    ['0.5 / 0: kill half, start none until they end', 10, 0.5, 0, 5, 0],
    ['0 / 0: kill all', 10, 0, 0, 10, 0],
    ['0.9 / 0 with N = 5 behaves like 1 / 0', 5, 0.9, 0, 0, 1],
  ])('%s', (_n, N, minHC, maxOC, decommission, toStart) => {
    const a = app({ instances: N, upgradeStrategy: { minimumHealthCapacity: minHC, maximumOverCapacity: maxOC } });
    const d = converge(input('RestartApplication', a, running(N, 'old')));
    expect(d.decommission).toHaveLength(decommission);
    expect(d.toStart).toBe(toStart);
    expect(d.done).toBe(false);
  });

  it('kills one more old instance for each healthy new one (1 / 0)', () => {
    const a = app({ instances: 3, upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: 0 } });
    const d = converge(input('RestartApplication', a, [...running(3, 'old'), ...running(1, 'new', 4)]));
    expect(d.decommission).toHaveLength(1);
    expect(d.toStart).toBe(0); // capacity is freed only when the killed task has ended
  });

  it('kills old instances that are not running at once', () => {
    const a = app({ instances: 2, upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: 0 } });
    const d = converge(input('RestartApplication', a, [inst('o1', 'TASK_STAGING', 'old'), ...running(2, 'old', 2)]));
    expect(ids(d.decommission)).toEqual(['o1']);
  });

  it('is done when N new instances are healthy and nothing old is left', () => {
    const a = app({ instances: 2 });
    expect(converge(input('RestartApplication', a, running(2, 'new'))).done).toBe(true);
    expect(converge(input('RestartApplication', a, [...running(2, 'new'), ...running(1, 'old', 3)])).done).toBe(false);
  });

  // Simulates a restart to the end: each round applies the decision, then every starting instance
  // becomes healthy and every killed task ends. Healthy instances never drop below minHealthy and
  // the total never exceeds maxCapacity (+1 slack).
  it('property: converges within bounds', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.constantFrom(0, 0.25, 0.5, 0.75, 1),
        fc.constantFrom(0, 0.25, 0.5, 1),
        (N, minHC, maxOC) => {
          const a = app({ instances: N, upgradeStrategy: { minimumHealthCapacity: minHC, maximumOverCapacity: maxOC } });
          const minHealthy = Math.ceil(N * minHC - 1e-9);
          let maxCap = Math.floor(N * (1 + maxOC) + 1e-9);
          if (maxCap === minHealthy) maxCap++;
          let xs = running(N, 'old');
          let next = 100;
          for (let round = 0; round < 4 * N + 10; round++) {
            const d = converge(input('RestartApplication', a, xs));
            if (d.done) return;
            const dying = new Set(ids(d.decommission));
            xs = xs.map((x) => (dying.has(x.instanceId) ? { ...x, goal: 'decommissioned' as const } : x));
            for (let i = 0; i < d.toStart; i++) xs.push(inst(`n${next++}`, 'scheduled'));
            const healthyNow = xs.filter((x) => x.goal === 'running' && x.state === 'TASK_RUNNING').length;
            expect(healthyNow).toBeGreaterThanOrEqual(Math.min(minHealthy, N));
            expect(xs.filter((x) => x.goal === 'running' || x.state === 'TASK_RUNNING').length).toBeLessThanOrEqual(Math.max(maxCap, N));
            // the world moves: killed tasks end (records go), launched ones run
            xs = xs.filter((x) => x.goal === 'running').map((x) => (x.state === 'scheduled' ? { ...inst(x.instanceId, 'TASK_RUNNING', 'new') } : x));
          }
          throw new Error(`restart of ${N} (${minHC}/${maxOC}) did not finish`);
        },
      ),
    );
  });
});
