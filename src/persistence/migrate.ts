import { ConfigError, loadConfig } from '../config/app-config';
import { createDataSource } from './data-source';

/** `npm run migration:run`: applies every pending migration to DATABASE_URL, then exits. */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const ds = createDataSource(config.databaseUrl, 2);
  await ds.initialize();
  try {
    const applied = await ds.runMigrations({ transaction: 'each' });
    console.log(applied.length === 0 ? 'migrations: database is up to date' : `migrations: applied ${applied.map((m) => m.name).join(', ')}`);
  } finally {
    await ds.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? `configuration error: ${err.message}` : err);
  process.exit(1);
});
