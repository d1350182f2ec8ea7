// Issue 9: /v2/groups on real Postgres (no scheduler: deployments stay stored, so their apps stay
// locked — later changes of the same apps use force=true or other groups).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { EventBus } from '../../src/events/event-bus';
import { startTestApp, TestApp, uniqueGroup } from './harness';
import { TEST_DATABASE_URL } from './test-env';

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const EXAMPLE = path.join(__dirname, '../fixtures/marathon-examples/groups/system__sleep-group.json');

interface Step {
  actions: Array<{ action: string; app: string }>;
}

describe('/v2/groups on real Postgres', () => {
  let t: TestApp;
  let events: Array<{ type: string; json: string }>;
  let unsubscribe: () => void;
  const app = (id: string, extra: Record<string, unknown> = {}) => ({ id, cmd: 'sleep 1000', cpus: 0.01, mem: 16, ...extra });
  const deployment = async (id: string): Promise<{ steps: Step[]; affectedApps: string[] } | undefined> =>
    ((await t.request('GET', '/v2/deployments')).body as Array<{ id: string; steps: Step[]; affectedApps: string[] }>).find((d) => d.id === id);
  const stepsOf = (steps: Step[]): string[][] => steps.map((s) => s.actions.map((a) => `${a.action} ${a.app}`).sort());

  beforeAll(async () => {
    t = await startTestApp({ MAX_RUNNING_DEPLOYMENTS: '100000', MAX_APP_VERSIONS: '5' });
    events = [];
    unsubscribe = t.app.get(EventBus).subscribe(['group_change_success', 'group_change_failed'], (e) => void events.push(e));
  });
  afterAll(async () => {
    unsubscribe();
    await t.close();
  });

  describe("Marathon's example group (tests/system/groups/sleep-group.json)", () => {
    let g: string;
    let example: Record<string, unknown>;
    beforeAll(() => {
      g = uniqueGroup('sleep');
      example = JSON.parse(readFileSync(EXAMPLE, 'utf8').replaceAll('/sleep-group', g));
    });

    it('is created: 201, Location, deployment header, one deployment for both apps in one step', async () => {
      const res = await t.request('POST', '/v2/groups', example);
      expect(res.status).toBe(201);
      expect(res.headers.location).toBe(`/v2/groups${g}`);
      expect(res.body).toEqual({ deploymentId: res.headers['marathon-deployment-id'], version: expect.stringMatching(ISO_MS) });
      const d = await deployment(res.body.deploymentId);
      expect(d?.affectedApps).toEqual([`${g}/sleep/goodnight-1`, `${g}/sleep/goodnight-2`]);
      expect(stepsOf(d?.steps ?? [])).toEqual([
        [`StartApplication ${g}/sleep/goodnight-1`, `StartApplication ${g}/sleep/goodnight-2`],
        [`ScaleApplication ${g}/sleep/goodnight-1`, `ScaleApplication ${g}/sleep/goodnight-2`],
      ]);
      const published = events.map((e) => JSON.parse(e.json)).find((e) => e.groupId === g);
      expect(published).toMatchObject({ eventType: 'group_change_success', groupId: g, version: res.body.version });
    });

    it('reads back as GroupInfo with Marathon\'s keys only (apps as bare definitions by default)', async () => {
      const res = await t.request('GET', `/v2/groups${g}`);
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['apps', 'dependencies', 'groups', 'id', 'pods', 'version']);
      expect(res.body).toMatchObject({ id: g, apps: [], dependencies: [], pods: [] });
      expect(res.body.version).toMatch(ISO_MS);
      expect(res.body.groups).toHaveLength(1);
      const sleep = res.body.groups[0];
      expect(sleep).toMatchObject({ id: `${g}/sleep`, groups: [], dependencies: [], pods: [] });
      expect(sleep.apps.map((a: { id: string }) => a.id)).toEqual([`${g}/sleep/goodnight-1`, `${g}/sleep/goodnight-2`]);
      expect(sleep.apps[0]).toMatchObject({ cmd: 'sleep 1000', cpus: 0.01, mem: 32, instances: 1, disk: 0 });
      expect(sleep.apps[0].tasksRunning).toBeUndefined();
      // Raw ids (python sends `/v2/groups//g`) and the subgroup on its own.
      expect((await t.request('GET', `/v2/groups/${g}/sleep`)).body.id).toBe(`${g}/sleep`);
      // The root holds it.
      const root = (await t.request('GET', '/v2/groups')).body;
      expect(root.id).toBe('/');
      expect(root.groups.map((x: { id: string }) => x.id)).toContain(g);
    });

    it('embeds counts, deployments and tasks on request', async () => {
      const res = await t.request('GET', `/v2/groups${g}?embed=group.groups&embed=group.apps&embed=group.apps.counts&embed=group.apps.deployments&embed=group.apps.tasks`);
      const a = res.body.groups[0].apps[0];
      expect(a).toMatchObject({ tasksStaged: 0, tasksRunning: 0, tasksHealthy: 0, tasksUnhealthy: 0, tasks: [] });
      expect(a.deployments).toHaveLength(1);
      expect(res.body.pods).toBeUndefined();
      const noApps = await t.request('GET', `/v2/groups${g}?embed=group.groups`);
      expect(noApps.body.apps).toBeUndefined();
      expect(noApps.body.groups[0].apps).toBeUndefined();
    });

    it('POST of an existing group is a 409, of the root too (no id), in Marathon\'s words', async () => {
      const again = await t.request('POST', '/v2/groups', example);
      expect(again.status).toBe(409);
      expect(again.body.message).toBe(`Group ${g} is already created. Use PUT to change this group.`);
      const root = await t.request('POST', '/v2/groups', { apps: [] });
      expect(root).toMatchObject({ status: 409, body: { message: 'Group / is already created. Use PUT to change this group.' } });
    });

    it('an app id is not a group: 404 for GET, 409 for POST', async () => {
      expect((await t.request('GET', `/v2/groups${g}/sleep/goodnight-1`)).status).toBe(404);
      const res = await t.request('POST', '/v2/groups', { id: `${g}/sleep/goodnight-1` });
      expect(res).toMatchObject({ status: 409, body: { message: `An app with the path ${g}/sleep/goodnight-1 already exists.` } });
      expect((await t.request('GET', '/v2/groups/t-nothing-here-123')).body).toEqual({ message: "Group '/t-nothing-here-123' does not exist" });
    });
  });

  describe('dependencies order the deployment', () => {
    it('app dependencies: db first, then web; an independent app shares db\'s step', async () => {
      const g = uniqueGroup('deps');
      const res = await t.request('POST', '/v2/groups', {
        id: g,
        apps: [app('web', { dependencies: ['db'] }), app('db'), app('cache')],
      });
      expect(res.status).toBe(201);
      const d = await deployment(res.body.deploymentId);
      expect(stepsOf(d?.steps ?? [])).toEqual([
        [`StartApplication ${g}/cache`, `StartApplication ${g}/db`, `StartApplication ${g}/web`],
        [`ScaleApplication ${g}/cache`, `ScaleApplication ${g}/db`],
        [`ScaleApplication ${g}/web`],
      ]);
      // Relative dependencies are stored absolute.
      const web = (await t.request('GET', `/v2/apps${g}/web`)).body.app;
      expect(web.dependencies).toEqual([`${g}/db`]);
    });

    it('group dependencies: every app of /web waits for every app of /db, chains of three make three steps', async () => {
      const g = uniqueGroup('gdeps');
      const res = await t.request('POST', '/v2/groups', {
        id: g,
        groups: [
          { id: 'db', apps: [app('primary'), app('replica')] },
          { id: 'api', dependencies: ['../db'], apps: [app('a1'), app('a2')] },
          { id: 'web', dependencies: [`${g}/api`], apps: [app('w')] },
        ],
      });
      expect(res.status).toBe(201);
      const d = await deployment(res.body.deploymentId);
      expect(stepsOf(d?.steps ?? []).slice(1)).toEqual([
        [`ScaleApplication ${g}/db/primary`, `ScaleApplication ${g}/db/replica`],
        [`ScaleApplication ${g}/api/a1`, `ScaleApplication ${g}/api/a2`],
        [`ScaleApplication ${g}/web/w`],
      ]);
      const info = (await t.request('GET', `/v2/groups${g}/api`)).body;
      expect(info.dependencies).toEqual([`${g}/db`]);
    });

    it('a cycle is a 422 naming it; a dependency on nothing is a 422 at its body path; nothing is stored', async () => {
      const g = uniqueGroup('cycle');
      const cyc = await t.request('POST', '/v2/groups', { id: g, apps: [app('a', { dependencies: ['b'] }), app('b', { dependencies: ['c'] }), app('c', { dependencies: ['a'] })] });
      expect(cyc.status).toBe(422);
      expect(cyc.body).toEqual({ message: 'Object is not valid', details: [{ path: '/', errors: [`Dependency graph has cyclic dependencies: ${g}/a -> ${g}/b -> ${g}/c -> ${g}/a`] }] });
      const viaGroups = await t.request('POST', '/v2/groups', {
        id: g,
        groups: [{ id: 'x', dependencies: ['../y'], apps: [app('one')] }, { id: 'y', dependencies: ['../x'], apps: [app('two')] }],
      });
      expect(viaGroups.status).toBe(422);
      expect(viaGroups.body.details[0].errors[0]).toMatch(/^Dependency graph has cyclic dependencies: /);
      const unknown = await t.request('POST', '/v2/groups', { id: g, dependencies: ['/t-no-such-thing'], groups: [{ id: 'z', apps: [app('one', { dependencies: ['missing'] })] }] });
      expect(unknown.status).toBe(422);
      expect(unknown.body.details).toEqual([
        { path: '/dependencies(0)', errors: ["Dependency '/t-no-such-thing' does not name an existing app or group"] },
        { path: '/groups(0)/apps(0)/dependencies(0)', errors: [`Dependency '${g}/z/missing' does not name an existing app or group`] },
      ]);
      expect((await t.request('GET', `/v2/groups${g}`)).status).toBe(404);
      const failed = events.map((e) => JSON.parse(e.json)).filter((e) => e.groupId === g);
      expect(failed.length).toBeGreaterThan(0);
      expect(failed.every((e) => e.eventType === 'group_change_failed')).toBe(true);
    });

    it('a dependency on an existing app outside the group is fine', async () => {
      const g = uniqueGroup('outside');
      expect((await t.request('POST', '/v2/apps', app(`${g}-shared/db`))).status).toBe(201);
      const res = await t.request('POST', '/v2/groups', { id: `${g}/svc`, apps: [app('web', { dependencies: [`${g}-shared/db`] })] });
      expect(res.status).toBe(201);
    });
  });

  describe('body validation (422, Marathon-shaped details)', () => {
    it.each<[string, unknown, Array<{ path: string; errors: string[] }>]>([
      ['scaleBy with apps', { scaleBy: 2, apps: [] }, [{ path: '/scaleBy', errors: ['not allowed in conjunction with other properties.'] }]],
      ['version with scaleBy', { version: '2020-01-01T00:00:00.000Z', scaleBy: 1 }, [
        { path: '/version', errors: ['not allowed in conjunction with other properties.'] },
        { path: '/scaleBy', errors: ['not allowed in conjunction with other properties.'] },
      ]],
      ['negative scaleBy', { scaleBy: -1 }, [{ path: '/scaleBy', errors: ['must be greater than or equal to 0'] }]],
      ['app outside the group', { apps: [{ id: '/elsewhere/x', cmd: 'sleep 1' }] }, [{ path: '/apps(0)/id', errors: ["Identifier is not child of '/t-validate'"] }]],
      ['nested group without id', { groups: [{ apps: [] }] }, [{ path: '/groups(0)/id', errors: ['error.path.missing'] }]],
      ['invalid app', { apps: [{ id: 'x', cmd: 'sleep 1', cpus: 'lots' }] }, [{ path: '/apps(0)/cpus', errors: ['error.expected.jsnumber'] }]],
      ['app and group of one id', { apps: [{ id: 'x', cmd: 'sleep 1' }], groups: [{ id: 'x' }] }, [{ path: '/', errors: ['Groups and Applications may not have the same identifier.'] }]],
    ])('%s', async (_name, body, details) => {
      const res = await t.request('PUT', '/v2/groups/t-validate', body);
      expect(res.status).toBe(422);
      expect(res.body.details).toEqual(details);
    });
  });

  describe('updates', () => {
    let g: string;
    let v1: string;
    beforeAll(async () => {
      g = uniqueGroup('upd');
      const res = await t.request('POST', '/v2/groups', { id: g, apps: [app('a', { instances: 3 }), app('b', { instances: 1, portDefinitions: [{ port: 0 }] })], groups: [{ id: 'sub', apps: [app('c')] }] });
      expect(res.status).toBe(201);
      v1 = res.body.version;
    });

    it('dryRun=true answers the plan and stores nothing', async () => {
      const before = (await t.request('GET', `/v2/groups${g}`)).body;
      const deploymentsBefore = (await t.request('GET', '/v2/deployments')).body.length;
      const res = await t.request('PUT', `/v2/groups${g}?dryRun=true`, { apps: [app('a', { instances: 3, cmd: 'sleep 2000' }), app('new')] });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        steps: [
          { actions: [{ action: 'StopApplication', app: `${g}/b` }] },
          { actions: [{ action: 'StartApplication', app: `${g}/new` }] },
          { actions: [{ action: 'RestartApplication', app: `${g}/a` }, { action: 'ScaleApplication', app: `${g}/new` }] },
        ],
      });
      expect((await t.request('GET', `/v2/groups${g}`)).body).toEqual(before);
      expect((await t.request('GET', '/v2/deployments')).body.length).toBe(deploymentsBefore);
      expect((await t.request('GET', `/v2/groups${g}/versions`)).body).toEqual([v1]);
    });

    it('a locked app answers 409 with the blocking deployment; force supersedes it', async () => {
      const locked = await t.request('PUT', `/v2/groups${g}`, { scaleBy: 2 });
      expect(locked.status).toBe(409);
      expect(locked.body.deployments).toHaveLength(1);
      expect(locked.body.message).toMatch(/^App is locked by one or more deployments/);
    });

    it('scaleBy multiplies the instances of every app below, rounding up', async () => {
      const res = await t.request('PUT', `/v2/groups${g}?force=true`, { scaleBy: 1.5 });
      expect(res.status).toBe(200);
      const info = (await t.request('GET', `/v2/groups${g}`)).body;
      const instances = Object.fromEntries([...info.apps, ...info.groups[0].apps].map((a: { id: string; instances: number }) => [a.id.slice(g.length), a.instances]));
      expect(instances).toEqual({ '/a': 5, '/b': 2, '/sub/c': 2 });
      const d = await deployment(res.body.deploymentId);
      expect(stepsOf(d?.steps ?? [])).toEqual([[`ScaleApplication ${g}/a`, `ScaleApplication ${g}/b`, `ScaleApplication ${g}/sub/c`]]);
      expect(info.version).toBe(res.body.version);
    });

    it('putting the same apps again keeps their assigned service ports and deploys nothing', async () => {
      const b = (await t.request('GET', `/v2/apps${g}/b`)).body.app;
      const res = await t.request('PUT', `/v2/groups${g}?force=true`, { apps: [app('a', { instances: 5 }), app('b', { instances: 2, portDefinitions: [{ port: 0 }] })] });
      expect(res.status).toBe(200);
      expect(await deployment(res.body.deploymentId)).toBeUndefined();
      expect((await t.request('GET', `/v2/apps${g}/b`)).body.app.portDefinitions[0].port).toBe(b.portDefinitions[0].port);
    });

    it('apps left out of the body are stopped; subgroups left out of `groups` are removed; dependencies are replaced', async () => {
      const res = await t.request('PUT', `/v2/groups${g}?force=true`, { apps: [app('a', { instances: 5 })], groups: [], dependencies: [] });
      expect(res.status).toBe(200);
      const d = await deployment(res.body.deploymentId);
      expect(stepsOf(d?.steps ?? [])).toEqual([[`StopApplication ${g}/b`, `StopApplication ${g}/sub/c`]]);
      expect((await t.request('GET', `/v2/apps${g}/b`)).status).toBe(404);
      const info = (await t.request('GET', `/v2/groups${g}`)).body;
      expect(info.groups).toEqual([]);
      expect(info.apps.map((a: { id: string }) => a.id)).toEqual([`${g}/a`]);
    });

    it('lists recorded versions newest first and shows the group as recorded', async () => {
      const versions = (await t.request('GET', `/v2/groups${g}/versions`)).body as string[];
      expect(versions).toHaveLength(4);
      expect(versions[versions.length - 1]).toBe(v1);
      expect([...versions].sort().reverse()).toEqual(versions);
      const old = await t.request('GET', `/v2/groups${g}/versions/${v1}`);
      expect(old.status).toBe(200);
      expect(old.body.apps.map((a: { id: string; instances: number }) => [a.id, a.instances])).toEqual([[`${g}/a`, 3], [`${g}/b`, 1]]);
      expect(old.body.groups[0].apps[0].id).toBe(`${g}/sub/c`);
      expect((await t.request('GET', `/v2/groups${g}/versions/2001-01-01T00:00:00.000Z`)).status).toBe(404);
    });

    it('rollback to the first version brings back the removed apps and groups and the instance counts', async () => {
      const res = await t.request('PUT', `/v2/groups${g}?force=true`, { version: v1 });
      expect(res.status).toBe(200);
      const info = (await t.request('GET', `/v2/groups${g}`)).body;
      expect(info.apps.map((a: { id: string; instances: number }) => [a.id, a.instances])).toEqual([[`${g}/a`, 3], [`${g}/b`, 1]]);
      expect(info.groups.map((x: { id: string }) => x.id)).toEqual([`${g}/sub`]);
      expect(info.groups[0].apps[0].id).toBe(`${g}/sub/c`);
      const d = await deployment(res.body.deploymentId);
      expect(stepsOf(d?.steps ?? [])).toEqual([
        [`StartApplication ${g}/b`, `StartApplication ${g}/sub/c`],
        [`ScaleApplication ${g}/a`, `ScaleApplication ${g}/b`, `ScaleApplication ${g}/sub/c`],
      ]);
      const unknown = await t.request('PUT', `/v2/groups${g}?force=true`, { version: '2001-01-01T00:00:00.000Z' });
      expect(unknown).toMatchObject({ status: 422, body: { message: `Group ${g} not available in version 2001-01-01T00:00:00.000Z` } });
    });

    it('the python client\'s rollback path works too', async () => {
      const res = await t.request('PUT', `/v2/groups${g}/versions/${v1}?force=true`);
      expect(res.status).toBe(200);
    });
  });

  describe('empty groups and deletes', () => {
    it('an empty group exists on its own, keeps its dependencies, and is deleted with everything below it', async () => {
      const g = uniqueGroup('empty');
      expect((await t.request('POST', '/v2/groups', { id: `${g}/db`, apps: [app('pg')] })).status).toBe(201);
      const created = await t.request('POST', `/v2/groups${g}`, { id: 'empty', dependencies: ['../db'] });
      expect(created.status).toBe(201);
      expect(created.headers.location).toBe(`/v2/groups${g}/empty`);
      const empty = (await t.request('GET', `/v2/groups${g}/empty`)).body;
      expect(empty).toEqual({ id: `${g}/empty`, apps: [], groups: [], pods: [], dependencies: [`${g}/db`], version: created.body.version });
      // An app posted into it later waits for /db through the group's dependency.
      const later = await t.request('PUT', `/v2/groups${g}/empty`, { apps: [app('svc')] });
      expect(later.status).toBe(200);
      expect(stepsOf((await deployment(later.body.deploymentId))?.steps ?? [])).toEqual([[`StartApplication ${g}/empty/svc`], [`ScaleApplication ${g}/empty/svc`]]);

      const del = await t.request('DELETE', `/v2/groups${g}?force=true`);
      expect(del.status).toBe(200);
      expect(del.body).toEqual({ deploymentId: del.headers['marathon-deployment-id'], version: expect.stringMatching(ISO_MS) });
      expect(stepsOf((await deployment(del.body.deploymentId))?.steps ?? [])).toEqual([[`StopApplication ${g}/db/pg`, `StopApplication ${g}/empty/svc`]]);
      expect((await t.request('GET', `/v2/groups${g}`)).status).toBe(404);
      expect((await t.request('GET', `/v2/groups${g}/empty`)).status).toBe(404);
      expect((await t.request('GET', `/v2/apps${g}/db/pg`)).status).toBe(404);
      expect((await t.request('DELETE', `/v2/groups${g}`)).status).toBe(404);
      expect((await t.request('GET', `/v2/groups${g}/empty/versions`)).status).toBe(404);
    });

    it('a group that exists only through its apps (created by /v2/apps) can be read, scaled and deleted', async () => {
      const g = uniqueGroup('implicit');
      expect((await t.request('POST', '/v2/apps', app(`${g}/x/y`))).status).toBe(201);
      expect((await t.request('GET', `/v2/groups${g}`)).body.groups[0].id).toBe(`${g}/x`);
      const scaled = await t.request('PUT', `/v2/groups${g}?force=true`, { scaleBy: 3 });
      expect(scaled.status).toBe(200);
      expect((await t.request('GET', `/v2/apps${g}/x/y`)).body.app.instances).toBe(3);
      expect((await t.request('PUT', '/v2/groups/t-nothing-here-456', { scaleBy: 2 })).status).toBe(404);
      expect((await t.request('DELETE', `/v2/groups${g}?force=true`)).status).toBe(200);
      expect((await t.request('GET', `/v2/groups${g}`)).status).toBe(404);
    });
  });

  it('a group cannot sit below an app (422)', async () => {
    const g = uniqueGroup('below');
    expect((await t.request('POST', '/v2/apps', app(`${g}/svc`))).status).toBe(201);
    const below = await t.request('POST', '/v2/groups', { id: `${g}/svc/inner` });
    expect(below.status).toBe(422);
    expect(below.body.details).toEqual([{ path: '/id', errors: [`Groups and Applications may not have the same identifier. ${g}/svc`] }]);
  });

  it('a big group (saved with one statement) keeps app history bounded and service ports stable over repeated changes', async () => {
    const g = uniqueGroup('bulk');
    const apps = (cmd: string) => Array.from({ length: 24 }, (_, i) => app(`a${i}`, { cmd, portDefinitions: [{ port: 0 }] }));
    expect((await t.request('POST', '/v2/groups', { id: g, apps: apps('sleep 1') })).status).toBe(201);
    const ports = async () => ((await t.request('GET', `/v2/groups${g}`)).body.apps as Array<{ portDefinitions: Array<{ port: number }> }>).map((a) => a.portDefinitions[0].port);
    const first = await ports();
    expect(new Set(first).size).toBe(24);
    for (let i = 2; i <= 7; i++) expect((await t.request('PUT', `/v2/groups${g}?force=true`, { apps: apps(`sleep ${i}`) })).status).toBe(200);
    expect(await ports()).toEqual(first);
    const versions = (await t.request('GET', `/v2/apps${g}/a7/versions`)).body.versions as string[];
    expect(versions).toHaveLength(5); // MAX_APP_VERSIONS
    expect((await t.request('GET', `/v2/apps${g}/a7`)).body.app.cmd).toBe('sleep 7');
    expect((await t.request('GET', `/v2/groups${g}/versions`)).body).toHaveLength(5);
  });

  it('a change writes only the rows of its group: the groups table holds explicit groups, never the tree', async () => {
    const g = uniqueGroup('rows');
    await t.request('POST', '/v2/groups', { id: g, groups: [{ id: 'a', groups: [{ id: 'b', apps: [app('x')] }] }] });
    const c = new Client({ connectionString: TEST_DATABASE_URL });
    await c.connect();
    try {
      const rows = (await c.query(`SELECT id FROM groups WHERE id LIKE $1 || '%' ORDER BY id`, [g])).rows.map((r) => r.id);
      expect(rows).toEqual([g, `${g}/a`, `${g}/a/b`]);
      const members = (await c.query(`SELECT member_id FROM group_versions WHERE group_id = $1 ORDER BY member_id`, [g])).rows.map((r) => r.member_id);
      expect(members).toEqual([g, `${g}/a`, `${g}/a/b`, `${g}/a/b/x`]);
    } finally {
      await c.end();
    }
  });
});
