import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Metrics } from '../common/metrics';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { Leadership } from '../leader/leadership';
import { parseMesosMaster, StaticMasterDetector, type MasterDetector } from './detector';
import { MesosSchedulerDriver } from './driver';
import { PgFrameworkIdStore, pgHasInstances } from './framework-store';
import { MesosMetrics } from './metrics';
import type { SchedulerEvent } from './types';
import { ZkMasterDetector } from './zk-detector';

/** Whether this process runs the scheduler (main: yes; tests and tools building the app: no). */
export const MESOS_SCHEDULER_ENABLED = Symbol('MESOS_SCHEDULER_ENABLED');

/** Refuse filter for offers nobody wants: long, so an idle framework costs the master nothing. */
export const IDLE_REFUSE_SECONDS = 3600;

/**
 * Runs the Mesos driver while this replica leads, and (until the launch queue exists) owns what
 * the driver hears: suppresses offers, declines any that still come with a long filter, runs
 * implicit reconciliation after each subscription and acknowledges updates (there is no instance
 * state to persist yet). The scheduler of the next issue replaces `handle` with its own listener.
 */
@Injectable()
export class MesosService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Mesos');
  private readonly metrics: MesosMetrics;
  private driverValue: MesosSchedulerDriver | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(MESOS_SCHEDULER_ENABLED) private readonly enabled: boolean,
    private readonly leadership: Leadership,
    metrics: Metrics,
    @Optional() @Inject(DataSource) private readonly ds?: DataSource,
  ) {
    this.metrics = new MesosMetrics(metrics.registry);
  }

  get driver(): MesosSchedulerDriver | undefined {
    return this.driverValue;
  }

  /** For /v2/info: the framework id and the master we are connected to. */
  status(): { frameworkId: string | undefined; master: string | undefined } {
    return { frameworkId: this.driverValue?.frameworkId, master: this.driverValue?.master };
  }

  onApplicationBootstrap(): void {
    if (!this.enabled || !this.ds?.isInitialized || !this.leadership.isLeader()) return;
    this.driverValue = this.createDriver(this.ds);
    this.driverValue.on((e) => this.handle(e));
    this.driverValue.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.driverValue?.stop();
  }

  private createDriver(ds: DataSource): MesosSchedulerDriver {
    const c = this.config;
    const log = { info: (m: string) => this.logger.log(m), warn: (m: string) => this.logger.warn(m), error: (m: string) => this.logger.error(m) };
    return new MesosSchedulerDriver({
      framework: {
        user: c.frameworkUser,
        name: c.frameworkName,
        role: c.frameworkRole,
        failoverTimeoutSeconds: c.failoverTimeoutSeconds,
        hostname: c.advertisedAddress.split(':')[0],
        webuiUrl: `http://${c.advertisedAddress}`,
      },
      encoding: c.mesosEncoding,
      detector: detectorFor(c.mesosMaster),
      store: new PgFrameworkIdStore(ds),
      hasInstances: pgHasInstances(ds),
      metrics: this.metrics,
      log,
    });
  }

  private async handle(e: SchedulerEvent): Promise<void> {
    const driver = this.driverValue;
    if (!driver) return;
    try {
      if (e.type === 'subscribed') {
        await driver.suppress();
        await driver.reconcile([]);
      } else if (e.type === 'offers' && e.offers.length > 0) {
        await driver.decline(e.offers.map((o) => o.id.value), IDLE_REFUSE_SECONDS);
      } else if (e.type === 'update') {
        await driver.acknowledge(e.status);
      }
    } catch (err) {
      this.logger.warn(`handling ${e.type}: ${(err as Error).message}`);
    }
  }
}

export function detectorFor(mesosMaster: string): MasterDetector {
  const parsed = parseMesosMaster(mesosMaster);
  return parsed.kind === 'zk' ? new ZkMasterDetector(parsed.url) : new StaticMasterDetector(parsed.urls);
}
