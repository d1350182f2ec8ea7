/**
 * What the API asks of the running scheduler (the leader's in-memory launch queue and instance
 * tracker). Provided under `SCHEDULER_CONTROL`; while this replica does not run the scheduler
 * (`isActive()` false: not leading, or built without Mesos) callers answer 503.
 */
export const SCHEDULER_CONTROL = Symbol('SCHEDULER_CONTROL');

/** One unmatched-offer reason counted over the last offers an app version saw (Marathon's names). */
export interface RejectSummary {
  readonly reason: string;
  /** offers declined for this reason */
  readonly declined: number;
  /** offers processed (the same for every reason of an entry) */
  readonly processed: number;
}

export interface UnusedOffer {
  readonly offer: {
    readonly id: string;
    readonly agentId: string;
    readonly hostname: string;
    readonly resources: readonly { readonly name: string; readonly role: string; readonly scalar?: number; readonly ranges?: readonly { begin: number; end: number }[] }[];
    readonly attributes: readonly { readonly name: string; readonly text?: string; readonly scalar?: number }[];
  };
  /** ISO */
  readonly timestamp: string;
  readonly reason: readonly string[];
}

/** An app version with instances waiting to be launched (Marathon's QueueItem, as plain facts). */
export interface QueueEntry {
  readonly appId: string;
  /** the app version (ISO) the waiting instances launch with */
  readonly appVersion: string;
  /** instances left to launch */
  readonly count: number;
  /** ISO: since when the oldest of them waits */
  readonly since: string;
  /** seconds of launch backoff left (0 = none) */
  readonly timeLeftSeconds: number;
  /** true = waiting for offers (no backoff left); false = backing off */
  readonly overdue: boolean;
  readonly processedOffersCount: number;
  readonly unusedOffersCount: number;
  /** ISO */
  readonly lastUnusedOfferAt?: string;
  /** ISO */
  readonly lastUsedOfferAt?: string;
  /** reasons over the last offers (bounded window), most frequent first */
  readonly rejectSummaryLastOffers: readonly RejectSummary[];
  /** the last few unused offers with their reasons (bounded) */
  readonly lastUnusedOffers: readonly UnusedOffer[];
}

export interface SchedulerControl {
  /** true while this replica runs the scheduler (it leads and the driver is on) */
  isActive(): boolean;
  /** waiting app versions, ordered by app id */
  queue(): readonly QueueEntry[];
  /** DELETE /v2/queue/{id}/delay: forget the app's launch delays; false when nothing of it waits */
  resetDelay(appId: string): boolean;
  /**
   * Kill the current tasks of these instances (unknown ids are ignored). wipe=false: the instance
   * keeps its running goal and is relaunched (new incarnation). wipe=true: the instance is
   * decommissioned and expunged once its task is gone (the app's count is restored by a new instance
   * unless the app was scaled down). Resolves once the decision is recorded (not when tasks end).
   */
  killInstances(instanceIds: readonly string[], wipe: boolean): Promise<void>;
}
