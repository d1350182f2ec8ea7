import { Global, Inject, Injectable, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { Metrics } from '../common/metrics';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { CONNECT_DATABASE } from '../persistence/persistence.module.tokens';
import { ProbeWorker } from './probe-queue';

/** A worker that does not close within this (Redis unreachable: ioredis waits to reconnect) is left behind. */
const CLOSE_TIMEOUT_MS = 5000;
/** Creating the worker again after it threw. */
const RETRY_MS = 5000;
/** One log line per this period about Redis errors (a refused connection is retried many times a second). */
const ERROR_LOG_EVERY_MS = 30_000;

/**
 * Every replica works Pacer-side health probes (issue 7 §1: probing capacity grows with replicas),
 * leader or not: one ProbeWorker on the `health-probes` queue under HEALTH_QUEUE_PREFIX, at most
 * HEALTH_PROBE_CONCURRENCY probes in flight here, probes later than HEALTH_PROBE_MAX_LAG_MS skipped.
 *
 * Started on bootstrap when the app runs against its database (not for tools that only build the
 * app's metadata) and HEALTH_PROBE_WORKER is not false; closed on shutdown (bounded wait). Redis being
 * unreachable never stops the app: the connections retry on their own, errors are logged at most
 * once per 30 s with how many there were, and a worker that could not even be created is created
 * again every 5 s. The leader's side (queueing probes, reading results) is the scheduler's
 * HealthMonitor.
 */
@Injectable()
export class ProbeWorkerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('HealthProbes');
  private worker: ProbeWorker | undefined;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;
  private errors = 0;
  private lastErrorLog = -Infinity;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CONNECT_DATABASE) private readonly connected: boolean,
    metrics: Metrics,
  ) {
    const current = (): ProbeWorker | undefined => this.worker;
    new Gauge({
      name: 'pacer_health_probes_in_flight',
      help: 'Health probes running on this replica',
      registers: [metrics.registry],
      collect() {
        this.set(current()?.inFlight() ?? 0);
      },
    });
  }

  onApplicationBootstrap(): void {
    if (!this.connected || !this.config.healthProbeWorker) return;
    this.start();
  }

  /** The running worker (tests, metrics). */
  get current(): ProbeWorker | undefined {
    return this.worker;
  }

  private start(): void {
    if (this.stopped) return;
    const c = this.config;
    try {
      this.worker = new ProbeWorker({
        redisUrl: c.redisUrl,
        prefix: c.healthQueuePrefix,
        concurrency: c.healthProbeConcurrency,
        maxLagMs: c.healthProbeMaxLagMs,
        onError: (err) => this.onError(err),
      });
      this.logger.log(`probe worker ${this.worker.name} on ${c.healthQueuePrefix}:health-probes (${c.healthProbeConcurrency} probes at once)`);
    } catch (err) {
      this.onError(err as Error);
      this.retry = setTimeout(() => this.start(), RETRY_MS);
      this.retry.unref();
    }
  }

  private onError(err: Error): void {
    this.errors++;
    const now = Date.now();
    if (now - this.lastErrorLog < ERROR_LOG_EVERY_MS) return;
    this.lastErrorLog = now;
    this.logger.warn(`health probe worker: ${err.message}${this.errors > 1 ? ` (${this.errors} errors since the last report)` : ''}; retrying`);
    this.errors = 0;
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    const w = this.worker;
    this.worker = undefined;
    if (w === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      w.close().then(() => false, (err: Error) => {
        this.logger.warn(`closing the health probe worker: ${err.message}`);
        return false;
      }),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), CLOSE_TIMEOUT_MS);
        timer.unref();
      }),
    ]);
    if (timer) clearTimeout(timer);
    if (timedOut) this.logger.warn(`the health probe worker did not close within ${CLOSE_TIMEOUT_MS} ms (Redis unreachable?): left behind`);
  }
}

/** Global: the probe worker of this replica (import once, in AppModule). */
@Global()
@Module({
  providers: [ProbeWorkerService],
  exports: [ProbeWorkerService],
})
export class HealthChecksModule {}
