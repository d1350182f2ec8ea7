import { Global, Inject, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Metrics } from '../common/metrics';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { CONNECT_DATABASE } from '../persistence/persistence.module.tokens';
import { EventBus } from './event-bus';
import { EventRelay } from './event-relay';
import { EventStreamService } from './event-stream.service';
import { EventSubscriptionStore } from './event-subscription-store';
import { EventSubscriptionsService } from './event-subscriptions.service';
import { EventsController } from './events.controller';

/**
 * The process-wide event bus (global: publishers anywhere inject `EventBus`), its cross-replica
 * fan-out through Redis (EventRelay), `/v2/events` and `/v2/eventSubscriptions`. Without a database
 * connection (OpenAPI generation) nothing connects to Redis either.
 */
@Global()
@Module({
  controllers: [EventsController],
  providers: [
    EventBus,
    {
      provide: EventRelay,
      inject: [APP_CONFIG, Metrics],
      useFactory: (config: AppConfig, metrics: Metrics) => new EventRelay({ redisUrl: config.redisUrl, prefix: config.eventsRedisPrefix, registry: metrics.registry }),
    },
    EventStreamService,
    EventSubscriptionStore,
    EventSubscriptionsService,
  ],
  exports: [EventBus, EventRelay],
})
export class EventsModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(CONNECT_DATABASE) private readonly connect: boolean,
    private readonly bus: EventBus,
    private readonly relay: EventRelay,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.connect) await this.relay.start(this.bus);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay.close();
  }
}
