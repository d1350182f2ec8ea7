import { Injectable } from '@nestjs/common';
import { ApiResult } from '../common/api-result';
import { parseBool } from '../common/query';
import type { AppDefinition } from '../core/apps';
import type { ActionStatus, Deployment, DeploymentAction } from '../core/deployments/deployment';
import { DomainError, DomainErrorCode } from '../core/errors';
import { AppStore } from '../persistence/app-store';
import { AppReadCache } from '../persistence/app-read-cache';
import { ChangeNotifier } from '../persistence/change-feed';
import { ChangeService } from './change.service';

/** An action with Marathon's keys only (a stored action may carry Pacer's `sentenced`). */
function actionInfo(a: DeploymentAction): { action: string; app: string } {
  return { action: a.action, app: a.app };
}

/** Marathon's DeploymentStepInfo for one stored plan. */
export function toDeploymentInfo(d: Deployment<AppDefinition>): Record<string, unknown> {
  const current = d.currentStep > 0 ? d.steps[d.currentStep - 1] : undefined;
  return {
    id: d.id,
    version: d.version,
    affectedApps: d.affectedApps,
    affectedPods: [],
    steps: d.steps.map((s) => ({ actions: s.actions.map(actionInfo) })),
    currentActions: (current?.actions ?? []).map((a) => ({ ...actionInfo(a), readinessCheckResults: statusOf(d, a)?.readinessCheckResults ?? [] })),
    currentStep: d.currentStep,
    totalSteps: d.steps.length,
  };
}

/** The leader's status of an action of the current step, when it is about that step. */
function statusOf(d: Deployment<AppDefinition>, a: DeploymentAction): ActionStatus | undefined {
  if (d.stepStatus === undefined || d.stepStatus.step !== d.currentStep) return undefined;
  return d.stepStatus.actions.find((s) => s.app === a.app && s.action === a.action);
}

/**
 * Pacer's GET /v2/deployments/{id}: Marathon's DeploymentStepInfo plus, per current action, its
 * progress and the reasons it cannot progress, and when the step started.
 */
export function toDeploymentStatus(d: Deployment<AppDefinition>): Record<string, unknown> {
  const info = toDeploymentInfo(d);
  const current = d.currentStep > 0 ? d.steps[d.currentStep - 1] : undefined;
  return {
    ...info,
    currentActions: (current?.actions ?? []).map((a) => {
      const s = statusOf(d, a);
      return { ...actionInfo(a), readinessCheckResults: s?.readinessCheckResults ?? [], progress: s?.progress ?? {}, reasons: s?.reasons ?? [] };
    }),
    ...(d.stepStatus !== undefined && d.stepStatus.step === d.currentStep ? { stepStartedAt: d.stepStatus.stepStartedAt, updatedAt: d.stepStatus.updatedAt } : {}),
  };
}

@Injectable()
export class DeploymentsService {
  constructor(
    private readonly store: AppStore,
    private readonly changes: ChangeService,
    private readonly cache: AppReadCache,
    private readonly notifier: ChangeNotifier,
  ) {}

  async list(): Promise<Record<string, unknown>[]> {
    return (await this.store.listDeployments()).map(toDeploymentInfo);
  }

  async get(id: string): Promise<Record<string, unknown>> {
    const d = (await this.store.listDeployments()).find((x) => x.id === id);
    if (!d) throw new DomainError(DomainErrorCode.DEPLOYMENT_NOT_FOUND, `DeploymentPlan ${id} does not exist`);
    return toDeploymentStatus(d);
  }

  /**
   * DELETE /v2/deployments/{id}: with force=true only forgets the plan (202, leaves whatever mix of
   * old and new exists); otherwise deploys the revert of the plan with force, which supersedes it.
   */
  async cancel(id: string, query: Readonly<Record<string, unknown>>): Promise<ApiResult> {
    const force = parseBool(query.force, 'force', false);
    const deployment = (await this.store.listDeployments()).find((d) => d.id === id);
    if (!deployment) throw new DomainError(DomainErrorCode.DEPLOYMENT_NOT_FOUND, `DeploymentPlan ${id} does not exist`);
    if (force) {
      const apps = (await this.store.deleteDeployment(id)) ?? [];
      for (const app of apps) this.cache.changed(app);
      this.notifier.announce(apps);
      return new ApiResult(202, undefined);
    }
    const result = await this.changes.apply({
      ids: deployment.affectedApps,
      force: true,
      keepConfigVersion: true,
      apply: () => new Map(deployment.affectedApps.map((appId) => [appId, deployment.original[appId] ?? null])),
    });
    return new ApiResult(200, { deploymentId: result.deploymentId, version: result.version }, { 'Marathon-Deployment-Id': result.deploymentId });
  }
}
