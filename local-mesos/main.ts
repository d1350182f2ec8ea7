// CLI: `npm run local-mesos -- --agents 3 --port 5050`. Prints where it listens; SIGINT/SIGTERM stop
// it cleanly, killing every task's process group first.
import { parseArgs, USAGE } from './cli';
import { startLocalMesos } from './index';

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
  if (parsed.help) {
    console.log(USAGE);
    return;
  }
  const log = parsed.quiet ? undefined : (line: string): void => console.error(`[local-mesos] ${line}`);
  const mesos = await startLocalMesos({ ...parsed.options, log });
  const s = mesos.master.settings;
  console.log(
    `local-mesos listening on ${mesos.url} (master ${mesos.masterId}, ${mesos.agentIds.length} ${s.simulate ? 'simulated ' : ''}agents` +
      `${mesos.zkNode ? `, ZooKeeper ${mesos.zkNode}` : ''}; sandboxes in ${s.simulate ? '-' : mesos.workDir})`,
  );
  console.log(`scheduler API: ${mesos.url}/api/v1/scheduler   state: ${mesos.url}/state   operator: ${mesos.url}/__local/...`);
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`local-mesos: ${signal} received, stopping tasks`);
    const hardExit = setTimeout(() => process.exit(1), 15_000);
    hardExit.unref();
    mesos.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        console.error(e);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((e: unknown) => {
  console.error((e as Error).stack ?? String(e));
  process.exit(1);
});

