import { DomainError, DomainErrorCode } from '../core/errors';
import type { QueueEntry, SchedulerControl } from './scheduler-control';

/** Why callers answer 503 while this replica runs no scheduler. */
export const SCHEDULER_INACTIVE_MESSAGE = 'The scheduler is not running on this replica (not the leader, or started without Mesos): retry against the leader';

/**
 * The SchedulerControl of a replica that runs no scheduler (API-only builds, tests, standbys):
 * never active, nothing queued, nothing to kill. Callers check `isActive()` first and answer 503.
 */
export class NoScheduler implements SchedulerControl {
  isActive(): boolean {
    return false;
  }

  queue(): readonly QueueEntry[] {
    return [];
  }

  resetDelay(): boolean {
    return false;
  }

  killInstances(): Promise<void> {
    return Promise.reject(new DomainError(DomainErrorCode.UNAVAILABLE, SCHEDULER_INACTIVE_MESSAGE));
  }
}

/** 503 unless this replica runs the scheduler (what queue and kill endpoints need). */
export function assertSchedulerActive(control: SchedulerControl): void {
  if (!control.isActive()) throw new DomainError(DomainErrorCode.UNAVAILABLE, SCHEDULER_INACTIVE_MESSAGE);
}
