import fc from 'fast-check';
import type { PlannableApp } from '../deployments/deployment';
import { dependencyDepths, resolveDependency } from '../deployments/plan-deployment';
import { DomainError } from '../errors';
import { effectiveDependencies, findCycle, namedIds, planWithGroups, unknownDependencyDetails, withGroupDependencies } from './dependencies';

interface TestApp extends PlannableApp {
  readonly cmd: string;
}

const app = (id: string, over: Partial<TestApp> = {}): TestApp => ({ id, instances: 1, dependencies: [], cmd: 'sleep 1', ...over });
const byId = (...apps: TestApp[]) => new Map(apps.map((a) => [a.id, a]));
const needsRestart = (a: TestApp, b: TestApp) => a.cmd !== b.cmd || a.dependencies.join() !== b.dependencies.join();
const summary = (steps: ReturnType<typeof planWithGroups>) => steps.map((s) => s.actions.map((a) => `${a.action.replace('Application', '')} ${a.app}`).sort());

describe('effectiveDependencies', () => {
  it.each<[string, TestApp, Array<[string, string[]]>, string[]]>([
    ['no group dependencies: own only', app('/a/b', { dependencies: ['/x'] }), [], ['/x']],
    ['the parent group\'s', app('/web/api'), [['/web', ['/db']]], ['/db']],
    ['every ancestor\'s, own first, no duplicates', app('/p/web/api', { dependencies: ['/db'] }), [['/p', ['/db', '/mq']], ['/p/web', ['/cache']]], ['/db', '/mq', '/cache']],
    ['a sibling group\'s do not apply', app('/p/web/api'), [['/p/db', ['/x']]], []],
    ['the root\'s apply to everything', app('/a'), [['/', ['/z']]], ['/z']],
  ])('%s', (_name, a, groups, expected) => {
    expect(effectiveDependencies(a, new Map(groups))).toEqual(expected);
  });

  it('leaves apps without group dependencies as the same objects', () => {
    const a = app('/x/y');
    expect(withGroupDependencies(byId(a), new Map([['/z', ['/q']]])).get('/x/y')).toBe(a);
  });
});

describe('planWithGroups', () => {
  const planNew = (apps: TestApp[], groups: Array<[string, string[]]> = []) => {
    const target = byId(...apps);
    return planWithGroups({ original: new Map(), target, touched: new Set(target.keys()), needsRestart, groupDependencies: new Map(groups) });
  };

  it.each<[string, TestApp[], Array<[string, string[]]>, string[][]]>([
    [
      'db before web through the group\'s dependency; cache shares db\'s step',
      [app('/shop/db'), app('/shop/cache'), app('/shop/web/api')],
      [['/shop/web', ['/shop/db']]],
      [['Start /shop/cache', 'Start /shop/db', 'Start /shop/web/api'], ['Scale /shop/cache', 'Scale /shop/db'], ['Scale /shop/web/api']],
    ],
    [
      'a group depending on a group: all of one before all of the other',
      [app('/g/db/a'), app('/g/db/b'), app('/g/web/c'), app('/g/web/d')],
      [['/g/web', ['/g/db']]],
      [['Start /g/db/a', 'Start /g/db/b', 'Start /g/web/c', 'Start /g/web/d'], ['Scale /g/db/a', 'Scale /g/db/b'], ['Scale /g/web/c', 'Scale /g/web/d']],
    ],
    [
      'chain of three groups: three steps after the start',
      [app('/c/x'), app('/b/x'), app('/a/x')],
      [['/a', ['/b']], ['/b', ['/c']]],
      [['Start /a/x', 'Start /b/x', 'Start /c/x'], ['Scale /c/x'], ['Scale /b/x'], ['Scale /a/x']],
    ],
    ['no dependencies: one step for all', [app('/a'), app('/b'), app('/c')], [], [['Start /a', 'Start /b', 'Start /c'], ['Scale /a', 'Scale /b', 'Scale /c']]],
  ])('%s', (_name, apps, groups, expected) => {
    expect(summary(planNew(apps, groups))).toEqual(expected);
  });

  it('a group dependency alone never makes a restart (it is not part of the apps)', () => {
    const web = app('/g/web/api');
    const steps = planWithGroups({
      original: byId(web),
      target: byId(web, app('/g/db')),
      touched: new Set(['/g/web/api']),
      needsRestart,
      groupDependencies: new Map([['/g/web', ['/g/db']]]),
    });
    expect(steps).toEqual([]);
  });

  it('a cycle through group dependencies is a 422', () => {
    expect(() => planNew([app('/a/x'), app('/b/y')], [['/a', ['/b']], ['/b', ['/a']]])).toThrow(DomainError);
  });

  // Properties over random acyclic dependency graphs (edges only to earlier apps, so no cycles), with
  // dependencies declared on apps and on groups.
  const graph = fc
    .integer({ min: 1, max: 24 })
    .chain((n) =>
      fc.record({
        n: fc.constant(n),
        // app i lives in group /g<i % 4>; edges point to lower indices
        appDeps: fc.array(fc.array(fc.nat({ max: Math.max(0, n - 1) }), { maxLength: 3 }), { minLength: n, maxLength: n }),
        groupDeps: fc.array(fc.array(fc.nat({ max: 3 }), { maxLength: 2 }), { minLength: 4, maxLength: 4 }),
      }),
    )
    .map(({ n, appDeps, groupDeps }) => {
      const id = (i: number) => `/g${i % 4}/app${i}`;
      const apps = Array.from({ length: n }, (_, i) => app(id(i), { dependencies: [...new Set(appDeps[i].filter((j) => j < i).map(id))] }));
      // group g depends on group h only when h < g (acyclic)
      const groups: Array<[string, string[]]> = groupDeps.map((hs, g) => [`/g${g}`, [...new Set(hs.filter((h) => h < g).map((h) => `/g${h}`))]]);
      return { apps, groups };
    })
    .filter(({ apps, groups }) => findCycle(withGroupDependencies(byId(...apps), new Map(groups))) === undefined);

  it('property: every app\'s (effective) dependencies are in earlier steps', () => {
    fc.assert(
      fc.property(graph, ({ apps, groups }) => {
        const steps = planNew(apps, groups).slice(1); // after the StartApplication step
        const stepOf = new Map<string, number>();
        steps.forEach((s, i) => s.actions.forEach((a) => stepOf.set(a.app, i)));
        const ids = apps.map((a) => a.id);
        for (const a of apps) {
          for (const dep of effectiveDependencies(a, new Map(groups))) {
            for (const target of resolveDependency(dep, ids)) {
              if (target === a.id) continue;
              expect(stepOf.get(target)).toBeLessThan(stepOf.get(a.id) as number);
            }
          }
        }
      }),
    );
  });

  it('property: the number of steps (after the start) is the longest dependency chain', () => {
    fc.assert(
      fc.property(graph, ({ apps, groups }) => {
        const steps = planNew(apps, groups).slice(1);
        const depth = dependencyDepths(withGroupDependencies(byId(...apps), new Map(groups)));
        const longest = Math.max(...apps.map((a) => depth(a.id)));
        expect(steps).toHaveLength(longest);
        // and independent apps share steps: never more actions than apps
        expect(steps.reduce((n, s) => n + s.actions.length, 0)).toBe(apps.length);
      }),
    );
  });
});

describe('findCycle', () => {
  it.each<[string, TestApp[], string[] | undefined]>([
    ['none', [app('/a', { dependencies: ['/b'] }), app('/b')], undefined],
    ['two apps', [app('/a', { dependencies: ['/b'] }), app('/b', { dependencies: ['/a'] })], ['/a', '/b', '/a']],
    ['through a group', [app('/a/x', { dependencies: ['/b'] }), app('/b/y', { dependencies: ['/a'] })], ['/a/x', '/b/y', '/a/x']],
    ['self-dependency is ignored', [app('/a', { dependencies: ['/a'] })], undefined],
    ['dependencies on unknown ids are leaves', [app('/a', { dependencies: ['/nowhere'] })], undefined],
  ])('%s', (_name, apps, expected) => {
    expect(findCycle(byId(...apps))).toEqual(expected);
  });
});

describe('unknown dependencies', () => {
  it('names apps, stored groups and every group above them', () => {
    const named = namedIds(['/p/web/api'], ['/q/empty']);
    expect([...named].sort()).toEqual(['/', '/p', '/p/web', '/p/web/api', '/q', '/q/empty']);
  });

  it('reports each unknown one at the body path that declared it', () => {
    const named = namedIds(['/a/b'], []);
    expect(
      unknownDependencyDetails(
        [
          { path: '/dependencies(0)', id: '/a' },
          { path: '/apps(0)/dependencies(0)', id: '/zz' },
          { path: '/apps(0)/dependencies(1)', id: '/a/c' },
        ],
        (id) => named.has(id),
      ),
    ).toEqual([
      { path: '/apps(0)/dependencies(0)', errors: ["Dependency '/zz' does not name an existing app or group"] },
      { path: '/apps(0)/dependencies(1)', errors: ["Dependency '/a/c' does not name an existing app or group"] },
    ]);
  });
});
