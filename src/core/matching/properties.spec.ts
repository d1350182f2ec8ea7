import fc from 'fast-check';
import { normalizeApp, type AppDefinition, type Constraint } from '../apps';
import { toMilli } from './attributes';
import { matchOffer, usableRoles } from './match-offer';
import { requestedHostPorts } from './ports';
import type { AgentInfo, MatchInput, Offer, OfferResource, PortRange, WaitingGroup } from './types';

const base = (() => {
  const r = normalizeApp({ id: '/base', cmd: 'sleep 1' });
  if (!r.ok) throw new Error('base app');
  return r.app;
})();

/** mulberry32: a deterministic random source from a seed */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ROLES = ['*', 'pacer', 'other'];
const HOSTS = ['h1', 'h2', 'h3'];
const RACKS = ['r1', 'r2', 'r3'];
const role = fc.constantFrom(...ROLES);

/** non-overlapping port ranges inside 31000..31060, each tagged with a role */
const portResources = fc
  .uniqueArray(fc.integer({ min: 31000, max: 31060 }), { maxLength: 8 })
  .chain((bounds) => {
    const sorted = [...bounds].sort((x, y) => x - y);
    const ranges: PortRange[] = [];
    for (let i = 0; i + 1 < sorted.length; i += 2) ranges.push({ begin: sorted[i], end: sorted[i + 1] });
    return fc.tuple(...ranges.map((r) => fc.tuple(fc.constant(r), role)));
  })
  .map((tagged) => tagged.map(([r, ro]): OfferResource => ({ name: 'ports', role: ro, ranges: [r] })));

const scalarResource = (name: string, values: number[]) =>
  fc.tuple(fc.constantFrom(...values), role).map(([v, ro]): OfferResource => ({ name, role: ro, scalar: v }));

const maybeAttr = (name: string, values: string[]) => fc.option(fc.constantFrom(...values), { nil: undefined }).map((v) => (v === undefined ? [] : [{ name, text: v }]));

const agent: fc.Arbitrary<AgentInfo> = fc.record({ hostname: fc.constantFrom(...HOSTS), attributes: maybeAttr('rack', RACKS) });

const offerArb: fc.Arbitrary<Offer> = fc
  .tuple(
    agent,
    fc.array(scalarResource('cpus', [0.1, 0.5, 1, 2.5, 8]), { maxLength: 3 }),
    fc.array(scalarResource('mem', [32, 128, 1000, 4096]), { maxLength: 3 }),
    fc.array(scalarResource('disk', [0, 100]), { maxLength: 1 }),
    fc.array(scalarResource('gpus', [1, 2]), { maxLength: 1 }),
    portResources,
  )
  .map(([ag, ...parts]) => ({ id: 'o', agentId: 'a', ...ag, resources: parts.flat() }));

const CONSTRAINTS: Constraint[] = [
  ['hostname', 'UNIQUE'],
  ['rack', 'UNIQUE'],
  ['rack', 'GROUP_BY', '2'],
  ['hostname', 'MAX_PER', '2'],
  ['rack', 'CLUSTER'],
  ['rack', 'LIKE', 'r[12]'],
  ['rack', 'UNLIKE', 'r3'],
  ['hostname', 'IS', 'h1'],
];

const appArb: fc.Arbitrary<AppDefinition> = fc
  .record({
    cpus: fc.constantFrom(0, 0.1, 0.3, 1, 2),
    mem: fc.constantFrom(0, 16, 128, 600),
    disk: fc.constantFrom(0, 50),
    gpus: fc.constantFrom(0, 0, 1),
    requirePorts: fc.boolean(),
    ports: fc.uniqueArray(fc.integer({ min: 31000, max: 31060 }), { maxLength: 3 }),
    constraints: fc.subarray(CONSTRAINTS, { maxLength: 2 }),
    accepted: fc.option(fc.subarray(ROLES, { minLength: 1 }), { nil: undefined }),
    role: fc.option(fc.constantFrom('pacer', 'other'), { nil: undefined }),
  })
  .map((r): AppDefinition => {
    const { acceptedResourceRoles: _a, role: _r, ...rest } = base;
    return {
      ...rest,
      cpus: r.cpus,
      mem: r.mem,
      disk: r.disk,
      gpus: r.gpus,
      requirePorts: r.requirePorts,
      portDefinitions: r.ports.map((port) => ({ port, protocol: 'tcp' })),
      constraints: r.constraints,
      ...(r.accepted === undefined ? {} : { acceptedResourceRoles: r.accepted }),
      ...(r.role === undefined ? {} : { role: r.role }),
    };
  });

const groupsArb: fc.Arbitrary<WaitingGroup[]> = fc
  .array(fc.tuple(appArb, fc.integer({ min: 0, max: 12 }), fc.option(fc.boolean(), { nil: undefined })), { maxLength: 5 })
  .map((gs) => gs.map(([app, count, ready], i) => ({ key: `g${i}`, app: { ...app, id: `/app${i}` }, count, ...(ready === undefined ? {} : { ready }) })));

const inputArb = fc
  .record({
    offer: offerArb,
    groups: groupsArb,
    placed: fc.array(fc.array(agent, { maxLength: 4 }), { minLength: 5, maxLength: 5 }),
    limit: fc.integer({ min: 0, max: 8 }),
    seed: fc.integer(),
    cursor: fc.nat(10),
    frameworkRole: fc.constantFrom('*', 'pacer'),
  })
  .map((r) => ({
    input: {
      offer: r.offer,
      groups: r.groups,
      placed: Object.fromEntries(r.placed.map((p, i) => [`g${i}`, p])),
      maxInstancesPerOffer: r.limit,
      cursor: r.cursor,
      frameworkRole: r.frameworkRole,
    },
    seed: r.seed,
  }));

const run = (input: Omit<MatchInput, 'random'>, seed: number) => matchOffer({ ...input, random: rng(seed) });
const groupOf = (input: Omit<MatchInput, 'random'>, key: string) => input.groups.find((g) => g.key === key) as WaitingGroup;

describe('matchOffer properties', () => {
  it('allocates no more than offered, only from accepted roles; allocated + remaining = offered', () => {
    fc.assert(
      fc.property(inputArb, ({ input, seed }) => {
        const r = run(input, seed);
        const offered = new Map<string, number>();
        const after = new Map<string, number>();
        const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
        for (const res of input.offer.resources) if (res.scalar !== undefined) add(offered, `${res.name}/${res.role}`, toMilli(res.scalar));
        for (const res of r.remaining) if (res.scalar !== undefined) add(after, `${res.name}/${res.role}`, toMilli(res.scalar));
        for (const l of r.launches) {
          const roles = usableRoles(groupOf(input, l.key).app, input.frameworkRole ?? '*');
          for (const res of l.resources) {
            expect(roles).toContain(res.role);
            if (res.scalar !== undefined) add(after, `${res.name}/${res.role}`, toMilli(res.scalar));
          }
        }
        for (const [k, v] of after) expect(v).toBe(offered.get(k) ?? 0);
        for (const [k, v] of offered) if (v > 0) expect(after.get(k)).toBe(v);
      }),
      { numRuns: 300 },
    );
  });

  it('host ports are distinct, inside the offer ranges of a usable role, and fixed ports are honoured', () => {
    fc.assert(
      fc.property(inputArb, ({ input, seed }) => {
        const r = run(input, seed);
        const all = r.launches.flatMap((l) => l.hostPorts);
        expect(new Set(all).size).toBe(all.length);
        for (const l of r.launches) {
          const app = groupOf(input, l.key).app;
          const roles = usableRoles(app, input.frameworkRole ?? '*');
          const wanted = requestedHostPorts(app);
          expect(l.hostPorts).toHaveLength(wanted.length);
          l.hostPorts.forEach((p, i) => {
            if (wanted[i] !== 0) expect(p).toBe(wanted[i]);
            const inRange = input.offer.resources.some(
              (res) => res.name === 'ports' && roles.includes(res.role) && (res.ranges ?? []).some((x) => x.begin <= p && p <= x.end),
            );
            expect(inRange).toBe(true);
          });
        }
      }),
      { numRuns: 300 },
    );
  });

  it('UNIQUE is never violated (placed + this offer)', () => {
    fc.assert(
      fc.property(inputArb, ({ input, seed }) => {
        const r = run(input, seed);
        for (const g of input.groups) {
          const n = r.launches.filter((l) => l.key === g.key).length;
          const placed = input.placed[g.key] ?? [];
          for (const [field, op] of g.app.constraints) {
            if (op !== 'UNIQUE') continue;
            const value = (a: AgentInfo) => (field === 'hostname' ? a.hostname : a.attributes.find((x) => x.name === field)?.text);
            const v = value(input.offer);
            if (v === undefined || placed.some((p) => value(p) === v)) expect(n).toBe(0);
            else expect(n).toBeLessThanOrEqual(1);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('launches ≤ limit, ≤ total waiting, ≤ each ready group’s count; none for groups backing off', () => {
    fc.assert(
      fc.property(inputArb, ({ input, seed }) => {
        const r = run(input, seed);
        expect(r.launches.length).toBeLessThanOrEqual(input.maxInstancesPerOffer);
        expect(r.launches.length).toBeLessThanOrEqual(input.groups.reduce((s, g) => s + g.count, 0));
        for (const g of input.groups) {
          const n = r.launches.filter((l) => l.key === g.key).length;
          expect(n).toBeLessThanOrEqual(g.ready === false ? 0 : g.count);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('is deterministic for a fixed random source', () => {
    fc.assert(
      fc.property(inputArb, ({ input, seed }) => {
        expect(run(input, seed)).toEqual(run(input, seed));
      }),
      { numRuns: 200 },
    );
  });

  it('does not depend on how many instances wait beyond the limit (cost independent of waiting instances)', () => {
    fc.assert(
      fc.property(inputArb, ({ input, seed }) => {
        const limit = input.maxInstancesPerOffer;
        const more = { ...input, groups: input.groups.map((g) => (g.count >= limit ? { ...g, count: 100_000 } : g)) };
        expect(run(more, seed)).toEqual(run(input, seed));
      }),
      { numRuns: 200 },
    );
  });

  it('fairness: k groups that all fit get launch counts differing by at most 1', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 20 }),
        fc.nat(20),
        fc.integer(),
        (k, limit, cursor, seed) => {
          const groups = Array.from({ length: k }, (_, i): WaitingGroup => ({
            key: `g${i}`,
            app: { ...base, id: `/g${i}`, cpus: 0.1, mem: 8, constraints: [] },
            count: 1000,
          }));
          const offer: Offer = {
            id: 'o',
            agentId: 'a',
            hostname: 'h',
            attributes: [],
            resources: [
              { name: 'cpus', role: '*', scalar: 100 },
              { name: 'mem', role: '*', scalar: 100_000 },
              { name: 'ports', role: '*', ranges: [{ begin: 1000, end: 60000 }] },
            ],
          };
          const r = run({ offer, groups, maxInstancesPerOffer: limit, cursor }, seed);
          expect(r.launches).toHaveLength(limit);
          const counts = groups.map((g) => r.launches.filter((l) => l.key === g.key).length);
          expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 200 },
    );
  });
});
