/**
 * Offer matching vocabulary (see README.md). Plain data only: no Mesos protobuf types.
 * Scalars are in Mesos units (cpus, MiB); Mesos keeps 3 decimals, so the matcher computes in
 * thousandths and rounds what it returns to 3 decimals.
 */
import type { AppDefinition } from '../apps';

/** An inclusive range of integers, as Mesos `Value.Range`. */
export interface PortRange {
  readonly begin: number;
  readonly end: number;
}

/** One resource of an offer: a scalar (cpus, mem, disk, gpus) or ranges (ports), from one role ('*' = unreserved). */
export interface OfferResource {
  readonly name: string;
  readonly role: string;
  readonly scalar?: number;
  readonly ranges?: readonly PortRange[];
  /** set resources are carried through untouched */
  readonly set?: readonly string[];
}

/** An agent attribute; exactly one of text, scalar, ranges, set is given. */
export interface Attribute {
  readonly name: string;
  readonly text?: string;
  readonly scalar?: number;
  readonly ranges?: readonly PortRange[];
  readonly set?: readonly string[];
}

/** What constraints look at: the agent's hostname, attributes and fault domain. */
export interface AgentInfo {
  readonly hostname: string;
  readonly attributes: readonly Attribute[];
  /** fault domain, for the `@region` / `@zone` constraint fields */
  readonly region?: string;
  readonly zone?: string;
}

export interface Offer extends AgentInfo {
  readonly id: string;
  readonly agentId: string;
  readonly resources: readonly OfferResource[];
}

/** The waiting instances of one app version: the unit of matching (one turn = one instance). */
export interface WaitingGroup {
  /** version key, e.g. `${app.id}@${app.version}`; keys the placed instances too */
  readonly key: string;
  readonly app: AppDefinition;
  /** instances waiting to be launched (only a count: the matcher never iterates over them) */
  readonly count: number;
  /** false while the group's launch backoff runs; absent = ready */
  readonly ready?: boolean;
}

/** Marathon's NoOfferMatchReason names (reference §1.6), the subset a pure matcher can produce. */
export type NoMatchReason =
  | 'UnfulfilledRole'
  | 'UnfulfilledConstraint'
  | 'InsufficientCpus'
  | 'InsufficientMemory'
  | 'InsufficientDisk'
  | 'InsufficientGpus'
  | 'InsufficientPorts';

export interface MatchInput {
  readonly offer: Offer;
  readonly groups: readonly WaitingGroup[];
  /** agents of the instances already placed, by group key (same app version only) */
  readonly placed?: Readonly<Record<string, readonly AgentInfo[]>>;
  /** Marathon `--max_instances_per_offer`; default 5 */
  readonly maxInstancesPerOffer?: number;
  /** uniform in [0, 1); used only to draw random host ports */
  readonly random: () => number;
  /** index into `groups` where this offer's round-robin starts (taken modulo groups.length); default 0 */
  readonly cursor?: number;
  /** Marathon `--mesos_role`, used for apps without `role`; default '*' */
  readonly frameworkRole?: string;
}

/** Resources taken for one launch, one entry per (name, role) consumed. */
export interface AllocatedResource {
  readonly name: string;
  readonly role: string;
  readonly scalar?: number;
  readonly ranges?: readonly PortRange[];
}

export interface Launch {
  readonly key: string;
  readonly appId: string;
  readonly resources: readonly AllocatedResource[];
  /**
   * One host port per requested host port, in order: each portDefinition (host networking), or each
   * portMapping that has a hostPort (0 = random) with container networking.
   */
  readonly hostPorts: readonly number[];
}

export interface GroupRejection {
  readonly key: string;
  /** in the order: UnfulfilledRole, Insufficient{Cpus,Memory,Disk,Gpus}, UnfulfilledConstraint, InsufficientPorts */
  readonly reasons: readonly NoMatchReason[];
}

export interface MatchResult {
  readonly launches: readonly Launch[];
  /** the offer's resources left after the launches (empty scalars and ranges dropped) */
  readonly remaining: readonly OfferResource[];
  /** groups that were tried on this offer and got no launch from it, with why */
  readonly rejections: readonly GroupRejection[];
  /** cursor to pass with the next offer: the group after the last one served */
  readonly nextCursor: number;
}
