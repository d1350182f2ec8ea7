import type { AppDefinition } from '../apps';
import { toMilli } from './attributes';
import { prepareConstraints, type ConstraintCheck } from './constraints';
import { pickPorts, portsCouldFit, requestedHostPorts, toRanges, type RolePorts } from './ports';
import type {
  AgentInfo,
  AllocatedResource,
  GroupRejection,
  Launch,
  MatchInput,
  MatchResult,
  NoMatchReason,
  OfferResource,
  PortRange,
  WaitingGroup,
} from './types';

export const DEFAULT_MAX_INSTANCES_PER_OFFER = 5;

const SCALARS: readonly (readonly ['cpus' | 'mem' | 'disk' | 'gpus', NoMatchReason])[] = [
  ['cpus', 'InsufficientCpus'],
  ['mem', 'InsufficientMemory'],
  ['disk', 'InsufficientDisk'],
  ['gpus', 'InsufficientGpus'],
];

const NO_PLACED: readonly AgentInfo[] = [];

/** Working copy of one offer resource. */
type Slot =
  | { readonly kind: 'scalar'; readonly name: string; readonly role: string; milli: number }
  | { readonly kind: 'ports'; readonly name: string; readonly role: string; ranges: PortRange[] }
  | { readonly kind: 'other'; readonly resource: OfferResource };

interface Turn {
  readonly group: WaitingGroup;
  readonly index: number;
  /** roles whose resources this app may use: accepted ∩ {'*', app role} */
  readonly roles: ReadonlySet<string>;
  /** reserved role first, then '*' */
  readonly roleOrder: readonly string[];
  readonly needs: readonly (readonly [string, number, NoMatchReason])[];
  readonly portSlots: readonly number[];
  check?: ConstraintCheck;
  launched: number;
}

/** The roles an app's resources may come from (reference §2.1, §4.2). */
export function usableRoles(app: AppDefinition, frameworkRole: string): string[] {
  const appRole = app.role ?? frameworkRole;
  const accepted = app.acceptedResourceRoles ?? ['*', appRole];
  const order = appRole === '*' ? ['*'] : [appRole, '*'];
  return order.filter((r) => accepted.includes(r));
}

function prepareTurn(group: WaitingGroup, index: number, frameworkRole: string): Turn {
  const { app } = group;
  const roleOrder = usableRoles(app, frameworkRole);
  const needs: [string, number, NoMatchReason][] = [];
  for (const [name, reason] of SCALARS) {
    const m = toMilli(app[name]);
    if (m > 0) needs.push([name, m, reason]);
  }
  return { group, index, roles: new Set(roleOrder), roleOrder, needs, portSlots: requestedHostPorts(app), launched: 0 };
}

type Attempt = { readonly ok: true; readonly launch: Launch } | { readonly ok: false; readonly reasons: NoMatchReason[] };

function attempt(turn: Turn, slots: Slot[], input: MatchInput): Attempt {
  const reasons: NoMatchReason[] = [];
  let roleProblem = false;
  for (const [name, need, reason] of turn.needs) {
    let usable = 0;
    let any = 0;
    for (const s of slots) {
      if (s.kind !== 'scalar' || s.name !== name) continue;
      any += s.milli;
      if (turn.roles.has(s.role)) usable += s.milli;
    }
    if (usable >= need) continue;
    if (any >= need) roleProblem = true;
    else reasons.push(reason);
  }
  if (roleProblem) reasons.unshift('UnfulfilledRole');
  if (turn.check === undefined) {
    turn.check = prepareConstraints(turn.group.app.constraints, input.offer, input.placed?.[turn.group.key] ?? NO_PLACED);
  }
  if (!turn.check(turn.launched)) reasons.push('UnfulfilledConstraint');
  if (reasons.length > 0) return { ok: false, reasons };

  // ports last (Marathon's order)
  let portPicks: { port: number; role: string }[] = [];
  let newPools: RolePorts[] = [];
  const poolSlots: Extract<Slot, { kind: 'ports' }>[] = [];
  if (turn.portSlots.length > 0) {
    for (const role of turn.roleOrder) {
      for (const s of slots) if (s.kind === 'ports' && s.role === role) poolSlots.push(s);
    }
    const picked = pickPorts(turn.portSlots, poolSlots, input.random);
    if (picked === undefined) {
      const all = slots.filter((s): s is Extract<Slot, { kind: 'ports' }> => s.kind === 'ports');
      return { ok: false, reasons: [portsCouldFit(turn.portSlots, all) ? 'UnfulfilledRole' : 'InsufficientPorts'] };
    }
    portPicks = picked.picks;
    newPools = picked.pools;
  }

  // commit: scalars from the app's reserved role first, then '*'
  const resources: AllocatedResource[] = [];
  for (const [name, need] of turn.needs) {
    let left = need;
    for (const role of turn.roleOrder) {
      let took = 0;
      for (const s of slots) {
        if (left === 0) break;
        if (s.kind !== 'scalar' || s.name !== name || s.role !== role || s.milli === 0) continue;
        const t = Math.min(left, s.milli);
        s.milli -= t;
        left -= t;
        took += t;
      }
      if (took > 0) resources.push({ name, role, scalar: took / 1000 });
    }
  }
  poolSlots.forEach((s, i) => {
    s.ranges = newPools[i].ranges;
  });
  for (const role of turn.roleOrder) {
    const ports = portPicks.filter((p) => p.role === role).map((p) => p.port);
    if (ports.length > 0) resources.push({ name: 'ports', role, ranges: toRanges(ports) });
  }
  return {
    ok: true,
    launch: { key: turn.group.key, appId: turn.group.app.id, resources, hostPorts: portPicks.map((p) => p.port) },
  };
}

function toSlot(r: OfferResource): Slot {
  if (r.scalar !== undefined) return { kind: 'scalar', name: r.name, role: r.role, milli: toMilli(r.scalar) };
  if (r.name === 'ports' && r.ranges !== undefined) {
    return { kind: 'ports', name: r.name, role: r.role, ranges: r.ranges.map((x) => ({ begin: x.begin, end: x.end })) };
  }
  return { kind: 'other', resource: r };
}

function fromSlot(s: Slot): OfferResource | undefined {
  switch (s.kind) {
    case 'scalar':
      return s.milli > 0 ? { name: s.name, role: s.role, scalar: s.milli / 1000 } : undefined;
    case 'ports':
      return s.ranges.length > 0 ? { name: s.name, role: s.role, ranges: s.ranges } : undefined;
    default:
      return s.resource;
  }
}

/**
 * Matches one offer against the waiting app versions (reference §4.2): round-robin, one instance per
 * group per turn starting at `cursor`, until `maxInstancesPerOffer` launches or no group fits any more.
 * Each group is tried at most (its launches + 1) times, so the cost depends on the number of groups and
 * the limit, never on how many instances wait.
 */
export function matchOffer(input: MatchInput): MatchResult {
  const { offer, groups } = input;
  const limit = Math.max(0, Math.floor(input.maxInstancesPerOffer ?? DEFAULT_MAX_INSTANCES_PER_OFFER));
  const frameworkRole = input.frameworkRole ?? '*';
  const n = groups.length;
  const start = n === 0 ? 0 : ((Math.floor(input.cursor ?? 0) % n) + n) % n;

  const slots = offer.resources.map(toSlot);
  let active: Turn[] = [];
  for (let j = 0; j < n; j++) {
    const index = (start + j) % n;
    const g = groups[index];
    if (g.count > 0 && g.ready !== false) active.push(prepareTurn(g, index, frameworkRole));
  }

  const launches: Launch[] = [];
  const rejections: GroupRejection[] = [];
  let lastServed = -1;
  while (active.length > 0 && launches.length < limit) {
    const next: Turn[] = [];
    for (const turn of active) {
      if (launches.length >= limit) break;
      const r = attempt(turn, slots, input);
      if (r.ok) {
        launches.push(r.launch);
        turn.launched++;
        lastServed = turn.index;
        if (turn.launched < turn.group.count) next.push(turn);
      } else if (turn.launched === 0) {
        rejections.push({ key: turn.group.key, reasons: r.reasons });
      }
    }
    active = next;
  }

  const remaining: OfferResource[] = [];
  for (const s of slots) {
    const r = fromSlot(s);
    if (r !== undefined) remaining.push(r);
  }
  return { launches, remaining, rejections, nextCursor: lastServed >= 0 ? (lastServed + 1) % n : start };
}
