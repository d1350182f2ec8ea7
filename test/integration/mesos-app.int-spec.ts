// Pacer with its scheduler on (scheduler: true) against local-mesos and the real test database: the
// framework id lands in Postgres and is reused after a restart, offers are suppressed/declined, and
// /v2/info and /metrics show the connection. The only test file that touches the `framework` table.
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import type { LocalMesos } from '../../local-mesos';
import { createApp } from '../../src/bootstrap';
import { loadConfig } from '../../src/config/app-config';
import { PgFrameworkIdStore, pgHasInstances } from '../../src/mesos/framework-store';
import { createDataSource } from '../../src/persistence/data-source';
import { eventually, frameworksOf, startMesos } from './mesos-helpers';
import { createScratchDatabase, type ScratchDatabase } from './scratch-db';

jest.setTimeout(30_000);

describe('Pacer runs the Mesos driver while it leads', () => {
  let mesos: LocalMesos;
  let ds: DataSource;
  let store: PgFrameworkIdStore;
  let app: NestFastifyApplication | undefined;
  let db: ScratchDatabase;

  beforeAll(async () => {
    // The scheduler acts on every app it finds: a database of its own.
    db = await createScratchDatabase();
    ds = createDataSource(db.url, 2);
    await ds.initialize();
    store = new PgFrameworkIdStore(ds);
    await store.clear();
    mesos = await startMesos({ agents: 2 });
  });
  afterAll(async () => {
    await app?.close();
    await mesos.stop();
    await store.clear();
    await ds.destroy();
    await db.drop();
  });

  async function start(encoding: 'protobuf' | 'json'): Promise<NestFastifyApplication> {
    const config = loadConfig({ DATABASE_URL: db.url, LOG_LEVEL: 'silent', MESOS_MASTER: mesos.url, MESOS_ENCODING: encoding, PACER_ADVERTISED_ADDRESS: 'pacer.test:8080' });
    const a = await createApp(config, { connectDatabase: true, scheduler: true, logger: false });
    await a.init();
    return a;
  }
  const get = async (url: string, accept = 'application/json') => (await app!.inject({ method: 'GET', url, headers: { accept } })).body;

  it('stores the framework id before use, shows it in /v2/info, and idles politely', async () => {
    app = await start('protobuf');
    const expected = `${mesos.masterId}-0000`;
    const info = await eventually(async () => {
      const i = JSON.parse(await get('/v2/info')) as { frameworkId: string | null; marathon_config: { master: string } };
      return i.frameworkId ? i : undefined;
    }, 10_000, 'frameworkId in /v2/info');
    expect(info.frameworkId).toBe(expected);
    expect(info.marathon_config.master).toBe(mesos.url);
    expect(await store.load()).toBe(expected);
    // Nothing to launch: SUPPRESS, and whatever offers came are declined with a long filter.
    await eventually(() => {
      const fw = frameworksOf(mesos)[0];
      return fw?.connected && fw.suppressed_roles.includes('*') && fw.offers.length === 0;
    }, 10_000, 'suppressed with no offers held');
    const metrics = await get('/metrics', 'text/plain');
    expect(metrics).toMatch(/pacer_mesos_events_total\{type="SUBSCRIBED"\} 1/);
    expect(metrics).toMatch(/pacer_mesos_calls_total\{type="SUPPRESS",outcome="accepted"\} 1/);
    expect(metrics).toMatch(/pacer_mesos_subscribed 1/);
  });

  it('reuses the stored framework id after a restart (JSON this time)', async () => {
    const before = await store.load();
    await app!.close();
    app = await start('json');
    await eventually(async () => (JSON.parse(await get('/v2/info')) as { frameworkId: string | null }).frameworkId === before, 10_000, 'resubscribed');
    expect(frameworksOf(mesos).map((f) => f.id)).toEqual([before]);
    expect(frameworksOf(mesos)[0].connected).toBe(true);
  });

  it('knows whether instances exist only once an instances table holds rows', async () => {
    const hasInstances = pgHasInstances(ds);
    expect(await hasInstances()).toBe(false);
    const table = await ds.query(`SELECT to_regclass('public.instances') IS NOT NULL AS present`);
    if (table[0].present) return; // the real table exists (a later issue): covered by its own tests
    await ds.query('CREATE TABLE public.instances (id int)');
    try {
      expect(await hasInstances()).toBe(false);
      await ds.query('INSERT INTO public.instances VALUES (1)');
      expect(await hasInstances()).toBe(true);
    } finally {
      await ds.query('DROP TABLE public.instances');
    }
  });
});
