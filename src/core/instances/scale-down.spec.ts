import fc from 'fast-check';
import type { Constraint, KillSelection } from '../apps';
import type { Instance, InstanceState } from './instance';
import { killOrder, proposeScale, selectForGroupBy } from './scale-down';

const at = (s: number): string => new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString();

function inst(id: string, state: InstanceState, t = 0, extra: Partial<Instance> = {}): Instance {
  return {
    instanceId: id, appId: '/app', appVersion: 'v1', goal: 'running', state, incarnation: 1, hostPorts: [],
    createdAt: at(0), stateSince: at(t), stagedAt: at(t),
    ...(state === 'TASK_RUNNING' ? { startedAt: at(t) } : {}),
    host: 'h1',
    ...extra,
  };
}
const ids = (is: readonly Instance[]): string[] => is.map((i) => i.instanceId);

describe('counts (reference §3.4)', () => {
  const five = ['a', 'b', 'c', 'd', 'e'].map((id, n) => inst(id, 'TASK_RUNNING', n));
  it.each<[string, number, string[], number, number]>([
    ['scale down 5 → 2', 2, [], 3, 0],
    ['scale down with a sentenced one', 2, ['c'], 3, 0],
    ['scale up with a sentenced one', 7, ['a'], 1, 3],
    ['same count, two sentenced', 5, ['a', 'b'], 2, 2],
    ['sentenced id not a candidate', 5, ['zzz'], 0, 0],
    ['to zero', 0, [], 5, 0],
    ['negative target as zero', -3, [], 5, 0],
  ])('%s', (_name, target, sentenced, decommission, toStart) => {
    const p = proposeScale({ instances: five, target, sentenced, killSelection: 'YOUNGEST_FIRST' });
    expect(p.toDecommission).toHaveLength(decommission);
    expect(p.toStart).toBe(toStart);
    for (const s of sentenced) if (five.some((i) => i.instanceId === s)) expect(ids(p.toDecommission.slice(0, sentenced.length))).toContain(s);
  });

  it('ignores instances not going to run and unreachable-inactive ones', () => {
    const p = proposeScale({
      instances: [inst('a', 'TASK_RUNNING'), inst('b', 'TASK_RUNNING', 0, { goal: 'decommissioned' }), inst('c', 'unreachable-inactive')],
      target: 1, killSelection: 'YOUNGEST_FIRST',
    });
    expect(p).toEqual({ toDecommission: [], toStart: 0 });
  });
});

describe('kill order', () => {
  it('Unreachable → Staging → Starting → Running → others', () => {
    const p = proposeScale({
      instances: [inst('run', 'TASK_RUNNING'), inst('sched', 'scheduled'), inst('start', 'TASK_STARTING'), inst('unr', 'TASK_UNREACHABLE'), inst('stage', 'TASK_STAGING'), inst('prov', 'provisioned')],
      target: 0, killSelection: 'YOUNGEST_FIRST',
    });
    expect(ids(p.toDecommission)).toEqual(['unr', 'stage', 'start', 'run', 'prov', 'sched']);
  });

  it.each<[KillSelection, string[]]>([
    ['YOUNGEST_FIRST', ['r3', 'r2']],
    ['OLDEST_FIRST', ['r1', 'r2']],
  ])('%s among running instances (by startedAt)', (sel, expected) => {
    const instances = [inst('r1', 'TASK_RUNNING', 10), inst('r3', 'TASK_RUNNING', 30), inst('r2', 'TASK_RUNNING', 20)];
    expect(ids(proposeScale({ instances, target: 1, killSelection: sel }).toDecommission)).toEqual(expected);
  });

  it('staging ties by stagedAt, starting by state-since', () => {
    const cmp = killOrder('YOUNGEST_FIRST');
    expect(cmp(inst('s1', 'TASK_STAGING', 1), inst('s2', 'TASK_STAGING', 2))).toBeGreaterThan(0);
    expect(cmp(inst('s1', 'TASK_STARTING', 5), inst('s2', 'TASK_STARTING', 2))).toBeLessThan(0);
    expect(killOrder('OLDEST_FIRST')(inst('s1', 'TASK_STAGING', 1), inst('s2', 'TASK_STAGING', 2))).toBeLessThan(0);
  });

  it('a never-started instance sorts before started ones of the same weight', () => {
    const cmp = killOrder('OLDEST_FIRST');
    expect(cmp(inst('x', 'TASK_KILLING', 0, { startedAt: undefined }), inst('y', 'TASK_KILLING', 0, { startedAt: at(1) }))).toBeLessThan(0);
  });

  it('sentenced first, whatever their state', () => {
    const instances = [inst('u', 'TASK_UNREACHABLE'), inst('r', 'TASK_RUNNING'), inst('s', 'TASK_STAGING')];
    expect(ids(proposeScale({ instances, target: 1, sentenced: ['r'], killSelection: 'YOUNGEST_FIRST' }).toDecommission)).toEqual(['r', 'u']);
  });
});

describe('GROUP_BY rebalancing', () => {
  const rack = (r: string) => ({ rack: r });
  const attrs = new Map<string, Record<string, string>>();
  const mk = (id: string, r: string, t: number): Instance => {
    attrs.set(id, rack(r));
    return inst(id, 'TASK_RUNNING', t, { host: `host-${id}` });
  };
  const fieldValue = (i: Instance, f: string): string | undefined => (f === 'hostname' ? i.host : attrs.get(i.instanceId)?.[f]);
  const groupBy: Constraint[] = [['rack', 'GROUP_BY']];

  it('kills from the largest group first, then keeps the spread ≤ 1', () => {
    // rack a: 4 instances, rack b: 1, rack c: 1 — YOUNGEST_FIRST alone would pick c1 (the youngest)
    const instances = [mk('a1', 'a', 1), mk('a2', 'a', 2), mk('a3', 'a', 3), mk('a4', 'a', 4), mk('b1', 'b', 5), mk('c1', 'c', 6)];
    const p = proposeScale({ instances, target: 3, killSelection: 'YOUNGEST_FIRST', constraints: groupBy, fieldValue });
    expect(ids(p.toDecommission)).toEqual(['a4', 'a3', 'a2']);
  });

  it('even distribution: spread kept ≤ 1 in kill order', () => {
    const instances = [mk('a1', 'a', 1), mk('a2', 'a', 2), mk('b1', 'b', 3), mk('b2', 'b', 4)];
    const p = proposeScale({ instances, target: 2, killSelection: 'YOUNGEST_FIRST', constraints: groupBy, fieldValue });
    expect(ids(p.toDecommission)).toEqual(['b2', 'a2']);
  });

  it('no GROUP_BY ⇒ no constraint picks', () => {
    expect(selectForGroupBy([mk('a1', 'a', 1), mk('a2', 'a', 2)], 1, [['hostname', 'UNIQUE']], fieldValue)).toEqual([]);
  });

  it('hostname GROUP_BY uses the host by default', () => {
    const instances = [inst('x1', 'TASK_RUNNING', 1, { host: 'h1' }), inst('x2', 'TASK_RUNNING', 2, { host: 'h1' }), inst('y1', 'TASK_RUNNING', 3, { host: 'h2' })];
    expect(ids(proposeScale({ instances, target: 2, killSelection: 'YOUNGEST_FIRST', constraints: [['hostname', 'GROUP_BY']] }).toDecommission)).toEqual(['x2']);
  });
});

describe('properties', () => {
  const states: InstanceState[] = ['scheduled', 'provisioned', 'TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_UNREACHABLE', 'unreachable-inactive', 'TASK_FAILED'];
  const instanceArb = fc.record({
    state: fc.constantFrom(...states),
    goal: fc.constantFrom<Instance['goal']>('running', 'running', 'running', 'decommissioned'),
    t: fc.nat(100),
    host: fc.constantFrom('h1', 'h2', 'h3'),
  });
  const input = fc.record({
    list: fc.array(instanceArb, { maxLength: 20 }),
    target: fc.integer({ min: 0, max: 25 }),
    sentencedMask: fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }),
    killSelection: fc.constantFrom<KillSelection>('YOUNGEST_FIRST', 'OLDEST_FIRST'),
    groupBy: fc.boolean(),
  });

  it('chooses exactly max(active − target, |sentenced ∩ active|), never more than active, sentenced first, deterministic', () => {
    fc.assert(fc.property(input, ({ list, target, sentencedMask, killSelection, groupBy }) => {
      const instances = list.map((x, n) => inst(`i${String(n).padStart(2, '0')}`, x.state, x.t, { goal: x.goal, host: x.host }));
      const sentenced = instances.filter((_i, n) => sentencedMask[n]).map((i) => i.instanceId);
      const constraints: Constraint[] = groupBy ? [['hostname', 'GROUP_BY']] : [];
      const run = () => proposeScale({ instances, target, sentenced, killSelection, constraints });
      const p = run();
      const active = instances.filter((i) => i.goal === 'running' && i.state !== 'unreachable-inactive');
      const sentencedActive = active.filter((i) => sentenced.includes(i.instanceId));
      expect(p.toDecommission).toHaveLength(Math.max(active.length - target, sentencedActive.length));
      expect(p.toDecommission.length).toBeLessThanOrEqual(active.length);
      expect(new Set(ids(p.toDecommission)).size).toBe(p.toDecommission.length);
      for (const i of p.toDecommission) expect(active).toContain(i);
      expect(new Set(ids(p.toDecommission.slice(0, sentencedActive.length)))).toEqual(new Set(ids(sentencedActive)));
      expect(active.length - p.toDecommission.length + p.toStart).toBe(target);
      expect(run()).toEqual(p);
      // input order does not matter
      expect(ids(proposeScale({ instances: [...instances].reverse(), target, sentenced, killSelection, constraints }).toDecommission)).toEqual(ids(p.toDecommission));
    }));
  });
});
