import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { AppStore } from './app-store';
import { InstanceStore } from './instance-store';
import { InstanceHealthStore } from './instance-health-store';
import { TaskFailureStore } from './task-failure-store';
import { createDataSource } from './data-source';

import { CONNECT_DATABASE } from './persistence.module.tokens';
import { ChangeFeed, ChangeNotifier } from './change-feed';
import { AppReadCache } from './app-read-cache';

export { CONNECT_DATABASE };

@Global()
@Module({
  providers: [
    {
      provide: DataSource,
      inject: [APP_CONFIG, CONNECT_DATABASE],
      useFactory: async (config: AppConfig, connect: boolean) => {
        const ds = createDataSource(config.databaseUrl, config.databasePoolSize);
        if (connect) await ds.initialize();
        return ds;
      },
    },
    AppStore,
    InstanceStore,
    InstanceHealthStore,
    TaskFailureStore,
    ChangeFeed,
    ChangeNotifier,
    AppReadCache,
  ],
  exports: [DataSource, AppStore, InstanceStore, InstanceHealthStore, TaskFailureStore, ChangeFeed, ChangeNotifier, AppReadCache],
})
export class PersistenceModule implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.ds.isInitialized) await this.ds.destroy();
  }
}
