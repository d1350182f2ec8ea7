import { Global, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { LeaderController } from './leader.controller';
import { Leadership, StandaloneLeadership } from './leadership';
import { PgTermStore } from './term-store';
import { ZkLeadership } from './zk-leadership';

/** The configured Leadership: ZooKeeper election when LEADER_ELECTION=zookeeper, else standalone. */
export function createLeadership(config: AppConfig, ds: DataSource | undefined): Leadership {
  const terms = ds ? new PgTermStore(ds) : undefined;
  if (config.leaderElection === 'zookeeper' && config.zkUrl) {
    // A replica without a database follows the election but never stands (it could not take a term).
    return new ZkLeadership({ zkUrl: config.zkUrl, address: config.advertisedAddress }, terms?.available() ? terms : undefined);
  }
  return new StandaloneLeadership(config.advertisedAddress, terms);
}

/**
 * Leadership for every module (global: the Mesos service, /v2/info, the scheduler inject it) and
 * DELETE /v2/leader. Register it before the scheduler's module: Nest runs bootstrap hooks of global
 * modules in registration order, so the election has started (and its first round is done, bounded)
 * before the scheduler's bootstrap; `Leadership.ready()` gives the same guarantee explicitly.
 */
@Global()
@Module({
  controllers: [LeaderController],
  providers: [{ provide: Leadership, inject: [APP_CONFIG, DataSource], useFactory: createLeadership }],
  exports: [Leadership],
})
export class LeaderModule {}
