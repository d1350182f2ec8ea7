/**
 * Which instances to decommission when an app scales, and how many to start (reference marathon-api.md
 * §3.4; Marathon 1.10 `core/deployment/ScalingProposition.scala` and `mesos/Constraints.scala`
 * `selectInstancesToKill`). Pure and deterministic: ties that Marathon leaves to hash-map order are
 * broken here by the kill order below and then by instance id.
 *
 *   candidates        = instances with goal running, except unreachable-inactive ones
 *                       (scheduled, i.e. waiting-to-launch, instances are candidates too)
 *   decommissionCount = max(|candidates| − target, |sentenced ∩ candidates|)
 *   toStart           = target − |candidates| + decommissionCount
 *
 * Example: 5 running, target 2, sentenced {c} ⇒ decommission 3: c first, then two more; toStart 0.
 *          3 running, target 5, sentenced {a} ⇒ decommission 1 (a), toStart 3.
 *
 * Kill order: (1) the sentenced (`DELETE /v2/apps/{id}/tasks?scale=true`); (2) instances picked to even
 * out every GROUP_BY constraint, always from the largest groups; (3) the rest by condition —
 * Unreachable, Staging, Starting, Running, then anything else (provisioned, scheduled, killing,
 * terminal) — with ties by time per killSelection: Staging by stagedAt, Starting by stateSince, others
 * by startedAt (an instance never started goes first). YOUNGEST_FIRST kills the latest time first.
 * Health is not considered (as in Marathon, whose code has a TODO for it).
 */
import type { Constraint, KillSelection } from '../apps';
import type { Instance, InstanceState } from './instance';

export interface ScaleInput {
  readonly instances: readonly Instance[];
  readonly target: number;
  /** instance ids explicitly chosen to die */
  readonly sentenced?: readonly string[];
  readonly killSelection: KillSelection;
  /** the app's constraints; only GROUP_BY influences the choice */
  readonly constraints?: readonly Constraint[];
  /**
   * Value of a constraint field for an instance's agent. Default: `hostname`/`@hostname` → host,
   * anything else unknown (agent attributes are not on the instance record).
   */
  readonly fieldValue?: (instance: Instance, field: string) => string | undefined;
}

export interface ScaleProposition {
  /** in kill order */
  readonly toDecommission: readonly Instance[];
  readonly toStart: number;
}

const WEIGHT: Partial<Record<InstanceState, number>> = {
  TASK_UNREACHABLE: 1,
  TASK_STAGING: 2,
  TASK_STARTING: 3,
  TASK_RUNNING: 4,
};
const OTHER = 5;

export function isScaleCandidate(instance: Instance): boolean {
  return instance.goal === 'running' && instance.state !== 'unreachable-inactive';
}

function time(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}

/** Comparator: negative ⇒ `a` is decommissioned before `b`. */
export function killOrder(killSelection: KillSelection): (a: Instance, b: Instance) => number {
  const byTime = (ta: number | undefined, tb: number | undefined): number => {
    // An unknown time sorts first (Marathon: no activeSince goes first; no stagedAt counts as "now").
    if (ta === undefined || tb === undefined) return ta === tb ? 0 : ta === undefined ? -1 : 1;
    return killSelection === 'YOUNGEST_FIRST' ? tb - ta : ta - tb;
  };
  return (a, b) => {
    const wa = WEIGHT[a.state] ?? OTHER;
    const wb = WEIGHT[b.state] ?? OTHER;
    let c = wa - wb;
    if (c === 0) {
      if (a.state === 'TASK_STAGING' && b.state === 'TASK_STAGING') c = byTime(time(a.stagedAt), time(b.stagedAt));
      else if (a.state === 'TASK_STARTING' && b.state === 'TASK_STARTING') c = byTime(time(a.stateSince), time(b.stateSince));
      else c = byTime(time(a.startedAt), time(b.startedAt));
    }
    return c !== 0 ? c : a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0;
  };
}

function defaultFieldValue(instance: Instance, field: string): string | undefined {
  return field === 'hostname' || field === '@hostname' ? instance.host : undefined;
}

/** Groups of one GROUP_BY field: value → instance ids (instances without a value form one group). */
function groupsOf(instances: readonly Instance[], field: string, value: (i: Instance, f: string) => string | undefined): string[][] {
  const groups = new Map<string, string[]>();
  for (const i of instances) {
    const v = value(i, field);
    const key = v === undefined ? '\u0000none' : `=${v}`;
    const g = groups.get(key);
    if (g) g.push(i.instanceId);
    else groups.set(key, [i.instanceId]);
  }
  return [...groups.keys()].sort().map((k) => groups.get(k) ?? []);
}

function sizes(groups: readonly string[][], without: ReadonlySet<string>): number[] {
  return groups.map((g) => g.filter((id) => !without.has(id)).length);
}

function difference(groups: readonly string[][], without: ReadonlySet<string>): number {
  const s = sizes(groups, without);
  return s.length === 0 ? 0 : Math.max(...s) - Math.min(...s);
}

/** Marathon's isMoreEvenWithout: after the kill the spread is ≤ 1, or smaller than before any kill. */
function acceptable(groups: readonly string[][], without: ReadonlySet<string>): boolean {
  const after = difference(groups, without);
  return after <= 1 || difference(groups, new Set()) > after;
}

/** Ids in the largest groups, or none when all groups are the same size. */
function largest(groups: readonly string[][], without: ReadonlySet<string>): string[] {
  const s = sizes(groups, without);
  if (new Set(s).size <= 1) return [];
  const max = Math.max(...s);
  return groups.filter((_g, i) => s[i] === max).flatMap((g) => g.filter((id) => !without.has(id)));
}

/**
 * Up to `count` instances whose removal keeps every GROUP_BY constraint as even as possible
 * (`selectInstancesToKill`). May return fewer when no removal keeps the distributions acceptable.
 * `ordered` must be in kill order: it breaks ties inside the largest groups and is the fallback.
 */
export function selectForGroupBy(
  ordered: readonly Instance[],
  count: number,
  constraints: readonly Constraint[],
  fieldValue: (i: Instance, f: string) => string | undefined = defaultFieldValue,
): Instance[] {
  if (count <= 0) return [];
  if (count >= ordered.length) return [...ordered];
  const fields = constraints.filter((c) => c[1] === 'GROUP_BY').map((c) => c[0]);
  if (fields.length === 0) return [];
  const distributions = fields.map((f) => groupsOf(ordered, f, fieldValue));
  const rank = new Map(ordered.map((i, n) => [i.instanceId, n]));
  const byId = new Map(ordered.map((i) => [i.instanceId, i]));
  const chosen = new Set<string>();
  while (chosen.size < count) {
    const tried: string[] = [];
    const byDifference = distributions
      .map((d, n) => ({ d, n, diff: difference(d, chosen) }))
      .sort((x, y) => y.diff - x.diff || x.n - y.n);
    for (const { d } of byDifference) tried.push(...largest(d, chosen).sort((x, y) => (rank.get(x) ?? 0) - (rank.get(y) ?? 0)));
    tried.push(...ordered.map((i) => i.instanceId).filter((id) => !chosen.has(id)));
    const pick = tried.find((id) => !chosen.has(id) && distributions.every((d) => acceptable(d, new Set([...chosen, id]))));
    if (pick === undefined) break;
    chosen.add(pick);
  }
  return [...chosen].map((id) => byId.get(id)).filter((i): i is Instance => i !== undefined);
}

export function proposeScale(input: ScaleInput): ScaleProposition {
  const order = killOrder(input.killSelection);
  const target = Math.max(0, input.target);
  const sentencedIds = new Set(input.sentenced ?? []);
  const candidates = input.instances.filter(isScaleCandidate);
  const sentenced = candidates.filter((i) => sentencedIds.has(i.instanceId)).sort(order);
  const rest = candidates.filter((i) => !sentencedIds.has(i.instanceId)).sort(order);

  const decommissionCount = Math.max(candidates.length - target, sentenced.length);
  const forConstraints = selectForGroupBy(rest, decommissionCount - sentenced.length, input.constraints ?? [], input.fieldValue ?? defaultFieldValue);
  const picked = new Set(forConstraints.map((i) => i.instanceId));
  const ordered = [...sentenced, ...forConstraints, ...rest.filter((i) => !picked.has(i.instanceId))];
  return {
    toDecommission: ordered.slice(0, decommissionCount),
    toStart: target - candidates.length + decommissionCount,
  };
}
