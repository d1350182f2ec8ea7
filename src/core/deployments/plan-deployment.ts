import { DomainError } from '../errors';
import { DeploymentAction, DeploymentStep, PlannableApp } from './deployment';

export interface PlanInput<A extends PlannableApp> {
  /** Apps before the change, by id: at least every app the change touches. */
  readonly original: ReadonlyMap<string, A>;
  /**
   * Apps after the change, by id: every touched app plus every app they (transitively) depend on,
   * so the dependency depth of each touched app can be computed.
   */
  readonly target: ReadonlyMap<string, A>;
  /** Ids whose definition the change touched (created, changed or removed). */
  readonly touched: ReadonlySet<string>;
  /** True when moving from `a` to `b` needs a rolling restart (anything but the instance count). */
  readonly needsRestart: (a: A, b: A) => boolean;
}

/**
 * Plans a deployment from (original, target), as Marathon does (reference §3.1):
 *
 *   step A: StopApplication for every touched app that the target removes (all in parallel);
 *   step B: StartApplication for every touched app new in the target;
 *   then one step per dependency depth, shallowest first, holding for each touched app at that depth
 *   ScaleApplication (new app, or only `instances` changed) or RestartApplication (anything else).
 *
 * Empty steps are dropped. Worked example: web depends on db, both new, cache new and independent:
 *   depth(db) = 1, depth(cache) = 1, depth(web) = 1 + depth(db) = 2
 *   ⇒ [Start db, Start cache, Start web] · [Scale db, Scale cache] · [Scale web]
 * Independent apps share one step (Marathon once made N steps for N independent apps).
 */
export function planDeployment<A extends PlannableApp>(input: PlanInput<A>): DeploymentStep[] {
  const { original, target, touched, needsRestart } = input;
  const sortedTouched = [...touched].sort();
  const stops: DeploymentAction[] = [];
  const starts: DeploymentAction[] = [];
  const byDepth = new Map<number, DeploymentAction[]>();
  const depthOf = dependencyDepths(target);

  for (const id of sortedTouched) {
    const before = original.get(id);
    const after = target.get(id);
    if (before && !after) {
      stops.push({ action: 'StopApplication', app: id });
      continue;
    }
    if (!after) continue;
    let action: DeploymentAction | undefined;
    if (!before) {
      starts.push({ action: 'StartApplication', app: id });
      action = { action: 'ScaleApplication', app: id };
    } else if (needsRestart(before, after)) {
      action = { action: 'RestartApplication', app: id };
    } else if (before.instances !== after.instances) {
      action = { action: 'ScaleApplication', app: id };
    }
    if (!action) continue;
    const depth = depthOf(id);
    const layer = byDepth.get(depth) ?? [];
    layer.push(action);
    byDepth.set(depth, layer);
  }

  const steps: DeploymentStep[] = [];
  if (stops.length > 0) steps.push({ actions: stops });
  if (starts.length > 0) steps.push({ actions: starts });
  for (const depth of [...byDepth.keys()].sort((a, b) => a - b)) {
    steps.push({ actions: byDepth.get(depth) ?? [] });
  }
  return steps;
}

/**
 * The ids a dependency names: the app itself, or every app under it when it names a group.
 * `/prod/db` → ['/prod/db']; `/prod` → ['/prod/db', '/prod/web'] (apps below the group).
 */
export function resolveDependency(dep: string, ids: Iterable<string>, known?: ReadonlySet<string>): string[] {
  // An id is an app or a group, never both: an app id resolves to itself without a scan.
  if (known?.has(dep)) return [dep];
  const prefix = dep.endsWith('/') ? dep : `${dep}/`;
  const out: string[] = [];
  for (const id of ids) if (id === dep || id.startsWith(prefix)) out.push(id);
  return out;
}

/**
 * Longest dependency chain ending at each app (1 = no dependencies), memoised, computed lazily
 * only for the apps asked about. A cycle is a 422 with the cycle spelled out.
 */
export function dependencyDepths<A extends PlannableApp>(apps: ReadonlyMap<string, A>): (id: string) => number {
  const memo = new Map<string, number>();
  const ids = [...apps.keys()];
  const appIds = new Set(ids);
  const visiting: string[] = [];

  const depth = (id: string): number => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    const at = visiting.indexOf(id);
    if (at >= 0) {
      const cycle = [...visiting.slice(at), id].join(' -> ');
      throw DomainError.validation([{ path: '/', errors: [`Dependency graph has cyclic dependencies: ${cycle}`] }]);
    }
    const app = apps.get(id);
    if (!app) return 0;
    visiting.push(id);
    let deepest = 0;
    for (const dep of app.dependencies) {
      for (const target of resolveDependency(dep, ids, appIds)) {
        if (target === id) continue;
        deepest = Math.max(deepest, depth(target));
      }
    }
    visiting.pop();
    memo.set(id, deepest + 1);
    return deepest + 1;
  };
  return depth;
}

/** Ids touched by going from `original` to `target` (added, removed, or different by `same`). */
export function touchedIds<A extends PlannableApp>(
  original: ReadonlyMap<string, A>,
  target: ReadonlyMap<string, A>,
  same: (a: A, b: A) => boolean,
): Set<string> {
  const out = new Set<string>();
  for (const [id, before] of original) {
    const after = target.get(id);
    if (!after || !same(before, after)) out.add(id);
  }
  for (const id of target.keys()) if (!original.has(id)) out.add(id);
  return out;
}
