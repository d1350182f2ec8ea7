import http from 'node:http';
import os from 'node:os';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { statusUpdate } from '../src/core/events/marathon-events';
import { eventsChannel } from '../src/events/event-relay';
import { sseFrame } from '../src/events/sse';
import { freePort, freshDatabase, percentile, saveResult, startNode, stop, waitForHttp } from './lib';

/**
 * Issue 8's SSE fan-out figure: a Pacer replica serving /v2/events to CLIENTS clients while RATE
 * events/s arrive through the Redis fan-out channel, as the leader's relay sends them (this process
 * plays the leader: one PUBLISH of the event's frame per event). Measured:
 *  - delivery latency per event and client, from just before the PUBLISH to the client having parsed
 *    the frame (p50/p99/max), and every event's arrival at every client;
 *  - the replica's CPU (user+system from /proc, as a share of one core) and RSS.
 * The clients run in this process (their parsing is not Pacer's CPU); the replica is a child process.
 */
const CLIENTS = Number(process.env.BENCH_SSE_CLIENTS ?? 100);
const RATE = Number(process.env.BENCH_EVENT_RATE ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const WARMUP_SECONDS = 3;
const TICK_MS = 10;

const nowMs = (): number => performance.timeOrigin + performance.now();

/** utime + stime of a process, in ms (Linux /proc). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // CLK_TCK = 100
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

/** Measures events with a sequence number in [from, to): the window is set once the warm-up is over. */
interface Window {
  from: number;
  to: number;
}

/** One /v2/events client; parses only what it measures (an SSE parser per frame, no JSON.parse). */
class Client {
  received = 0;
  attached = false;
  private buf = '';
  constructor(port: number, private readonly latencies: number[], private readonly window: Window) {
    http.get({ host: '127.0.0.1', port, path: '/v2/events?event_type=status_update_event&event_type=event_stream_attached', headers: { Accept: 'text/event-stream' }, agent: false }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => this.parse(chunk));
    });
  }

  private parse(chunk: string): void {
    const at = nowMs();
    this.buf += chunk;
    let start = 0;
    let end: number;
    while ((end = this.buf.indexOf('\n\n', start)) >= 0) {
      const m = this.buf.indexOf(MARK, start);
      if (m >= 0 && m < end) {
        const space = this.buf.indexOf(' ', m + MARK.length);
        const seq = Number(this.buf.slice(m + MARK.length, space));
        if (seq >= this.window.from && seq < this.window.to) {
          this.received++;
          this.latencies.push(at - Number(this.buf.slice(space + 6, this.buf.indexOf('"', space))));
        }
      } else if (this.buf.startsWith('event: event_stream_attached', start)) {
        this.attached = true;
      }
      start = end + 2;
    }
    this.buf = this.buf.slice(start);
  }
}

/** In each status_update_event's message: `seq=<n> sent=<epoch ms>`. */
const MARK = '"message":"seq=';

async function main(): Promise<void> {
  const dbUrl = await freshDatabase('pacer_bench_events');
  const prefix = `pacer-bench-events-${process.pid}`;
  const redisUrl = 'redis://127.0.0.1:6379/1';
  const port = await freePort();
  const pacer = startNode('src/main.js', {
    DATABASE_URL: dbUrl,
    REDIS_URL: redisUrl,
    EVENTS_REDIS_PREFIX: prefix,
    HEALTH_QUEUE_PREFIX: prefix,
    HTTP_PORT: String(port),
    HTTP_HOST: '127.0.0.1',
    PACER_ADVERTISED_ADDRESS: `127.0.0.1:${port}`,
    SCHEDULER_ENABLED: 'false',
    LOG_LEVEL: 'warn',
  });
  const redis = new Redis(redisUrl, { enableAutoPipelining: true });
  try {
    await waitForHttp(`http://127.0.0.1:${port}/ping`);
    const latencies: number[] = [];
    const window: Window = { from: Number.MAX_SAFE_INTEGER, to: Number.MAX_SAFE_INTEGER };
    const clients = Array.from({ length: CLIENTS }, () => new Client(port, latencies, window));
    const deadline = Date.now() + 10_000;
    while (clients.some((c) => !c.attached)) {
      if (Date.now() > deadline) throw new Error('clients did not attach');
      await new Promise((r) => setTimeout(r, 20));
    }
    const channel = eventsChannel(prefix);
    const template = statusUpdate({ slaveId: 'agent-1', taskId: '', taskStatus: 'TASK_RUNNING', appId: '/bench/web', host: 'node-17.example.com', ports: [31001, 31002], version: '2026-03-01T12:00:00.000Z' }, new Date());
    let sent = 0;
    const publish = (): void => {
      // Built and serialized per event, as the leader's bus does.
      const json = JSON.stringify({ ...template, taskId: `bench_web.instance-${sent}._app.1`, message: `seq=${sent} sent=${nowMs()}`, timestamp: new Date().toISOString() });
      void redis.publish(channel, sseFrame('status_update_event', json));
      sent++;
    };
    /** RATE events/s in ticks of TICK_MS, catching up on late ticks. */
    const run = async (seconds: number): Promise<void> => {
      const start = performance.now();
      const total = Math.round(RATE * seconds);
      let done = 0;
      while (done < total) {
        const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * RATE));
        while (done < due) {
          publish();
          done++;
        }
        await new Promise((r) => setTimeout(r, TICK_MS));
      }
    };
    await run(WARMUP_SECONDS);
    window.from = sent;
    const cpu0 = cpuMs(pacer.pid as number);
    const own0 = process.cpuUsage();
    const t0 = performance.now();
    await run(SECONDS);
    const wall = performance.now() - t0;
    const cpu1 = cpuMs(pacer.pid as number);
    const own = process.cpuUsage(own0);
    const rss = rssMb(pacer.pid as number);
    window.to = sent;
    const expected = (window.to - window.from) * CLIENTS;
    // Let the last events arrive.
    const until = Date.now() + 10_000;
    while (clients.reduce((s, c) => s + c.received, 0) < expected && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    const delivered = clients.reduce((s, c) => s + c.received, 0);
    latencies.sort((x, y) => x - y);
    const result = {
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadavg: os.loadavg().map((l) => Math.round(l * 100) / 100) },
      clients: CLIENTS,
      eventsPerSecond: RATE,
      seconds: SECONDS,
      eventBytes: sseFrame('status_update_event', JSON.stringify({ ...template, message: `seq=${sent} sent=${nowMs()}` })).length,
      deliveries: { expected, delivered, lost: expected - delivered },
      latencyMs: {
        p50: round(percentile(latencies, 50)),
        p90: round(percentile(latencies, 90)),
        p99: round(percentile(latencies, 99)),
        max: round(latencies[latencies.length - 1]),
      },
      replica: { cpuShareOfOneCore: round((cpu1 - cpu0) / wall), rssMb: rss },
      // The publisher and the 100 clients (reading and scanning every frame) share this process and the machine.
      benchProcess: { cpuShareOfOneCore: round((own.user + own.system) / 1000 / wall) },
    };
    console.log(JSON.stringify(result, null, 2));
    console.log(`saved ${saveResult('events', result)}`);
  } finally {
    await stop(pacer);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
