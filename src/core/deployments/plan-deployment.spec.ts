import fc from 'fast-check';
import { DomainError } from '../errors';
import { PlannableApp } from './deployment';
import { dependencyDepths, planDeployment, resolveDependency } from './plan-deployment';

interface TestApp extends PlannableApp {
  readonly cmd: string;
}

const app = (id: string, over: Partial<TestApp> = {}): TestApp => ({ id, instances: 1, dependencies: [], cmd: 'sleep 1', ...over });
const byId = (...apps: TestApp[]) => new Map(apps.map((a) => [a.id, a]));
const needsRestart = (a: TestApp, b: TestApp) => a.cmd !== b.cmd;
const plan = (original: TestApp[], target: TestApp[], touched?: string[]) => {
  const o = byId(...original);
  const t = byId(...target);
  const ids = touched ?? [...new Set([...o.keys(), ...t.keys()])];
  return planDeployment({ original: o, target: t, touched: new Set(ids), needsRestart });
};
const summary = (steps: ReturnType<typeof plan>) => steps.map((s) => s.actions.map((a) => `${a.action.replace('Application', '')} ${a.app}`));

describe('planDeployment', () => {
  it.each([
    ['new app: start then scale', [], [app('/a')], [['Start /a'], ['Scale /a']]],
    ['removed app: stop', [app('/a')], [], [['Stop /a']]],
    ['instances only: scale', [app('/a')], [app('/a', { instances: 5 })], [['Scale /a']]],
    ['scaled to zero: scale', [app('/a', { instances: 3 })], [app('/a', { instances: 0 })], [['Scale /a']]],
    ['config change: restart', [app('/a')], [app('/a', { cmd: 'sleep 2' })], [['Restart /a']]],
    ['config and instances change: restart', [app('/a')], [app('/a', { cmd: 'x', instances: 4 })], [['Restart /a']]],
    ['unchanged: empty plan', [app('/a')], [app('/a')], []],
    [
      'dependent apps are ordered, independent ones share a step',
      [],
      [app('/db'), app('/cache'), app('/web', { dependencies: ['/db'] })],
      [['Start /cache', 'Start /db', 'Start /web'], ['Scale /cache', 'Scale /db'], ['Scale /web']],
    ],
    [
      'a dependency on a group waits for every app below it',
      [],
      [app('/data/db'), app('/data/queue'), app('/svc/web', { dependencies: ['/data'] })],
      [['Start /data/db', 'Start /data/queue', 'Start /svc/web'], ['Scale /data/db', 'Scale /data/queue'], ['Scale /svc/web']],
    ],
    [
      'stop, start and restart together',
      [app('/old'), app('/keep')],
      [app('/keep', { cmd: 'new' }), app('/fresh')],
      [['Stop /old'], ['Start /fresh'], ['Scale /fresh', 'Restart /keep']],
    ],
  ])('%s', (_name, original, target, expected) => {
    expect(summary(plan(original as TestApp[], target as TestApp[]))).toEqual(expected);
  });

  it('only touched apps get actions; untouched dependencies only give depth', () => {
    const db = app('/db');
    const steps = plan([db, app('/web', { dependencies: ['/db'] })], [db, app('/web', { dependencies: ['/db'], cmd: 'v2' })], ['/web']);
    expect(summary(steps)).toEqual([['Restart /web']]);
  });

  it('rejects dependency cycles with a 422 naming the cycle', () => {
    const apps = byId(app('/a', { dependencies: ['/b'] }), app('/b', { dependencies: ['/a'] }));
    expect(() => planDeployment({ original: new Map(), target: apps, touched: new Set(['/a', '/b']), needsRestart })).toThrow(DomainError);
    try {
      dependencyDepths(apps)('/a');
    } catch (e) {
      expect((e as DomainError).extra).toEqual({ details: [{ path: '/', errors: ['Dependency graph has cyclic dependencies: /a -> /b -> /a'] }] });
    }
  });

  it('resolves dependencies to the app or the apps below a group, never a sibling prefix', () => {
    expect(resolveDependency('/a', ['/a', '/a/b', '/ab', '/c'])).toEqual(['/a', '/a/b']);
  });

  // Random DAGs: app i may depend only on apps with a smaller index, so there is no cycle.
  const dagArb = fc.integer({ min: 1, max: 25 }).chain((n) =>
    fc.tuple(...Array.from({ length: n }, (_, i) => fc.subarray(Array.from({ length: i }, (_, j) => j), { maxLength: Math.min(4, i) }))),
  );

  it('property: every app comes after all of its dependencies, and steps = longest chain', () => {
    fc.assert(
      fc.property(dagArb, (deps) => {
        const apps = deps.map((d, i) => app(`/app${i}`, { dependencies: d.map((j) => `/app${j}`) }));
        const steps = plan([], apps);
        const stepOf = new Map<string, number>();
        steps.forEach((s, i) => s.actions.filter((a) => a.action === 'ScaleApplication').forEach((a) => stepOf.set(a.app, i)));
        for (const a of apps) for (const d of a.dependencies) expect(stepOf.get(a.id)!).toBeGreaterThan(stepOf.get(d)!);
        const longest = (i: number): number => 1 + Math.max(0, ...deps[i].map(longest));
        const chain = Math.max(...deps.map((_, i) => longest(i)));
        expect(steps.length).toBe(1 /* starts */ + chain);
      }),
    );
  });

  it('property: every touched app appears in exactly one non-start action', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ before: fc.boolean(), after: fc.boolean(), cmd: fc.boolean(), n: fc.nat(3) }), { maxLength: 20 }), (rows) => {
        const original = rows.flatMap((r, i) => (r.before ? [app(`/x${i}`)] : []));
        const target = rows.flatMap((r, i) => (r.after ? [app(`/x${i}`, { cmd: r.cmd ? 'changed' : 'sleep 1', instances: 1 + r.n })] : []));
        const steps = plan(original, target);
        const counts = new Map<string, number>();
        for (const s of steps) for (const a of s.actions) if (a.action !== 'StartApplication') counts.set(a.app, (counts.get(a.app) ?? 0) + 1);
        rows.forEach((r, i) => {
          const changed = r.before !== r.after || (r.after && (r.cmd || r.n !== 0));
          expect(counts.get(`/x${i}`) ?? 0).toBe(changed && (r.before || r.after) ? 1 : 0);
        });
      }),
    );
  });
});
