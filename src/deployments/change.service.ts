import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { Clock } from '../common/clock';
import { needsRestart, type AppDefinition } from '../core/apps';
import { DomainError, DomainErrorCode } from '../core/errors';
import type { Deployment, DeploymentStep } from '../core/deployments/deployment';
import { planDeployment } from '../core/deployments/plan-deployment';
import { effectiveDependencies, planWithGroups, type GroupDependencies } from '../core/groups';
import { stampVersion, withoutVersion } from '../core/deployments/versioning';
import { assignServicePortSlots, withServicePorts } from '../core/deployments/service-ports';
import { AppStore, AppStoreTx, AppWrite, type GroupWrite } from '../persistence/app-store';
import { AppReadCache } from '../persistence/app-read-cache';
import { ChangeNotifier } from '../persistence/change-feed';
import { CreateBatcher } from './create-batcher';

/** One write to the app tree: which ids it may touch, and how it turns their current state into the target. */
export interface ChangeRequest {
  /** Every app id the change may touch; all are locked for the transaction. */
  readonly ids: readonly string[];
  readonly force: boolean;
  /**
   * Given the current definitions of `ids` (missing = does not exist), return the new definition of
   * every id the change sets (null = delete). Unstamped: versions are set here. May throw DomainError.
   */
  readonly apply: (current: ReadonlyMap<string, AppDefinition>) => ReadonlyMap<string, AppDefinition | null>;
  /** Ids to restart even when their definition is unchanged (`POST /v2/apps/{id}/restart`). */
  readonly restart?: ReadonlySet<string>;
  /**
   * Per app id, instances to kill first when the change scales that app down (a kill with
   * `scale=true`): attached to the app's ScaleApplication action in the stored plan.
   */
  readonly sentenced?: ReadonlyMap<string, readonly string[]>;
  /**
   * Rollback: a returned definition that carries `versionInfo.lastConfigChangeAt` keeps it, so the
   * instances still running that configuration count as already replaced and are not restarted
   * (Marathon restarts them too, issues #4046, #4988).
   */
  readonly keepConfigVersion?: boolean;
  /** Group rows written in the same transaction (/v2/groups); with them a change commits even when no app changes. */
  readonly groups?: GroupWrite;
  /**
   * Dependencies of groups (id → dependencies), for planning: every app below a group also depends
   * on what its group depends on. Only groups that have dependencies need to be listed.
   */
  readonly groupDependencies?: GroupDependencies;
  /** Plan only: the same checks and plan as a real change, nothing stored (`dryRun=true`); no lock check. */
  readonly dryRun?: boolean;
}

export interface ChangeResult {
  readonly deploymentId: string;
  readonly version: string;
  /** Final definitions of the ids the change set (null = deleted). */
  readonly apps: ReadonlyMap<string, AppDefinition | null>;
  /** Ids that did not exist before. */
  readonly created: ReadonlySet<string>;
  /** The stored deployment, or undefined when the change needed no step (nothing changed). */
  readonly deployment?: Deployment<AppDefinition>;
  /** App ids whose stored state changed (for local caches; other replicas hear it from Postgres). */
  readonly notified?: readonly string[];
  /** Dry run: the plan's steps (nothing was stored). */
  readonly steps?: readonly DeploymentStep[];
}

/** The plan with each app's sentenced instances on its ScaleApplication action (other actions unchanged). */
export function withSentenced(steps: DeploymentStep[], sentenced: ReadonlyMap<string, readonly string[]> | undefined): DeploymentStep[] {
  if (sentenced === undefined || sentenced.size === 0) return steps;
  return steps.map((step) => ({
    actions: step.actions.map((a) => {
      const ids = a.action === 'ScaleApplication' ? sentenced.get(a.app) : undefined;
      return ids !== undefined && ids.length > 0 ? { ...a, sentenced: [...ids] } : a;
    }),
  }));
}

/** What one app's service ports need from a write (see ChangeService.portClaim). */
interface PortClaim {
  readonly app: AppDefinition;
  readonly slots: ReturnType<typeof assignServicePortSlots>;
  readonly fixed: readonly number[];
  readonly zeros: number;
  readonly toClaim: readonly number[];
  readonly candidates: readonly number[];
}

/** Bound on dependency-closure loading: a chain deeper than this is certainly a modelling error. */
const MAX_DEPENDENCY_ROUNDS = 100;

/**
 * Responsibilities: the one write path for apps. In one transaction it locks the ids, checks
 * conflicting deployments (409, or supersede with force), stamps versions, reserves service ports,
 * plans the deployment, and stores app versions + deployment together, so a client that got an
 * answer can never lose its change, and two writers to one app can never both get through. A
 * group change (/v2/groups) writes its group rows in the same transaction and plans with the
 * groups' dependencies; a dry run takes the same path and rolls back instead of committing.
 * Non-responsibilities: executing plans (the leader's executor), validation of bodies (callers).
 */
@Injectable()
export class ChangeService {
  constructor(
    private readonly store: AppStore,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly cache: AppReadCache,
    private readonly notifier: ChangeNotifier,
  ) {
    this.batcher = new CreateBatcher(store, () => config.maxRunningDeployments);
  }

  private readonly batcher: CreateBatcher;

  /**
   * Creates one app: in one round trip when the id is free and nothing stands in the way (the
   * common case), otherwise through the general path, which answers 409/422/403 exactly.
   */
  async create(app: AppDefinition, request: ChangeRequest): Promise<ChangeResult> {
    const now = this.clock.now().toISOString();
    const stamped = stampVersion(undefined, app, now, true);
    const slots = assignServicePortSlots(stamped);
    const fixed = slots.filter((s) => s.port !== 0).map((s) => s.port);
    const fresh = this.distinctRandomPorts(slots.length - fixed.length, fixed);
    if (fresh.length < slots.length - fixed.length) return this.apply(request);
    const final = fresh.length > 0 ? withServicePorts(stamped, fresh) : stamped;
    const steps = planDeployment({ original: new Map(), target: new Map([[final.id, final]]), touched: new Set([final.id]), needsRestart });
    const deployment: Deployment<AppDefinition> = {
      id: randomUUID(),
      version: final.version as string,
      affectedApps: [final.id],
      original: { [final.id]: null },
      target: { [final.id]: final },
      steps,
      currentStep: 0,
      status: 'scheduled',
    };
    const written = await this.batcher.submit({ app: final, ports: [...fixed, ...fresh], deployment });
    if (!written) return this.apply(request);
    this.cache.changed(final.id);
    this.notifier.announce([final.id]);
    return { deploymentId: deployment.id, version: deployment.version, apps: new Map([[final.id, final]]), created: new Set([final.id]), deployment, notified: [final.id] };
  }

  async apply(request: ChangeRequest): Promise<ChangeResult> {
    const result = await this.store.transaction((tx) => this.applyIn(tx, request));
    // This replica's cache forgets at once (read-your-writes); others hear it from Postgres.
    const changed = result.notified ?? [];
    for (const id of changed) this.cache.changed(id);
    this.notifier.announce(changed);
    return result;
  }

  private async applyIn(tx: AppStoreTx, request: ChangeRequest): Promise<ChangeResult> {
    const snapshot = await tx.begin(request.ids);
    const current = snapshot.apps;
    const wanted = request.apply(current);
    const now = this.clock.now().toISOString();

    const original = new Map<string, AppDefinition>();
    const target = new Map<string, AppDefinition | null>();
    const created = new Set<string>();
    let latestVersion = now;
    for (const [id, next] of wanted) {
      const before = current.get(id);
      if (next === null) {
        if (before) {
          original.set(id, before);
          target.set(id, null);
        }
        continue;
      }
      const restart = request.restart?.has(id) ?? false;
      const configChanged = restart || !before || needsRestart(withoutVersion(before), withoutVersion(next));
      if (before && !configChanged && before.instances === next.instances) continue; // unchanged
      if (!before) created.add(id);
      else original.set(id, before);
      const kept = request.keepConfigVersion ? next.versionInfo?.lastConfigChangeAt : undefined;
      const stamped = stampVersion(before, next, now, configChanged, kept);
      if (stamped.version && stamped.version > latestVersion) latestVersion = stamped.version;
      target.set(id, stamped);
    }

    const touched = new Set(target.keys());
    if (touched.size === 0 && (request.groups === undefined || request.dryRun)) {
      return { deploymentId: randomUUID(), version: now, apps: new Map(), created, ...(request.dryRun ? { steps: [] } : {}) };
    }

    for (const id of created) {
      const clash = snapshot.related.find((other) => id.startsWith(`${other}/`) || other.startsWith(`${id}/`));
      if (clash) {
        throw new DomainError(DomainErrorCode.CONFLICT, `App id '${id}' conflicts with the existing app '${clash}': an id cannot be both an app and a group`);
      }
    }

    const conflicts = request.dryRun ? [] : snapshot.conflicts.filter((d) => d.affectedApps.some((a) => touched.has(a)));
    if (conflicts.length > 0 && !request.force) {
      throw new DomainError(
        DomainErrorCode.APP_LOCKED,
        `App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/${conflicts[0].id}'.`,
        { deployments: conflicts.map((d) => ({ id: d.id })) },
      );
    }

    // Every app's first port claim goes in one round trip; only an app whose random candidates were
    // all taken meanwhile claims again on its own.
    const saves: AppWrite[] = [];
    const claims: PortClaim[] = [];
    for (const [id, app] of target) if (app !== null) claims.push(this.portClaim(app, snapshot.heldPorts.get(id) ?? []));
    const sent = claims.filter((c) => c.toClaim.length > 0 || c.zeros > 0);
    const firsts = await tx.claimPortsMany(sent.map((c) => ({ appId: c.app.id, fixed: c.toClaim, candidates: c.candidates })));
    const firstOf = new Map(sent.map((c, i) => [c, firsts[i]]));
    for (const claim of claims) {
      const { app: withPorts, ports } = await this.reservePorts(tx, claim, firstOf.get(claim));
      target.set(withPorts.id, withPorts);
      saves.push({ app: withPorts, existed: !created.has(withPorts.id), ports });
    }

    const groupDeps = request.groupDependencies;
    const planTarget = await this.withDependencies(tx, target, current, groupDeps);
    const steps = withSentenced(planWithGroups({ original, target: planTarget, touched, needsRestart, groupDependencies: groupDeps }), request.sentenced);
    // A dry run ends here: the transaction is rolled back, ports claimed above included.
    if (request.dryRun) return { deploymentId: randomUUID(), version: latestVersion, apps: target, created, steps };

    let deployment: Deployment<AppDefinition> | undefined;
    if (steps.length > 0) {
      if (snapshot.deploymentCount - conflicts.length >= this.config.maxRunningDeployments) {
        throw new DomainError(
          DomainErrorCode.TOO_MANY_DEPLOYMENTS,
          `Max number (${this.config.maxRunningDeployments}) of running deployments is achieved. Wait for existing deployments to complete or cancel them.`,
        );
      }
      deployment = {
        id: randomUUID(),
        version: latestVersion,
        affectedApps: [...touched].sort(),
        original: Object.fromEntries([...touched].map((id) => [id, original.get(id) ?? null])),
        target: Object.fromEntries([...touched].map((id) => [id, target.get(id) ?? null])),
        steps,
        currentStep: 0,
        status: 'scheduled',
      };
    }

    // Every app whose definition or deployment list changes: the touched ones and those of
    // superseded plans.
    const notify = new Set(touched);
    for (const d of conflicts) for (const a of d.affectedApps) notify.add(a);
    await tx.commit({
      saves,
      deletes: [...target].filter(([, app]) => app === null).map(([id]) => id),
      supersede: conflicts.map((d) => d.id),
      deployment,
      keepVersions: this.config.maxAppVersions,
      ...(request.groups ? { groups: { ...request.groups, version: latestVersion } } : {}),
    });
    return { deploymentId: deployment?.id ?? randomUUID(), version: latestVersion, apps: target, created, deployment, notified: [...notify] };
  }

  /**
   * Service ports: non-zero ones are claimed as given (a clash with another app is a 422), zeros get
   * cluster-unique random ports from [LOCAL_PORT_MIN, LOCAL_PORT_MAX]. Ports the app no longer uses
   * are released by the write.
   */
  private async reservePorts(tx: AppStoreTx, c: PortClaim, first?: { fixedClaimed: number[]; randomClaimed: number[] }): Promise<{ app: AppDefinition; ports: number[] }> {
    const { app, slots, fixed, zeros } = c;
    let toClaim = c.toClaim;
    const fresh: number[] = [];
    for (let attempt = 0; attempt < 10 && (toClaim.length > 0 || fresh.length < zeros); attempt++) {
      const claim = attempt === 0 && first !== undefined ? first : await tx.claimPorts(app.id, toClaim, attempt === 0 ? c.candidates : this.randomPorts(zeros - fresh.length));
      const clashes = toClaim.filter((p) => !claim.fixedClaimed.includes(p));
      if (clashes.length > 0) {
        const details = slots
          .filter((s) => clashes.includes(s.port))
          .map((s) => ({ path: s.path, errors: [`Requested service port ${s.port} conflicts with a service port in use by another app`] }));
        throw DomainError.validation(details);
      }
      toClaim = [];
      for (const p of claim.randomClaimed) if (fresh.length < zeros && !fixed.includes(p)) fresh.push(p);
    }
    if (fresh.length < zeros) throw new DomainError(DomainErrorCode.CONFLICT, 'No free service ports left in the configured range');
    // Claimed but unused ports (spare random candidates) are released by the commit.
    return { app: zeros > 0 ? withServicePorts(app, fresh) : app, ports: [...fixed, ...fresh] };
  }

  /** An app's service-port slots and its first claim: fixed ports it does not hold yet, random candidates for the zeros. */
  private portClaim(app: AppDefinition, held: readonly number[]): PortClaim {
    const slots = assignServicePortSlots(app);
    const fixed = slots.filter((s) => s.port !== 0).map((s) => s.port);
    const zeros = slots.length - fixed.length;
    const owned = new Set(held);
    // Ports the app already holds need no claim: an update that keeps its ports claims nothing.
    return { app, slots, fixed, zeros, toClaim: fixed.filter((p) => !owned.has(p)), candidates: this.randomPorts(zeros) };
  }

  /** `count` distinct random service ports, none of them in `exclude`. */
  private distinctRandomPorts(count: number, exclude: readonly number[]): number[] {
    const { localPortMin: min, localPortMax: max } = this.config;
    const out = new Set<number>();
    for (let tries = 0; out.size < count && tries < count * 20; tries++) {
      const p = min + Math.floor(Math.random() * (max - min + 1));
      if (!exclude.includes(p)) out.add(p);
    }
    return [...out];
  }

  /** Random candidates for `missing` service ports: twice as many (+2), so collisions rarely cost a retry. */
  private randomPorts(missing: number): number[] {
    const { localPortMin: min, localPortMax: max } = this.config;
    return Array.from({ length: missing > 0 ? missing * 2 + 2 : 0 }, () => min + Math.floor(Math.random() * (max - min + 1)));
  }

  /** The target apps plus every app they depend on (transitively, group dependencies included), for dependency depths. */
  private async withDependencies(
    tx: AppStoreTx,
    target: ReadonlyMap<string, AppDefinition | null>,
    current: ReadonlyMap<string, AppDefinition>,
    groupDeps?: GroupDependencies,
  ): Promise<Map<string, AppDefinition>> {
    const out = new Map<string, AppDefinition>();
    for (const [id, app] of current) if (!target.has(id)) out.set(id, app);
    for (const [id, app] of target) if (app) out.set(id, app);
    const asked = new Set<string>();
    for (let round = 0; round < MAX_DEPENDENCY_ROUNDS; round++) {
      const missing = new Set<string>();
      for (const app of out.values()) for (const dep of effectiveDependencies(app, groupDeps)) if (!asked.has(dep)) missing.add(dep);
      if (missing.size === 0) break;
      for (const dep of missing) asked.add(dep);
      const loaded = await tx.loadAppsUnder([...missing]);
      for (const [id, app] of loaded) if (!out.has(id) && !target.has(id)) out.set(id, app);
    }
    return out;
  }
}
