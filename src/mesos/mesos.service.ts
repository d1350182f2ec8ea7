import { Inject, Injectable, Logger, OnApplicationShutdown, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Metrics } from '../common/metrics';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { Leadership } from '../leader/leadership';
import { parseMesosMaster, StaticMasterDetector, type MasterDetector } from './detector';
import { MesosSchedulerDriver, type SchedulerListener } from './driver';
import { PgFrameworkIdStore, pgHasInstances } from './framework-store';
import { MesosMetrics } from './metrics';
import { ZkMasterDetector } from './zk-detector';

/** Whether this process runs the scheduler (main: yes; tests and tools building the app: no). */
export const MESOS_SCHEDULER_ENABLED = Symbol('MESOS_SCHEDULER_ENABLED');

/**
 * Owns the Mesos driver of this replica's leadership term: creates it (framework settings, master
 * detection, framework-id store) and stops it on shutdown. The scheduler (src/scheduler) starts it
 * with its listener once the term's state is loaded, so no event is ever heard before Pacer knows
 * its instances.
 */
@Injectable()
export class MesosService implements OnApplicationShutdown {
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

  /** Whether this process should run the scheduler now (enabled, database connected, leading). */
  shouldSchedule(): boolean {
    return this.enabled && this.ds?.isInitialized === true && this.leadership.isLeader();
  }

  /** For /v2/info: the framework id and the master we are connected to. */
  status(): { frameworkId: string | undefined; master: string | undefined } {
    return { frameworkId: this.driverValue?.frameworkId, master: this.driverValue?.master };
  }

  /** Create the driver, attach the listener, subscribe. */
  start(listener: SchedulerListener): MesosSchedulerDriver {
    if (!this.ds) throw new Error('the Mesos driver needs the database (framework id)');
    if (this.driverValue) throw new Error('the Mesos driver is already running');
    const driver = this.createDriver(this.ds);
    driver.on(listener);
    this.driverValue = driver;
    driver.start();
    return driver;
  }

  /** End of a leadership term: the driver stops (a new term starts a new one). */
  async stopDriver(): Promise<void> {
    const d = this.driverValue;
    this.driverValue = undefined;
    await d?.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stopDriver();
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
}

export function detectorFor(mesosMaster: string): MasterDetector {
  const parsed = parseMesosMaster(mesosMaster);
  return parsed.kind === 'zk' ? new ZkMasterDetector(parsed.url) : new StaticMasterDetector(parsed.urls);
}
