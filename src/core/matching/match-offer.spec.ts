import { normalizeApp, type AppDefinition } from '../apps';
import { matchOffer } from './match-offer';
import type { AgentInfo, MatchInput, MatchResult, Offer, OfferResource, WaitingGroup } from './types';

function app(raw: Record<string, unknown>): AppDefinition {
  const r = normalizeApp({ id: '/x', cmd: 'sleep 1000', cpus: 0.1, mem: 32, ...raw }, { enabledFeatures: ['gpu_resources'] });
  if (!r.ok) throw new Error(JSON.stringify(r.details));
  return r.app;
}

const scalar = (name: string, value: number, role = '*'): OfferResource => ({ name, role, scalar: value });
const ports = (begin: number, end: number, role = '*'): OfferResource => ({ name: 'ports', role, ranges: [{ begin, end }] });

function offer(resources: OfferResource[], agent: Partial<AgentInfo> = {}): Offer {
  return { id: 'o1', agentId: 'ag1', hostname: 'h1', attributes: [], ...agent, resources };
}
const big = (): OfferResource[] => [scalar('cpus', 8), scalar('mem', 8192), scalar('disk', 10000), ports(31000, 31999)];
const group = (key: string, a: AppDefinition, count = 1, ready?: boolean): WaitingGroup => ({ key, app: a, count, ...(ready === undefined ? {} : { ready }) });

function seq(values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length];
}
const match = (partial: Omit<MatchInput, 'random'> & { random?: () => number }): MatchResult => matchOffer({ random: seq([0]), ...partial });

interface Row {
  name: string;
  app: Record<string, unknown>;
  resources: OfferResource[];
  frameworkRole?: string;
  reasons?: string[];
  hostPorts?: number[];
  allocated?: { name: string; role: string; scalar?: number }[];
}

const rows: Row[] = [
  // scalars
  { name: 'fits exactly', app: { cpus: 1, mem: 128, disk: 10, portDefinitions: [] }, resources: [scalar('cpus', 1), scalar('mem', 128), scalar('disk', 10)], reasons: [] },
  { name: 'cpus short', app: { cpus: 2 }, resources: big().map((r) => (r.name === 'cpus' ? scalar('cpus', 1.5) : r)), reasons: ['InsufficientCpus'] },
  { name: 'mem short', app: { mem: 9000 }, resources: big(), reasons: ['InsufficientMemory'] },
  { name: 'disk short', app: { disk: 20000 }, resources: big(), reasons: ['InsufficientDisk'] },
  { name: 'gpus absent', app: { gpus: 1 }, resources: big(), reasons: ['InsufficientGpus'] },
  { name: 'several shortages all reported', app: { cpus: 9, mem: 9000 }, resources: big(), reasons: ['InsufficientCpus', 'InsufficientMemory'] },
  { name: 'scalars compared in thousandths (0.1+0.2 cpus from 0.3)', app: { cpus: 0.1 + 0.2, portDefinitions: [] }, resources: [scalar('cpus', 0.3), scalar('mem', 64)], reasons: [] },
  // roles
  { name: 'default roles: * is usable', app: { cpus: 1 }, resources: big(), reasons: [] },
  { name: 'default roles: reserved for another role ⇒ UnfulfilledRole', app: { cpus: 1 }, resources: [scalar('cpus', 4, 'other'), scalar('mem', 1024), ports(31000, 31010)], reasons: ['UnfulfilledRole'] },
  {
    name: 'framework role reservation is used first, then *',
    app: { cpus: 1, mem: 64, portDefinitions: [] },
    resources: [scalar('cpus', 0.4), scalar('cpus', 0.75, 'pacer'), scalar('mem', 1024)],
    frameworkRole: 'pacer',
    reasons: [],
    allocated: [{ name: 'cpus', role: 'pacer', scalar: 0.75 }, { name: 'cpus', role: '*', scalar: 0.25 }, { name: 'mem', role: '*', scalar: 64 }],
  },
  { name: 'acceptedResourceRoles [*] ignores the reservation', app: { cpus: 1, acceptedResourceRoles: ['*'], role: 'pacer' }, resources: [scalar('cpus', 4, 'pacer'), scalar('mem', 1024), ports(31000, 31010)], reasons: ['UnfulfilledRole'] },
  { name: 'acceptedResourceRoles [role] ignores unreserved', app: { cpus: 1, mem: 64, acceptedResourceRoles: ['pacer'], role: 'pacer', portDefinitions: [] }, resources: [scalar('cpus', 4), scalar('mem', 1024, 'pacer'), scalar('cpus', 1, 'pacer')], reasons: [], allocated: [{ name: 'cpus', role: 'pacer', scalar: 1 }, { name: 'mem', role: 'pacer', scalar: 64 }] },
  { name: 'accepted role the app is not in is not usable', app: { cpus: 1, acceptedResourceRoles: ['other'] }, resources: [scalar('cpus', 4, 'other'), scalar('mem', 1024, 'other'), ports(31000, 31010, 'other')], reasons: ['UnfulfilledRole'] },
  { name: 'ports only in another role ⇒ UnfulfilledRole', app: {}, resources: [scalar('cpus', 4), scalar('mem', 1024), ports(31000, 31010, 'other')], reasons: ['UnfulfilledRole'] },
  // ports
  { name: 'random port from the range', app: { portDefinitions: [{ port: 0 }] }, resources: [scalar('cpus', 1), scalar('mem', 64), ports(31000, 31000)], reasons: [], hostPorts: [31000] },
  { name: 'service ports are not host ports without requirePorts', app: { portDefinitions: [{ port: 10001 }, { port: 10002 }] }, resources: [scalar('cpus', 1), scalar('mem', 64), ports(31000, 31001)], reasons: [], hostPorts: [31000, 31001] },
  { name: 'requirePorts: exact ports present', app: { requirePorts: true, portDefinitions: [{ port: 31005 }, { port: 31001 }] }, resources: [scalar('cpus', 1), scalar('mem', 64), ports(31000, 31010)], reasons: [], hostPorts: [31005, 31001] },
  { name: 'requirePorts: port outside the ranges', app: { requirePorts: true, portDefinitions: [{ port: 8080 }] }, resources: big(), reasons: ['InsufficientPorts'] },
  { name: 'not enough ports', app: { portDefinitions: [{ port: 0 }, { port: 0 }, { port: 0 }] }, resources: [scalar('cpus', 1), scalar('mem', 64), ports(31000, 31001)], reasons: ['InsufficientPorts'] },
  { name: 'no ports resource at all', app: {}, resources: [scalar('cpus', 1), scalar('mem', 64)], reasons: ['InsufficientPorts'] },
  { name: 'no port definitions: needs no ports', app: { portDefinitions: [] }, resources: [scalar('cpus', 1), scalar('mem', 64)], reasons: [], hostPorts: [] },
  {
    name: 'bridge: hostPort 0 random, fixed hostPort present, absent hostPort none',
    app: { container: { type: 'DOCKER', docker: { image: 'nginx' }, portMappings: [{ containerPort: 80, hostPort: 0 }, { containerPort: 443, hostPort: 31007 }] }, networks: [{ mode: 'container/bridge' }] },
    resources: [scalar('cpus', 1), scalar('mem', 64), ports(31007, 31008)],
    reasons: [],
    hostPorts: [31008, 31007],
  },
  { name: 'bridge: fixed hostPort missing', app: { container: { type: 'DOCKER', docker: { image: 'nginx' }, portMappings: [{ containerPort: 80, hostPort: 8080 }] }, networks: [{ mode: 'container/bridge' }] }, resources: big(), reasons: ['InsufficientPorts'] },
  // constraints are reported with resources, ports are only looked at once everything else fits
  { name: 'constraint and cpus both reported', app: { cpus: 100, constraints: [['rack', 'IS', 'r9']] }, resources: big(), reasons: ['InsufficientCpus', 'UnfulfilledConstraint'] },
];

describe('matchOffer: one rule per row', () => {
  it.each(rows)('$name', (row) => {
    const r = match({ offer: offer(row.resources), groups: [group('g', app(row.app))], ...(row.frameworkRole ? { frameworkRole: row.frameworkRole } : {}) });
    if (row.reasons !== undefined && row.reasons.length > 0) {
      expect(r.launches).toEqual([]);
      expect(r.rejections).toEqual([{ key: 'g', reasons: row.reasons }]);
      return;
    }
    expect(r.rejections).toEqual([]);
    expect(r.launches).toHaveLength(1);
    if (row.hostPorts) expect(r.launches[0].hostPorts).toEqual(row.hostPorts);
    if (row.allocated) expect(r.launches[0].resources).toEqual(row.allocated);
  });
});

describe('matchOffer: several instances per offer', () => {
  const a = app({ id: '/a', cpus: 1, mem: 100 });

  it('stops at the per-offer limit (default 5)', () => {
    expect(match({ offer: offer(big()), groups: [group('a', a, 100)] }).launches).toHaveLength(5);
    expect(match({ offer: offer(big()), groups: [group('a', a, 100)], maxInstancesPerOffer: 2 }).launches).toHaveLength(2);
    expect(match({ offer: offer(big()), groups: [group('a', a, 100)], maxInstancesPerOffer: 0 }).launches).toHaveLength(0);
  });

  it('stops when nothing fits any more and reports the remaining resources', () => {
    const r = match({ offer: offer([scalar('cpus', 2.5), scalar('mem', 1000), ports(31000, 31009), { name: 'cpus', role: '*', set: ['x'] }]), groups: [group('a', a, 10)] });
    expect(r.launches).toHaveLength(2);
    expect(r.rejections).toEqual([]); // launched something on this offer
    expect(r.remaining).toEqual([
      scalar('cpus', 0.5),
      scalar('mem', 800),
      { name: 'ports', role: '*', ranges: [{ begin: 31002, end: 31009 }] },
      { name: 'cpus', role: '*', set: ['x'] },
    ]);
  });

  it('never launches more than are waiting', () => {
    expect(match({ offer: offer(big()), groups: [group('a', a, 2)] }).launches).toHaveLength(2);
  });

  it('fixed host ports: a second instance of the same app cannot fit on the same offer', () => {
    const fixed = app({ requirePorts: true, portDefinitions: [{ port: 31000 }] });
    const r = match({ offer: offer(big()), groups: [group('f', fixed, 3)] });
    expect(r.launches).toHaveLength(1);
  });

  it('UNIQUE hostname: one per offer even with many waiting', () => {
    const u = app({ constraints: [['hostname', 'UNIQUE']] });
    expect(match({ offer: offer(big()), groups: [group('u', u, 4)] }).launches).toHaveLength(1);
  });

  it('MAX_PER counts placed instances and those matched on this offer', () => {
    const m = app({ constraints: [['hostname', 'MAX_PER', '3']] });
    const placed = { m: [{ hostname: 'h1', attributes: [] }] };
    expect(match({ offer: offer(big()), groups: [group('m', m, 10)], placed }).launches).toHaveLength(2);
  });

  it('placed instances of another version are ignored', () => {
    const u = app({ constraints: [['hostname', 'UNIQUE']] });
    const placed = { 'u@old': [{ hostname: 'h1', attributes: [] }] };
    expect(match({ offer: offer(big()), groups: [group('u@new', u)], placed }).launches).toHaveLength(1);
  });

  it('skips groups still backing off and groups with nothing waiting', () => {
    const r = match({ offer: offer(big()), groups: [group('b', a, 3, false), group('z', a, 0), group('c', a, 1)] });
    expect(r.launches.map((l) => l.key)).toEqual(['c']);
    expect(r.rejections).toEqual([]);
  });
});

describe('matchOffer: fairness', () => {
  const g = (k: string) => group(k, app({ id: `/${k}`, cpus: 0.1, mem: 10 }), 1000);

  it('takes turns, one instance per group per turn', () => {
    const r = match({ offer: offer(big()), groups: [g('a'), g('b'), g('c')], maxInstancesPerOffer: 5 });
    expect(r.launches.map((l) => l.key)).toEqual(['a', 'b', 'c', 'a', 'b']);
    expect(r.nextCursor).toBe(2);
  });

  it('the cursor rotates the starting group across offers', () => {
    const groups = [g('a'), g('b'), g('c')];
    const first = match({ offer: offer(big()), groups, maxInstancesPerOffer: 2 });
    const second = match({ offer: offer(big()), groups, maxInstancesPerOffer: 2, cursor: first.nextCursor });
    expect(first.launches.map((l) => l.key)).toEqual(['a', 'b']);
    expect(second.launches.map((l) => l.key)).toEqual(['c', 'a']);
    expect(second.nextCursor).toBe(1);
  });

  it('a group that no longer fits leaves the others their turns; rejections only for groups with no launch', () => {
    const heavy = group('heavy', app({ id: '/heavy', cpus: 5, mem: 10 }), 10);
    const huge = group('huge', app({ id: '/huge', cpus: 50, mem: 10 }), 10);
    const r = match({ offer: offer(big()), groups: [heavy, huge, g('a')] });
    expect(r.launches.map((l) => l.key)).toEqual(['heavy', 'a', 'a', 'a', 'a']);
    expect(r.rejections).toEqual([{ key: 'huge', reasons: ['InsufficientCpus'] }]);
  });

  it('without launches the cursor stays', () => {
    const r = match({ offer: offer([]), groups: [g('a'), g('b')], cursor: 1 });
    expect(r.nextCursor).toBe(1);
    expect(r.rejections.map((x) => x.key)).toEqual(['b', 'a']);
  });
});

describe('README worked example', () => {
  it('gives the documented result', () => {
    const a = group('a', app({ id: '/a', cpus: 1, mem: 100 }), 10);
    const b = group('b', app({ id: '/b', cpus: 1, mem: 100, constraints: [['hostname', 'UNIQUE']] }), 3);
    const c = group('c', app({ id: '/c', cpus: 4, mem: 100 }), 2);
    const r = match({
      offer: offer([scalar('cpus', 2.5), scalar('mem', 1000), ports(31000, 31009)], { attributes: [{ name: 'rack', text: 'r1' }] }),
      groups: [a, b, c],
      placed: { b: [{ hostname: 'h1', attributes: [] }] },
      random: seq([0.35, 0.95]),
    });
    expect(r.launches.map((l) => [l.key, l.hostPorts])).toEqual([['a', [31003]], ['a', [31009]]]);
    expect(r.remaining).toEqual([scalar('cpus', 0.5), scalar('mem', 800), { name: 'ports', role: '*', ranges: [{ begin: 31000, end: 31002 }, { begin: 31004, end: 31008 }] }]);
    expect(r.rejections).toEqual([{ key: 'b', reasons: ['UnfulfilledConstraint'] }, { key: 'c', reasons: ['InsufficientCpus'] }]);
    expect(r.nextCursor).toBe(1);
  });
});
