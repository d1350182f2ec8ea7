import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';

/**
 * Who leads. This is the standalone (always-leader) mode, Marathon's "pseudo election" for one
 * replica; ZooKeeper election implements the same surface (issue 8).
 */
@Injectable()
export class Leadership {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  isLeader(): boolean {
    return true;
  }

  /** host:port of the leader, or undefined when none is known. */
  leaderAddress(): string | undefined {
    return this.config.advertisedAddress;
  }
}
