import type { AppDefinition } from '../apps';
import type { PortRange } from './types';

/**
 * The host ports one instance asks for, in order; 0 = any port of the offer (drawn at random),
 * otherwise that exact port (reference §2.2):
 * - host networking (portDefinitions): requirePorts ⇒ the port as given, else random;
 * - container networking (portMappings): hostPort 0 ⇒ random, hostPort n ⇒ n, no hostPort ⇒ none.
 */
export function requestedHostPorts(app: AppDefinition): number[] {
  if (app.portDefinitions !== undefined) {
    return app.portDefinitions.map((pd) => (app.requirePorts ? pd.port : 0));
  }
  const out: number[] = [];
  for (const pm of app.container?.portMappings ?? []) if (pm.hostPort !== undefined) out.push(pm.hostPort);
  return out;
}

/** Mutable ranges of one role, owned by the matcher's working copy of the offer. */
export interface RolePorts {
  readonly role: string;
  ranges: PortRange[];
}

export function rangesSize(ranges: readonly PortRange[]): number {
  let n = 0;
  for (const r of ranges) n += r.end - r.begin + 1;
  return n;
}

/** Removes port p from ranges (it must be inside one); returns the new array. */
function removePort(ranges: readonly PortRange[], i: number, p: number): PortRange[] {
  const r = ranges[i];
  const parts: PortRange[] = [];
  if (r.begin < p) parts.push({ begin: r.begin, end: p - 1 });
  if (p < r.end) parts.push({ begin: p + 1, end: r.end });
  return [...ranges.slice(0, i), ...parts, ...ranges.slice(i + 1)];
}

export interface PortPick {
  readonly port: number;
  readonly role: string;
}

/**
 * Picks the requested ports from `pools` (in preference order) without mutating them; returns the picks
 * in request order and the pools as they would be afterwards, or undefined when they cannot be found.
 * Fixed ports are taken first so random draws never steal them.
 */
export function pickPorts(
  slots: readonly number[],
  pools: readonly RolePorts[],
  random: () => number,
): { picks: PortPick[]; pools: RolePorts[] } | undefined {
  const work: RolePorts[] = pools.map((p) => ({ role: p.role, ranges: p.ranges }));
  const picks: (PortPick | undefined)[] = slots.map(() => undefined);
  slots.forEach((port, s) => {
    if (port === 0) return;
    for (const pool of work) {
      const i = pool.ranges.findIndex((r) => r.begin <= port && port <= r.end);
      if (i >= 0) {
        pool.ranges = removePort(pool.ranges, i, port);
        picks[s] = { port, role: pool.role };
        return;
      }
    }
  });
  for (let s = 0; s < slots.length; s++) {
    if (slots[s] !== 0) {
      if (picks[s] === undefined) return undefined;
      continue;
    }
    let total = 0;
    for (const pool of work) total += rangesSize(pool.ranges);
    if (total === 0) return undefined;
    let idx = Math.min(total - 1, Math.max(0, Math.floor(random() * total)));
    found: for (const pool of work) {
      for (let i = 0; i < pool.ranges.length; i++) {
        const r = pool.ranges[i];
        const size = r.end - r.begin + 1;
        if (idx < size) {
          const port = r.begin + idx;
          pool.ranges = removePort(pool.ranges, i, port);
          picks[s] = { port, role: pool.role };
          break found;
        }
        idx -= size;
      }
    }
  }
  return { picks: picks as PortPick[], pools: work };
}

/** Whether the slots could be served by these pools at all (no randomness): fixed ports present, enough ports. */
export function portsCouldFit(slots: readonly number[], pools: readonly RolePorts[]): boolean {
  let total = 0;
  for (const pool of pools) total += rangesSize(pool.ranges);
  if (total < slots.length) return false;
  return slots.every((port) => port === 0 || pools.some((pool) => pool.ranges.some((r) => r.begin <= port && port <= r.end)));
}

/** Sorted single ports → compact ranges. */
export function toRanges(ports: readonly number[]): PortRange[] {
  const sorted = [...ports].sort((a, b) => a - b);
  const out: PortRange[] = [];
  for (const p of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && last.end + 1 === p) out[out.length - 1] = { begin: last.begin, end: p };
    else out.push({ begin: p, end: p });
  }
  return out;
}
