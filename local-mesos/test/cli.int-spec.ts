// The CLI as a user runs it: prints where it listens; SIGTERM leaves no task process running.
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { eventually, frameworkInfo, SchedulerClient } from '../testing/client';
import { alive, launch, taskInfo, untilState } from './harness';

jest.setTimeout(30_000);

describe('CLI', () => {
  let child: ChildProcess | undefined;
  let client: SchedulerClient | undefined;
  afterEach(() => {
    client?.close();
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('starts, serves the scheduler API and stops every task on SIGTERM', async () => {
    const root = path.join(__dirname, '..');
    child = spawn(process.execPath, ['-r', path.join(root, 'testing', 'swc-register.js'), path.join(root, 'main.ts'), '--port', '0', '--agents', '1', '--allocation-interval', '50ms', '--quiet'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const url = await eventually(() => /listening on (http:\/\/\S+) /.exec(out)?.[1], 20_000, 'listening line');
    client = new SchedulerClient(url, 'protobuf');
    const stream = await client.subscribeOk(frameworkInfo({ failover_timeout: 60 }));
    await launch(stream, (o) => [taskInfo('cli-task', o, 'sleep 100 & sleep 100 & wait')]);
    await untilState(stream, 'cli-task', 'TASK_RUNNING');
    const state = (await (await fetch(`${url}/state`)).json()) as { tasks: { pid: number }[] };
    const pid = state.tasks[0].pid;
    expect(alive(-pid)).toBe(true);
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toContain('SIGTERM received');
    await eventually(() => !alive(-pid), 5000, 'task group gone');
  });
});
