/**
 * Why a deployment action is not progressing, in words a user can act on (ARCHITECTURE core idea 5:
 * a step that cannot progress says why instead of waiting in silence; reference §7 pain points 1–4,
 * 17). Pure: the scheduler gathers the facts, this picks what to say.
 */
import type { ConvergeProgress } from './converge';

export interface ActionFacts {
  readonly progress: ConvergeProgress;
  readonly done: boolean;
  /** seconds of launch backoff left for the app's current configuration (0 = none) */
  readonly backoffSecondsLeft: number;
  /** reasons the recent offers did not fit the app, most frequent first, over `offersProcessed` offers */
  readonly offerReasons: readonly { readonly reason: string; readonly declined: number }[];
  readonly offersProcessed: number;
  /** agents known to the scheduler, and how many of them the app's constraints rule out */
  readonly agents: number;
  readonly agentsRuledOutByConstraints: number;
  /** running new instances that are not (yet) healthy, with what their checks last said */
  readonly unhealthy: readonly { readonly taskId: string; readonly cause?: string }[];
  /** running healthy new instances whose readiness checks have not passed yet */
  readonly notReady: number;
  /** the last task of the new configuration that failed during this step */
  readonly lastFailure?: { readonly taskId: string; readonly state: string; readonly message: string };
  /** how long the oldest decommissioned task has been asked to die (seconds; 0 = none) */
  readonly oldestTerminatingSeconds: number;
}

/** Seconds after which a task that was asked to die is reported as not terminating. */
export const SLOW_TERMINATION_SECONDS = 30;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * The reasons, most blocking first; empty when the action is done or simply progressing.
 *
 * Example: 2 waiting, 5 offers processed, 3 declined for InsufficientMemory and 2 for
 * UnfulfilledConstraint ⇒ "waiting for offers for 2 instances: of the last 5 offers, 3 had
 * insufficient memory, 2 did not satisfy the constraints".
 */
export function reasonsFor(f: ActionFacts): string[] {
  if (f.done) return [];
  const out: string[] = [];
  const waiting = f.progress.waiting;
  if (waiting > 0) {
    if (f.backoffSecondsLeft > 0) {
      const last = f.lastFailure ? ` (last failure: task ${f.lastFailure.taskId} ${f.lastFailure.state}${f.lastFailure.message ? `: ${f.lastFailure.message}` : ''})` : '';
      out.push(`waiting to launch ${plural(waiting, 'instance')}: launch backoff, ${Math.ceil(f.backoffSecondsLeft)} s left${last}`);
    } else if (f.agents > 0 && f.agentsRuledOutByConstraints >= f.agents) {
      out.push(`waiting to launch ${plural(waiting, 'instance')}: the constraints cannot be satisfied by any of the ${plural(f.agents, 'current agent')}`);
    } else if (f.offerReasons.length > 0 && f.offersProcessed > 0) {
      const parts = f.offerReasons.map((r) => `${r.declined} ${REASON_TEXT[r.reason] ?? r.reason}`);
      out.push(`waiting for offers for ${plural(waiting, 'instance')}: of the last ${plural(f.offersProcessed, 'offer')}, ${parts.join(', ')}`);
    } else {
      out.push(`waiting for offers for ${plural(waiting, 'instance')}`);
    }
  }
  if (f.unhealthy.length > 0) {
    const cause = f.unhealthy.find((u) => u.cause !== undefined)?.cause;
    out.push(`${plural(f.unhealthy.length, 'new instance')} running but not healthy${cause ? ` (last check: ${cause})` : ''}`);
  }
  if (f.notReady > 0) out.push(`${plural(f.notReady, 'new instance')} healthy but not ready yet`);
  if (f.lastFailure && f.backoffSecondsLeft === 0) {
    out.push(`new instances are failing: task ${f.lastFailure.taskId} ${f.lastFailure.state}${f.lastFailure.message ? `: ${f.lastFailure.message}` : ''}`);
  }
  if (f.oldestTerminatingSeconds >= SLOW_TERMINATION_SECONDS && f.progress.terminating > 0) {
    out.push(`${plural(f.progress.terminating, 'old instance')} not terminated ${Math.floor(f.oldestTerminatingSeconds)} s after being killed`);
  }
  return out;
}

const REASON_TEXT: Readonly<Record<string, string>> = {
  InsufficientCpus: 'had insufficient cpus',
  InsufficientMemory: 'had insufficient memory',
  InsufficientDisk: 'had insufficient disk',
  InsufficientGpus: 'had insufficient gpus',
  InsufficientPorts: 'had no fitting ports',
  UnfulfilledRole: 'were for roles the app does not accept',
  UnfulfilledConstraint: 'did not satisfy the constraints',
};
