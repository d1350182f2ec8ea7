// Shared pieces of the local-mesos benchmarks: start the master as a child process, a raw HTTP/1.1
// client that pipelines calls over a few keep-alive sockets, and the SUBSCRIBE stream reader.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { decodeEvent, encodeCall, type EventT, type IdT, type Json } from '../local-mesos/testing/client';
import { RecordIOReader } from '../local-mesos/testing/recordio-reader';

export interface MasterProcess {
  url: string;
  port: number;
  child: ChildProcess;
  rssKb(): number;
  stop(): Promise<void>;
}

/** Starts dist/local-mesos/main.js with --expose-gc and waits for its "listening on" line. */
export function startMasterProcess(args: string[], env: NodeJS.ProcessEnv = {}, nodeFlags: string[] = []): Promise<MasterProcess> {
  const main = path.join(__dirname, '..', 'local-mesos', 'main.js');
  const child = spawn(process.execPath, ['--expose-gc', ...nodeFlags, main, '--port', '0', '--quiet', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`master did not start: ${out}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/[\d.]+:(\d+))/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout!.removeAllListeners('data');
      child.stdout!.resume();
      resolve({
        url: m[1],
        port: Number(m[2]),
        child,
        rssKb: () => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]),
        stop: () =>
          new Promise((done) => {
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
    child.once('exit', (code) => reject(new Error(`master exited with ${code}: ${out}`)));
  });
}

/** Pipelined scheduler calls over `sockets` connections; every answer must be 202. */
export class PipelinedCaller {
  private readonly socks: { sock: net.Socket; inFlight: number; buf: string; queue: Buffer[] }[] = [];
  private next = 0;
  sent = 0;
  answered = 0;
  failures = 0;
  private drainWaiters: (() => void)[] = [];

  constructor(
    private readonly port: number,
    private readonly streamId: string,
    sockets: number,
    /** Pipelining depth per socket: bounds what piles up inside the master. */
    private readonly maxInFlight = 32,
  ) {
    for (let i = 0; i < sockets; i++) {
      const entry = { sock: net.connect(port, '127.0.0.1'), inFlight: 0, buf: '', queue: [] as Buffer[] };
      entry.sock.setNoDelay(true);
      entry.sock.on('data', (d: Buffer) => this.onData(entry, d.toString('latin1')));
      this.socks.push(entry);
    }
  }

  private onData(entry: { sock: net.Socket; inFlight: number; buf: string; queue: Buffer[] }, text: string): void {
    entry.buf += text;
    // Every answer here is a bodiless 202 (Content-Length: 0): count header blocks.
    let idx: number;
    while ((idx = entry.buf.indexOf('\r\n\r\n')) >= 0) {
      if (!entry.buf.startsWith('HTTP/1.1 202')) this.failures++;
      entry.buf = entry.buf.slice(idx + 4);
      entry.inFlight--;
      this.answered++;
    }
    this.pump(entry);
    if (this.answered === this.sent) {
      const ws = this.drainWaiters;
      this.drainWaiters = [];
      for (const w of ws) w();
    }
  }

  call(call: Json): void {
    const body = encodeCall('protobuf', call);
    const entry = this.socks[this.next++ % this.socks.length];
    this.sent++;
    const head = Buffer.from(
      `POST /api/v1/scheduler HTTP/1.1\r\nHost: 127.0.0.1:${this.port}\r\nContent-Type: application/x-protobuf\r\n` +
        `Mesos-Stream-Id: ${this.streamId}\r\nContent-Length: ${body.length}\r\n\r\n`,
      'latin1',
    );
    entry.queue.push(Buffer.concat([head, body]));
    this.pump(entry);
  }

  private pump(entry: { sock: net.Socket; inFlight: number; queue: Buffer[] }): void {
    const batch: Buffer[] = [];
    while (entry.inFlight < this.maxInFlight && entry.queue.length > 0) {
      batch.push(entry.queue.shift()!);
      entry.inFlight++;
    }
    if (batch.length > 0) entry.sock.write(Buffer.concat(batch));
  }

  drained(): Promise<void> {
    if (this.answered === this.sent) return Promise.resolve();
    return new Promise((r) => this.drainWaiters.push(r));
  }

  close(): void {
    for (const s of this.socks) s.sock.destroy();
  }
}

export interface Subscribed {
  frameworkId: string;
  streamId: string;
  req: http.ClientRequest;
}

/** SUBSCRIBE in protobuf; `onEvent` sees every event after SUBSCRIBED. */
export function subscribe(port: number, frameworkInfo: Json, onEvent: (e: EventT) => void): Promise<Subscribed> {
  const body = encodeCall('protobuf', { type: 'SUBSCRIBE', subscribe: { framework_info: frameworkInfo } });
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/api/v1/scheduler', method: 'POST', agent: false, headers: { 'Content-Type': 'application/x-protobuf', Accept: 'application/x-protobuf' } });
    req.on('response', (res) => {
      const streamId = String(res.headers['mesos-stream-id']);
      const reader = new RecordIOReader();
      res.on('data', (chunk: Buffer) => {
        for (const rec of reader.push(chunk)) {
          const e = decodeEvent('protobuf', rec);
          if (e.type === 'SUBSCRIBED') resolve({ frameworkId: e.subscribed!.framework_id.value, streamId, req });
          else onEvent(e);
        }
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

export function writeResult(name: string, result: Record<string, unknown>): void {
  // dist/bench/… → <repo>/bench/results unless BENCH_RESULTS_DIR says otherwise.
  const dir = process.env.BENCH_RESULTS_DIR ?? path.join(__dirname, '..', '..', 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
}

export async function operatorGet(url: string, p: string, method = 'GET'): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}/__local${p}`, { method });
  return (await res.json()) as Record<string, unknown>;
}

type Status = NonNullable<EventT['update']>['status'];

export interface LauncherOptions {
  /** Tasks to launch in all. */
  readonly total: number;
  /** Tasks launched into one offer at most. */
  readonly perOffer: number;
  /** Filter sent with each ACCEPT's leftovers. */
  readonly acceptRefuseSeconds: number;
  /** The TaskInfo of the n-th task, launched on the offer's agent. */
  readonly task: (n: number, agentId: IdT) => Json;
  /** Every status update, after it was acknowledged. */
  readonly onUpdate: (status: Status) => void;
}

/**
 * The framework side both local-mesos benchmarks share: launches `total` tasks into offers as they
 * come (declining the rest for an hour), acknowledges every update that carries a uuid, and buffers
 * events that arrive before `attach` (OFFERS can come in the same chunk as SUBSCRIBED).
 */
export class OfferLauncher {
  private caller?: PipelinedCaller;
  private frameworkId = '';
  private readonly early: EventT[] = [];
  launched = 0;
  firstAcceptAt = 0;

  constructor(private readonly opts: LauncherOptions) {}

  readonly onEvent = (e: EventT): void => {
    if (!this.caller) {
      this.early.push(e);
      return;
    }
    const fw = { value: this.frameworkId };
    if (e.type === 'OFFERS') {
      for (const offer of e.offers!.offers) {
        const n = Math.min(this.opts.perOffer, this.opts.total - this.launched);
        if (n <= 0) {
          this.caller.call({ framework_id: fw, type: 'DECLINE', decline: { offer_ids: [offer.id], filters: { refuse_seconds: 3600 } } });
          continue;
        }
        const tasks: Json[] = [];
        for (let i = 0; i < n; i++) tasks.push(this.opts.task(this.launched++, offer.agent_id));
        this.firstAcceptAt ||= Date.now();
        const accept = { offer_ids: [offer.id], operations: [{ type: 'LAUNCH', launch: { task_infos: tasks } }], filters: { refuse_seconds: this.opts.acceptRefuseSeconds } };
        this.caller.call({ framework_id: fw, type: 'ACCEPT', accept });
      }
    } else if (e.type === 'UPDATE') {
      const s = e.update!.status;
      if (s.uuid) this.caller.call({ framework_id: fw, type: 'ACKNOWLEDGE', acknowledge: { agent_id: s.agent_id, task_id: s.task_id, uuid: s.uuid } });
      this.opts.onUpdate(s);
    }
  };

  /** Starts launching: the caller exists once the stream id is known. */
  attach(caller: PipelinedCaller, frameworkId: string): void {
    this.caller = caller;
    this.frameworkId = frameworkId;
    for (const e of this.early.splice(0)) this.onEvent(e);
  }
}
