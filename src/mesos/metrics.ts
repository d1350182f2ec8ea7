import { Counter, Gauge, Registry } from 'prom-client';

/** What /metrics shows about the Mesos connection. Registered on Pacer's registry (common/metrics.ts). */
export class MesosMetrics {
  readonly events: Counter<'type'>;
  readonly calls: Counter<'type' | 'outcome'>;
  readonly reconnects: Counter;
  readonly streamLag: Gauge;
  readonly subscribed: Gauge;
  private lastEventAt = 0;

  constructor(registry: Registry) {
    this.events = new Counter({ name: 'pacer_mesos_events_total', help: 'Mesos scheduler events received, by type', labelNames: ['type'], registers: [registry] });
    this.calls = new Counter({
      name: 'pacer_mesos_calls_total',
      help: 'Mesos scheduler calls, by type and outcome (accepted, forbidden, redirected, unavailable, rejected, failed)',
      labelNames: ['type', 'outcome'],
      registers: [registry],
    });
    this.reconnects = new Counter({ name: 'pacer_mesos_reconnects_total', help: 'SUBSCRIBE attempts after the first (stream lost, refused or timed out)', registers: [registry] });
    this.streamLag = new Gauge({
      name: 'pacer_mesos_stream_lag_seconds',
      help: 'Receipt time minus the timestamp of the latest status update on the stream',
      registers: [registry],
    });
    this.subscribed = new Gauge({ name: 'pacer_mesos_subscribed', help: '1 while subscribed to a Mesos master', registers: [registry] });
    const lastEventAt = (): number => this.lastEventAt;
    new Gauge({
      name: 'pacer_mesos_seconds_since_last_event',
      help: 'Seconds since the last event on the SUBSCRIBE stream (heartbeats included)',
      registers: [registry],
      collect() {
        if (lastEventAt() > 0) this.set((Date.now() - lastEventAt()) / 1000);
      },
    });
  }

  event(type: string, nowMs: number): void {
    this.lastEventAt = nowMs;
    this.events.inc({ type });
  }
}
