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
}
