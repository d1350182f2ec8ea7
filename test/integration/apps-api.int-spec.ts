import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { startTestApp, TestApp, uniqueGroup } from './harness';
import { TEST_DATABASE_URL } from './test-env';

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('/v2/apps on real Postgres', () => {
  let t: TestApp;
  let g: string;
  const sleepApp = (id: string, extra: Record<string, unknown> = {}) => ({ id, cmd: 'sleep 1000', cpus: 0.1, mem: 16, ...extra });

  beforeAll(async () => {
    t = await startTestApp({ MAX_RUNNING_DEPLOYMENTS: '100000', MAX_APP_VERSIONS: '5' });
    g = uniqueGroup('apps');
  });
  afterAll(async () => {
    await t.close();
  });

  describe('create', () => {
    it('answers 201 with Location, deployment header and the stored app with defaults', async () => {
      const res = await t.request('POST', '/v2/apps', sleepApp(`${g}/create/basic`));
      expect(res.status).toBe(201);
      expect(res.headers.location).toBe(`/v2/apps${g}/create/basic`);
      const deploymentId = res.headers['marathon-deployment-id'];
      expect(typeof deploymentId).toBe('string');
      expect(res.body).toMatchObject({
        id: `${g}/create/basic`,
        cmd: 'sleep 1000',
        instances: 1,
        mem: 16,
        disk: 0,
        backoffSeconds: 1,
        backoffFactor: 1.15,
        maxLaunchDelaySeconds: 300,
        upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: 1 },
        killSelection: 'YOUNGEST_FIRST',
        tasksStaged: 0,
        tasksRunning: 0,
        tasksHealthy: 0,
        tasksUnhealthy: 0,
        deployments: [{ id: deploymentId }],
      });
      expect(res.body.version).toMatch(ISO_MS);
      expect(res.body.versionInfo).toEqual({ lastScalingAt: res.body.version, lastConfigChangeAt: res.body.version });
      expect(res.headers['x-marathon-leader']).toBe('http://pacer.test:8080');
    });

    it('resolves a relative id against the root and assigns cluster-unique service ports', async () => {
      const a = await t.request('POST', '/v2/apps', sleepApp(`${g.slice(1)}/create/relative`, { portDefinitions: [{ port: 0 }, { port: 0 }] }));
      const b = await t.request('POST', '/v2/apps', sleepApp(`${g}/create/relative2`, { portDefinitions: [{ port: 0 }] }));
      expect(a.status).toBe(201);
      expect(a.body.id).toBe(`${g}/create/relative`);
      const ports = [...a.body.portDefinitions, ...b.body.portDefinitions].map((p: { port: number }) => p.port);
      for (const p of ports) expect(p).toBeGreaterThanOrEqual(10000);
      for (const p of ports) expect(p).toBeLessThanOrEqual(20000);
      expect(new Set(ports).size).toBe(3);
    });

    it('stores awkward strings exactly (quotes, backslashes, dollar quotes, unicode, NUL-free control chars)', async () => {
      const nasty = `it's "quoted" \\ back\\slash $$ dollar $tag$ ; DROP TABLE apps; -- ünïcødé 🚀 \t tab`;
      const id = `${g}/create/strings.v1-a`;
      const res = await t.request('POST', '/v2/apps', sleepApp(id, { cmd: nasty, env: { NASTY: nasty, "K'ey": 'v' }, labels: { note: nasty } }));
      expect(res.status).toBe(201);
      const app = (await t.request('GET', `/v2/apps${id}`)).body.app;
      expect([app.cmd, app.env.NASTY, app.env["K'ey"], app.labels.note]).toEqual([nasty, nasty, 'v', nasty]);
      const version = (await t.request('GET', `/v2/apps${id}/versions/${app.version}`)).body;
      expect(version.cmd).toBe(nasty);
    });

    it('a NUL character (which Postgres cannot store in JSON) is a 422, not a 500', async () => {
      const res = await t.request('POST', '/v2/apps', sleepApp(`${g}/create/nul`, { env: { A: 'x\u0000y' } }));
      expect(res.status).toBe(422);
      expect(res.body.details[0].path).toBe('/env/A');
    });

    it('a pathologically deep body is a 422, not a 500', async () => {
      const deep = '['.repeat(5000) + ']'.repeat(5000);
      const res = await t.request('POST', '/v2/apps', `{"id":"${g}/create/deep","cmd":"sleep 1","labels":{"a":${deep}}}`);
      expect(res.status).toBe(422);
    });

    it('a fixed service port another app holds is a 422 on that port; the port is free again once its app is gone', async () => {
      // Outside LOCAL_PORT_MIN..MAX, where random service ports are drawn: no other app can hold it by chance.
      const port = 20001 + Math.floor(Math.random() * 40000);
      const a = await t.request('POST', '/v2/apps', sleepApp(`${g}/create/porta`, { portDefinitions: [{ port }] }));
      expect(a.status).toBe(201);
      const b = await t.request('POST', '/v2/apps', sleepApp(`${g}/create/portb`, { portDefinitions: [{ port: 0 }, { port }] }));
      expect(b.status).toBe(422);
      expect(b.body.details).toEqual([{ path: '/portDefinitions(1)/port', errors: [`Requested service port ${port} conflicts with a service port in use by another app`] }]);
      expect((await t.request('GET', `/v2/apps${g}/create/portb`)).status).toBe(404);
      await t.request('DELETE', `/v2/apps${g}/create/porta`);
      expect((await t.request('POST', '/v2/apps', sleepApp(`${g}/create/portb`, { portDefinitions: [{ port }] }))).status).toBe(201);
    });

    it('409 for an existing id', async () => {
      await t.request('POST', '/v2/apps', sleepApp(`${g}/create/dup`));
      const res = await t.request('POST', '/v2/apps', sleepApp(`${g}/create/dup`));
      expect(res.status).toBe(409);
      expect(res.body).toEqual({ message: `An app with id [${g}/create/dup] already exists.` });
    });

    it('422 with per-field details for an invalid definition', async () => {
      for (const [body, path] of [
        [{ id: `${g}/Bad_Id`, cmd: 'sleep 1' }, '/id'],
        [{ id: `${g}/neg`, cmd: 'sleep 1', instances: -1 }, '/instances'],
        [{ id: `${g}/hc`, cmd: 'sleep 1', healthChecks: [{ protocol: 'HTTP', portIndex: 3 }] }, '/healthChecks(0)'],
      ] as const) {
        const res = await t.request('POST', '/v2/apps', body);
        expect(res.status).toBe(422);
        expect(res.body.message).toBe('Object is not valid');
        expect(res.body.details.map((d: { path: string }) => d.path.startsWith(path))).toContain(true);
        for (const d of res.body.details) expect(d.errors.length).toBeGreaterThan(0);
      }
    });

    it('422 for wrong JSON types and for non-objects, never 500', async () => {
      for (const body of [{ id: `${g}/types`, cmd: 'x', cpus: 'lots' }, [], 'null', '42', { id: 5 }]) {
        const res = await t.request('POST', '/v2/apps', body);
        expect(res.status).toBe(422);
        expect(res.body.message).toBe('Object is not valid');
      }
    });

    it('400 for malformed JSON', async () => {
      const res = await t.request('POST', '/v2/apps', '{"id": "/x", ');
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/^Invalid JSON/);
    });

    it('413 for a body over the limit', async () => {
      const res = await t.request('POST', '/v2/apps', { id: `${g}/big`, cmd: 'x'.repeat(1024 * 1024 + 10) });
      expect(res.status).toBe(413);
      expect(typeof res.body.message).toBe('string');
    });

    it('an id below an existing app, or above one, is refused (an id is an app or a group)', async () => {
      await t.request('POST', '/v2/apps', sleepApp(`${g}/clash/app`));
      const below = await t.request('POST', '/v2/apps', sleepApp(`${g}/clash/app/sub`));
      const above = await t.request('POST', '/v2/apps', sleepApp(`${g}/clash`));
      expect([below.status, above.status]).toEqual([409, 409]);
    });

    it('accepts every valid Marathon example app', async () => {
      const dir = path.join(__dirname, '../fixtures/marathon-examples');
      const valid = ['docs__app-simple.json', 'system__sleep-app.json', 'system__http-server.json', 'system__readiness-and-health-app.json'];
      expect(readdirSync(dir)).toEqual(expect.arrayContaining(valid));
      for (const file of valid) {
        const raw = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
        const res = await t.request('POST', '/v2/apps', { ...raw, id: `${g}/examples/${file.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}` });
        expect([file, res.status]).toEqual([file, 201]);
      }
    });
  });

  describe('read', () => {
    beforeAll(async () => {
      await t.request('POST', '/v2/apps', sleepApp(`${g}/read/web`, { labels: { env: 'prod', tier: 'web' }, cmd: 'python3 -m http.server' }));
      await t.request('POST', '/v2/apps', sleepApp(`${g}/read/db`, { labels: { env: 'prod', tier: 'db' } }));
      await t.request('POST', '/v2/apps', sleepApp(`${g}/read/dev`, { labels: { env: 'dev' } }));
    });

    it('GET one app embeds counts, deployments and tasks', async () => {
      const res = await t.request('GET', `/v2/apps${g}/read/web`);
      expect(res.status).toBe(200);
      expect(res.body.app).toMatchObject({ id: `${g}/read/web`, tasks: [], tasksRunning: 0 });
      expect(res.body.app.deployments).toHaveLength(1);
    });

    it('GET with a double slash and nested path works as Marathon clients send it', async () => {
      const res = await t.request('GET', `/v2/apps/${g}/read/web`);
      expect(res.status).toBe(200);
      expect(res.body.app.id).toBe(`${g}/read/web`);
    });

    it('404 with Marathon message for an unknown app', async () => {
      const res = await t.request('GET', `/v2/apps${g}/read/nope`);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ message: `App '${g}/read/nope' does not exist` });
    });

    it('list filters by id, cmd and label selector, AND-ed', async () => {
      const ids = async (q: string) => (await t.request('GET', `/v2/apps?${q}`)).body.apps.map((a: { id: string }) => a.id).filter((id: string) => id.startsWith(`${g}/read/`));
      expect(await ids(`id=${encodeURIComponent(`${g}/read/`)}`)).toEqual([`${g}/read/db`, `${g}/read/dev`, `${g}/read/web`]);
      expect(await ids(`id=${encodeURIComponent(`${g}/READ/W`)}`)).toEqual([`${g}/read/web`]);
      expect(await ids('cmd=HTTP.SERVER')).toEqual([`${g}/read/web`]);
      expect(await ids(`label=${encodeURIComponent('env==prod')}`)).toEqual([`${g}/read/db`, `${g}/read/web`]);
      expect(await ids(`label=${encodeURIComponent('env==prod,tier!=db')}`)).toEqual([`${g}/read/web`]);
      expect(await ids(`label=${encodeURIComponent('env in (dev, prod)')}&cmd=sleep`)).toEqual([`${g}/read/db`, `${g}/read/dev`]);
    });

    it('list embeds tasks only when asked, counts and deployments always', async () => {
      const plain = (await t.request('GET', `/v2/apps?id=${encodeURIComponent(`${g}/read/web`)}`)).body.apps[0];
      expect(plain.tasks).toBeUndefined();
      expect(plain.deployments).toHaveLength(1);
      const embedded = (await t.request('GET', `/v2/apps?id=${encodeURIComponent(`${g}/read/web`)}&embed=apps.tasks&embed=apps.counts`)).body.apps[0];
      expect(embedded.tasks).toEqual([]);
    });

    it('`{group}/*` lists every app below the group', async () => {
      const res = await t.request('GET', `/v2/apps${g}/read/*`);
      expect(res.status).toBe(200);
      expect(res.body['*'].map((a: { id: string }) => a.id)).toEqual([`${g}/read/db`, `${g}/read/dev`, `${g}/read/web`]);
    });

    it('a bad label selector is a 400', async () => {
      const res = await t.request('GET', `/v2/apps?label=${encodeURIComponent('env in (a')}`);
      expect(res.status).toBe(400);
    });
  });

  describe('update', () => {
    it('PUT merges by default, replaces with partialUpdate=false, and answers a deployment', async () => {
      const id = `${g}/update/merge`;
      await t.request('POST', '/v2/apps', sleepApp(id, { env: { A: '1' }, instances: 2 }));
      const res = await t.request('PUT', `/v2/apps${id}?force=true`, { cmd: 'sleep 2000' });
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['deploymentId', 'version']);
      expect(res.headers['marathon-deployment-id']).toBe(res.body.deploymentId);
      const merged = (await t.request('GET', `/v2/apps${id}`)).body.app;
      expect([merged.cmd, merged.env, merged.instances, merged.version]).toEqual(['sleep 2000', { A: '1' }, 2, res.body.version]);

      await t.request('PUT', `/v2/apps${id}?force=true&partialUpdate=false`, { cmd: 'sleep 3000' });
      const replaced = (await t.request('GET', `/v2/apps${id}`)).body.app;
      expect([replaced.cmd, replaced.env, replaced.instances]).toEqual(['sleep 3000', {}, 1]);
    });

    it('PUT creates a missing app with 201 and accepts capitalised booleans', async () => {
      const id = `${g}/update/created`;
      const res = await t.request('PUT', `/v2/apps${id}?force=False`, { cmd: 'sleep 1', mem: 16, cpus: 0.1 });
      expect(res.status).toBe(201);
      expect(res.headers.location).toBe(`/v2/apps${id}`);
      expect((await t.request('GET', `/v2/apps${id}`)).status).toBe(200);
    });

    it('a scale-only change keeps lastConfigChangeAt and plans a ScaleApplication; a config change plans a restart', async () => {
      const id = `${g}/update/scale`;
      const created = (await t.request('POST', '/v2/apps', sleepApp(id))).body;
      await t.request('PUT', `/v2/apps${id}?force=true`, { instances: 3 });
      const scaled = (await t.request('GET', `/v2/apps${id}`)).body.app;
      expect(scaled.versionInfo.lastConfigChangeAt).toBe(created.version);
      expect(scaled.versionInfo.lastScalingAt).toBe(scaled.version);
      const deployments = (await t.request('GET', '/v2/deployments')).body;
      const mine = deployments.filter((d: { affectedApps: string[] }) => d.affectedApps.includes(id));
      expect(mine).toHaveLength(1);
      expect(mine[0].steps).toEqual([{ actions: [{ action: 'ScaleApplication', app: id }] }]);

      await t.request('PATCH', `/v2/apps${id}?force=true`, { cmd: 'sleep 7' });
      const after = (await t.request('GET', '/v2/deployments')).body.filter((d: { affectedApps: string[] }) => d.affectedApps.includes(id));
      expect(after[0].steps).toEqual([{ actions: [{ action: 'RestartApplication', app: id }] }]);
    });

    it('an identical PUT stores no new version and no deployment', async () => {
      const id = `${g}/update/same`;
      await t.request('POST', '/v2/apps', sleepApp(id));
      const before = (await t.request('GET', `/v2/apps${id}/versions`)).body.versions;
      const res = await t.request('PUT', `/v2/apps${id}`, { cmd: 'sleep 1000' });
      expect(res.status).toBe(200);
      expect((await t.request('GET', `/v2/apps${id}/versions`)).body.versions).toEqual(before);
    });

    it('PATCH of a missing app is a 404; an invalid PATCH is a 422 and changes nothing', async () => {
      expect((await t.request('PATCH', `/v2/apps${g}/update/missing`, { instances: 2 })).status).toBe(404);
      const id = `${g}/update/invalid`;
      await t.request('POST', '/v2/apps', sleepApp(id));
      const res = await t.request('PATCH', `/v2/apps${id}?force=true`, { instances: -1 });
      expect(res.status).toBe(422);
      expect(res.body.details[0].path).toBe('/instances');
      expect((await t.request('GET', `/v2/apps${id}`)).body.app.instances).toBe(1);
    });

    it('409 while a deployment holds the app, listing it; force supersedes it', async () => {
      const id = `${g}/update/locked`;
      const created = await t.request('POST', '/v2/apps', sleepApp(id));
      const blocked = await t.request('PUT', `/v2/apps${id}`, { instances: 2 });
      expect(blocked.status).toBe(409);
      expect(blocked.body).toEqual({
        message: `App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/${created.headers['marathon-deployment-id']}'.`,
        deployments: [{ id: created.headers['marathon-deployment-id'] }],
      });
      const forced = await t.request('PUT', `/v2/apps${id}?force=true`, { instances: 2 });
      expect(forced.status).toBe(200);
      const ids = (await t.request('GET', '/v2/deployments')).body.map((d: { id: string }) => d.id);
      expect(ids).toContain(forced.body.deploymentId);
      expect(ids).not.toContain(created.headers['marathon-deployment-id']);
    });

    it('two concurrent writers to one app: exactly one gets through', async () => {
      for (let round = 0; round < 5; round++) {
        const id = `${g}/update/race${round}`;
        const results = await Promise.all([
          t.request('POST', '/v2/apps', sleepApp(id)),
          t.request('POST', '/v2/apps', sleepApp(id, { instances: 2 })),
          t.request('PUT', `/v2/apps${id}`, { cmd: 'sleep 5', mem: 16, cpus: 0.1 }),
        ]);
        const ok = results.filter((r) => r.status === 200 || r.status === 201);
        expect(ok).toHaveLength(1);
        for (const r of results.filter((x) => !ok.includes(x))) expect(r.status).toBe(409);
        const deployments = (await t.request('GET', '/v2/deployments')).body.filter((d: { affectedApps: string[] }) => d.affectedApps.includes(id));
        expect(deployments).toHaveLength(1);
        expect((await t.request('GET', `/v2/apps${id}/versions`)).body.versions).toHaveLength(1);
      }
    });

    it('PUT /v2/apps updates many apps in one deployment', async () => {
      const a = `${g}/batch/a`;
      const b = `${g}/batch/b`;
      await t.request('POST', '/v2/apps', sleepApp(a));
      const res = await t.request('PUT', '/v2/apps?force=true', [{ id: a, instances: 2 }, sleepApp(b, { dependencies: [a] })]);
      expect(res.status).toBe(200);
      const d = (await t.request('GET', '/v2/deployments')).body.find((x: { id: string }) => x.id === res.body.deploymentId);
      expect(d.affectedApps).toEqual([a, b]);
      expect(d.steps).toEqual([
        { actions: [{ action: 'StartApplication', app: b }] },
        { actions: [{ action: 'ScaleApplication', app: a }] },
        { actions: [{ action: 'ScaleApplication', app: b }] },
      ]);
      expect(d.totalSteps).toBe(3);
    });

    it('PATCH /v2/apps: every id must exist', async () => {
      const res = await t.request('PATCH', '/v2/apps', [{ id: `${g}/batch/none`, instances: 2 }]);
      expect(res.status).toBe(404);
    });
  });

  describe('versions, rollback, restart, delete', () => {
    it('history is bounded (MAX_APP_VERSIONS=5), newest first, and each version reads back', async () => {
      const id = `${g}/hist/bounded`;
      await t.request('POST', '/v2/apps', sleepApp(id));
      for (let i = 2; i <= 8; i++) {
        const r = await t.request('PUT', `/v2/apps${id}?force=true`, { instances: i });
        expect(r.status).toBe(200);
      }
      const versions: string[] = (await t.request('GET', `/v2/apps${id}/versions`)).body.versions;
      expect(versions).toHaveLength(5);
      expect([...versions].sort().reverse()).toEqual(versions);
      const oldest = await t.request('GET', `/v2/apps${id}/versions/${versions[4]}`);
      expect(oldest.status).toBe(200);
      expect(oldest.body).toMatchObject({ id, instances: 4, version: versions[4] });
      const client = new Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      const n = await client.query('SELECT count(*)::int AS n FROM app_versions WHERE app_id = $1', [id]);
      await client.end();
      expect(n.rows[0].n).toBe(5);
    });

    it('PUT {"version"} rolls back to a stored version', async () => {
      const id = `${g}/hist/rollback`;
      const v1 = (await t.request('POST', '/v2/apps', sleepApp(id, { cmd: 'sleep 1' }))).body.version;
      await t.request('PUT', `/v2/apps${id}?force=true`, { cmd: 'sleep 2' });
      const res = await t.request('PUT', `/v2/apps${id}?force=true`, { version: v1 });
      expect(res.status).toBe(200);
      const app = (await t.request('GET', `/v2/apps${id}`)).body.app;
      expect(app.cmd).toBe('sleep 1');
      expect(app.version).toBe(res.body.version);
      expect((await t.request('PUT', `/v2/apps${id}?force=true`, { version: '2001-01-01T00:00:00.000Z' })).status).toBe(404);
    });

    it('unknown version and unknown app answer 404 with the documented messages', async () => {
      const id = `${g}/hist/rollback`;
      const res = await t.request('GET', `/v2/apps${id}/versions/2001-01-01T00:00:00.000Z`);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ message: `App '${id}' does not exist in version 2001-01-01T00:00:00.000Z` });
      expect((await t.request('GET', `/v2/apps${g}/hist/none/versions`)).status).toBe(404);
    });

    it('restart stores a new config version with an empty body and a JSON content type', async () => {
      const id = `${g}/restart/app`;
      const created = (await t.request('POST', '/v2/apps', sleepApp(id))).body;
      const res = await t.request('POST', `/v2/apps${id}/restart?force=true`, undefined, { 'content-type': 'application/json' });
      expect(res.status).toBe(200);
      const app = (await t.request('GET', `/v2/apps${id}`)).body.app;
      expect(app.versionInfo.lastConfigChangeAt).toBe(res.body.version);
      expect(app.versionInfo.lastConfigChangeAt).not.toBe(created.version);
      const d = (await t.request('GET', '/v2/deployments')).body.find((x: { id: string }) => x.id === res.body.deploymentId);
      expect(d.steps).toEqual([{ actions: [{ action: 'RestartApplication', app: id }] }]);
      expect((await t.request('POST', `/v2/apps${g}/restart/none/restart`)).status).toBe(404);
    });

    it('DELETE stops the app (force by default), drops its versions, and 404s after', async () => {
      const id = `${g}/delete/app`;
      await t.request('POST', '/v2/apps', sleepApp(id));
      const res = await t.request('DELETE', `/v2/apps${id}`, undefined, { 'content-type': 'application/json' });
      expect(res.status).toBe(200);
      const d = (await t.request('GET', '/v2/deployments')).body.find((x: { id: string }) => x.id === res.body.deploymentId);
      expect(d.steps).toEqual([{ actions: [{ action: 'StopApplication', app: id }] }]);
      expect((await t.request('GET', `/v2/apps${id}`)).status).toBe(404);
      expect((await t.request('GET', `/v2/apps${id}/versions`)).status).toBe(404);
      expect((await t.request('DELETE', `/v2/apps${id}`)).status).toBe(404);
    });
  });

  describe('deployments', () => {
    it('DELETE with force=true forgets the plan (202); without force it rolls back', async () => {
      const id = `${g}/deploy/cancel`;
      const created = await t.request('POST', '/v2/apps', sleepApp(id));
      const first = created.headers['marathon-deployment-id'] as string;
      const cancelled = await t.request('DELETE', `/v2/deployments/${first}?force=true`);
      expect(cancelled.status).toBe(202);
      expect((await t.request('GET', '/v2/deployments')).body.map((d: { id: string }) => d.id)).not.toContain(first);

      const update = await t.request('PUT', `/v2/apps${id}`, { cmd: 'sleep 99' });
      expect(update.status).toBe(200);
      const rollback = await t.request('DELETE', `/v2/deployments/${update.body.deploymentId}`);
      expect(rollback.status).toBe(200);
      expect(rollback.body.deploymentId).not.toBe(update.body.deploymentId);
      expect((await t.request('GET', `/v2/apps${id}`)).body.app.cmd).toBe('sleep 1000');
      expect((await t.request('DELETE', `/v2/deployments/${update.body.deploymentId}`)).status).toBe(404);
    });

    it('a rollback of a creation removes the app', async () => {
      const id = `${g}/deploy/rollback-create`;
      const created = await t.request('POST', '/v2/apps', sleepApp(id));
      const res = await t.request('DELETE', `/v2/deployments/${created.headers['marathon-deployment-id']}`);
      expect(res.status).toBe(200);
      expect((await t.request('GET', `/v2/apps${id}`)).status).toBe(404);
    });

    it('403 when the running-deployments limit is reached', async () => {
      const count = (await t.request('GET', '/v2/deployments')).body.length;
      const limited = await startTestApp({ MAX_RUNNING_DEPLOYMENTS: String(count) });
      try {
        const res = await limited.request('POST', '/v2/apps', sleepApp(`${g}/deploy/limit`));
        expect(res.status).toBe(403);
        expect(res.body.message).toMatch(/^Max number \(\d+\) of running deployments is achieved/);
        expect((await limited.request('GET', `/v2/apps${g}/deploy/limit`)).status).toBe(404);
      } finally {
        await limited.close();
      }
    });
  });

  describe('never a 500 for anything a client sends', () => {
    // Valid-looking apps with random values in random fields, and arbitrary JSON, on every write path.
    const field = fc.constantFrom('id', 'cmd', 'args', 'cpus', 'mem', 'instances', 'env', 'labels', 'constraints', 'portDefinitions', 'healthChecks', 'upgradeStrategy', 'container', 'dependencies', 'networks', 'fetch', 'unreachableStrategy', 'version');
    const body = fc.oneof(
      fc.jsonValue(),
      fc.tuple(fc.dictionary(field, fc.jsonValue(), { maxKeys: 4 }), fc.nat(1_000_000)).map(([extra, n]) => ({ id: `${g}/fuzz/a${n}`, cmd: 'sleep 1', ...extra })),
    );
    const target = fc.constantFrom('POST /v2/apps', 'PUT /v2/apps/ID?force=true', 'PATCH /v2/apps/ID?force=true', 'PUT /v2/apps?force=true', 'PUT /v2/apps/ID?partialUpdate=false&force=true');

    it('property: every answer is a 2xx/4xx with a JSON message, and reads keep working', async () => {
      await t.request('POST', '/v2/apps', sleepApp(`${g}/fuzz/base`));
      await fc.assert(
        fc.asyncProperty(target, body, async (route, b) => {
          const [method, url] = route.replace('ID', `${g.slice(1)}/fuzz/base`).split(' ');
          const res = await t.request(method, url, method === 'PUT' && url.startsWith('/v2/apps?') ? [b] : b);
          expect(res.status).toBeLessThan(500);
          if (res.status >= 400) expect(typeof res.body.message).toBe('string');
        }),
        { numRuns: 150 },
      );
      expect((await t.request('GET', `/v2/apps${g}/fuzz/base`)).status).toBe(200);
    }, 60_000);

    it('random query parameters and paths never give a 500', async () => {
      await fc.assert(
        fc.asyncProperty(fc.string({ maxLength: 30 }), fc.string({ maxLength: 30 }), fc.constantFrom('GET', 'DELETE', 'POST', 'PUT'), async (a, q, method) => {
          const res = await t.request(method, `/v2/apps/${encodeURIComponent(a)}?force=${encodeURIComponent(q)}&embed=${encodeURIComponent(q)}&label=${encodeURIComponent(q)}`);
          expect(res.status).toBeLessThan(500);
        }),
        { numRuns: 150 },
      );
    }, 60_000);
  });

  describe('service endpoints', () => {
    it('/ping, /v2/info, /v2/leader, /metrics', async () => {
      const ping = await t.request('GET', '/ping');
      expect([ping.status, ping.text]).toEqual([200, 'pong']);
      const info = (await t.request('GET', '/v2/info')).body;
      expect(info).toMatchObject({ name: 'pacer', elected: true, leader: 'pacer.test:8080', http_config: { http_port: 8080 } });
      expect(Object.keys(info)).toEqual(expect.arrayContaining(['version', 'frameworkId', 'marathon_config', 'zookeeper_config']));
      expect((await t.request('GET', '/v2/leader')).body).toEqual({ leader: 'pacer.test:8080' });
      const metrics = await t.request('GET', '/metrics');
      expect(metrics.status).toBe(200);
      expect(metrics.text).toContain('pacer_http_request_duration_seconds_bucket');
    });

    it('unknown routes answer 404 in JSON', async () => {
      const res = await t.request('GET', '/v2/nothing-here');
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ message: 'URI not found' });
    });

    it('/docs serves Swagger UI and the spec lists every endpoint', async () => {
      expect((await t.request('GET', '/docs')).status).toBeLessThan(400);
      const spec = (await t.request('GET', '/docs/openapi.json')).body;
      expect(Object.keys(spec.paths)).toEqual(
        expect.arrayContaining(['/v2/apps', '/v2/apps/{id}', '/v2/apps/{id}/versions', '/v2/apps/{id}/versions/{version}', '/v2/apps/{id}/restart', '/v2/deployments', '/v2/deployments/{id}', '/v2/info', '/v2/leader', '/ping', '/metrics']),
      );
    });
  });
});
