import fc from 'fast-check';
import { Client } from 'pg';
import { startTestApp, TestApp, uniqueGroup } from './harness';
import { TEST_DATABASE_URL } from './test-env';

/**
 * Many writers at once on a handful of apps, in random mixes: whatever interleaving Postgres picks,
 * the stored state must stay consistent. Checked on the tables themselves after each run.
 */
describe('concurrent writes keep the store consistent', () => {
  let t: TestApp;
  let db: Client;
  const g = uniqueGroup('race');
  const MAX_VERSIONS = 4;

  beforeAll(async () => {
    t = await startTestApp({ MAX_RUNNING_DEPLOYMENTS: '100000', MAX_APP_VERSIONS: String(MAX_VERSIONS) });
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  const ids = ['a', 'b', 'c', 'd'].map((x) => `${g}/${x}`);
  const op = fc.record({
    kind: fc.constantFrom('create', 'put', 'putForce', 'patchForce', 'delete', 'restartForce', 'cancel', 'batchForce'),
    app: fc.integer({ min: 0, max: ids.length - 1 }),
    other: fc.integer({ min: 0, max: ids.length - 1 }),
    n: fc.integer({ min: 0, max: 3 }),
    port: fc.boolean(),
  });
  type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

  async function run(o: Op): Promise<number> {
    const id = ids[o.app];
    const body = { cmd: `sleep ${o.n + 1}`, cpus: 0.1, mem: 16, instances: o.n, ...(o.port ? { portDefinitions: [{ port: 0 }, { port: 0 }] } : {}) };
    switch (o.kind) {
      case 'create':
        return (await t.request('POST', '/v2/apps', { id, ...body })).status;
      case 'put':
        return (await t.request('PUT', `/v2/apps${id}`, body)).status;
      case 'putForce':
        return (await t.request('PUT', `/v2/apps${id}?force=true`, body)).status;
      case 'patchForce':
        return (await t.request('PATCH', `/v2/apps${id}?force=true`, { instances: o.n })).status;
      case 'delete':
        return (await t.request('DELETE', `/v2/apps${id}`)).status;
      case 'restartForce':
        return (await t.request('POST', `/v2/apps${id}/restart?force=true`)).status;
      case 'batchForce': {
        const other = ids[o.other];
        const apps = other === id ? [{ id, ...body }] : [{ id, ...body }, { id: other, ...body, instances: 1 }];
        return (await t.request('PUT', '/v2/apps?force=true', apps)).status;
      }
      case 'cancel': {
        const list = (await t.request('GET', '/v2/deployments')).body as Array<{ id: string; affectedApps: string[] }>;
        const d = list.find((x) => x.affectedApps.includes(id));
        return d ? (await t.request('DELETE', `/v2/deployments/${d.id}${o.n % 2 ? '?force=true' : ''}`)).status : 200;
      }
    }
  }

  async function checkInvariants(): Promise<void> {
    const like = `${g}/%`;
    const q = async (sql: string) => (await db.query(sql, [like])).rows;
    // Every app's current definition is one of its stored versions; history is bounded.
    expect(await q(`SELECT a.id FROM apps a WHERE a.id LIKE $1 AND NOT EXISTS (
        SELECT 1 FROM app_versions v WHERE v.app_id = a.id AND v.version = a.version AND v.definition = a.definition)`)).toEqual([]);
    expect(await q(`SELECT app_id FROM app_versions WHERE app_id LIKE $1 GROUP BY app_id HAVING count(*) > ${MAX_VERSIONS}`)).toEqual([]);
    // Nothing outlives its app.
    expect(await q(`SELECT app_id FROM app_versions WHERE app_id LIKE $1 AND app_id NOT IN (SELECT id FROM apps)`)).toEqual([]);
    expect(await q(`SELECT app_id FROM service_ports WHERE app_id LIKE $1 AND app_id NOT IN (SELECT id FROM apps)`)).toEqual([]);
    // An app holds exactly the service ports its definition names.
    const apps = await q(`SELECT id, definition FROM apps WHERE id LIKE $1`);
    for (const a of apps) {
      const want = ((a.definition.portDefinitions ?? []) as Array<{ port: number }>).map((p) => p.port).sort();
      const held = (await db.query(`SELECT port FROM service_ports WHERE app_id = $1 ORDER BY port`, [a.id])).rows.map((r) => r.port);
      expect([a.id, held]).toEqual([a.id, want]);
      for (const p of want) expect(p).not.toBe(0);
    }
    // No app is locked by two stored plans (a write either waits its turn, is refused, or supersedes).
    expect(await q(`SELECT x FROM deployments, unnest(affected_apps) x WHERE x LIKE $1 GROUP BY x HAVING count(*) > 1`)).toEqual([]);
    // The trigger-kept count matches the table.
    const [c] = (await db.query(`SELECT (SELECT sum(n)::int FROM deployment_counts) AS counted, (SELECT count(*)::int FROM deployments) AS actual`)).rows;
    expect(c.counted).toBe(c.actual);
    // The API agrees with the table (read through the cache).
    for (const id of ids) {
      const row = apps.find((a) => a.id === id);
      const res = await t.request('GET', `/v2/apps${id}`);
      expect([id, res.status]).toEqual([id, row ? 200 : 404]);
      if (row) expect(res.body.app.version).toBe(row.definition.version);
    }
  }

  it('property: random concurrent operations never break the invariants', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 8, maxLength: 24 }), async (ops) => {
        const statuses = await Promise.all(ops.map(run));
        for (const s of statuses) expect([200, 201, 202, 404, 409, 422]).toContain(s);
        await checkInvariants();
      }),
      { numRuns: 25 },
    );
  }, 120_000);

  it('two replicas racing on one app: exactly one write gets through, the other answers 409', async () => {
    const other = await startTestApp({ MAX_RUNNING_DEPLOYMENTS: '100000' });
    try {
      for (let round = 0; round < 5; round++) {
        const id = `${g}/replicas/r${round}`;
        const body = { id, cmd: 'sleep 1', cpus: 0.1, mem: 16 };
        const results = await Promise.all([t.request('POST', '/v2/apps', body), other.request('POST', '/v2/apps', body), other.request('PUT', `/v2/apps${id}`, { cmd: 'sleep 2' })]);
        expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
      }
    } finally {
      await other.close();
    }
  });

  it('creates arriving together share a transaction yet succeed or fail one by one', async () => {
    const base = `${g}/batch`;
    await t.request('POST', '/v2/apps', { id: `${base}/taken`, cmd: 'sleep 1', cpus: 0.1, mem: 16 });
    // Outside LOCAL_PORT_MIN..MAX, where random service ports are drawn: no other app can hold it by chance.
    const port = 20001 + Math.floor(Math.random() * 40000);
    const bodies = [
      ...Array.from({ length: 30 }, (_, i) => ({ id: `${base}/ok${i}`, cmd: 'sleep 1', cpus: 0.1, mem: 16, portDefinitions: [{ port: 0 }] })),
      { id: `${base}/dup`, cmd: 'sleep 1', cpus: 0.1, mem: 16 },
      { id: `${base}/dup`, cmd: 'sleep 2', cpus: 0.1, mem: 16 },
      { id: `${base}/taken`, cmd: 'sleep 1', cpus: 0.1, mem: 16 },
      { id: `${base}/taken/below`, cmd: 'sleep 1', cpus: 0.1, mem: 16 },
      { id: `${base}/fixed1`, cmd: 'sleep 1', cpus: 0.1, mem: 16, portDefinitions: [{ port }] },
      { id: `${base}/fixed2`, cmd: 'sleep 1', cpus: 0.1, mem: 16, portDefinitions: [{ port }] },
    ];
    const statuses = (await Promise.all(bodies.map((b) => t.request('POST', '/v2/apps', b)))).map((r) => r.status);
    expect(statuses.slice(0, 30)).toEqual(Array(30).fill(201));
    expect(statuses.slice(30, 32).sort()).toEqual([201, 409]);
    expect(statuses.slice(32, 34)).toEqual([409, 409]);
    expect(statuses.slice(34).sort()).toEqual([201, 422]);
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM apps WHERE id LIKE $1`, [`${base}/%`]);
    expect(rows[0].n).toBe(30 + 1 + 1 + 1);
    await checkInvariants();
  });
});
