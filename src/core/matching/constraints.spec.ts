import type { Constraint } from '../apps';
import { attributeString, roundScalar } from './attributes';
import { prepareConstraint } from './constraints';
import type { AgentInfo, Attribute } from './types';

const agent = (hostname: string, attributes: Attribute[] = [], domain: { region?: string; zone?: string } = {}): AgentInfo => ({
  hostname,
  attributes,
  ...domain,
});
const rack = (r: string): Attribute => ({ name: 'rack', text: r });
const onRack = (host: string, r: string): AgentInfo => agent(host, [rack(r)]);

interface Row {
  name: string;
  constraint: Constraint;
  agent: AgentInfo;
  placed?: AgentInfo[];
  /** instances of the same version already matched on this offer */
  launchedHere?: number;
  expected: boolean;
}

const a1 = agent('a1.example', [rack('r1'), { name: 'cpus_cores', scalar: 2.0005 }, { name: 'gen', scalar: 3 }, { name: 'slots', ranges: [{ begin: 1, end: 4 }, { begin: 8, end: 9 }] }, { name: 'tags', set: ['ssd', 'gpu'] }], { region: 'eu', zone: 'eu-1a' });

const rows: Row[] = [
  // UNIQUE
  { name: 'UNIQUE hostname: nothing placed', constraint: ['hostname', 'UNIQUE'], agent: a1, expected: true },
  { name: 'UNIQUE hostname: other host placed', constraint: ['hostname', 'UNIQUE'], agent: a1, placed: [agent('a2')], expected: true },
  { name: 'UNIQUE hostname: same host placed', constraint: ['hostname', 'UNIQUE'], agent: a1, placed: [agent('a1.example')], expected: false },
  { name: 'UNIQUE @hostname: same host placed', constraint: ['@hostname', 'UNIQUE'], agent: a1, placed: [agent('a1.example')], expected: false },
  { name: 'UNIQUE hostname: one already matched on this offer', constraint: ['hostname', 'UNIQUE'], agent: a1, launchedHere: 1, expected: false },
  { name: 'UNIQUE attribute: other rack placed', constraint: ['rack', 'UNIQUE'], agent: a1, placed: [onRack('x', 'r2')], expected: true },
  { name: 'UNIQUE attribute: same rack placed', constraint: ['rack', 'UNIQUE'], agent: a1, placed: [onRack('x', 'r1')], expected: false },
  { name: 'UNIQUE attribute: agent lacks it', constraint: ['rack', 'UNIQUE'], agent: agent('b'), expected: false },
  // CLUSTER
  { name: 'CLUSTER with value: equal', constraint: ['rack', 'CLUSTER', 'r1'], agent: a1, expected: true },
  { name: 'CLUSTER with value: different', constraint: ['rack', 'CLUSTER', 'r2'], agent: a1, expected: false },
  { name: 'CLUSTER with value: missing attribute', constraint: ['rack', 'CLUSTER', 'r1'], agent: agent('b'), expected: false },
  { name: 'CLUSTER without value: first placement is free', constraint: ['rack', 'CLUSTER'], agent: a1, expected: true },
  { name: 'CLUSTER without value: follows the placed value', constraint: ['rack', 'CLUSTER'], agent: a1, placed: [onRack('x', 'r1')], expected: true },
  { name: 'CLUSTER without value: other value placed', constraint: ['rack', 'CLUSTER'], agent: a1, placed: [onRack('x', 'r2')], expected: false },
  { name: 'CLUSTER with empty value behaves as without', constraint: ['rack', 'CLUSTER', ''], agent: a1, placed: [onRack('x', 'r2')], expected: false },
  { name: 'CLUSTER hostname with value', constraint: ['hostname', 'CLUSTER', 'a1.example'], agent: a1, expected: true },
  // GROUP_BY
  { name: 'GROUP_BY: new value passes', constraint: ['rack', 'GROUP_BY'], agent: a1, placed: [onRack('x', 'r2'), onRack('y', 'r2')], expected: true },
  { name: 'GROUP_BY: value among the smallest passes', constraint: ['rack', 'GROUP_BY'], agent: a1, placed: [onRack('x', 'r1'), onRack('y', 'r2')], expected: true },
  { name: 'GROUP_BY: value above the smallest fails', constraint: ['rack', 'GROUP_BY'], agent: a1, placed: [onRack('x', 'r1'), onRack('y', 'r2'), onRack('z', 'r1')], expected: false },
  { name: 'GROUP_BY: the ones matched on this offer count', constraint: ['rack', 'GROUP_BY'], agent: a1, placed: [onRack('x', 'r1'), onRack('y', 'r2')], launchedHere: 1, expected: false },
  { name: 'GROUP_BY 3: only 2 values seen, value already used ⇒ wait', constraint: ['rack', 'GROUP_BY', '3'], agent: a1, placed: [onRack('x', 'r1'), onRack('y', 'r2')], expected: false },
  { name: 'GROUP_BY 3: 3 values seen, smallest group', constraint: ['rack', 'GROUP_BY', '3'], agent: a1, placed: [onRack('x', 'r1'), onRack('y', 'r2'), onRack('z', 'r3')], expected: true },
  { name: 'GROUP_BY 2: first value may repeat only once a 2nd is seen', constraint: ['rack', 'GROUP_BY', '2'], agent: a1, launchedHere: 1, expected: false },
  { name: 'GROUP_BY without value: stacking allowed when no other value is known', constraint: ['rack', 'GROUP_BY'], agent: a1, launchedHere: 2, expected: true },
  { name: 'GROUP_BY: missing attribute', constraint: ['rack', 'GROUP_BY'], agent: agent('b'), expected: false },
  // MAX_PER
  { name: 'MAX_PER 2: one placed', constraint: ['rack', 'MAX_PER', '2'], agent: a1, placed: [onRack('x', 'r1')], expected: true },
  { name: 'MAX_PER 2: two placed', constraint: ['rack', 'MAX_PER', '2'], agent: a1, placed: [onRack('x', 'r1'), onRack('y', 'r1')], expected: false },
  { name: 'MAX_PER 2: other values do not count', constraint: ['rack', 'MAX_PER', '2'], agent: a1, placed: [onRack('x', 'r2'), onRack('y', 'r2')], expected: true },
  { name: 'MAX_PER 2: one placed + one on this offer', constraint: ['rack', 'MAX_PER', '2'], agent: a1, placed: [onRack('x', 'r1')], launchedHere: 1, expected: false },
  { name: 'MAX_PER 1 on hostname', constraint: ['hostname', 'MAX_PER', '1'], agent: a1, placed: [agent('a1.example')], expected: false },
  { name: 'MAX_PER: missing attribute', constraint: ['rack', 'MAX_PER', '2'], agent: agent('b'), expected: false },
  // LIKE / UNLIKE (full match)
  { name: 'LIKE full match', constraint: ['rack', 'LIKE', 'r[0-9]'], agent: a1, expected: true },
  { name: 'LIKE partial match is not a match', constraint: ['rack', 'LIKE', 'r'], agent: a1, expected: false },
  { name: 'LIKE alternation is anchored as a whole', constraint: ['rack', 'LIKE', 'x|r1'], agent: a1, expected: true },
  { name: 'LIKE no match', constraint: ['rack', 'LIKE', 'r[2-9]'], agent: a1, expected: false },
  { name: 'LIKE missing attribute', constraint: ['rack', 'LIKE', '.*'], agent: agent('b'), expected: false },
  { name: 'LIKE on hostname', constraint: ['hostname', 'LIKE', 'a[0-9]\\.example'], agent: a1, expected: true },
  { name: 'LIKE on a set, as formatted', constraint: ['tags', 'LIKE', '\\{.*ssd.*\\}'], agent: a1, expected: true },
  { name: 'LIKE invalid regex never matches', constraint: ['rack', 'LIKE', '('], agent: a1, expected: false },
  { name: 'UNLIKE full match fails', constraint: ['rack', 'UNLIKE', 'r[0-9]'], agent: a1, expected: false },
  { name: 'UNLIKE partial match passes', constraint: ['rack', 'UNLIKE', 'r'], agent: a1, expected: true },
  { name: 'UNLIKE missing attribute passes', constraint: ['rack', 'UNLIKE', 'r1'], agent: agent('b'), expected: true },
  // IS
  { name: 'IS text equal', constraint: ['rack', 'IS', 'r1'], agent: a1, expected: true },
  { name: 'IS text different', constraint: ['rack', 'IS', 'r10'], agent: a1, expected: false },
  { name: 'IS scalar to 3 decimals (2.0005 ⇒ 2.000 half-even)', constraint: ['cpus_cores', 'IS', '2'], agent: a1, expected: true },
  { name: 'IS scalar 2.001 ≠ 2.000', constraint: ['cpus_cores', 'IS', '2.001'], agent: a1, expected: false },
  { name: 'IS scalar written with decimals', constraint: ['gen', 'IS', '3.000'], agent: a1, expected: true },
  { name: 'IS scalar against text value', constraint: ['gen', 'IS', 'three'], agent: a1, expected: false },
  { name: 'IS ranges as formatted', constraint: ['slots', 'IS', '[1-4,8-9]'], agent: a1, expected: true },
  { name: 'IS missing attribute', constraint: ['rack', 'IS', 'r1'], agent: agent('b'), expected: false },
  { name: 'IS @region', constraint: ['@region', 'IS', 'eu'], agent: a1, expected: true },
  { name: 'IS @zone', constraint: ['@zone', 'IS', 'eu-1b'], agent: a1, expected: false },
  { name: 'IS @zone on an agent without domain', constraint: ['@zone', 'IS', 'eu-1a'], agent: agent('b'), expected: false },
  // unknown operator (validation rejects it; the matcher fails closed)
  { name: 'unknown operator', constraint: ['rack', 'NEAR', 'r1'], agent: a1, expected: false },
];

describe('constraints (reference §2.4)', () => {
  it.each(rows)('$name', ({ constraint, agent: ag, placed, launchedHere, expected }) => {
    expect(prepareConstraint(constraint, ag, placed ?? [])(launchedHere ?? 0)).toBe(expected);
  });
});

describe('attribute values', () => {
  it.each([
    [2.0005, 2],
    [2.0015, 2.002],
    [0.1 + 0.2, 0.3],
    [1.23449, 1.234],
  ])('scalar %p rounds half-even to %p', (x, y) => expect(roundScalar(x)).toBe(y));
  it('formats ranges and sets as Marathon compares them', () => {
    expect(attributeString({ name: 'p', ranges: [{ begin: 1, end: 2 }] })).toBe('[1-2]');
    expect(attributeString({ name: 's', set: ['a', 'b'] })).toBe('{a,b}');
  });
});
