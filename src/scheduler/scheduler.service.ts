import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { Metrics } from '../common/metrics';
import { EventBus } from '../events/event-bus';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { MesosService } from '../mesos/mesos.service';
import type { SchedulerEvent } from '../mesos/types';
import { AppStore } from '../persistence/app-store';
import { ChangeFeed, ChangeNotifier } from '../persistence/change-feed';
import { InstanceStore } from '../persistence/instance-store';
import { InstanceHealthStore } from '../persistence/instance-health-store';
import { Leadership } from '../leader/leadership';
import { registerHealthMetrics } from './health-metrics';
import { HealthMonitor, healthSettingsFrom, redisProbeChannels } from './health-monitor';
import { Scheduler, type SchedulerMetrics } from './scheduler';
import type { QueueEntry, SchedulerControl } from './scheduler-control';
import { PgSchedulerStore, type FailureSink } from './scheduler-store';

/** Where task failures go (the lastTaskFailure store); provided by the persistence layer. */
export const FAILURE_SINK = Symbol('FAILURE_SINK');

/**
 * Runs the scheduler for this replica's leadership term: loads the term's state from Postgres, then
 * starts the Mesos driver with the scheduler as its listener, and follows app changes through the
 * change feed. It is also the API's `SchedulerControl`; while no scheduler runs, `isActive()` is
 * false and the API answers 503.
 */
@Injectable()
export class SchedulerService implements SchedulerControl, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Scheduler');
  private scheduler: Scheduler | undefined;
  private readonly metrics: SchedulerMetrics;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly mesos: MesosService,
    private readonly ds: DataSource,
    private readonly instances: InstanceStore,
    private readonly apps: AppStore,
    private readonly notifier: ChangeNotifier,
    private readonly feed: ChangeFeed,
    @Inject(FAILURE_SINK) private readonly failures: FailureSink,
    private readonly events: EventBus,
    private readonly health: InstanceHealthStore,
    private readonly leadership: Leadership,
    metrics: Metrics,
  ) {
    this.metrics = schedulerMetrics(metrics, () => this.scheduler);
    registerHealthMetrics(metrics.registry, () => this.scheduler?.healthMonitor);
  }

  private term: Promise<void> = Promise.resolve();
  private subscribedToFeed = false;

  /**
   * The scheduler runs for exactly the terms this replica leads: started on `onChange(true)` (and at
   * bootstrap if already leading), stopped at once on `onChange(false)` — `Scheduler.stop()` marks it
   * stopped synchronously, so nothing more is launched, killed or written by it.
   */
  async onApplicationBootstrap(): Promise<void> {
    this.leadership.onChange((leading) => (leading ? this.startTerm() : this.stopTerm()));
    await this.leadership.ready();
    if (this.leadership.isLeader()) await this.startTerm();
  }

  private startTerm(): Promise<void> {
    this.term = this.term.then(() => this.runTerm()).catch((e: Error) => this.logger.error(`starting the scheduler: ${e.stack ?? e.message}`));
    return this.term;
  }

  private stopTerm(): Promise<void> {
    const s = this.scheduler;
    this.scheduler = undefined;
    const stopping = s?.stop(); // marks it stopped synchronously
    this.term = this.term.then(async () => {
      await stopping;
      await this.mesos.stopDriver();
    });
    return this.term;
  }

  private async runTerm(): Promise<void> {
    if (this.scheduler !== undefined || !this.mesos.shouldSchedule()) return;
    const c = this.config;
    const log = { info: (m: string) => this.logger.log(m), warn: (m: string) => this.logger.warn(m), error: (m: string) => this.logger.error(m) };
    const term = this.leadership.term();
    const store = new PgSchedulerStore(this.ds, this.instances, this.apps, this.notifier, this.failures, this.health,
      term === undefined ? undefined : {
        term,
        // Another replica took over while this one was not looking: stop everything and stand again.
        onFenced: (e) => {
          this.logger.error(`${e.message}: stopping the scheduler and abdicating`);
          void this.stopTerm().then(() => this.leadership.abdicate());
        },
      });
    // The driver is created first (it is the scheduler's port); events that arrive before the
    // scheduler has loaded the term's state wait in `pending` (the subscription takes a round trip,
    // the load is usually faster).
    const pending: SchedulerEvent[] = [];
    let deliver: (e: SchedulerEvent) => void = (e) => {
      pending.push(e);
    };
    const driver = this.mesos.start((e) => deliver(e));
    const scheduler = new Scheduler(
      driver,
      store,
      {
        frameworkRole: c.frameworkRole,
        maxInstancesPerOffer: c.maxInstancesPerOffer,
        declineOfferDurationSeconds: c.declineOfferDurationSeconds,
        minReviveOffersIntervalMs: c.minReviveOffersIntervalMs,
        reconciliationIntervalSeconds: c.reconciliationIntervalSeconds,
        scaleAppsIntervalSeconds: c.scaleAppsIntervalSeconds,
        taskLaunchConfirmTimeoutSeconds: c.taskLaunchConfirmTimeoutSeconds,
        taskLaunchTimeoutSeconds: c.taskLaunchTimeoutSeconds,
        killRetrySeconds: c.killRetrySeconds,
        tickMs: c.schedulerTickMs,
      },
      log,
      Date.now,
      this.metrics,
      this.events,
      (onChange) =>
        new HealthMonitor({
          ...redisProbeChannels({ redisUrl: c.redisUrl, prefix: c.healthQueuePrefix, maxQueued: c.healthProbeMaxQueued, onError: (e) => this.logger.warn(`health probes: ${e.message}`) }),
          log,
          events: this.events,
          settings: healthSettingsFrom(c),
          onChange,
        }),
    );
    if (!this.subscribedToFeed) {
      this.subscribedToFeed = true;
      this.feed.subscribe({ changed: (id) => this.scheduler?.appChanged(id), reset: () => this.scheduler?.resetApps() });
    }
    this.scheduler = scheduler;
    try {
      await scheduler.start();
    } catch (e) {
      this.scheduler = undefined;
      await scheduler.stop();
      await this.mesos.stopDriver();
      throw e;
    }
    deliver = (e) => scheduler.onEvent(e);
    for (const e of pending) scheduler.onEvent(e);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stopTerm();
  }

  isActive(): boolean {
    return this.scheduler?.isActive() ?? false;
  }

  queue(): readonly QueueEntry[] {
    return this.scheduler?.queue() ?? [];
  }

  resetDelay(appId: string): boolean {
    return this.scheduler?.resetDelay(appId) ?? false;
  }

  async killInstances(instanceIds: readonly string[], wipe: boolean): Promise<void> {
    await this.scheduler?.killInstances(instanceIds, wipe);
  }

  /** The running scheduler (tests). */
  get current(): Scheduler | undefined {
    return this.scheduler;
  }
}

function schedulerMetrics(metrics: Metrics, current: () => Scheduler | undefined): SchedulerMetrics {
  const r = metrics.registry;
  const launched = new Counter({ name: 'pacer_tasks_launched_total', help: 'Tasks sent to Mesos in LAUNCH operations', registers: [r] });
  const updates = new Counter({ name: 'pacer_status_updates_total', help: 'Task status updates applied', registers: [r] });
  const offers = new Counter({ name: 'pacer_offers_total', help: 'Offers processed, by outcome', labelNames: ['outcome'], registers: [r] });
  const kills = new Counter({ name: 'pacer_task_kills_total', help: 'KILL calls sent', registers: [r] });
  new Gauge({
    name: 'pacer_launch_queue_instances',
    help: 'Instances waiting to be launched',
    registers: [r],
    collect() {
      this.set((current()?.queue() ?? []).reduce((n, q) => n + q.count, 0));
    },
  });
  return {
    launched: (n) => launched.inc(n),
    updates: (n) => updates.inc(n),
    offers: (used, declined) => {
      offers.inc({ outcome: 'used' }, used);
      offers.inc({ outcome: 'declined' }, declined);
    },
    kills: (n) => kills.inc(n),
  };
}
