/**
 * The leader's readiness checker: Marathon's `ReadinessCheckExecutor` (core/readiness) for the
 * instances the scheduler hands it.
 *
 * Sources: reference marathon-api.md §2.3 (readinessChecks fields), §3.3 ("Healthy/ready": readiness
 * polling starts at Running and stops when ready), §1.5 (`currentActions[].readinessCheckResults`);
 * Marathon 1.10 `ReadinessCheckExecutorImpl.scala` and `ReadinessCheckResult.scala`.
 *
 * Per (task, check), like Marathon:
 * - GET `protocol://host:port/path`, the first at once, the next `intervalSeconds` after the previous
 *   one finished (serial: never two probes of one check at a time), each bounded by `timeoutSeconds`;
 * - ready when the status is in `httpStatusCodesForReady`; then polling stops and the check stays ready
 *   for as long as that task id is tracked (sticky);
 * - `lastResponse` ({status, contentType, body}) is kept only with `preserveLastResponse`; contentType is
 *   the media type without parameters ("" when absent). A probe that fails (refused, reset, timeout)
 *   is not ready; with `preserveLastResponse` it is reported the way Marathon does it, as a synthetic
 *   504 text/plain response whose body says why;
 * - HTTPS does not verify certificates (tasks serve self-signed ones).
 *
 * Pacer's additions, all about staying bounded on a leader that may watch thousands of tasks: at most
 * `maxConcurrent` probes in flight (the rest wait, FIFO), a cap on any probe's duration, a bounded
 * body, no connection pooling (one short-lived connection per probe), every timer unref'd.
 *
 * Not here: deciding which instances to check (the scheduler tracks Running instances of apps in a
 * deployment) and combining readiness with health (the scheduler does, §3.3).
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { AppDefinition, ReadinessCheck } from '../core/apps';
import { alignedHostPorts } from '../mesos/task-info';

export interface ReadinessTarget {
  readonly instanceId: string;
  readonly taskId: string;
  readonly app: AppDefinition;
  /** the agent's hostname (Instance.host) */
  readonly host: string;
  /** Instance.hostPorts: the allocated host ports, in declaration order of the ports that ask for one */
  readonly hostPorts: readonly number[];
}

export interface ReadinessResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** One entry of Marathon's `readinessCheckResults` (field order as Marathon writes it). */
export interface ReadinessResult {
  readonly taskId: string;
  readonly name: string;
  readonly ready: boolean;
  readonly lastResponse?: ReadinessResponse;
}

/** Compatible with the scheduler's log; `debug` (one line per probe) is optional. */
export interface ReadinessLog {
  info(msg: string): void;
  warn(msg: string): void;
  debug?(msg: string): void;
}

export interface ReadinessCheckerOptions {
  /** clock for probe durations in logs; default Date.now */
  readonly now?: () => number;
  /** upper bound of one probe (connect + headers + body) whatever timeoutSeconds says; default 60,000 */
  readonly fetchTimeoutCapMs?: number;
  /** probes in flight at most; default 64 */
  readonly maxConcurrent?: number;
  /** bytes of body kept with preserveLastResponse; default 4,096 */
  readonly maxBodyBytes?: number;
  /** an instance just became ready (all its checks passed); called from a probe callback */
  readonly onChange?: (instanceId: string) => void;
  readonly log?: ReadinessLog;
}

const DEFAULT_TIMEOUT_CAP_MS = 60_000;
const DEFAULT_MAX_CONCURRENT = 64;
const DEFAULT_MAX_BODY_BYTES = 4096;
/** floor under intervalSeconds: 0 is valid in Marathon but would re-poll in a tight loop */
const MIN_INTERVAL_MS = 10;

/** Where one check of one task is polled, or why it cannot be. */
export type ReadinessUrl = { readonly url: URL } | { readonly error: string };

/**
 * The URL of `check` for a task of `app` on `host` with `hostPorts` (Marathon's
 * `ReadinessCheckSpec.readinessCheckSpecsForTask`): the port is the host port of the declared port
 * (portMappings when there are some, else portDefinitions) named `portName`. A port without a host
 * port (container networks) would need the container's IP, which Pacer does not know: an error.
 */
export function readinessUrl(app: AppDefinition, host: string, hostPorts: readonly number[], check: ReadinessCheck): ReadinessUrl {
  const mappings = app.container?.portMappings;
  const declared: readonly { readonly name?: string }[] = mappings !== undefined && mappings.length > 0 ? mappings : (app.portDefinitions ?? []);
  const index = declared.findIndex((p) => p.name === check.portName);
  if (index < 0) return { error: `no port named '${check.portName}' in the app's ports` };
  const port = alignedHostPorts(app, hostPorts)[index];
  if (port === undefined || port <= 0) return { error: `port '${check.portName}' has no host port` };
  const scheme = check.protocol === 'HTTPS' ? 'https' : 'http';
  const hostPart = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host; // IPv6 literal
  const path = check.path.startsWith('/') ? check.path : `/${check.path}`;
  try {
    return { url: new URL(`${scheme}://${hostPart}:${port}${path}`) };
  } catch (e) {
    return { error: `invalid URL: ${(e as Error).message}` };
  }
}

type ProbeOutcome = { readonly ok: true; readonly response: ReadinessResponse } | { readonly ok: false; readonly error: string };

/** The media type of a Content-Type header, parameters dropped (Marathon reports `mediaType.value`). */
function mediaType(header: string | undefined): string {
  return header === undefined ? '' : header.split(';')[0].trim().toLowerCase();
}

/**
 * One GET. `done` is called exactly once: with the response (body read only when `readBody`, up to
 * `maxBodyBytes`), with an error, or — synchronously — when the returned cancel function is called.
 * node:http rather than fetch: fetch cannot skip certificate verification per request.
 */
function probe(url: URL, timeoutMs: number, readBody: boolean, maxBodyBytes: number, done: (o: ProbeOutcome) => void): () => void {
  let finished = false;
  let req: http.ClientRequest | undefined;
  const finish = (o: ProbeOutcome): void => {
    if (finished) return;
    finished = true;
    clearTimeout(deadline);
    // No agent: destroying closes the one socket this probe used, whatever state it is in.
    req?.destroy();
    done(o);
  };
  const deadline = setTimeout(() => finish({ ok: false, error: `timed out after ${timeoutMs} ms` }), timeoutMs);
  deadline.unref();
  const secure = url.protocol === 'https:';
  const options: https.RequestOptions = {
    method: 'GET',
    agent: false,
    headers: { 'user-agent': 'pacer-readiness-check', accept: '*/*' },
    ...(secure ? { rejectUnauthorized: false } : {}),
  };
  try {
    req = (secure ? https : http).request(url, options, (res) => {
      res.on('error', (e) => finish({ ok: false, error: e.message }));
      const status = res.statusCode ?? 0;
      const contentType = mediaType(res.headers['content-type']);
      if (!readBody) {
        finish({ ok: true, response: { status, contentType, body: '' } });
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      const complete = (): void => {
        const body = Buffer.concat(chunks).subarray(0, maxBodyBytes).toString('utf8');
        finish({ ok: true, response: { status, contentType, body } });
      };
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size >= maxBodyBytes) complete(); // enough: do not download the rest
      });
      res.on('end', complete);
    });
    req.on('error', (e) => finish({ ok: false, error: e.message }));
    req.end();
  } catch (e) {
    // request() throws synchronously on bad options; report it like any failure, but asynchronously.
    queueMicrotask(() => finish({ ok: false, error: (e as Error).message }));
  }
  return () => finish({ ok: false, error: 'cancelled' });
}

/** One readiness check of one task. */
interface CheckState {
  readonly entry: Entry;
  readonly check: ReadinessCheck;
  /** what makes two states of the same check interchangeable (URL and polling settings) */
  readonly key: string;
  readonly url?: URL;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  ready: boolean;
  lastResponse?: ReadinessResponse;
  /** the pending next poll */
  timer?: NodeJS.Timeout;
  /** the probe in flight */
  cancel?: () => void;
  /** untracked: late callbacks are ignored */
  disposed: boolean;
}

interface Entry {
  readonly instanceId: string;
  readonly taskId: string;
  checks: CheckState[];
}

interface CheckSpec {
  readonly check: ReadinessCheck;
  readonly key: string;
  readonly target: ReadinessUrl;
}

export class ReadinessChecker {
  private readonly now: () => number;
  private readonly timeoutCapMs: number;
  private readonly maxConcurrent: number;
  private readonly maxBodyBytes: number;
  private readonly onChange?: (instanceId: string) => void;
  private readonly log?: ReadinessLog;

  private readonly entries = new Map<string, Entry>();
  /** checks due but waiting for a probe slot, oldest first */
  private readonly waiting = new Set<CheckState>();
  private inFlight = 0;
  /** unresolvable ports already warned about (app, version, check), pruned to what is still tracked */
  private warned = new Set<string>();
  private stopped = false;

  constructor(opts: ReadinessCheckerOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.timeoutCapMs = Math.max(1, opts.fetchTimeoutCapMs ?? DEFAULT_TIMEOUT_CAP_MS);
    this.maxConcurrent = Math.max(1, opts.maxConcurrent ?? DEFAULT_MAX_CONCURRENT);
    this.maxBodyBytes = Math.max(0, opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
    this.onChange = opts.onChange;
    this.log = opts.log;
  }

  /**
   * The instances to check now; replaces the previous set. An instance not listed is forgotten (its
   * probes stop). A listed one keeps its state while its task id is the same: a ready instance stays
   * ready, a pending check keeps polling unless its URL or settings changed (then it starts over). A
   * new task id for the instance starts over. No-op after stop().
   */
  track(targets: readonly ReadinessTarget[]): void {
    if (this.stopped) return;
    const listed = new Set<string>();
    const warned = new Set<string>();
    const toPoll: CheckState[] = [];
    for (const t of targets) {
      listed.add(t.instanceId);
      const old = this.entries.get(t.instanceId);
      // Sticky: once every check passed for this task, nothing about it is polled again.
      if (old !== undefined && old.taskId === t.taskId && this.allReady(old)) continue;
      const specs = t.app.readinessChecks.map((check) => this.spec(t, check, warned));
      if (old !== undefined && old.taskId === t.taskId) {
        this.reconcile(old, specs, toPoll);
        continue;
      }
      if (old !== undefined) this.disposeEntry(old);
      const entry: Entry = { instanceId: t.instanceId, taskId: t.taskId, checks: [] };
      entry.checks = specs.map((s) => this.newState(entry, s));
      toPoll.push(...entry.checks);
      this.entries.set(t.instanceId, entry);
    }
    for (const [id, entry] of this.entries) {
      if (listed.has(id)) continue;
      this.disposeEntry(entry);
      this.entries.delete(id);
    }
    this.warned = warned;
    // Disposals first, then new probes: freed slots go to checks that are still wanted.
    for (const s of toPoll) this.poll(s);
    this.drain();
  }

  /** True when every readiness check of the app passed for this instance's tracked task (true when the
   * app has none); false for an instance that is not tracked. */
  isReady(instanceId: string): boolean {
    const entry = this.entries.get(instanceId);
    return entry !== undefined && this.allReady(entry);
  }

  /** One result per check (Marathon's readinessCheckResults); [] for an instance that is not tracked. */
  results(instanceId: string): ReadinessResult[] {
    const entry = this.entries.get(instanceId);
    if (entry === undefined) return [];
    return entry.checks.map((s) => ({
      taskId: entry.taskId,
      name: s.check.name,
      ready: s.ready,
      ...(s.lastResponse !== undefined ? { lastResponse: s.lastResponse } : {}),
    }));
  }

  /** Cancels every probe and timer and forgets every instance; the checker cannot be reused. */
  stop(): void {
    this.stopped = true;
    for (const entry of this.entries.values()) this.disposeEntry(entry);
    this.entries.clear();
    this.waiting.clear();
    this.warned.clear();
  }

  // ------------------------------------------------------------------ internals

  private allReady(entry: Entry): boolean {
    return entry.checks.every((s) => s.ready);
  }

  /** Resolves a check's URL; an unresolvable port is warned about once per app version and check. */
  private spec(t: ReadinessTarget, check: ReadinessCheck, warned: Set<string>): CheckSpec {
    const target = readinessUrl(t.app, t.host, t.hostPorts, check);
    if ('error' in target) {
      const warnKey = `${t.app.id} ${t.app.version ?? ''} ${check.name}`;
      if (!this.warned.has(warnKey) && !warned.has(warnKey)) {
        this.log?.warn(`readiness check '${check.name}' of ${t.app.id} cannot run (tasks stay not ready): ${target.error}`);
      }
      warned.add(warnKey);
    }
    const where = 'url' in target ? target.url.href : `!${target.error}`;
    const key = JSON.stringify([where, check.intervalSeconds, check.timeoutSeconds, check.httpStatusCodesForReady, check.preserveLastResponse]);
    return { check, key, target };
  }

  /** Same task, not all ready: keep ready and unchanged checks, start over the others. */
  private reconcile(entry: Entry, specs: readonly CheckSpec[], toPoll: CheckState[]): void {
    const kept = new Set<CheckState>();
    const next = specs.map((spec) => {
      const prev = entry.checks.find((s) => !kept.has(s) && s.check.name === spec.check.name);
      if (prev !== undefined && (prev.ready || prev.key === spec.key)) {
        kept.add(prev);
        return prev;
      }
      const fresh = this.newState(entry, spec);
      toPoll.push(fresh);
      return fresh;
    });
    for (const s of entry.checks) if (!kept.has(s)) this.dispose(s);
    entry.checks = next;
  }

  private newState(entry: Entry, spec: CheckSpec): CheckState {
    const { check } = spec;
    const timeoutMs = check.timeoutSeconds > 0 ? Math.min(check.timeoutSeconds * 1000, this.timeoutCapMs) : this.timeoutCapMs;
    return {
      entry,
      check,
      key: spec.key,
      ...('url' in spec.target ? { url: spec.target.url } : {}),
      intervalMs: Math.max(MIN_INTERVAL_MS, check.intervalSeconds * 1000),
      timeoutMs,
      ready: false,
      disposed: false,
    };
  }

  /** The check is due: probe now if a slot is free, else wait in line. */
  private poll(s: CheckState): void {
    if (s.disposed || s.ready || s.url === undefined) return;
    if (this.inFlight >= this.maxConcurrent) {
      this.waiting.add(s);
      return;
    }
    this.start(s, s.url);
  }

  private start(s: CheckState, url: URL): void {
    this.inFlight++;
    const t0 = this.now();
    s.cancel = probe(url, s.timeoutMs, s.check.preserveLastResponse, this.maxBodyBytes, (outcome) => {
      s.cancel = undefined;
      this.inFlight--;
      // A cancelled probe belongs to a disposed check: track()/stop() refill the slots themselves.
      if (s.disposed) return;
      this.settle(s, url, outcome, this.now() - t0);
      this.drain();
    });
  }

  private drain(): void {
    while (this.inFlight < this.maxConcurrent && this.waiting.size > 0) {
      const next = this.waiting.values().next().value as CheckState;
      this.waiting.delete(next);
      if (next.url !== undefined) this.start(next, next.url);
    }
  }

  /** Records a probe's result, then either marks the check ready or schedules the next poll. */
  private settle(s: CheckState, url: URL, outcome: ProbeOutcome, tookMs: number): void {
    const { check, entry } = s;
    const response: ReadinessResponse = outcome.ok
      ? outcome.response
      : { status: 504, contentType: 'text/plain', body: `Pacer could not query ${url.href}: ${outcome.error}` };
    const ready = outcome.ok && check.httpStatusCodesForReady.includes(outcome.response.status);
    s.lastResponse = check.preserveLastResponse ? response : undefined;
    this.log?.debug?.(`${ready ? 'READY' : 'NOT READY'} (${outcome.ok ? outcome.response.status : outcome.error}, ${tookMs} ms) returned by ${entry.taskId} readiness check '${check.name}' at ${url.href}`);
    if (!ready) {
      s.timer = setTimeout(() => {
        s.timer = undefined;
        this.poll(s);
      }, s.intervalMs);
      s.timer.unref();
      return;
    }
    s.ready = true;
    if (!this.allReady(entry)) return;
    this.log?.info(`task ${entry.taskId} is ready (readiness check '${check.name}' answered ${response.status})`);
    try {
      this.onChange?.(entry.instanceId);
    } catch (e) {
      this.log?.warn(`readiness onChange(${entry.instanceId}) failed: ${(e as Error).message}`);
    }
  }

  private disposeEntry(entry: Entry): void {
    for (const s of entry.checks) this.dispose(s);
  }

  private dispose(s: CheckState): void {
    s.disposed = true;
    if (s.timer !== undefined) clearTimeout(s.timer);
    s.timer = undefined;
    this.waiting.delete(s);
    s.cancel?.();
  }
}
