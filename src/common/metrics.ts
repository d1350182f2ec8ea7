import { Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One prom-client registry per Pacer process (not the global default, so tests can build several
 * apps in one process). Gauges that need the database are collected on scrape by their owners.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests: Histogram<'method' | 'route' | 'status'>;
  readonly writes: Counter<'outcome'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'pacer_' });
    this.httpRequests = new Histogram({
      name: 'pacer_http_request_duration_seconds',
      help: 'HTTP request duration by route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
    this.writes = new Counter({
      name: 'pacer_app_writes_total',
      help: 'App writes by outcome (deployed, unchanged, rejected)',
      labelNames: ['outcome'],
      registers: [this.registry],
    });
  }
}
