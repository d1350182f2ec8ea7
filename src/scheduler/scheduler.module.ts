import { Global, Module } from '@nestjs/common';
import { TaskFailureStore } from '../persistence/task-failure-store';
import { FAILURE_SINK, SchedulerService } from './scheduler.service';

/** The leader's scheduler (runs only while this replica leads with Mesos enabled). */
@Global()
@Module({
  providers: [SchedulerService, { provide: FAILURE_SINK, useExisting: TaskFailureStore }],
  exports: [SchedulerService],
})
export class SchedulerModule {}
