import { ConfigError, loadConfig } from './config/app-config';
import { createApp } from './bootstrap';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`configuration error: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
  const app = await createApp(config, { connectDatabase: true, scheduler: config.schedulerEnabled });
  app.enableShutdownHooks();
  await app.listen(config.httpPort, config.httpHost);
}

main().catch((err: unknown) => {
  console.error('pacer failed to start:', err);
  process.exit(1);
});
