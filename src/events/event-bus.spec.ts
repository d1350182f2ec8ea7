import { Logger } from '@nestjs/common';
import { Metrics } from '../common/metrics';
import { appTerminated, eventStreamAttached } from '../core/events/marathon-events';
import { DEFAULT_QUEUE_SIZE, EventBus, type PublishedEvent } from './event-bus';

const T = '2026-03-01T12:00:00.000Z';
/** Runs after every pending microtask (the bus delivers in microtasks). */
const flush = () => new Promise<void>((r) => setImmediate(r));
const ev = (n: number) => appTerminated(`/app-${n}`, T);
const never = () => new Promise<void>(() => undefined);

describe('EventBus', () => {
  let bus: EventBus;
  beforeEach(() => {
    bus = new EventBus();
  });

  it('delivers {type, json} after publish returns, in publish order', async () => {
    const got: PublishedEvent[] = [];
    bus.subscribe(undefined, (e) => void got.push(e));
    expect(bus.publish(ev(1))).toBe(1);
    bus.publish(ev(2));
    expect(got).toEqual([]); // never inside publish
    await flush();
    expect(got).toEqual([
      { type: 'app_terminated_event', json: JSON.stringify(ev(1)) },
      { type: 'app_terminated_event', json: JSON.stringify(ev(2)) },
    ]);
  });

  it('filters by event type; undefined means every type', async () => {
    const all: string[] = [];
    const attachedOnly: string[] = [];
    const none: string[] = [];
    bus.subscribe(undefined, (e) => void all.push(e.type));
    bus.subscribe(['event_stream_attached'], (e) => void attachedOnly.push(e.type));
    bus.subscribe([], (e) => void none.push(e.type));
    bus.publish(ev(1));
    bus.publish(eventStreamAttached('127.0.0.1', T));
    await flush();
    expect(all).toEqual(['app_terminated_event', 'event_stream_attached']);
    expect(attachedOnly).toEqual(['event_stream_attached']);
    expect(none).toEqual([]);
  });

  it('serializes each event once for all subscribers, and not at all without one', async () => {
    const stringify = jest.spyOn(JSON, 'stringify');
    try {
      bus.publish(ev(0));
      expect(stringify).not.toHaveBeenCalled();
      expect(bus.serializations).toBe(0);

      const texts: string[][] = [[], [], []];
      for (const t of texts) bus.subscribe(undefined, (e) => void t.push(e.json));
      bus.subscribe(['deployment_info'], () => undefined); // not interested: no extra work
      bus.publish(ev(1));
      bus.publish(ev(2));
      await flush();
      expect(stringify).toHaveBeenCalledTimes(2);
      expect(bus.serializations).toBe(2);
      expect(texts[0]).toHaveLength(2);
      expect(texts[1][0]).toBe(texts[0][0]); // the very same string
    } finally {
      stringify.mockRestore();
    }
  });

  it('bounds each queue: the event that finds it full drops the subscriber and calls onOverflow once', async () => {
    const onOverflow = jest.fn();
    const handled: string[] = [];
    bus.subscribe(undefined, (e) => {
      handled.push(e.json);
      return never(); // stuck on the first event
    }, { queueSize: 3, onOverflow });
    bus.publish(ev(1));
    await flush(); // ev 1 in flight, queue empty
    expect(bus.publish(ev(2)) + bus.publish(ev(3)) + bus.publish(ev(4))).toBe(3); // queue full
    expect(onOverflow).not.toHaveBeenCalled();
    expect(bus.publish(ev(5))).toBe(0); // overflow
    expect(bus.subscriberCount).toBe(0);
    await flush();
    expect(onOverflow).toHaveBeenCalledTimes(1);
    bus.publish(ev(6));
    await flush();
    expect(handled).toHaveLength(1);
    expect(onOverflow).toHaveBeenCalledTimes(1);
  });

  it('default queue size is Marathon’s 1,024 outstanding messages', async () => {
    const onOverflow = jest.fn();
    bus.subscribe(undefined, never, { onOverflow });
    bus.publish(ev(0));
    await flush(); // one in flight
    for (let i = 1; i <= DEFAULT_QUEUE_SIZE; i++) bus.publish(ev(i));
    expect(bus.subscriberCount).toBe(1);
    bus.publish(ev(DEFAULT_QUEUE_SIZE + 1));
    expect(bus.subscriberCount).toBe(0);
    await flush();
    expect(onOverflow).toHaveBeenCalledTimes(1);
  });

  it('a slow subscriber is dropped without holding up the publisher or the others', async () => {
    const slowOverflow = jest.fn();
    const fastOverflow = jest.fn();
    let slowHandled = 0;
    let fastHandled = 0;
    bus.subscribe(undefined, () => {
      slowHandled++;
      return never();
    }, { onOverflow: slowOverflow });
    bus.subscribe(undefined, async () => {
      fastHandled++;
      await Promise.resolve(); // asynchronous, but keeps up
    }, { onOverflow: fastOverflow });

    const publishMs: number[] = [];
    for (let burst = 0; burst < 30; burst++) {
      const t0 = performance.now();
      for (let i = 0; i < 100; i++) bus.publish(ev(burst * 100 + i));
      publishMs.push(performance.now() - t0);
      await flush();
    }
    expect(slowOverflow).toHaveBeenCalledTimes(1);
    expect(slowHandled).toBe(1);
    expect(fastOverflow).not.toHaveBeenCalled();
    expect(fastHandled).toBe(3000);
    expect(bus.subscriberCount).toBe(1);
    // Publishing queues and returns: 100 events never take anywhere near a stuck handler's forever.
    expect(Math.max(...publishMs)).toBeLessThan(500);
  });

  it('unsubscribe stops delivery, including events already queued', async () => {
    const got: string[] = [];
    const unsubscribe = bus.subscribe(undefined, (e) => void got.push(e.json));
    bus.publish(ev(1));
    unsubscribe();
    unsubscribe(); // idempotent
    bus.publish(ev(2));
    await flush();
    expect(got).toEqual([]);
    expect(bus.subscriberCount).toBe(0);
  });

  it('a failing handler gets onError and keeps receiving; others are unaffected', async () => {
    const errors: unknown[] = [];
    const seen: string[] = [];
    let calls = 0;
    bus.subscribe(undefined, () => {
      calls++;
      if (calls === 1) throw new Error('sync boom');
      if (calls === 2) return Promise.reject(new Error('async boom'));
      return undefined;
    }, { onError: (e) => errors.push((e as Error).message) });
    bus.subscribe(undefined, (e) => void seen.push(e.type));
    for (let i = 0; i < 3; i++) bus.publish(ev(i));
    await flush();
    expect(calls).toBe(3);
    expect(errors).toEqual(['sync boom', 'async boom']);
    expect(seen).toHaveLength(3);
  });

  it('publish never throws: an unserializable event is dropped, a throwing onOverflow is contained', async () => {
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    bus.subscribe(undefined, () => undefined);
    const bad = { eventType: 'app_terminated_event', n: BigInt(1) };
    expect(() => bus.publish(bad)).not.toThrow();
    expect(bus.publish(bad)).toBe(0);

    bus.subscribe(undefined, never, { queueSize: 1, onOverflow: () => { throw new Error('overflow handler failed'); } });
    bus.publish(ev(1));
    await flush();
    expect(() => {
      bus.publish(ev(2));
      bus.publish(ev(3));
    }).not.toThrow();
    await flush();
    expect(error).toHaveBeenCalledTimes(2);
    expect(warn).toHaveBeenCalledTimes(1);
    error.mockRestore();
    warn.mockRestore();
  });

  it('rejects a queue size that is not a positive integer', () => {
    expect(() => bus.subscribe(undefined, () => undefined, { queueSize: 0 })).toThrow(RangeError);
    expect(() => bus.subscribe(undefined, () => undefined, { queueSize: 1.5 })).toThrow(RangeError);
  });

  it('counts published events by type, and drops, on Pacer’s registry', async () => {
    const metrics = new Metrics();
    const withMetrics = new EventBus(metrics);
    withMetrics.subscribe(undefined, never, { queueSize: 1 });
    withMetrics.publish(ev(1));
    await flush();
    withMetrics.publish(ev(2));
    withMetrics.publish(eventStreamAttached('x', T)); // overflow
    const text = await metrics.registry.metrics();
    expect(text).toContain('pacer_events_published_total{type="app_terminated_event"} 2');
    expect(text).toContain('pacer_events_published_total{type="event_stream_attached"} 1');
    expect(text).toContain('pacer_event_subscribers_dropped_total 1');
    expect(text).toContain('pacer_event_subscribers 0');
    expect(() => new EventBus(metrics)).not.toThrow(); // a second bus on the same registry
  });

  it('publishSerialized queues the given object itself, filtered, without serializing', async () => {
    const stringify = jest.spyOn(JSON, 'stringify');
    try {
      const got: PublishedEvent[] = [];
      const other: PublishedEvent[] = [];
      bus.subscribe(undefined, (e) => void got.push(e));
      bus.subscribe(['deployment_info'], (e) => void other.push(e));
      const event: PublishedEvent = { type: 'app_terminated_event', json: '{"eventType":"app_terminated_event"}', frame: Buffer.from('x') };
      expect(bus.publishSerialized(event)).toBe(1);
      await flush();
      expect(got[0]).toBe(event);
      expect(other).toEqual([]);
      expect(stringify).not.toHaveBeenCalled();
    } finally {
      stringify.mockRestore();
    }
  });

  it('publishSerialized drops a subscriber whose queue is full, like publish', async () => {
    const onOverflow = jest.fn();
    bus.subscribe(undefined, never, { queueSize: 1, onOverflow });
    const e: PublishedEvent = { type: 't', json: '{}' };
    bus.publishSerialized(e);
    await flush();
    expect(bus.publishSerialized(e)).toBe(1);
    expect(bus.publishSerialized(e)).toBe(0);
    await flush();
    expect(onOverflow).toHaveBeenCalledTimes(1);
    expect(bus.subscriberCount).toBe(0);
  });

  it('shutdown closes every subscription', async () => {
    const got: string[] = [];
    bus.subscribe(undefined, (e) => void got.push(e.type));
    bus.publish(ev(1));
    bus.onApplicationShutdown();
    await flush();
    expect(got).toEqual([]);
    expect(bus.subscriberCount).toBe(0);
  });
});
