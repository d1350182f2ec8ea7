import { Global, Module } from '@nestjs/common';
import { EventBus } from './event-bus';

/** The process-wide event bus (global: publishers anywhere inject `EventBus`). */
@Global()
@Module({
  providers: [EventBus],
  exports: [EventBus],
})
export class EventsModule {}
