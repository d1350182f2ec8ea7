import { Counter, Gauge, type Registry } from 'prom-client';
import type { HoldKind } from '../core/health';
import type { HealthMonitor, HealthMonitorStats } from './health-monitor';

const HOLD_KINDS: readonly HoldKind[] = ['breaker', 'stale-failure', 'rate-limit', 'replacement-not-healthy', 'no-room'];

/**
 * Prometheus metrics of the leader's HealthMonitor, read on scrape from `current()` (undefined while
 * this replica does not lead: gauges read 0). Register once per registry, e.g. in SchedulerService
 * next to `schedulerMetrics`, with `() => this.scheduler?.<its HealthMonitor>`.
 *
 * Why an unhealthy instance still runs is `pacer_health_held_instances{kind}` (and, per instance, the
 * `held` column of `instance_health`); `pacer_health_breaker_open{scope}` says whether kills stop.
 */
export function registerHealthMetrics(registry: Registry, current: () => HealthMonitor | undefined): void {
  const stats = (): HealthMonitorStats | undefined => current()?.stats();
  const gauge = (name: string, help: string, value: (s: HealthMonitorStats) => number): void => {
    new Gauge({
      name, help, registers: [registry],
      collect() {
        const s = stats();
        this.set(s === undefined ? 0 : value(s));
      },
    });
  };
  gauge('pacer_health_tracked_instances', 'Instances whose task Pacer-side health checks follow', (s) => s.instances);
  gauge('pacer_health_probed_checks', 'Health checks (task × check) being probed', (s) => s.probedChecks);
  gauge('pacer_health_probe_lag_seconds', 'Lag of probes behind their due time the circuit breaker last saw (p99)', (s) => s.lagMs / 1000);
  gauge('pacer_health_sentenced_instances', 'Instances their health checks sentenced that still run', (s) => s.sentenced);
  new Gauge({
    name: 'pacer_health_breaker_open',
    help: 'Health kill circuit breaker: 1 when all kills stop (scope global), apps whose kills stop (scope apps)',
    labelNames: ['scope'],
    registers: [registry],
    collect() {
      const b = stats()?.breaker;
      this.set({ scope: 'global' }, b?.global.open === true ? 1 : 0);
      let apps = 0;
      for (const g of b?.apps.values() ?? []) if (g.open) apps++;
      this.set({ scope: 'apps' }, apps);
    },
  });
  new Gauge({
    name: 'pacer_health_held_instances',
    help: 'Sentenced instances not killed yet, by why (breaker, stale-failure, rate-limit, replacement-not-healthy, no-room)',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      const held = stats()?.held ?? {};
      for (const kind of HOLD_KINDS) this.set({ kind }, held[kind] ?? 0);
    },
  });
  // Totals kept by the term's monitor; a new term starts from 0 again, so they are added as deltas.
  const total = (name: string, help: string, value: (s: HealthMonitorStats) => number): void => {
    let last = 0;
    let seen: HealthMonitor | undefined;
    new Counter({
      name, help, registers: [registry],
      collect() {
        const m = current();
        if (m === undefined) return;
        if (m !== seen) {
          seen = m;
          last = 0;
        }
        const v = value(m.stats());
        if (v > last) this.inc(v - last);
        last = v;
      },
    });
  };
  total('pacer_health_probes_sent_total', 'Probes the leader queued', (s) => s.probesSent);
  total('pacer_health_probes_dropped_total', 'Probes refused by the full probe queue', (s) => s.probesDropped);
  total('pacer_health_results_total', 'Probe results applied to a verdict', (s) => s.resultsApplied);
  total('pacer_health_kills_total', 'Health kills decided', (s) => s.healthKills);
  total('pacer_health_replacements_total', 'Replacements started for sentenced instances', (s) => s.replacementsStarted);
}
