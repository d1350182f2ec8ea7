import { spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { Redis } from 'ioredis';
import { appTerminated } from '../../src/core/events/marathon-events';
import { EventBus } from '../../src/events/event-bus';
import { EventRelay } from '../../src/events/event-relay';
import { EventStreamService } from '../../src/events/event-stream.service';
import { EventSubscriptionsService } from '../../src/events/event-subscriptions.service';
import { startTestApp, type TestApp } from './harness';
import { TEST_REDIS_URL } from './test-env';

/** Polls until `fn` is true, or fails after `ms`. */
async function eventually(fn: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface Frame {
  readonly event: string;
  readonly data: string;
  readonly json: { eventType: string; timestamp: string; [k: string]: unknown };
}

/** A /v2/events client: parses frames as Marathon's clients do (event + data lines, blank line). */
class SseClient {
  readonly frames: Frame[] = [];
  status = 0;
  headers: http.IncomingHttpHeaders = {};
  closed = false;
  comments = 0;
  private req: http.ClientRequest;
  private buf = '';

  constructor(port: number, query = '') {
    this.req = http.get({ host: '127.0.0.1', port, path: `/v2/events${query}`, headers: { Accept: 'text/event-stream' } }, (res) => {
      this.status = res.statusCode ?? 0;
      this.headers = res.headers;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => this.parse(chunk));
      res.on('close', () => (this.closed = true));
    });
    this.req.on('error', () => (this.closed = true));
  }

  private parse(chunk: string): void {
    this.buf += chunk;
    let end: number;
    while ((end = this.buf.indexOf('\n\n')) >= 0) {
      const block = this.buf.slice(0, end);
      this.buf = this.buf.slice(end + 2);
      let event = '';
      let data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data = line.slice(6);
        else if (line.startsWith(':')) this.comments++;
      }
      if (event !== '' || data !== '') this.frames.push({ event, data, json: JSON.parse(data) as Frame['json'] });
    }
  }

  of(type: string): Frame[] {
    return this.frames.filter((f) => f.event === type);
  }

  close(): void {
    this.req.destroy();
  }
}

const T = '2026-03-01T12:00:00.000Z';
/** Any event shape (the bus takes anything with an eventType). */
const raw = (e: { eventType: string; [k: string]: unknown }) => e;

describe('/v2/events and /v2/eventSubscriptions across two replicas (real Redis and Postgres)', () => {
  const prefix = `pacer-events-test-${process.pid}-${Date.now()}`;
  const env = {
    REDIS_URL: TEST_REDIS_URL,
    EVENTS_REDIS_PREFIX: prefix,
    HEALTH_QUEUE_PREFIX: prefix,
    EVENT_STREAM_KEEPALIVE_MS: '200',
    EVENT_CALLBACK_TIMEOUT_MS: '3000',
  };
  let a: TestApp;
  let b: TestApp;
  let portA: number;
  let portB: number;
  const clients: SseClient[] = [];
  const client = (port: number, query = ''): SseClient => {
    const c = new SseClient(port, query);
    clients.push(c);
    return c;
  };
  const busOf = (app: TestApp): EventBus => app.app.get(EventBus);

  beforeAll(async () => {
    a = await startTestApp({ ...env, PACER_ADVERTISED_ADDRESS: 'replica-a:8080' });
    b = await startTestApp({ ...env, PACER_ADVERTISED_ADDRESS: 'replica-b:8080' });
    await a.app.listen(0, '127.0.0.1');
    await b.app.listen(0, '127.0.0.1');
    portA = (a.app.getHttpServer().address() as net.AddressInfo).port;
    portB = (b.app.getHttpServer().address() as net.AddressInfo).port;
  });

  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    const redis = new Redis(TEST_REDIS_URL);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    await redis.quit();
  });

  it('an event published on replica A’s bus reaches a stream client on replica B, after its own event_stream_attached', async () => {
    const onB = client(portB);
    await eventually(() => onB.frames.length >= 1, 5000, 'attached');
    expect(onB.status).toBe(200);
    expect(onB.headers['content-type']).toBe('text/event-stream;charset=UTF-8');
    expect(onB.headers['x-marathon-leader']).toBe('http://replica-b:8080');
    expect(onB.frames[0].event).toBe('event_stream_attached');
    expect(Object.keys(onB.frames[0].json)).toEqual(['remoteAddress', 'eventType', 'timestamp']);
    expect(onB.frames[0].json.eventType).toBe('event_stream_attached');

    busOf(a).publish(appTerminated('/from-a', T));
    await eventually(() => onB.of('app_terminated_event').length === 1, 5000, 'event from A');
    expect(onB.of('app_terminated_event')[0].data).toBe(JSON.stringify(appTerminated('/from-a', T)));
    // B's own attach came back through Redis too, and was not written a second time.
    await new Promise((r) => setTimeout(r, 100));
    expect(onB.of('event_stream_attached')).toHaveLength(1);
  });

  it('every replica delivers each event exactly once, in publish order, whoever published it', async () => {
    const onA = client(portA);
    const onB = client(portB);
    await eventually(() => onA.frames.length >= 1 && onB.frames.length >= 1, 5000, 'attached');
    // Each client sees the other's attach (it happened on the other replica's bus).
    await eventually(() => onA.of('event_stream_attached').length >= 2 && onB.of('event_stream_attached').length >= 1, 5000, 'cross attach');
    for (let i = 0; i < 50; i++) busOf(i % 2 === 0 ? a : b).publish(appTerminated(`/order-${i}`, T));
    const got = (c: SseClient) => c.of('app_terminated_event').map((f) => f.json.appId as string);
    await eventually(() => got(onA).length >= 50 && got(onB).length >= 50, 5000, '50 events on both');
    await new Promise((r) => setTimeout(r, 200)); // any duplicate would have arrived by now
    const appIds = (n: number) => Array.from({ length: n }, (_, i) => `/order-${i}`);
    // Order across publishers is Redis's arrival order; per publisher it is publish order.
    for (const c of [onA, onB]) {
      expect([...got(c)].sort()).toEqual(appIds(50).sort());
      expect(got(c).filter((id) => Number(id.slice(7)) % 2 === 0)).toEqual(appIds(50).filter((_, i) => i % 2 === 0));
    }
    expect(got(onA)).toEqual(got(onB));
  });

  it('a client leaving publishes event_stream_detached; idle streams get keep-alive comments', async () => {
    const streams = [a, b].map((r) => r.app.get(EventStreamService));
    const watcher = client(portA);
    await eventually(() => watcher.frames.length >= 1, 5000, 'attached');
    // Earlier tests' clients are gone (their detach events may still be on the way).
    await eventually(() => streams[0].clientCount + streams[1].clientCount === 1, 5000, 'only the watcher left');
    await new Promise((r) => setTimeout(r, 300));
    const before = watcher.of('event_stream_detached').length;
    const leaving = client(portB);
    await eventually(() => leaving.frames.length >= 1, 5000, 'attached');
    leaving.close();
    await eventually(() => watcher.of('event_stream_detached').length === before + 1, 5000, 'detached');
    expect(Object.keys(watcher.of('event_stream_detached')[before].json)).toEqual(['remoteAddress', 'eventType', 'timestamp']);
    await eventually(() => watcher.comments >= 2, 5000, 'keep-alives');
  });

  it('filters by repeated event_type; Pacer-only types only when asked for; Marathon types by default', async () => {
    const filtered = client(portB, '?event_type=app_terminated_event&event_type=pacer_test_event');
    const all = client(portB);
    await eventually(() => all.frames.length >= 1, 5000, 'attached');
    await new Promise((r) => setTimeout(r, 100));
    const bus = busOf(a);
    bus.publish(appTerminated('/kept', T));
    bus.publish(raw({ eventType: 'deployment_success', id: 'd1', timestamp: T }));
    bus.publish(raw({ eventType: 'pacer_test_event', timestamp: T }));
    bus.publish(appTerminated('/last', T));
    await eventually(() => filtered.frames.length >= 3 && all.of('app_terminated_event').length >= 2, 5000, 'filtered events');
    await new Promise((r) => setTimeout(r, 100));
    // As in Marathon the filter applies to event_stream_attached too.
    expect(filtered.frames.map((f) => f.event)).toEqual(['app_terminated_event', 'pacer_test_event', 'app_terminated_event']);
    expect(all.frames[0].event).toBe('event_stream_attached');
    // Other clients come and go (their attach/detach events): only the published ones are checked.
    expect(all.frames.map((f) => f.event).filter((t) => !t.startsWith('event_stream_'))).toEqual(['app_terminated_event', 'deployment_success', 'app_terminated_event']);
  });

  it('without Accept: text/event-stream answers 405 as Marathon; HEAD answers the headers', async () => {
    const res = await b.request('GET', '/v2/events');
    expect(res.status).toBe(405);
    expect(res.body.message).toContain('text/event-stream');
    const json = await b.request('GET', '/v2/events', undefined, { accept: 'application/json' });
    expect(json.status).toBe(405);
    const head = await b.request('HEAD', '/v2/events', undefined, { accept: 'text/event-stream' });
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toBe('text/event-stream;charset=UTF-8');
  });

  it('a client that does not read is cut off once its buffer is full, while another keeps receiving everything', async () => {
    const stream = b.app.get(EventStreamService);
    const droppedBefore = stream.droppedClients;
    // A raw HTTP client that sends its request and never reads: its socket stays paused.
    const slow = net.connect(portB, '127.0.0.1');
    slow.pause();
    slow.write('GET /v2/events HTTP/1.1\r\nHost: pacer\r\nAccept: text/event-stream\r\n\r\n');
    const fast = client(portB);
    await eventually(() => fast.frames.length >= 1 && stream.clientCount >= 2, 5000, 'both attached');

    const padding = 'x'.repeat(4000);
    const bus = busOf(a);
    let sent = 0;
    const batch = 100;
    const t0 = Date.now();
    while (stream.droppedClients === droppedBefore) {
      if (sent >= 50_000) throw new Error('slow client never dropped');
      for (let i = 0; i < batch; i++) bus.publish(raw({ eventType: 'app_terminated_event', appId: `/big-${sent++}`, padding, timestamp: T }));
      // Pace on the fast client: it must keep up all along.
      await eventually(() => fast.of('app_terminated_event').length >= sent, 5000, `fast client at ${sent}`);
    }
    const cutAfter = sent;
    for (let i = 0; i < 10; i++) bus.publish(raw({ eventType: 'app_terminated_event', appId: `/big-${sent++}`, padding, timestamp: T }));
    await eventually(() => fast.of('app_terminated_event').length >= sent, 5000, 'fast client after the cut');
    const ids = fast.of('app_terminated_event').map((f) => f.json.appId);
    expect(ids).toEqual(Array.from({ length: sent }, (_, i) => `/big-${i}`));
    expect(fast.closed).toBe(false);
    expect(stream.clientCount).toBe(1);
    slow.destroy();
    // The figures, for the report: events (4 KB each) the slow client was sent or had waiting when cut.
    console.log(`slow client cut after ${cutAfter} events of 4 KB (${Math.round((cutAfter * 4.1) / 1024)} MB) in ${Date.now() - t0} ms`);
  }, 60_000);

  describe('event callbacks', () => {
    const received: { at: number; body: { eventType: string; appId?: string; callbackUrl?: string } }[] = [];
    const live = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        received.push({ at: Date.now(), body: JSON.parse(body) as { eventType: string } });
        res.end();
      });
    });
    // Accepts connections and never answers.
    const held = new Set<net.Socket>();
    const blackhole = net.createServer((socket) => {
      held.add(socket);
      socket.on('close', () => held.delete(socket));
    });
    let liveUrl: string;
    let deadUrl: string;
    let blackholeUrl: string;

    const listen = (s: net.Server): Promise<number> => new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as net.AddressInfo).port)));

    beforeAll(async () => {
      liveUrl = `http://127.0.0.1:${await listen(live)}/marathon-events`;
      blackholeUrl = `http://127.0.0.1:${await listen(blackhole)}/events`;
      // A port nobody listens on: connection refused.
      const tmp = net.createServer();
      const deadPort = await listen(tmp);
      await new Promise((r) => tmp.close(r));
      deadUrl = `http://127.0.0.1:${deadPort}/events`;
    });

    afterAll(async () => {
      live.closeAllConnections();
      await new Promise((r) => live.close(r));
      for (const socket of held) socket.destroy();
      await new Promise((r) => blackhole.close(r));
    });

    it('subscribes, lists and unsubscribes with Marathon’s shapes, validating callbackUrl', async () => {
      const sub = await b.request('POST', `/v2/eventSubscriptions?callbackUrl=${encodeURIComponent(liveUrl)}`, undefined, { 'content-type': 'application/json' });
      expect(sub.status).toBe(200);
      expect(Object.keys(sub.body)).toEqual(['clientIp', 'callbackUrl', 'eventType', 'timestamp']);
      expect(sub.body).toMatchObject({ callbackUrl: liveUrl, eventType: 'subscribe_event' });
      const again = await a.request('POST', `/v2/eventSubscriptions?callbackUrl=${encodeURIComponent(liveUrl)}`);
      expect(again.status).toBe(200);
      expect((await a.request('GET', '/v2/eventSubscriptions')).body).toEqual({ callbackUrls: [liveUrl] });
      expect((await b.request('POST', '/v2/eventSubscriptions')).status).toBe(400);
      expect((await b.request('POST', '/v2/eventSubscriptions?callbackUrl=ftp://x/y')).status).toBe(400);
      // The new subscriber gets its own subscribe_event, as in Marathon.
      await eventually(() => received.some((r) => r.body.eventType === 'subscribe_event' && r.body.callbackUrl === liveUrl), 10_000, 'subscribe_event delivered');
      const un = await b.request('DELETE', `/v2/eventSubscriptions?callbackUrl=${encodeURIComponent(liveUrl)}`);
      expect(un.status).toBe(200);
      expect(un.body).toMatchObject({ callbackUrl: liveUrl, eventType: 'unsubscribe_event' });
      expect((await b.request('GET', '/v2/eventSubscriptions')).body).toEqual({ callbackUrls: [] });
    });

    it('a live subscriber gets every event promptly while a dead and a silent one are subscribed too', async () => {
      const subs = b.app.get(EventSubscriptionsService);
      const subsA = a.app.get(EventSubscriptionsService);
      for (const url of [deadUrl, blackholeUrl, liveUrl]) {
        expect((await b.request('POST', `/v2/eventSubscriptions?callbackUrl=${encodeURIComponent(url)}`)).status).toBe(200);
      }
      // Replica A learns of B's subscriptions through the fan-out (subscribe_event).
      await eventually(() => subsA.callbackUrls().length === 3, 5000, 'A knows the subscribers');
      received.length = 0;

      const bus = busOf(a);
      const sentAt = new Map<string, number>();
      const n = 200;
      for (let i = 0; i < n; i++) {
        const appId = `/cb-${i}`;
        sentAt.set(appId, Date.now());
        bus.publish(appTerminated(appId, T));
        if (i % 10 === 9) await new Promise((r) => setTimeout(r, 100)); // ~100 events/s for 2 s
      }
      const mine = () => received.filter((r) => r.body.eventType === 'app_terminated_event' && r.body.appId?.startsWith('/cb-'));
      await eventually(() => mine().length >= n, 20_000, 'all events delivered to the live subscriber');
      const latencies = mine().map((r) => r.at - (sentAt.get(r.body.appId as string) as number)).sort((x, y) => x - y);
      const p50 = latencies[Math.floor(n / 2)];
      const p99 = latencies[Math.ceil(n * 0.99) - 1];
      console.log(`callbacks: ${n} events to the live subscriber next to a dead and a silent one: p50 ${p50} ms, p99 ${p99} ms, max ${latencies[n - 1]} ms`);
      expect(new Set(mine().map((r) => r.body.appId)).size).toBe(n);
      // The silent subscriber holds each POST for the whole 3 s timeout: had the live one to wait for
      // it (or for the dead one's retries), its deliveries would take seconds.
      expect(p50).toBeLessThan(1000);
      expect(p99).toBeLessThan(3000);

      const sum = (k: keyof ReturnType<typeof subs.counts>) => subs.counts()[k] + subsA.counts()[k];
      expect(sum('failedAttempts')).toBeGreaterThan(0); // the dead one failed, and was retried
      await eventually(() => sum('delivered') >= n, 5000, 'deliveries counted');
    }, 60_000);

    afterEach(async () => {
      for (const url of [deadUrl, blackholeUrl, liveUrl]) await a.request('DELETE', `/v2/eventSubscriptions?callbackUrl=${encodeURIComponent(url)}`);
      expect((await a.request('GET', '/v2/eventSubscriptions')).body).toEqual({ callbackUrls: [] });
    });
  });

  // The real peer (reference §9): Debian's python3-marathon 0.13, unchanged.
  const PYTHON = process.env.PACER_E2E_PYTHON ?? '/usr/bin/python3';
  const havePythonClient = spawnSync(PYTHON, ['-c', 'import marathon'], { stdio: 'ignore' }).status === 0;
  (havePythonClient ? it : it.skip)('python3-marathon manages subscriptions and reads the stream of a standby-like replica', async () => {
    const script = [
      'import json, sys',
      'from marathon import MarathonClient',
      'c = MarathonClient(sys.argv[1])',
      "sub = c.create_event_subscription('http://127.0.0.1:9/hook')",
      'listed = c.list_event_subscriptions()',
      "gone = c.delete_event_subscription('http://127.0.0.1:9/hook')",
      "print(json.dumps({'sub': sub, 'listed': listed, 'gone': gone, 'after': c.list_event_subscriptions()}), flush=True)",
      'n = 0',
      "for e in c.event_stream(event_types=['app_terminated_event', 'event_stream_attached']):",
      "    print(json.dumps({'type': e.event_type, 'appId': getattr(e, 'app_id', None)}), flush=True)",
      '    n += 1',
      '    if n >= 4: break',
    ].join('\n');
    const child = spawn(PYTHON, ['-c', script, `http://127.0.0.1:${portB}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let stderr = '';
    let partial = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      partial += d;
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts.filter((l) => l !== ''));
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      await eventually(() => lines.length >= 2, 15_000, `python client attached (${stderr})`);
      for (let i = 0; i < 3; i++) busOf(a).publish(appTerminated(`/py-${i}`, T));
      expect(await exited).toBe(0);
    } finally {
      child.kill();
    }
    const calls = JSON.parse(lines[0]) as { sub: Record<string, unknown>; listed: string[]; gone: Record<string, unknown>; after: string[] };
    expect(calls.sub).toMatchObject({ callbackUrl: 'http://127.0.0.1:9/hook', eventType: 'subscribe_event' });
    expect(calls.listed).toContain('http://127.0.0.1:9/hook');
    expect(calls.gone).toMatchObject({ callbackUrl: 'http://127.0.0.1:9/hook', eventType: 'unsubscribe_event' });
    expect(calls.after).not.toContain('http://127.0.0.1:9/hook');
    expect(lines.slice(1).map((l) => JSON.parse(l) as unknown)).toEqual([
      { type: 'event_stream_attached', appId: null },
      { type: 'app_terminated_event', appId: '/py-0' },
      { type: 'app_terminated_event', appId: '/py-1' },
      { type: 'app_terminated_event', appId: '/py-2' },
    ]);
  }, 30_000);

  it('an unreachable Redis costs dropped events (counted), never the publisher’s time', async () => {
    const bus = new EventBus();
    const relay = new EventRelay({ redisUrl: 'redis://127.0.0.1:1', prefix, connectTimeoutMs: 300 });
    const t0 = Date.now();
    await relay.start(bus);
    expect(Date.now() - t0).toBeLessThan(2000);
    const t1 = performance.now();
    for (let i = 0; i < 10_000; i++) bus.publish(appTerminated(`/down-${i}`, T));
    expect(performance.now() - t1).toBeLessThan(1000);
    await new Promise((r) => setImmediate(r));
    expect(relay.counts()).toEqual({ published: 0, received: 0, dropped: 10_000 });
    await relay.close();
    // ioredis keeps a 2 s timer after disconnecting a connection that never connected: let it pass.
    await new Promise((r) => setTimeout(r, 2100));
  });

  it('relay counts what it published and received', () => {
    const relayA = a.app.get(EventRelay).counts();
    expect(relayA.published).toBeGreaterThan(0);
    expect(relayA.received).toBeGreaterThan(0);
    expect(relayA.dropped).toBe(0);
  });
});
