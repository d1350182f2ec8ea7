import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import { createApp } from '../../src/bootstrap';
import { Clock } from '../../src/common/clock';
import { loadConfig } from '../../src/config/app-config';
import type { SchedulerControl } from '../../src/scheduler/scheduler-control';
import { TEST_DATABASE_URL, TEST_QUEUE_PREFIX, TEST_REDIS_URL } from './test-env';

export interface TestApp {
  readonly app: NestFastifyApplication;
  /** HTTP request through Fastify's full pipeline (routing, URL rewrite, parsers, hooks). */
  request(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<TestResponse>;
  close(): Promise<void>;
}

export interface TestResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | number | undefined>;
  readonly text: string;
  // Tests read arbitrary JSON shapes: the parsed body is deliberately loose.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
}

/**
 * Pacer on the real test database, configured by environment-like overrides. `schedulerControl`
 * stands in for the scheduler the API talks to (default: none, so queue and kill calls answer 503).
 */
export async function startTestApp(env: Record<string, string> = {}, clock?: Clock, options: { schedulerControl?: SchedulerControl } = {}): Promise<TestApp> {
  const config = loadConfig({
    DATABASE_URL: TEST_DATABASE_URL, REDIS_URL: TEST_REDIS_URL, HEALTH_QUEUE_PREFIX: TEST_QUEUE_PREFIX,
    PACER_ADVERTISED_ADDRESS: 'pacer.test:8080', LOG_LEVEL: 'silent', DATABASE_POOL_SIZE: '8', ...env,
  });
  const app = await createApp(config, { connectDatabase: true, logger: false, clock, schedulerControl: options.schedulerControl });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    async request(method, url, body, headers = {}) {
      const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
      const res = await app.inject({
        method: method as 'GET',
        url,
        payload,
        headers: { ...(payload !== undefined || headers['content-type'] ? { 'content-type': 'application/json' } : {}), ...headers },
      });
      let parsed: unknown;
      try {
        parsed = res.body ? JSON.parse(res.body) : undefined;
      } catch {
        parsed = undefined;
      }
      return { status: res.statusCode, headers: res.headers, text: res.body, body: parsed };
    },
    close: () => app.close(),
  };
}

/** A unique group per test file so files never see each other's apps. */
export function uniqueGroup(name: string): string {
  return `/t-${name}-${randomBytes(4).toString('hex')}`;
}

/** A clock tests move by hand. */
export class SettableClock extends Clock {
  constructor(private ms: number) {
    super();
  }
  now(): Date {
    return new Date(this.ms);
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}
