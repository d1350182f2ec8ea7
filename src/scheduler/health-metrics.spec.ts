import { Registry } from 'prom-client';
import { registerHealthMetrics } from './health-metrics';
import { HealthMonitor } from './health-monitor';

describe('registerHealthMetrics', () => {
  it('reads the current monitor on scrape, zeros without one', async () => {
    const registry = new Registry();
    const ref: { current?: HealthMonitor } = {};
    registerHealthMetrics(registry, () => ref.current);
    expect(await registry.metrics()).toContain('pacer_health_breaker_open{scope="global"} 0');
    const monitor = new HealthMonitor({
      probes: { scheduleProbes: async (jobs) => ({ accepted: jobs.length, dropped: 0 }) },
      results: { onResult: () => undefined },
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    });
    ref.current = monitor;
    try {
      const text = await registry.metrics();
      for (const name of ['pacer_health_tracked_instances 0', 'pacer_health_probe_lag_seconds 0', 'pacer_health_held_instances{kind="breaker"} 0', 'pacer_health_kills_total 0']) {
        expect(text).toContain(name);
      }
    } finally {
      await monitor.stop();
    }
  });
});
