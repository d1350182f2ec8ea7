import fc from 'fast-check';
import { groupInfoJson, parseGroupEmbeds } from './group-info';
import { ancestorsOf, buildGroupTree, childToward, EMPTY_GROUP_VERSION, groupIdsOf, isBelow, parentOf, transitiveApps, type GroupNode, type MemberApp } from './tree';

const a = (id: string, version = '2020-01-01T00:00:00.000Z'): MemberApp => ({ id, version });
const shape = (n: GroupNode<MemberApp>): unknown => ({ id: n.id, apps: n.apps.map((x) => x.id), groups: n.groups.map(shape) });

describe('path helpers', () => {
  it.each([
    ['/a/b/c', '/a/b', ['/', '/a', '/a/b']],
    ['/a', '/', ['/']],
    ['/', '/', []],
  ])('%s: parent %s, ancestors %j', (id, parent, ancestors) => {
    expect(parentOf(id)).toBe(parent);
    expect(ancestorsOf(id)).toEqual(ancestors);
  });

  it.each([
    ['/a/b', '/a', true],
    ['/ab', '/a', false],
    ['/a', '/a', false],
    ['/a', '/', true],
    ['/', '/', false],
  ])('%s below %s: %s', (id, group, below) => {
    expect(isBelow(id, group)).toBe(below);
  });

  it('childToward', () => {
    expect(childToward('/a', '/a/b/c')).toBe('/a/b');
    expect(childToward('/', '/a/b/c')).toBe('/a');
  });
});

describe('buildGroupTree', () => {
  it('derives groups from app ids and adds stored (possibly empty) groups, sorted', () => {
    const tree = buildGroupTree('/', [a('/prod/web/api'), a('/prod/db'), a('/solo')], [{ id: '/prod/cache', dependencies: ['/prod/db'], version: '2021-01-01T00:00:00.000Z' }]);
    expect(shape(tree as GroupNode<MemberApp>)).toEqual({
      id: '/',
      apps: ['/solo'],
      groups: [{ id: '/prod', apps: ['/prod/db'], groups: [{ id: '/prod/cache', apps: [], groups: [] }, { id: '/prod/web', apps: ['/prod/web/api'], groups: [] }] }],
    });
    const cache = tree?.groups[0].groups[0];
    expect(cache?.dependencies).toEqual(['/prod/db']);
  });

  it('a subtree ignores everything outside it', () => {
    const tree = buildGroupTree('/prod', [a('/prod/web/api'), a('/other/x'), a('/production/y')], []);
    expect(shape(tree as GroupNode<MemberApp>)).toEqual({ id: '/prod', apps: [], groups: [{ id: '/prod/web', apps: ['/prod/web/api'], groups: [] }] });
  });

  it('a group exists when something is stored at or below it; the root always exists', () => {
    expect(buildGroupTree('/nothing', [a('/other/x')], [])).toBeUndefined();
    expect(buildGroupTree('/a/x', [a('/a/x')], [])).toBeUndefined(); // an app is not a group
    expect(buildGroupTree('/', [], [])).toEqual({ id: '/', apps: [], groups: [], dependencies: [], version: EMPTY_GROUP_VERSION });
    expect(buildGroupTree('/e', [], [{ id: '/e/f', dependencies: [], version: '2022-01-01T00:00:00.000Z' }])?.groups[0].id).toBe('/e/f');
  });

  it('a group\'s version is the latest change within it', () => {
    const tree = buildGroupTree('/', [a('/g/x', '2020-01-01T00:00:00.000Z'), a('/g/h/y', '2023-01-01T00:00:00.000Z'), a('/k/z', '2021-01-01T00:00:00.000Z')], [
      { id: '/g', dependencies: [], version: '2022-01-01T00:00:00.000Z' },
    ]) as GroupNode<MemberApp>;
    expect(tree.version).toBe('2023-01-01T00:00:00.000Z');
    expect(tree.groups.map((g) => [g.id, g.version])).toEqual([['/g', '2023-01-01T00:00:00.000Z'], ['/k', '2021-01-01T00:00:00.000Z']]);
  });

  it('property: every app appears exactly once, under its parent group; every group below the root has its parent', () => {
    const seg = fc.constantFrom('a', 'b', 'c', 'd');
    const id = fc.array(seg, { minLength: 1, maxLength: 4 }).map((s) => `/${s.join('/')}`);
    fc.assert(
      fc.property(fc.uniqueArray(id, { maxLength: 20 }), (ids) => {
        // an id cannot be both an app and a group: keep only leaves
        const apps = ids.filter((x) => !ids.some((y) => y.startsWith(`${x}/`))).map((x) => a(x));
        const tree = buildGroupTree('/', apps, []) as GroupNode<MemberApp>;
        expect(transitiveApps(tree).map((x) => x.id).sort()).toEqual(apps.map((x) => x.id).sort());
        const walk = (n: GroupNode<MemberApp>): void => {
          for (const x of n.apps) expect(parentOf(x.id)).toBe(n.id);
          for (const g of n.groups) {
            expect(parentOf(g.id)).toBe(n.id);
            walk(g);
          }
        };
        walk(tree);
        expect(new Set(groupIdsOf(tree)).size).toBe(groupIdsOf(tree).length);
      }),
    );
  });
});

describe('GroupInfo', () => {
  const tree = buildGroupTree('/g', [a('/g/x'), a('/g/h/y')], [{ id: '/g', dependencies: ['/db'], version: '2020-01-01T00:00:00.000Z' }]) as GroupNode<MemberApp>;
  const render = (x: MemberApp) => JSON.stringify({ id: x.id });

  it('embeds apps, groups and pods by default, with Marathon\'s keys only', () => {
    expect(JSON.parse(groupInfoJson(tree, parseGroupEmbeds([]), render))).toEqual({
      id: '/g',
      apps: [{ id: '/g/x' }],
      groups: [{ id: '/g/h', apps: [{ id: '/g/h/y' }], groups: [], pods: [], dependencies: [], version: '2020-01-01T00:00:00.000Z' }],
      pods: [],
      dependencies: ['/db'],
      version: '2020-01-01T00:00:00.000Z',
    });
  });

  it.each<[string, string[], string[]]>([
    ['only groups', ['group.groups'], ['dependencies', 'groups', 'id', 'version']],
    ['only apps', ['group.apps'], ['apps', 'dependencies', 'id', 'version']],
    ['app-level embeds keep the default group embeds', ['group.apps.counts'], ['apps', 'dependencies', 'groups', 'id', 'pods', 'version']],
  ])('%s', (_name, embed, keys) => {
    expect(Object.keys(JSON.parse(groupInfoJson(tree, parseGroupEmbeds(embed), render))).sort()).toEqual(keys);
  });

  it('reads app-level embeds without their prefix', () => {
    expect([...parseGroupEmbeds(['group.apps.tasks', 'group.apps.counts', 'group.groups']).app].sort()).toEqual(['counts', 'tasks']);
  });
});
