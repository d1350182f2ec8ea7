// Diagnostics for the converge benchmarks, preloaded into the Pacer child
// (`--require <repo>/dist/bench/converge-profile.js`; converge-memory always does, see there). Not a
// benchmark: run on its own with a .cpuprofile argument it prints that profile's summary.
//  - PACER_GC_REPORT=<file> (needs --expose-gc): on SIGURG (Nest's shutdown hooks take SIGUSR2),
//    reads VmRSS, memory usage and resident memory by mapping, runs full garbage collections, reads
//    them again and writes both as JSON to <file>; with PACER_HEAP_SNAPSHOT_DIR=<dir> it then
//    writes a heap snapshot there.
//  - PACER_CPU_PROFILE=<file>: CPU-profiles Pacer from start-up until SIGTERM and writes a
//    .cpuprofile (Chrome DevTools, or the summary below). Nest's shutdown hook ends the process by
//    re-raising the signal, so Node's own --cpu-prof never writes its file; this listener runs first.
import * as fs from 'node:fs';
import * as inspector from 'node:inspector';
import * as path from 'node:path';
import * as v8 from 'node:v8';

const gcReport = process.env.PACER_GC_REPORT;
if (gcReport && require.main !== module) {
  const vmRssMb = (): number => Math.round(Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))![1]) / 102.4) / 10;
  const mb = (m: NodeJS.MemoryUsage): Record<string, number> => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Math.round(v / 104857.6) / 10]));
  process.on('SIGURG', () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    const before = { vmRssMb: vmRssMb(), ...mb(process.memoryUsage()), residentByMapping: residentByMapping() };
    if (gc) {
      gc();
      gc();
    }
    const after = { vmRssMb: vmRssMb(), ...mb(process.memoryUsage()), residentByMapping: residentByMapping() };
    let snapshot: string | undefined;
    const dir = process.env.PACER_HEAP_SNAPSHOT_DIR;
    if (dir) snapshot = v8.writeHeapSnapshot(path.join(dir, `pacer-${process.pid}-${Date.now()}.heapsnapshot`));
    fs.writeFileSync(gcReport, JSON.stringify({ collected: gc !== undefined, before, after, heapSpacesAfter: v8.getHeapSpaceStatistics().map((s) => ({ space: s.space_name, usedMb: Math.round(s.space_used_size / 104857.6) / 10, sizeMb: Math.round(s.space_size / 104857.6) / 10 })), snapshot }));
  });
}

const out = process.env.PACER_CPU_PROFILE;
if (out && require.main !== module) {
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable', () => {
    session.post('Profiler.setSamplingInterval', { interval: Number(process.env.PACER_CPU_PROFILE_INTERVAL_US ?? 1000) }, () => {
      session.post('Profiler.start');
    });
  });
  let written = false;
  process.prependListener('SIGTERM', () => {
    if (written) return;
    written = true;
    // The in-process session answers synchronously.
    session.post('Profiler.stop', (err, res) => {
      if (err) console.error(`cpu profile: ${err.message}`);
      else fs.writeFileSync(out, JSON.stringify(res.profile));
    });
  });
}

/**
 * Resident MB by mapping kind from /proc/self/smaps: file-backed (the node binary, libraries), [heap]
 * (glibc's main arena), [stack], and anonymous mappings (V8's heap pages, other malloc arenas, thread
 * stacks), with the largest anonymous mappings (a glibc arena reserves 64 MB blocks).
 */
function residentByMapping(): { kindsMb: Record<string, number>; largestAnonMb: number[]; anonMappings: number } {
  const kinds: Record<string, number> = {};
  const anon: number[] = [];
  let kind = '';
  for (const line of fs.readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+(?:\s+(.*))?$/.exec(line);
    if (head) {
      kind = head[1] ? (head[1].startsWith('/') ? 'file' : head[1]) : 'anon';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) {
      kinds[kind] = (kinds[kind] ?? 0) + Number(rss[1]);
      if (kind === 'anon') anon.push(Number(rss[1]));
    }
  }
  anon.sort((a, b) => b - a);
  const toMb = (kb: number): number => Math.round(kb / 102.4) / 10;
  return { kindsMb: Object.fromEntries(Object.entries(kinds).map(([k, v]) => [k, toMb(v)])), largestAnonMb: anon.slice(0, 12).map(toMb), anonMappings: anon.length };
}

/** Self time per function (and per file) of a .cpuprofile: `node dist/bench/converge-profile.js <file> [top]`. */
function summarize(file: string, top: number): void {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>;
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const files = new Map<string, number>();
  let all = 0;
  const label = (id: number): string => {
    const f = byId.get(id)!.callFrame;
    return `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${f.lineNumber + 1}`;
  };
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0;
    all += dt;
    const id = p.samples[i];
    self.set(label(id), (self.get(label(id)) ?? 0) + dt);
    const url = byId.get(id)!.callFrame.url.replace(/^.*\/(dist|node_modules)\//, '$1/') || byId.get(id)!.callFrame.functionName;
    files.set(url, (files.get(url) ?? 0) + dt);
    const seen = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const l = label(n);
      if (seen.has(l)) continue;
      seen.add(l);
      total.set(l, (total.get(l) ?? 0) + dt);
    }
  }
  const show = (title: string, m: Map<string, number>): void => {
    console.log(`${title} (of ${(all / 1e6).toFixed(1)} s sampled)`);
    for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${(v / 1e6).toFixed(2).padStart(7)} s  ${((100 * v) / all).toFixed(1).padStart(5)} %  ${k}`);
  };
  show('self time by function', self);
  show('self time by file', files);
  show('total (inclusive) time by function', total);
}

if (require.main === module && process.argv[2]) summarize(process.argv[2], Number(process.argv[3] ?? 40));
