import { cpus } from 'node:os';
import { normalizeApp, type AppDefinition, type Constraint } from '../src/core/apps';
import { matchOffer, type AgentInfo, type Offer, type WaitingGroup } from '../src/core/matching';
import { saveResult } from './lib';

/**
 * Offer matching: offers evaluated per second by the pure matcher, with 100 and with 100,000 waiting
 * instances spread over 100 app versions. The cost per offer must depend on the number of app versions
 * only, so both figures should be close (target ≥ 5,000 offers/s; the 100,000 case ≤ 1.5× slower).
 */
const VERSIONS = 100;
const AGENTS = 50;
const ROUND_MS = 1000;
const ROUNDS = 5;

function app(i: number): AppDefinition {
  const constraints: Constraint[] =
    i % 3 === 0 ? [['rack', 'GROUP_BY', '3']] : i % 3 === 1 ? [['hostname', 'MAX_PER', '20'], ['rack', 'LIKE', 'rack-[0-9]+']] : [];
  const r = normalizeApp({ id: `/bench/app-${i}`, cmd: 'sleep 1000', cpus: 0.1, mem: 64, portDefinitions: [{ port: 0 }, { port: 0 }], constraints });
  if (!r.ok) throw new Error(JSON.stringify(r.details));
  return r.app;
}

const agents: AgentInfo[] = Array.from({ length: AGENTS }, (_, i) => ({
  hostname: `agent-${i}.bench`,
  attributes: [{ name: 'rack', text: `rack-${i % 5}` }, { name: 'cores', scalar: 8 }],
}));

function offer(n: number): Offer {
  const a = agents[n % AGENTS];
  return {
    id: `offer-${n}`,
    agentId: `agent-${n % AGENTS}`,
    ...a,
    resources: [
      { name: 'cpus', role: '*', scalar: 8 },
      { name: 'mem', role: '*', scalar: 16384 },
      { name: 'disk', role: '*', scalar: 100_000 },
      { name: 'ports', role: '*', ranges: [{ begin: 31000, end: 32000 }] },
    ],
  };
}

/** mulberry32 */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const apps = Array.from({ length: VERSIONS }, (_, i) => app(i));
/** 10 instances already placed per version, spread over the agents (constraints look at them) */
const placed: Record<string, AgentInfo[]> = Object.fromEntries(
  apps.map((_, i) => [`v${i}`, Array.from({ length: 10 }, (_x, j) => agents[(i + j * 7) % AGENTS])]),
);

function measure(totalWaiting: number): { offersPerSecond: number[]; launchesPerOffer: number } {
  const perGroup = totalWaiting / VERSIONS;
  const groups: WaitingGroup[] = apps.map((a, i) => ({ key: `v${i}`, app: a, count: perGroup }));
  const random = rng(42);
  let cursor = 0;
  let n = 0;
  let launches = 0;
  const rates: number[] = [];
  // warm-up
  for (let i = 0; i < 2000; i++) cursor = matchOffer({ offer: offer(n++), groups, placed, random, cursor }).nextCursor;
  for (let round = 0; round < ROUNDS; round++) {
    let done = 0;
    const t0 = process.hrtime.bigint();
    let elapsed = 0;
    while (elapsed < ROUND_MS) {
      for (let i = 0; i < 200; i++) {
        const r = matchOffer({ offer: offer(n++), groups, placed, random, cursor });
        cursor = r.nextCursor;
        launches += r.launches.length;
        done++;
      }
      elapsed = Number(process.hrtime.bigint() - t0) / 1e6;
    }
    rates.push(Math.round((done * 1000) / elapsed));
  }
  return { offersPerSecond: rates, launchesPerOffer: launches / (n - 2000) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function main(): void {
  const small = measure(100);
  const large = measure(100_000);
  const smallMedian = median(small.offersPerSecond);
  const largeMedian = median(large.offersPerSecond);
  const result = {
    benchmark: 'offer-matching',
    description:
      'offers evaluated per second by the pure matcher (core/matching), 100 app versions (1/3 GROUP_BY, 1/3 MAX_PER+LIKE, 1/3 none; 2 random ports each; 10 placed instances each), 50 agents, max 5 instances per offer, one core',
    app_versions: VERSIONS,
    rounds: ROUNDS,
    round_ms: ROUND_MS,
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    waiting_100: { offers_per_second_median: smallMedian, offers_per_second_rounds: small.offersPerSecond, launches_per_offer: Number(small.launchesPerOffer.toFixed(2)) },
    waiting_100000: { offers_per_second_median: largeMedian, offers_per_second_rounds: large.offersPerSecond, launches_per_offer: Number(large.launchesPerOffer.toFixed(2)) },
    slowdown_100000_vs_100: Number((smallMedian / largeMedian).toFixed(3)),
    target_offers_per_second: 5000,
    target_max_slowdown: 1.5,
    at: new Date().toISOString(),
  };
  console.log(JSON.stringify(result, null, 2));
  console.log(`written to ${saveResult('offer-matching', result)}`);
}

main();
