import { DynamicModule, Global, Module } from '@nestjs/common';
import { SCHEDULER_CONTROL, type SchedulerControl } from './scheduler-control';
import { SchedulerService } from './scheduler.service';

/**
 * Provides SCHEDULER_CONTROL to every module: the SchedulerService, which is active only while this
 * replica runs the scheduler (otherwise the API answers 503 where it needs one, see NoScheduler's
 * message); `override` replaces it (test doubles).
 */
@Global()
@Module({})
export class SchedulerControlModule {
  static forRoot(override?: SchedulerControl): DynamicModule {
    return {
      module: SchedulerControlModule,
      providers: [{ provide: SCHEDULER_CONTROL, inject: [SchedulerService], useFactory: (s: SchedulerService): SchedulerControl => override ?? delegateTo(s) }],
      exports: [SCHEDULER_CONTROL],
    };
  }
}

/**
 * A plain object in front of the service: Nest runs lifecycle hooks on every provider's value, and
 * the service's own start/stop hooks must run once.
 */
function delegateTo(s: SchedulerControl): SchedulerControl {
  return {
    isActive: () => s.isActive(),
    queue: () => s.queue(),
    resetDelay: (appId) => s.resetDelay(appId),
    killInstances: (ids, wipe) => s.killInstances(ids, wipe),
  };
}
