import { DomainError, DomainErrorCode } from '../core/errors';
import type { SchedulerControl } from '../scheduler/scheduler-control';
import type { Leadership } from './leadership';

/**
 * The 503 of an endpoint that needs the running scheduler (the leader's launch queue, kills) on a
 * replica where it does not run, naming where to go instead (issue 8 §2; Marathon's standbys would
 * proxy, pain point 14 asks for an explicit answer with a leader hint):
 * - another replica leads: its host:port, in the message and as `leader`;
 * - no leader is known: say so (an election is running, or ZooKeeper is unreachable);
 * - this replica leads but its scheduler is not active (starting, or started without Mesos).
 */
export function schedulerUnavailable(leadership: Leadership): DomainError {
  if (leadership.isLeader()) {
    return new DomainError(DomainErrorCode.UNAVAILABLE, 'This replica is the leader but its scheduler is not running (still starting, or started without Mesos): retry shortly');
  }
  const leader = leadership.leaderAddress();
  if (!leader) return new DomainError(DomainErrorCode.UNAVAILABLE, 'There is no leader: the scheduler is not running anywhere right now (election in progress?): retry shortly');
  return new DomainError(DomainErrorCode.UNAVAILABLE, `This replica is not the leader: the scheduler runs on the leader ${leader}; send this request there`, { leader });
}

/** Throws `schedulerUnavailable` unless the scheduler runs here. */
export function requireScheduler(control: SchedulerControl, leadership: Leadership): void {
  if (!control.isActive()) throw schedulerUnavailable(leadership);
}
