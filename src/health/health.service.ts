import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { DomainError, DomainErrorCode } from '../core/errors';
import { Leadership } from '../leader/leadership';
import { Metrics } from '../common/metrics';

const PACER_VERSION = '0.1.0';

@Injectable()
export class HealthService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly leadership: Leadership,
    private readonly metrics: Metrics,
  ) {}

  leader(): { leader: string } {
    const leader = this.leadership.leaderAddress();
    if (!leader) throw new DomainError(DomainErrorCode.NOT_FOUND, 'There is no leader');
    return { leader };
  }

  async metricsText(): Promise<string> {
    return this.metrics.registry.metrics();
  }

  /** /v2/info with Marathon's keys (clients parse them strictly) and Pacer's own values. */
  info(): Record<string, unknown> {
    const c = this.config;
    return {
      name: 'pacer',
      version: '1.11.0',
      buildref: `pacer-${PACER_VERSION}`,
      elected: this.leadership.isLeader(),
      leader: this.leadership.leaderAddress() ?? null,
      frameworkId: null,
      event_subscriber: null,
      marathon_config: {
        master: c.mesosMaster,
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
        task_launch_timeout: 300000,
        task_reservation_timeout: 20000,
        reconciliation_initial_delay: 15000,
        reconciliation_interval: 600000,
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
