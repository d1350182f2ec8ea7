import type { AgentInfo, Attribute, PortRange } from './types';

/** Rounds to 3 decimals, half-even (Mesos scalars; Marathon's BigDecimal.setScale(3, HALF_EVEN)). */
export function roundScalar(x: number): number {
  return toMilli(x) / 1000;
}

/** x in thousandths, rounded half-even, tolerant of binary noise (0.1 + 0.2 → 300). */
export function toMilli(x: number): number {
  const v = x * 1000;
  const f = Math.floor(v);
  const d = v - f;
  if (Math.abs(d - 0.5) < 1e-7) return f % 2 === 0 ? f : f + 1;
  return Math.round(v);
}

function formatRanges(ranges: readonly PortRange[]): string {
  return `[${ranges.map((r) => `${r.begin}-${r.end}`).join(',')}]`;
}

/** An attribute's value as constraints compare it: text, scalar to 3 decimals, `[a-b,c-d]`, `{a,b}`. */
export function attributeString(a: Attribute): string | undefined {
  if (a.text !== undefined) return a.text;
  if (a.scalar !== undefined) return String(roundScalar(a.scalar));
  if (a.ranges !== undefined) return formatRanges(a.ranges);
  if (a.set !== undefined) return `{${a.set.join(',')}}`;
  return undefined;
}

/** The value of a constraint field on an agent; undefined when the agent lacks it. */
export function fieldValue(agent: AgentInfo, field: string): string | undefined {
  switch (field) {
    case 'hostname':
    case '@hostname':
      return agent.hostname;
    case '@region':
      return agent.region;
    case '@zone':
      return agent.zone;
    default: {
      for (const a of agent.attributes) if (a.name === field) return attributeString(a);
      return undefined;
    }
  }
}

/** The scalar attribute named `field`, if the agent has one (IS compares scalars numerically to 3 decimals). */
export function scalarField(agent: AgentInfo, field: string): number | undefined {
  for (const a of agent.attributes) if (a.name === field) return a.scalar;
  return undefined;
}
