import { DynamicModule, Global, Module } from '@nestjs/common';
import { MESOS_SCHEDULER_ENABLED, MesosService } from './mesos.service';

/** The Mesos driver and its owner. `scheduler: false` builds the app without ever contacting Mesos. */
@Global()
@Module({})
export class MesosModule {
  static forRoot(scheduler: boolean): DynamicModule {
    return {
      module: MesosModule,
      providers: [{ provide: MESOS_SCHEDULER_ENABLED, useValue: scheduler }, MesosService],
      exports: [MesosService],
    };
  }
}
