// A raw-HTTP scheduler client for tests and benchmarks. It speaks either encoding: callers write
// messages in Mesos JSON form (snake_case, enum names, base64 bytes); in protobuf mode they are
// converted with protobufjs' own fromObject/toObject, not with the master's JSON mapping code.
import * as http from 'node:http';
import { callType, eventType } from '../proto/schema';
import { RecordIOReader } from './recordio-reader';

export type Encoding = 'json' | 'protobuf';
/** A call in Mesos JSON form. */
export type Json = Record<string, unknown>;

export interface IdT {
  value: string;
}
export interface ResourceT {
  name: string;
  type: string;
  scalar?: { value: number };
  ranges?: { range: { begin: number; end: number }[] };
  role?: string;
  allocation_info?: { role: string };
}
export interface OfferT {
  id: IdT;
  framework_id: IdT;
  agent_id: IdT;
  hostname: string;
  resources: ResourceT[];
  attributes?: { name: string; type: string; text?: { value: string }; scalar?: { value: number } }[];
  url?: { scheme: string; address: { hostname?: string; ip?: string; port: number }; path?: string };
  allocation_info?: { role: string };
}
export interface StatusT {
  task_id: IdT;
  state: string;
  uuid?: string;
  reason?: string;
  source?: string;
  message?: string;
  healthy?: boolean;
  agent_id?: IdT;
  executor_id?: IdT;
  timestamp?: number;
  unreachable_time?: { nanoseconds: number };
  container_status?: unknown;
}
/** An event in Mesos JSON form (protobuf events are converted to the same shape). */
export interface EventT {
  type: string;
  subscribed?: { framework_id: IdT; heartbeat_interval_seconds: number; master_info: { id: string; port: number; address?: { ip?: string; port: number } } };
  offers?: { offers: OfferT[] };
  rescind?: { offer_id: IdT };
  update?: { status: StatusT };
  error?: { message: string };
  failure?: { agent_id?: IdT };
}

export const CONTENT_TYPE: Record<Encoding, string> = { json: 'application/json', protobuf: 'application/x-protobuf' };

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function encodeCall(encoding: Encoding, call: Json): Buffer {
  if (encoding === 'json') return Buffer.from(JSON.stringify(call));
  const type = callType();
  return Buffer.from(type.encode(type.fromObject(call)).finish());
}

export function decodeEvent(encoding: Encoding, payload: Buffer): EventT {
  if (encoding === 'json') return JSON.parse(payload.toString('utf8')) as EventT;
  const type = eventType();
  return type.toObject(type.decode(payload), { enums: String, longs: Number, bytes: String }) as EventT;
}

/** Sends one raw request; body and headers exactly as given. */
export function rawRequest(url: string, opts: { method?: string; headers?: Record<string, string>; body?: Buffer | string; agent?: http.Agent }): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'POST', headers: opts.headers, agent: opts.agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error('request timeout')));
    req.on('error', reject);
    req.end(opts.body);
  });
}

export class EventStream {
  readonly events: EventT[] = [];
  /** Raw HTTP chunk sizes as received, and records per chunk (for framing tests). */
  readonly chunks: Buffer[] = [];
  closed = false;
  error: Error | undefined;
  frameworkId: string | undefined;
  autoAck = false;
  private readonly consumed = new Set<EventT>();
  private waiters: (() => void)[] = [];
  private readonly reader = new RecordIOReader();

  constructor(
    readonly client: SchedulerClient,
    readonly res: http.IncomingMessage,
    readonly req: http.ClientRequest,
  ) {
    res.on('data', (chunk: Buffer) => this.onChunk(chunk));
    res.on('end', () => this.onEnd());
    res.on('close', () => this.onEnd());
    res.on('error', (e) => {
      this.error = e;
      this.onEnd();
    });
  }

  get streamId(): string {
    return String(this.res.headers['mesos-stream-id']);
  }

  private onChunk(chunk: Buffer): void {
    if (this.chunks.length < 10_000) this.chunks.push(chunk);
    for (const record of this.reader.push(chunk)) {
      const event = decodeEvent(this.client.encoding, record);
      if (event.type === 'SUBSCRIBED') this.frameworkId = event.subscribed!.framework_id.value;
      this.events.push(event);
      if (this.autoAck && event.update?.status.uuid) void this.ack(event.update.status).catch(() => undefined);
    }
    this.wake();
  }

  private onEnd(): void {
    if (this.closed) return;
    this.closed = true;
    this.wake();
  }

  private wake(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }

  /** Resolves with the first not-yet-taken event matching `pred`; rejects after `timeoutMs`. */
  take(pred: (e: EventT) => boolean, timeoutMs = 10_000, what = 'event'): Promise<EventT> {
    const deadline = Date.now() + timeoutMs;
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = this.events.find((e) => !this.consumed.has(e) && pred(e));
        if (found) {
          this.consumed.add(found);
          clearTimeout(timer);
          return resolve(found);
        }
        if (this.closed) {
          clearTimeout(timer);
          return reject(new Error(`stream closed while waiting for ${what}; saw ${this.describe()}`));
        }
        this.waiters.push(check);
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`timed out waiting for ${what}; saw ${this.describe()}`));
      }, Math.max(0, deadline - Date.now()));
      check();
    });
  }

  takeType(type: string, timeoutMs?: number): Promise<EventT> {
    return this.take((e) => e.type === type, timeoutMs, type);
  }

  /** Next UPDATE for a task (optionally in a given state). */
  update(taskId: string, state?: string, timeoutMs?: number): Promise<StatusT> {
    return this.take(
      (e) => e.update !== undefined && e.update.status.task_id.value === taskId && (state === undefined || e.update.status.state === state),
      timeoutMs,
      `UPDATE ${taskId} ${state ?? ''}`,
    ).then((e) => e.update!.status);
  }

  /** Resolves when the stream has ended. */
  waitClosed(timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('stream did not close')), timeoutMs);
      const check = (): void => {
        if (this.closed) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(check);
      };
      check();
    });
  }

  describe(): string {
    return this.events.map((e) => (e.update ? `UPDATE(${e.update.status.task_id.value}:${e.update.status.state})` : e.type)).join(', ') || 'nothing';
  }

  /** Sends a call on a separate connection with this stream's id and framework id. */
  call(call: Json, headers: Record<string, string> = {}): Promise<HttpResult> {
    return this.client.call({ framework_id: { value: this.frameworkId }, ...call }, { 'Mesos-Stream-Id': this.streamId, ...headers });
  }

  ack(status: StatusT): Promise<HttpResult> {
    return this.call({ type: 'ACKNOWLEDGE', acknowledge: { agent_id: status.agent_id, task_id: status.task_id, uuid: status.uuid } });
  }

  close(): void {
    this.req.destroy();
    this.res.destroy();
  }
}

export class SchedulerClient {
  readonly agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  private readonly streams = new Set<EventStream>();

  constructor(
    readonly baseUrl: string,
    readonly encoding: Encoding,
  ) {}

  get url(): string {
    return `${this.baseUrl}/api/v1/scheduler`;
  }

  call(call: Json, headers: Record<string, string> = {}): Promise<HttpResult> {
    return rawRequest(this.url, {
      headers: { 'Content-Type': CONTENT_TYPE[this.encoding], ...headers },
      body: encodeCall(this.encoding, call),
      agent: this.agent,
    });
  }

  /** SUBSCRIBE on its own connection. Resolves once headers arrive (stream) or with a non-200 result. */
  subscribe(frameworkInfo: Json, opts: { frameworkId?: string; headers?: Record<string, string>; suppressedRoles?: string[] } = {}): Promise<EventStream> {
    const info = opts.frameworkId ? { ...frameworkInfo, id: { value: opts.frameworkId } } : frameworkInfo;
    const call: Json = { type: 'SUBSCRIBE', subscribe: { framework_info: info } };
    if (opts.suppressedRoles) (call.subscribe as Json).suppressed_roles = opts.suppressedRoles;
    if (opts.frameworkId) call.framework_id = { value: opts.frameworkId };
    return this.openStream(call, opts.headers);
  }

  openStream(call: Json, extraHeaders: Record<string, string> = {}): Promise<EventStream> {
    const body = encodeCall(this.encoding, call);
    return new Promise((resolve, reject) => {
      const req = http.request(this.url, {
        method: 'POST',
        agent: false,
        headers: { 'Content-Type': CONTENT_TYPE[this.encoding], Accept: CONTENT_TYPE[this.encoding], ...extraHeaders },
      });
      req.on('response', (res) => {
        if (res.statusCode !== 200) {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => reject(new HttpError(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), res.headers)));
          return;
        }
        const stream = new EventStream(this, res, req);
        this.streams.add(stream);
        resolve(stream);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Subscribes and waits for SUBSCRIBED. */
  async subscribeOk(frameworkInfo: Json, opts: { frameworkId?: string; suppressedRoles?: string[] } = {}): Promise<EventStream> {
    const stream = await this.subscribe(frameworkInfo, opts);
    await stream.takeType('SUBSCRIBED');
    return stream;
  }

  close(): void {
    for (const s of this.streams) s.close();
    this.streams.clear();
    this.agent.destroy();
  }
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly headers: http.IncomingHttpHeaders,
  ) {
    super(`HTTP ${status}: ${body}`);
  }
}

/** Polls `fn` until it returns a truthy value or the deadline passes. */
export async function eventually<T>(fn: () => T | Promise<T>, timeoutMs = 10_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function frameworkInfo(overrides: Json = {}): Json {
  return {
    user: 'test',
    name: 'local-mesos-test',
    failover_timeout: 0,
    capabilities: [{ type: 'PARTITION_AWARE' }, { type: 'MULTI_ROLE' }, { type: 'TASK_KILLING_STATE' }],
    roles: ['*'],
    ...overrides,
  };
}
