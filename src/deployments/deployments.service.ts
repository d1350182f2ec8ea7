import { Injectable } from '@nestjs/common';
import { ApiResult } from '../common/api-result';
import { parseBool } from '../common/query';
import type { AppDefinition } from '../core/apps';
import type { Deployment, DeploymentAction } from '../core/deployments/deployment';
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
    currentActions: (current?.actions ?? []).map((a) => ({ ...actionInfo(a), readinessCheckResults: [] })),
    currentStep: d.currentStep,
    totalSteps: d.steps.length,
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
      apply: () => new Map(deployment.affectedApps.map((appId) => [appId, deployment.original[appId] ?? null])),
    });
    return new ApiResult(200, { deploymentId: result.deploymentId, version: result.version }, { 'Marathon-Deployment-Id': result.deploymentId });
  }
}
