// Compact resource vectors: the four standard scalars plus `ports` ranges. Agents only own these,
// so any other resource name in a task can never be satisfied (it becomes TASK_ERROR).
import type { Range, ResourceMsg } from '../codec/types';

export const SCALAR_NAMES = ['cpus', 'mem', 'disk', 'gpus'] as const;
export type ScalarName = (typeof SCALAR_NAMES)[number];

/** Inclusive port ranges as a flat, sorted, merged list [b0, e0, b1, e1, …] (small and cheap). */
export type PortRanges = number[];

/** Mesos keeps three decimal digits for scalars. */
const round = (x: number): number => Math.round(x * 1000) / 1000;

export class Resources {
  constructor(
    public cpus = 0,
    public mem = 0,
    public disk = 0,
    public gpus = 0,
    public ports: PortRanges = [],
  ) {}

  clone(): Resources {
    return new Resources(this.cpus, this.mem, this.disk, this.gpus, this.ports.slice());
  }

  isEmpty(): boolean {
    return this.cpus <= 0 && this.mem <= 0 && this.disk <= 0 && this.gpus <= 0 && this.ports.length === 0;
  }

  add(o: Resources): Resources {
    return new Resources(
      round(this.cpus + o.cpus),
      round(this.mem + o.mem),
      round(this.disk + o.disk),
      round(this.gpus + o.gpus),
      mergeRanges(this.ports.concat(o.ports)),
    );
  }

  /** this − o, clamped at zero (callers check `contains` first). */
  subtract(o: Resources): Resources {
    return new Resources(
      Math.max(0, round(this.cpus - o.cpus)),
      Math.max(0, round(this.mem - o.mem)),
      Math.max(0, round(this.disk - o.disk)),
      Math.max(0, round(this.gpus - o.gpus)),
      subtractRanges(this.ports, o.ports),
    );
  }

  contains(o: Resources): boolean {
    return (
      round(o.cpus - this.cpus) <= 0 &&
      round(o.mem - this.mem) <= 0 &&
      round(o.disk - this.disk) <= 0 &&
      round(o.gpus - this.gpus) <= 0 &&
      rangesContain(this.ports, o.ports)
    );
  }

  /** Mesos' --min_allocatable_resources default: cpus:0.01 | mem:32. */
  isAllocatable(): boolean {
    return this.cpus >= 0.01 || this.mem >= 32;
  }

  /** Resource messages in the offer format; `role` "*" (pre-refinement format) plus allocation_info. */
  toMessages(allocationRole?: string, legacyRole = true): ResourceMsg[] {
    const out: ResourceMsg[] = [];
    const decorate = (r: ResourceMsg): ResourceMsg => {
      if (legacyRole) r.role = '*';
      if (allocationRole !== undefined) r.allocation_info = { role: allocationRole };
      return r;
    };
    for (const name of SCALAR_NAMES) {
      const v = this[name];
      if (v > 0) out.push(decorate({ name, type: 'SCALAR', scalar: { value: v } }));
    }
    if (this.ports.length > 0) {
      const range: Range[] = [];
      for (let i = 0; i < this.ports.length; i += 2) range.push({ begin: this.ports[i], end: this.ports[i + 1] });
      out.push(decorate({ name: 'ports', type: 'RANGES', ranges: { range } }));
    }
    return out;
  }

  toJSON(): Record<string, unknown> {
    return { cpus: this.cpus, mem: this.mem, disk: this.disk, gpus: this.gpus, ports: formatRanges(this.ports) };
  }

  portList(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.ports.length; i += 2) for (let p = this.ports[i]; p <= this.ports[i + 1]; p++) out.push(p);
    return out;
  }
}

/** Converts task/offer resource messages; returns an error text for anything local-mesos cannot hold. */
export function resourcesFromMessages(msgs: ResourceMsg[]): Resources | string {
  const res = new Resources();
  for (const r of msgs) {
    if (r.revocable !== undefined || r.shared !== undefined || (r.reservations && r.reservations.length > 0) || r.reservation) {
      return `Resource '${r.name}' uses reservations, revocable or shared resources, which local-mesos does not offer`;
    }
    if ((SCALAR_NAMES as readonly string[]).includes(r.name)) {
      const v = r.scalar?.value;
      if (r.type !== 'SCALAR' || v === undefined || !Number.isFinite(v) || v < 0) return `Invalid scalar resource '${r.name}'`;
      res[r.name as ScalarName] = round(res[r.name as ScalarName] + v);
    } else if (r.name === 'ports') {
      const ranges = r.ranges?.range ?? [];
      if (r.type !== 'RANGES') return `Invalid ranges resource 'ports'`;
      const flat: number[] = [];
      for (const { begin, end } of ranges) {
        if (!(begin <= end) || begin < 0) return `Invalid range [${begin}-${end}] in 'ports'`;
        flat.push(begin, end);
      }
      res.ports = mergeRanges(res.ports.concat(flat));
    } else {
      return `Resource '${r.name}' is not provided by local-mesos agents`;
    }
  }
  return res;
}

export function mergeRanges(flat: number[]): PortRanges {
  if (flat.length <= 2) return flat.slice();
  const pairs: [number, number][] = [];
  for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i], flat[i + 1]]);
  pairs.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [b, e] of pairs) {
    const n = out.length;
    if (n > 0 && b <= out[n - 1] + 1) out[n - 1] = Math.max(out[n - 1], e);
    else out.push(b, e);
  }
  return out;
}

export function subtractRanges(a: PortRanges, b: PortRanges): PortRanges {
  let cur = a.slice();
  for (let i = 0; i < b.length; i += 2) {
    const [sb, se] = [b[i], b[i + 1]];
    const next: number[] = [];
    for (let j = 0; j < cur.length; j += 2) {
      const [cb, ce] = [cur[j], cur[j + 1]];
      if (se < cb || sb > ce) next.push(cb, ce);
      else {
        if (cb < sb) next.push(cb, sb - 1);
        if (ce > se) next.push(se + 1, ce);
      }
    }
    cur = next;
  }
  return cur;
}

export function rangesContain(outer: PortRanges, inner: PortRanges): boolean {
  for (let i = 0; i < inner.length; i += 2) {
    let inside = false;
    for (let j = 0; j < outer.length; j += 2) {
      if (inner[i] >= outer[j] && inner[i + 1] <= outer[j + 1]) {
        inside = true;
        break;
      }
    }
    if (!inside) return false;
  }
  return true;
}

export function formatRanges(flat: PortRanges): string {
  const parts: string[] = [];
  for (let i = 0; i < flat.length; i += 2) parts.push(`${flat[i]}-${flat[i + 1]}`);
  return `[${parts.join(', ')}]`;
}

/** Parses "[31000-32000, 33000-33010]" or "31000-32000". */
export function parseRanges(text: string): PortRanges {
  const flat: number[] = [];
  for (const part of text.replace(/[[\]\s]/g, '').split(',')) {
    if (part === '') continue;
    const m = /^(\d+)-(\d+)$/.exec(part);
    if (!m) throw new Error(`Invalid port range '${part}'`);
    flat.push(Number(m[1]), Number(m[2]));
  }
  return mergeRanges(flat);
}

export function describeResources(r: Resources): string {
  const parts: string[] = [];
  for (const name of SCALAR_NAMES) if (r[name] > 0) parts.push(`${name}:${r[name]}`);
  if (r.ports.length > 0) parts.push(`ports:${formatRanges(r.ports)}`);
  return parts.join('; ') || '{}';
}
