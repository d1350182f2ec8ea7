// Pacer (scheduler on, real HTTP port) + local-mesos (agents running real processes) + a database of
// their own: what the converge end-to-end tests drive over HTTP, as a user would.
import { createServer } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { startLocalMesos, type LocalMesos, type LocalMesosOptions } from '../../local-mesos';
import { createApp } from '../../src/bootstrap';
import { loadConfig } from '../../src/config/app-config';
import { createScratchDatabase, type ScratchDatabase } from '../integration/scratch-db';
import { TEST_REDIS_URL } from '../integration/test-env';

export interface Response {
  readonly status: number;
  // Tests read arbitrary JSON shapes.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
  readonly text: string;
}

/** Settings that make the scheduler react in test time (Marathon's defaults are minutes). */
export const FAST_SCHEDULER: Record<string, string> = {
  SCHEDULER_TICK_MS: '200',
  MIN_REVIVE_OFFERS_INTERVAL_MS: '200',
  DECLINE_OFFER_DURATION_SECONDS: '2',
  SCALE_APPS_INTERVAL_SECONDS: '2',
  KILL_RETRY_SECONDS: '3',
};

export class Cluster {
  pacer: NestFastifyApplication | undefined;
  url = '';

  private constructor(
    readonly mesos: LocalMesos,
    readonly db: ScratchDatabase,
    private readonly env: Record<string, string>,
  ) {}

  static async start(mesos: LocalMesosOptions = {}, env: Record<string, string> = {}): Promise<Cluster> {
    const db = await createScratchDatabase();
    const m = await startLocalMesos({
      port: 0,
      agents: 3,
      heartbeatIntervalSeconds: 1,
      allocationIntervalSeconds: 0.1,
      statusUpdateResendSeconds: 1,
      killGraceSeconds: 1,
      quiet: true,
      ...mesos,
    } as LocalMesosOptions);
    const c = new Cluster(m, db, env);
    await c.startPacer();
    return c;
  }

  async startPacer(): Promise<void> {
    const config = loadConfig({
      DATABASE_URL: this.db.url,
      DATABASE_POOL_SIZE: '6',
      REDIS_URL: TEST_REDIS_URL,
      // the cluster's own probe queue (its scratch database's name; global-teardown deletes its keys)
      HEALTH_QUEUE_PREFIX: new URL(this.db.url).pathname.slice(1),
      MESOS_MASTER: this.mesos.url,
      LOG_LEVEL: process.env.PACER_TEST_LOG ?? 'silent',
      PACER_ADVERTISED_ADDRESS: '127.0.0.1:0',
      HTTP_PORT: '0',
      ...FAST_SCHEDULER,
      ...this.env,
    });
    const app = await createApp(config, { connectDatabase: true, scheduler: true, logger: false });
    await app.listen(0, '127.0.0.1');
    const addr = app.getHttpServer().address() as { port: number };
    this.url = `http://127.0.0.1:${addr.port}`;
    this.pacer = app;
  }

  /**
   * One more Pacer replica on this cluster's database and Mesos (for leader election tests), on a
   * free port it advertises, so the election's znode data is a reachable address.
   */
  async startReplica(env: Record<string, string> = {}): Promise<{ app: NestFastifyApplication; url: string }> {
    const port = await freePort();
    const config = loadConfig({
      DATABASE_URL: this.db.url,
      DATABASE_POOL_SIZE: '6',
      REDIS_URL: TEST_REDIS_URL,
      HEALTH_QUEUE_PREFIX: new URL(this.db.url).pathname.slice(1),
      MESOS_MASTER: this.mesos.url,
      LOG_LEVEL: process.env.PACER_TEST_LOG ?? 'silent',
      PACER_ADVERTISED_ADDRESS: `127.0.0.1:${port}`,
      HTTP_PORT: String(port),
      ...FAST_SCHEDULER,
      ...this.env,
      ...env,
    });
    const app = await createApp(config, { connectDatabase: true, scheduler: true, logger: false });
    await app.listen(port, '127.0.0.1');
    return { app, url: `http://127.0.0.1:${port}` };
  }

  async stopPacer(): Promise<void> {
    await this.pacer?.close();
    this.pacer = undefined;
  }

  async stop(): Promise<void> {
    await this.stopPacer();
    await this.mesos.stop();
    await this.db.drop();
  }

  async request(method: string, path: string, body?: unknown): Promise<Response> {
    const res = await fetch(this.url + path, {
      method,
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed, text };
  }

  /** Tasks of an app as local-mesos sees them (state name per task id). */
  mesosTasks(filter: (t: { id: string; state: string }) => boolean = () => true): Array<{ id: string; state: string; agent: string; pid?: number }> {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const state = this.mesos.state() as any;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const tasks: any[] = state.tasks ?? [];
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return tasks.map((t: any) => ({ id: t.id ?? t.task_id, state: t.state, agent: t.agent_id ?? t.agent, pid: t.pid })).filter(filter);
  }
}

/** Polls until `fn` returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A tiny HTTP server as a task command: answers `<task id> <port>` on $PORT0. */
export function httpServerCommand(): string {
  const js = "require('http').createServer((q,s)=>s.end(process.env.MESOS_TASK_ID+' '+process.env.PORT0)).listen(+process.env.PORT0,'127.0.0.1')";
  return `exec ${JSON.stringify(process.execPath)} -e ${JSON.stringify(js)}`;
}

/** A TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
