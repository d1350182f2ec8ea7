import type { Constraint } from '../apps';
import { fieldValue, scalarField, toMilli } from './attributes';
import type { AgentInfo } from './types';

/**
 * Constraint evaluation (reference §2.4, Marathon `mesos/Constraints.scala`) for one app version on one
 * agent. `prepareConstraints` looks at the placed instances once (O(placed)); the returned check then
 * answers in O(constraints) for "may the (launchedHere+1)-th instance of this offer go here?", where
 * `launchedHere` counts the instances of the same version already matched on this offer (same agent).
 */
export type ConstraintCheck = (launchedHere: number) => boolean;

const MISSING = '\u0000missing';

const regexCache = new Map<string, RegExp | null>();
const REGEX_CACHE_MAX = 1024;

/** Full-match regex (Java `String.matches`), cached; null when the pattern is invalid. */
export function fullMatchRegex(pattern: string): RegExp | null {
  let re = regexCache.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(`^(?:${pattern})$`, 'u');
    } catch {
      try {
        re = new RegExp(`^(?:${pattern})$`);
      } catch {
        re = null;
      }
    }
    if (regexCache.size >= REGEX_CACHE_MAX) regexCache.clear();
    regexCache.set(pattern, re);
  }
  return re;
}

function parseIntValue(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^-?\d+$/.test(value.trim())) return Number.NaN;
  return Number.parseInt(value, 10);
}

const ALWAYS: ConstraintCheck = () => true;
const NEVER: ConstraintCheck = () => false;

/** One constraint against one agent, with the placed instances of the same version. */
export function prepareConstraint(c: Constraint, agent: AgentInfo, placed: readonly AgentInfo[]): ConstraintCheck {
  const [field, operator] = c;
  const value = c.length === 3 ? c[2] : undefined;
  const v = fieldValue(agent, field);
  if (v === undefined) return operator === 'UNLIKE' ? ALWAYS : NEVER;
  switch (operator) {
    case 'LIKE': {
      const re = value === undefined ? null : fullMatchRegex(value);
      return re !== null && re.test(v) ? ALWAYS : NEVER;
    }
    case 'UNLIKE': {
      const re = value === undefined ? null : fullMatchRegex(value);
      return re !== null && !re.test(v) ? ALWAYS : NEVER;
    }
    case 'IS': {
      if (value === undefined) return NEVER;
      const scalar = field.startsWith('@') || field === 'hostname' ? undefined : scalarField(agent, field);
      if (scalar !== undefined) {
        const wanted = Number(value);
        return value.trim() !== '' && Number.isFinite(wanted) && toMilli(wanted) === toMilli(scalar) ? ALWAYS : NEVER;
      }
      return v === value ? ALWAYS : NEVER;
    }
    case 'UNIQUE': {
      for (const p of placed) if (fieldValue(p, field) === v) return NEVER;
      return (k) => k === 0;
    }
    case 'MAX_PER': {
      const max = parseIntValue(value);
      if (max === undefined || Number.isNaN(max)) return NEVER;
      let same = 0;
      for (const p of placed) if (fieldValue(p, field) === v) same++;
      return (k) => same + k < max;
    }
    case 'CLUSTER': {
      if (value !== undefined && value !== '') return v === value ? ALWAYS : NEVER;
      // without a value, the first placed instance fixes it
      for (const p of placed) {
        const pv = fieldValue(p, field);
        if (pv !== undefined) return pv === v ? ALWAYS : NEVER;
      }
      return ALWAYS;
    }
    case 'GROUP_BY': {
      const n = parseIntValue(value);
      if (n !== undefined && Number.isNaN(n)) return NEVER;
      const minimum = Math.max(0, n ?? 0);
      const counts = new Map<string, number>();
      for (const p of placed) {
        const pv = fieldValue(p, field) ?? MISSING;
        counts.set(pv, (counts.get(pv) ?? 0) + 1);
      }
      const base = counts.get(v) ?? 0;
      let othersMin = Number.POSITIVE_INFINITY;
      let others = 0;
      for (const [k, count] of counts) {
        if (k === v) continue;
        others++;
        if (count < othersMin) othersMin = count;
      }
      // Marathon: pass if the value is not yet a group, or if there are >= minimum groups and this
      // value's group is (one of) the smallest.
      return (k) => {
        const c = base + k;
        if (c === 0) return true;
        return others + 1 >= minimum && c <= othersMin;
      };
    }
    default:
      return NEVER;
  }
}

/** All of an app's constraints; the check passes when every one does. */
export function prepareConstraints(
  constraints: readonly Constraint[],
  agent: AgentInfo,
  placed: readonly AgentInfo[],
): ConstraintCheck {
  if (constraints.length === 0) return ALWAYS;
  const checks = constraints.map((c) => prepareConstraint(c, agent, placed));
  if (checks.some((c) => c === NEVER)) return NEVER;
  const dynamic = checks.filter((c) => c !== ALWAYS);
  if (dynamic.length === 0) return ALWAYS;
  return (k) => dynamic.every((c) => c(k));
}
