import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { normalizeApp, type AppDefinition } from '../apps';
import { DomainError } from '../errors';
import { appGroupClashes, keepAssignedPorts, parseGroupUpdate, targetOf, type GroupSpec } from './group-update';
import { scaledInstances, scaleApps } from './scale';

const EXAMPLE = path.join(__dirname, '../../../test/fixtures/marathon-examples/groups/system__sleep-group.json');

const details = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e.extra.details;
    throw e;
  }
  return undefined;
};

const def = (id: string, over: Record<string, unknown> = {}): AppDefinition => {
  const r = normalizeApp({ id, cmd: 'sleep 1', ...over });
  if (!r.ok) throw new Error(JSON.stringify(r.details));
  return r.app;
};

describe('parseGroupUpdate', () => {
  it("reads Marathon's example group", () => {
    const u = parseGroupUpdate(JSON.parse(readFileSync(EXAMPLE, 'utf8')), '/');
    expect(u.kind).toBe('update');
    if (u.kind !== 'update') return;
    expect(u.spec.id).toBe('/sleep-group');
    expect(u.spec.apps).toEqual([]);
    expect(u.spec.groups?.map((g) => g.id)).toEqual(['/sleep-group/sleep']);
    expect(u.spec.groups?.[0].apps?.map((a) => [a.id, a.instances, a.mem])).toEqual([
      ['/sleep-group/sleep/goodnight-1', 1, 32],
      ['/sleep-group/sleep/goodnight-2', 1, 32],
    ]);
  });

  it('resolves ids like Marathon: the body id against the URL, apps/groups/dependencies against their group', () => {
    const u = parseGroupUpdate({ id: 'shop', dependencies: ['../infra'], apps: [{ id: 'db', cmd: 'x1' }], groups: [{ id: 'web', apps: [{ id: 'api', cmd: 'x1', dependencies: ['../db'] }] }] }, '/prod');
    expect(u).toMatchObject({
      kind: 'update',
      spec: {
        id: '/prod/shop',
        dependencies: ['/prod/infra'],
        apps: [{ id: '/prod/shop/db' }],
        groups: [{ id: '/prod/shop/web', apps: [{ id: '/prod/shop/web/api', dependencies: ['/prod/shop/db'] }] }],
      },
      declared: [
        { path: '/dependencies(0)', id: '/prod/infra' },
        { path: '/groups(0)/apps(0)/dependencies(0)', id: '/prod/shop/db' },
      ],
    });
  });

  it.each<[string, unknown, unknown]>([
    ['scale', { scaleBy: 1.5 }, { kind: 'scale', id: '/g', scaleBy: 1.5 }],
    ['scale with the same id', { id: '/g', scaleBy: 0 }, { kind: 'scale', id: '/g', scaleBy: 0 }],
    ['rollback', { version: '2020-01-01T00:00:00Z' }, { kind: 'rollback', id: '/g', version: '2020-01-01T00:00:00.000Z' }],
    ['absent fields stay absent (keep what is stored)', { id: '/g' }, { kind: 'update', spec: { id: '/g' }, declared: [] }],
    ['null is absent', { apps: null, groups: null, version: null }, { kind: 'update', spec: { id: '/g' }, declared: [] }],
  ])('%s', (_name, body, expected) => {
    expect(parseGroupUpdate(body, '/g')).toEqual(expected);
  });

  it.each<[string, unknown, unknown]>([
    ['not an object', [], [{ path: '/', errors: ['error.expected.jsobject'] }]],
    ['scaleBy with groups', { scaleBy: 2, groups: [] }, [{ path: '/scaleBy', errors: ['not allowed in conjunction with other properties.'] }]],
    ['version with dependencies', { version: '2020-01-01T00:00:00.000Z', dependencies: [] }, [{ path: '/version', errors: ['not allowed in conjunction with other properties.'] }]],
    ['scaleBy not a number', { scaleBy: 'two' }, [{ path: '/scaleBy', errors: ['error.expected.jsnumber'] }]],
    ['version not a date', { version: 'yesterday' }, [{ path: '/version', errors: ['must be an ISO-8601 timestamp such as 2015-09-25T15:13:48.343Z'] }]],
    ['bad id', { id: 'Bad_Id' }, [{ path: '/id', errors: [expect.stringMatching(/^must fully match regular expression/)] }]],
    ['apps not an array', { apps: {} }, [{ path: '/apps', errors: ['error.expected.jsarray'] }]],
    ['app of another group', { apps: [{ id: '/h/x', cmd: 'x1' }] }, [{ path: '/apps(0)/id', errors: ["Identifier is not child of '/g'"] }]],
    ['app nested deeper', { apps: [{ id: 'a/b', cmd: 'x1' }] }, [{ path: '/apps(0)/id', errors: ["Identifier is not child of '/g'"] }]],
    ['duplicate apps', { apps: [{ id: 'a', cmd: 'x1' }, { id: '/g/a', cmd: 'x2' }] }, [{ path: '/apps(1)/id', errors: ["App '/g/a' appears more than once in the request"] }]],
    ['subgroup not a child', { groups: [{ id: '/elsewhere' }] }, [{ path: '/groups(0)/id', errors: ["Identifier is not child of '/g'"] }]],
    ['app errors at their body path', { groups: [{ id: 's', apps: [{ id: 'x', cmd: 'x1', instances: -1 }] }] }, [{ path: '/groups(0)/apps(0)/instances', errors: [expect.any(String)] }]],
    ['dependency with a bad id', { dependencies: ['Nope'] }, [{ path: '/dependencies(0)', errors: [expect.stringMatching(/^must fully match/)] }]],
    ['pods', { pods: [{ id: 'p' }] }, [{ path: '/pods', errors: ['pods are not supported'] }]],
  ])('422: %s', (_name, body, expected) => {
    expect(details(() => parseGroupUpdate(body, '/g'))).toEqual(expected);
  });

  it('limits nesting', () => {
    let body: Record<string, unknown> = { id: 'x' };
    for (let i = 0; i < 40; i++) body = { id: `n${i}`, groups: [body] };
    expect(details(() => parseGroupUpdate({ groups: [body] }, '/g'))).toEqual([expect.objectContaining({ errors: ['groups may not nest deeper than 32 levels'] })]);
  });
});

describe('targetOf', () => {
  const stored = new Map<string, readonly string[]>([
    ['/g', ['/db']],
    ['/g/sub', []],
    ['/g/sub/deep', ['/x']],
    ['/g/other', []],
  ]);
  const spec = (s: Partial<GroupSpec>): GroupSpec => ({ id: '/g', ...s });

  it.each<[string, GroupSpec, Array<[string, boolean]>, string[]]>([
    ['nothing given: everything stays', spec({}), [['/g/a', true], ['/g/sub/b', true], ['/g/sub/deep/c', true]], ['/g', '/g/other', '/g/sub', '/g/sub/deep']],
    ['apps given: other direct apps go, subgroups stay', spec({ apps: [def('/g/new')] }), [['/g/a', false], ['/g/sub/b', true]], ['/g', '/g/other', '/g/sub', '/g/sub/deep']],
    ['groups given: unlisted subgroups go with everything below', spec({ groups: [{ id: '/g/sub' }] }), [['/g/a', true], ['/g/sub/b', true], ['/g/sub/deep/c', true], ['/g/other/d', false], ['/g/implicit/e', false]], ['/g', '/g/sub', '/g/sub/deep']],
    ['nested: a listed subgroup with apps replaces only its direct apps', spec({ groups: [{ id: '/g/sub', apps: [] }] }), [['/g/sub/b', false], ['/g/sub/deep/c', true]], ['/g', '/g/sub', '/g/sub/deep']],
    ['empty groups list: every subgroup goes', spec({ groups: [] }), [['/g/a', true], ['/g/sub/b', false]], ['/g']],
  ])('%s', (_name, s, keeps, groups) => {
    const t = targetOf(s, stored);
    for (const [id, kept] of keeps) expect([id, t.keeps(id)]).toEqual([id, kept]);
    expect([...t.groups.keys()].sort()).toEqual(groups);
  });

  it('dependencies: given ones replace, absent ones keep the stored ones; new groups have none', () => {
    const t = targetOf(spec({ groups: [{ id: '/g/sub', dependencies: ['/q'] }, { id: '/g/fresh' }] }), stored);
    expect(Object.fromEntries(t.groups)).toEqual({ '/g': ['/db'], '/g/sub': ['/q'], '/g/sub/deep': ['/x'], '/g/fresh': [] });
  });

  it('property: an app the body sets is never also "kept"; apps outside the group are always kept', () => {
    const seg = fc.constantFrom('a', 'b', 'c');
    fc.assert(
      fc.property(fc.array(fc.array(seg, { minLength: 1, maxLength: 3 }), { maxLength: 10 }), fc.boolean(), (paths, withApps) => {
        const s = spec({ apps: withApps ? [def('/g/a')] : undefined, groups: [{ id: '/g/b' }] });
        const t = targetOf(s, stored);
        for (const p of paths) {
          const id = `/g/${p.join('/')}`;
          if (p.length === 1 && p[0] === 'a' && withApps) expect(t.apps.has(id)).toBe(true);
          expect(t.keeps(`/h/${p.join('/')}`)).toBe(true);
        }
      }),
    );
  });
});

describe('appGroupClashes', () => {
  it('finds an app id that is also a stored group or a parent of another app', () => {
    expect(appGroupClashes(['/g/a', '/g/a/b', '/g/c'], ['/g/c'])).toEqual(['/g/a', '/g/c']);
    expect(appGroupClashes(['/g/a', '/g/b'], ['/g'])).toEqual([]);
  });
});

describe('keepAssignedPorts', () => {
  const before = def('/g/a', { portDefinitions: [{ port: 10001 }, { port: 10002 }] });
  it.each<[string, unknown[], number[]]>([
    ['zeros take the ports already held, slot by slot', [{ port: 0 }, { port: 0 }], [10001, 10002]],
    ['fixed ports stay', [{ port: 8080 }, { port: 0 }], [8080, 10002]],
    ['a held port that the body fixes elsewhere is not reused', [{ port: 0 }, { port: 10001 }], [0, 10001]],
    ['new slots stay 0 (assigned by the write)', [{ port: 0 }, { port: 0 }, { port: 0 }], [10001, 10002, 0]],
  ])('%s', (_name, ports, expected) => {
    const next = keepAssignedPorts(def('/g/a', { portDefinitions: ports }), before);
    expect(next.portDefinitions?.map((p) => p.port)).toEqual(expected);
  });

  it('a new app is left alone', () => {
    const next = def('/g/a', { portDefinitions: [{ port: 0 }] });
    expect(keepAssignedPorts(next, undefined)).toBe(next);
  });
});

describe('scaleBy', () => {
  it.each([
    [3, 1.5, 5],
    [4, 0.5, 2],
    [1, 0, 0],
    [0, 10, 0],
    [10, 1.1, 11], // 11.000000000000002 in floating point: not 12
    [3, 0.1, 1],
    [7, 1, 7],
    [3, 2.0000001, 7],
  ])('%i instances × %d → %i', (instances, by, expected) => {
    expect(scaledInstances(instances, by)).toBe(expected);
  });

  it('reports only the apps whose count changes, and refuses counts beyond an Int', () => {
    expect(scaleApps([{ id: '/a', instances: 2 }, { id: '/b', instances: 0 }, { id: '/c', instances: 3 }], 1)).toEqual({ changed: new Map(), tooLarge: [] });
    expect(scaleApps([{ id: '/a', instances: 2 }, { id: '/b', instances: 2 ** 30 }], 4)).toEqual({ changed: new Map([['/a', 8]]), tooLarge: ['/b'] });
  });

  it('property: the scaled count is the least integer ≥ instances × scaleBy (up to float noise)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.double({ min: 0, max: 100, noNaN: true }), (n, by) => {
        const s = scaledInstances(n, by);
        expect(s).toBeGreaterThanOrEqual(n * by - 1e-6 * Math.max(1, n * by));
        expect(s - 1).toBeLessThan(n * by);
      }),
    );
  });
});
