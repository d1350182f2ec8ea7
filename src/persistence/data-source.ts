import { DataSource, DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { AppEntity } from './entities/app.entity';
import { AppVersionEntity } from './entities/app-version.entity';
import { DeploymentEntity } from './entities/deployment.entity';
import { ServicePortEntity } from './entities/service-port.entity';

export const ENTITIES = [AppEntity, AppVersionEntity, DeploymentEntity, ServicePortEntity];

/**
 * The one DataSource definition, shared by the Nest app, the migration runner and tests.
 * Schema sync is never on; migrations never run implicitly at boot (run `npm run migration:run`).
 */
export function dataSourceOptions(databaseUrl: string, poolSize = 10): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'pacer_migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    extra: { max: poolSize, connectionTimeoutMillis: 10_000, statement_timeout: 30_000 },
  };
}

export function createDataSource(databaseUrl: string, poolSize?: number): DataSource {
  return new DataSource(dataSourceOptions(databaseUrl, poolSize));
}
