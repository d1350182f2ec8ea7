import type { AppDefinition } from '../core/apps';
import type { Deployment, StepStatus } from '../core/deployments/deployment';
import type { StoredHealth } from '../core/health/stored';
import type { Instance, TaskFailure } from '../core/instances';
import type { Offer, ReconcileTask, TaskInfo, TaskStatus } from '../mesos/types';

/** What the scheduler asks of the Mesos driver (MesosSchedulerDriver implements it). */
export interface MesosPort {
  readonly isSubscribed: boolean;
  launch(offerIds: readonly string[], tasks: readonly TaskInfo[], refuseSeconds?: number): Promise<void>;
  decline(offerIds: readonly string[], refuseSeconds?: number): Promise<void>;
  revive(roles?: readonly string[]): Promise<void>;
  suppress(roles?: readonly string[]): Promise<void>;
  kill(taskId: string, agentId?: string): Promise<void>;
  acknowledge(status: TaskStatus): Promise<boolean>;
  reconcile(tasks: readonly ReconcileTask[]): Promise<void>;
}

/** Everything the scheduler reads and writes in Postgres. */
export interface SchedulerStore {
  loadInstances(): Promise<Instance[]>;
  writeInstances(upserts: readonly Instance[], deletes: readonly string[]): Promise<void>;
  /** current definitions; every asked id is in the answer (null = no such app); all apps when `ids` is undefined */
  loadApps(ids?: readonly string[]): Promise<Map<string, AppDefinition | null>>;
  /** `versionInfo.lastConfigChangeAt` (else the version) of stored app versions, keyed `${appId} ${version}` */
  configVersions(pairs: readonly (readonly [string, string])[]): Promise<Map<string, string>>;
  loadDeployments(): Promise<Deployment<AppDefinition>[]>;
  /** record that a plan is at `step` (1-based), and how that step is doing */
  saveProgress(progress: readonly { readonly id: string; readonly step: number; readonly status: StepStatus }[]): Promise<void>;
  /** the plan is done: delete it; false when it was no longer stored (cancelled or superseded) */
  finishDeployments(deploymentIds: readonly string[]): Promise<Set<string>>;
  recordFailures(failures: readonly TaskFailure[]): Promise<void>;
  /** tell every replica that these apps' stored state changed (deployments list) */
  announce(appIds: readonly string[]): void;
  /** tell every replica that these apps' live status changed (instance records or last task failure written) */
  announceStatus(appIds: Iterable<string>): void;
  /** Pacer-side health of every instance (HealthMonitor.load at the start of a term) */
  loadHealth(): Promise<StoredHealth[]>;
  /** HealthMonitor.takeDirty(): deletes (instance ids) first, then upserts; announce the apps after */
  writeHealth(upserts: readonly StoredHealth[], deletes: readonly string[]): Promise<void>;
}

export type { Offer };
