import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppsModule } from './apps/apps.module';
import { GroupsModule } from './groups/groups.module';
import { Clock, SystemClock } from './common/clock';
import { Metrics } from './common/metrics';
import { APP_CONFIG, AppConfig } from './config/app-config';
import { DeploymentsModule } from './deployments/deployments.module';
import { HealthModule } from './health/health.module';
import { LeaderModule } from './leader/leader.module';
import { MesosModule } from './mesos/mesos.module';
import { CONNECT_DATABASE, PersistenceModule } from './persistence/persistence.module';
import { QueueModule } from './queue/queue.module';
import type { SchedulerControl } from './scheduler/scheduler-control';
import { SchedulerControlModule } from './scheduler/scheduler-control.module';
import { TasksModule } from './tasks/tasks.module';
import { SchedulerModule } from './scheduler/scheduler.module';
import { EventsModule } from './events/events.module';
import { HealthChecksModule } from './health-checks/health-checks.module';

export interface AppModuleOptions {
  /** false builds the app without a database connection (OpenAPI generation). */
  readonly connectDatabase: boolean;
  readonly clock?: Clock;
  /** true runs the Mesos scheduler driver while this replica leads (main); default false (tests, tools). */
  readonly scheduler?: boolean;
  /** Replaces the SchedulerControl the API talks to (tests' doubles). */
  readonly schedulerControl?: SchedulerControl;
}

/** Process-wide singletons: the frozen config, the clock, metrics. */
@Global()
@Module({})
class CoreProvidersModule {
  static forRoot(config: AppConfig, options: AppModuleOptions): DynamicModule {
    return {
      module: CoreProvidersModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: CONNECT_DATABASE, useValue: options.connectDatabase },
        { provide: Clock, useValue: options.clock ?? new SystemClock() },
        Metrics,
      ],
      exports: [APP_CONFIG, CONNECT_DATABASE, Clock, Metrics],
    };
  }
}

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, options: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreProvidersModule.forRoot(config, options),
        PersistenceModule,
        // Before the scheduler: its bootstrap hook runs after the election started (see LeaderModule).
        LeaderModule,
        DeploymentsModule,
        AppsModule,
        GroupsModule,
        TasksModule,
        QueueModule,
        SchedulerControlModule.forRoot(options.schedulerControl),
        HealthModule,
        MesosModule.forRoot(options.scheduler ?? false),
        EventsModule,
        HealthChecksModule,
        SchedulerModule,
      ],
    };
  }
}
