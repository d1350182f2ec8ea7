/**
 * Deployments are data: an ordered list of steps, each holding actions that run in parallel.
 * Stored as JSON, shown by /v2/deployments, resumed by a new leader. Shapes follow Marathon's
 * DeploymentStepInfo (`{"actions":[{"action":"ScaleApplication","app":"/foo"}]}`).
 */
export type DeploymentActionType = 'StartApplication' | 'StopApplication' | 'ScaleApplication' | 'RestartApplication';

export interface DeploymentAction {
  readonly action: DeploymentActionType;
  readonly app: string;
  /**
   * ScaleApplication only: instance ids chosen to die first (`DELETE …/tasks?scale=true`). Stored
   * with the plan so a new leader kills the same ones; not part of Marathon's JSON.
   */
  readonly sentenced?: readonly string[];
}

export interface DeploymentStep {
  readonly actions: readonly DeploymentAction[];
}

/** What a plan needs to know about an app: its id, size and what it depends on. */
export interface PlannableApp {
  readonly id: string;
  readonly instances: number;
  readonly dependencies: readonly string[];
}

export type DeploymentStatus = 'scheduled' | 'running';

/** Marathon's readiness result of one task (`currentActions[].readinessCheckResults[]`). */
export interface ReadinessCheckResult {
  readonly taskId: string;
  readonly name: string;
  readonly ready: boolean;
  readonly lastResponse?: { readonly status: number; readonly contentType: string; readonly body: string };
}

/** What the leader knows about one action of the current step. */
export interface ActionStatus {
  readonly action: DeploymentActionType;
  readonly app: string;
  /** target, current (new config), healthyCurrent, ready, old, terminating, waiting */
  readonly progress: Readonly<Record<string, number>>;
  /** why it cannot progress (empty while it progresses) */
  readonly reasons: readonly string[];
  readonly readinessCheckResults: readonly ReadinessCheckResult[];
}

/** The current step as the leader last saw it (stored with the plan, shown by /v2/deployments). */
export interface StepStatus {
  /** 1-based */
  readonly step: number;
  /** ISO */
  readonly stepStartedAt: string;
  /** ISO */
  readonly updatedAt: string;
  readonly actions: readonly ActionStatus[];
}

export interface Deployment<A extends PlannableApp = PlannableApp> {
  readonly id: string;
  /** The change's timestamp (ISO-8601 with ms, `Z`). */
  readonly version: string;
  readonly affectedApps: readonly string[];
  /** Affected apps before the change (null = did not exist). */
  readonly original: Readonly<Record<string, A | null>>;
  /** Affected apps after the change (null = removed). */
  readonly target: Readonly<Record<string, A | null>>;
  readonly steps: readonly DeploymentStep[];
  /** 1-based index of the step under way; 0 = stored, not started. */
  readonly currentStep: number;
  readonly status: DeploymentStatus;
  /** the leader's last view of the current step; absent until it started */
  readonly stepStatus?: StepStatus;
}
