import { Inject, Injectable, Optional } from '@nestjs/common';
import { ApiResult } from '../common/api-result';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { DomainError, DomainErrorCode } from '../core/errors';
import { Leadership } from '../leader/leadership';
import { Metrics } from '../common/metrics';
import { MesosService } from '../mesos/mesos.service';

const PACER_VERSION = '0.1.0';

@Injectable()
export class HealthService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly leadership: Leadership,
    private readonly registry: Metrics,
    @Optional() private readonly mesos?: MesosService,
  ) {}

  leader(): { leader: string } {
    const leader = this.leadership.leaderAddress();
    if (!leader) throw new DomainError(DomainErrorCode.NOT_FOUND, 'There is no leader');
    return { leader };
  }

  async metricsText(): Promise<string> {
    return this.registry.registry.metrics();
  }

  /**
   * Marathon's /metrics is JSON and its clients parse it so (python `get_metrics()`); Prometheus
   * scrapers send text/plain or any-type Accept headers and get the text format.
   */
  async metrics(accept: string | undefined): Promise<ApiResult> {
    const wantsJson = !!accept && accept.includes('application/json') && !accept.includes('text/plain');
    if (wantsJson) return new ApiResult(200, toDropwizard(await this.registry.registry.getMetricsAsJSON()), { 'Content-Type': 'application/json; charset=utf-8' });
    return new ApiResult(200, await this.registry.registry.metrics(), { 'Content-Type': this.registry.registry.contentType });
  }

  /** /v2/info with Marathon's keys (clients parse them strictly) and Pacer's own values. */
  info(): Record<string, unknown> {
    const c = this.config;
    const mesos = this.mesos?.status();
    return {
      name: 'pacer',
      version: '1.11.0',
      buildref: `pacer-${PACER_VERSION}`,
      elected: this.leadership.isLeader(),
      leader: this.leadership.leaderAddress() ?? null,
      frameworkId: mesos?.frameworkId ?? null,
      event_subscriber: null,
      marathon_config: {
        // The master we are connected to once subscribed; the configured MESOS_MASTER before.
        master: mesos?.master ?? c.mesosMaster,
        failover_timeout: c.failoverTimeoutSeconds,
        framework_name: c.frameworkName,
        ha: c.leaderElection === 'zookeeper',
        checkpoint: true,
        local_port_min: c.localPortMin,
        local_port_max: c.localPortMax,
        executor: '//cmd',
        hostname: c.advertisedAddress.split(':')[0],
        webui_url: null,
        mesos_role: c.frameworkRole,
        task_launch_timeout: c.taskLaunchTimeoutSeconds * 1000,
        task_launch_confirm_timeout: c.taskLaunchConfirmTimeoutSeconds * 1000,
        task_reservation_timeout: 20000,
        reconciliation_initial_delay: 0,
        reconciliation_interval: c.reconciliationIntervalSeconds * 1000,
        decline_offer_duration: c.declineOfferDurationSeconds * 1000,
        max_instances_per_offer: c.maxInstancesPerOffer,
        min_revive_offers_interval: c.minReviveOffersIntervalMs,
        scale_apps_interval: c.scaleAppsIntervalSeconds * 1000,
        mesos_user: c.frameworkUser,
        leader_proxy_connection_timeout_ms: 5000,
        leader_proxy_read_timeout_ms: 10000,
        features: [],
        mesos_leader_ui_url: null,
      },
      zookeeper_config: {
        zk: c.zkUrl ? c.zkUrl.replace(/\/\/[^@/]*@/, '//') : null,
        zk_timeout: 10000,
        zk_session_timeout: 10000,
        zk_max_versions: c.maxAppVersions,
      },
      http_config: { http_port: c.httpPort, https_port: 8443 },
    };
  }
}

type PromJson = Awaited<ReturnType<Metrics['registry']['getMetricsAsJSON']>>;

/**
 * Marathon's /metrics JSON is Dropwizard's registry shape. The same figures, from prom-client:
 * `pacer_app_writes_total{outcome="deployed"} 3` → `counters["pacer_app_writes_total.outcome=deployed"] = {count: 3}`.
 */
export function toDropwizard(metrics: PromJson): Record<string, unknown> {
  const gauges: Record<string, { value: number }> = {};
  const counters: Record<string, { count: number }> = {};
  const histograms: Record<string, { count: number; sum: number }> = {};
  const key = (name: string, labels: Record<string, unknown>) =>
    [name, ...Object.entries(labels).map(([k, v]) => `${k}=${String(v)}`)].join('.');
  for (const m of metrics) {
    const values = (m as { values?: Array<{ value: number; labels: Record<string, unknown>; metricName?: string }> }).values ?? [];
    const type = String(m.type);
    if (type === 'counter') for (const v of values) counters[key(m.name, v.labels)] = { count: v.value };
    else if (type === 'gauge') for (const v of values) gauges[key(m.name, v.labels)] = { value: v.value };
    else if (type === 'histogram' || type === 'summary') {
      for (const v of values) {
        if (v.metricName?.endsWith('_count')) (histograms[key(m.name, v.labels)] ??= { count: 0, sum: 0 }).count = v.value;
        if (v.metricName?.endsWith('_sum')) (histograms[key(m.name, v.labels)] ??= { count: 0, sum: 0 }).sum = v.value;
      }
    }
  }
  return { version: '4.0.0', gauges, counters, histograms, meters: {}, timers: {} };
}
