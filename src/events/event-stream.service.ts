import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import { Counter, Gauge } from 'prom-client';
import { Clock } from '../common/clock';
import { Metrics } from '../common/metrics';
import { parseList } from '../common/query';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { eventStreamAttached, eventStreamDetached, MARATHON_EVENT_TYPE_SET } from '../core/events/marathon-events';
import { Leadership } from '../leader/leadership';
import { EventBus, type PublishedEvent, type Unsubscribe } from './event-bus';
import { EventRelay } from './event-relay';
import { SSE_HEADERS, SSE_KEEP_ALIVE, sseFrame } from './sse';

/**
 * Marathon's `/v2/events` without `Accept: text/event-stream`: its Jetty EventSourceServlet falls
 * back to HttpServlet's GET, a 405 (reference §1.8).
 */
export const NOT_AN_EVENT_STREAM_REQUEST = 'HTTP method GET is not supported by this URL: /v2/events is a server-sent event stream, request it with `Accept: text/event-stream`';

/** Whether an Accept header asks for `text/event-stream` (Jetty wants it exactly; any listed media type counts here). */
export function acceptsEventStream(accept: string | string[] | undefined): boolean {
  if (accept === undefined) return false;
  const values = Array.isArray(accept) ? accept : [accept];
  return values.some((v) => v.split(',').some((m) => m.split(';')[0].trim().toLowerCase() === 'text/event-stream'));
}

interface StreamClient {
  readonly res: ServerResponse;
  lastWrite: number;
}

/**
 * `GET /v2/events`: Marathon's event stream, served by every replica from the Redis fan-out
 * (event-relay.ts), never from the local bus, so a client sees the same events on any replica.
 *
 * Per client: the first frame is its own `event_stream_attached` (written before anything else;
 * the copy that comes back through Redis is skipped, other clients get it from there), then every
 * event whose type passes the client's filter: the repeatable `event_type` parameter, or by default
 * Marathon's own types (Pacer-only types need a filter, clients abort on types they do not know).
 * As in Marathon, the filter applies to `event_stream_attached` too.
 *
 * Frames are bytes built once per event per replica (EventRelay), written as is to each client.
 * A client whose socket does not keep up has its events wait in its own queue; when more than
 * `eventStreamClientBuffer` (Marathon's 1,024 outstanding messages) wait, the connection is dropped,
 * nobody else waits for it. Closing (client, overflow, shutdown) publishes `event_stream_detached`.
 * Idle streams get a keep-alive comment every `eventStreamKeepAliveMs`.
 */
@Injectable()
export class EventStreamService implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly clients = new Set<StreamClient>();
  private keepAlive: NodeJS.Timeout | undefined;
  private readonly dropped: Counter;
  private droppedCount = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly bus: EventBus,
    private readonly relay: EventRelay,
    private readonly leadership: Leadership,
    metrics: Metrics,
  ) {
    const registers = [metrics.registry];
    const clients = this.clients;
    new Gauge({ name: 'pacer_event_stream_clients', help: 'Clients connected to /v2/events on this replica', registers, collect() { this.set(clients.size); } });
    this.dropped = new Counter({ name: 'pacer_event_stream_clients_dropped_total', help: '/v2/events clients disconnected because too many events waited for them', registers });
  }

  /** Clients connected now. */
  get clientCount(): number {
    return this.clients.size;
  }

  /** Clients dropped for falling behind, since start. */
  get droppedClients(): number {
    return this.droppedCount;
  }

  onApplicationBootstrap(): void {
    const every = this.config.eventStreamKeepAliveMs;
    this.keepAlive = setInterval(() => {
      const idleSince = Date.now() - every / 2;
      for (const c of this.clients) {
        if (c.lastWrite < idleSince && !c.res.writableNeedDrain && !c.res.destroyed) {
          c.res.write(SSE_KEEP_ALIVE);
          c.lastWrite = Date.now();
        }
      }
    }, every);
    this.keepAlive.unref();
  }

  /** Ends every stream, so the HTTP server can close (Nest closes it right after this hook). */
  beforeApplicationShutdown(): void {
    clearInterval(this.keepAlive);
    for (const c of this.clients) c.res.end();
  }

  onApplicationShutdown(): void {
    for (const c of this.clients) c.res.destroy();
  }

  /** Answers the request: a 405 unless it accepts `text/event-stream`, otherwise the stream (the reply is hijacked). */
  attach(req: FastifyRequest, reply: FastifyReply): void {
    if (!acceptsEventStream(req.headers.accept)) {
      void reply.code(405).header('Content-Type', 'application/json; charset=utf-8').send(JSON.stringify({ message: NOT_AN_EVENT_STREAM_REQUEST }));
      return;
    }
    if (req.method === 'HEAD') {
      void reply.code(200).headers(SSE_HEADERS).send();
      return;
    }
    const requested = parseList((req.query as Record<string, unknown> | undefined)?.event_type);
    const types: ReadonlySet<string> = requested.length > 0 ? new Set(requested) : MARATHON_EVENT_TYPE_SET;
    const remoteAddress = req.socket.remoteAddress ?? '';

    void reply.hijack();
    const res = reply.raw;
    const leader = this.leadership.leaderAddress();
    res.writeHead(200, leader ? { ...SSE_HEADERS, 'X-Marathon-Leader': `http://${leader}` } : SSE_HEADERS);
    res.socket?.setNoDelay(true);
    const client: StreamClient = { res, lastWrite: Date.now() };

    const attachedJson = JSON.stringify(eventStreamAttached(remoteAddress, this.clock.now()));
    let ownAttached: string | undefined;
    if (types.has('event_stream_attached')) {
      res.write(sseFrame('event_stream_attached', attachedJson));
      ownAttached = attachedJson;
    } else {
      res.flushHeaders();
    }

    let unsubscribe: Unsubscribe | undefined = this.relay.fanout.subscribe(
      types,
      (e: PublishedEvent) => {
        if (ownAttached !== undefined && e.json === ownAttached) {
          ownAttached = undefined; // our own attach, back from Redis: already written first
          return undefined;
        }
        if (res.destroyed) return undefined;
        client.lastWrite = Date.now();
        return res.write(e.frame ?? sseFrame(e.type, e.json)) ? undefined : drained(res);
      },
      {
        queueSize: this.config.eventStreamClientBuffer,
        onOverflow: () => {
          this.droppedCount++;
          this.dropped.inc();
          res.destroy();
        },
      },
    );
    this.clients.add(client);
    res.on('close', () => {
      unsubscribe?.();
      unsubscribe = undefined;
      if (!this.clients.delete(client)) return;
      this.bus.publish(eventStreamDetached(remoteAddress, this.clock.now()));
    });
    this.bus.publishSerialized({ type: 'event_stream_attached', json: attachedJson });
  }
}

/** Resolves once `res` can take more ('drain'), or is gone ('close'). */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
