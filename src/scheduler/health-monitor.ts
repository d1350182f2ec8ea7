/**
 * The leader's Pacer-side health checking (issue 7) for one leadership term: schedules probes of the
 * running tasks, folds their results into Marathon's verdicts, and plans health kills through
 * replace-before-kill, the circuit breaker and the per-app kill rate limit. Plain TypeScript: the
 * Scheduler owns one and drives it; every decision is a pure function of src/core/health.
 *
 * API (what the scheduler calls, and when):
 *
 *   new HealthMonitor(opts)          at term start; starts the probe dispatch timer and reads results
 *   load(stored)                     once, before the first sync: SchedulerStore.loadHealth() (the
 *                                    previous leader's verdicts, sentences and replacement links)
 *   sync(apps)                       on every evaluation, with EVERY instance of every app (apps
 *                                    without Pacer-side checks are skipped here): tracks new tasks,
 *                                    (re)arms probes of running ones, forgets tasks that ended. Cheap
 *                                    when nothing changed (instance records are compared by identity)
 *   healthOf(instanceId)             taskHealth over the current task's Pacer-side checks
 *                                    (undefined = unknown); the scheduler persists it as instances.healthy
 *   results(instanceId)              Marathon `healthCheckResults` of the current task
 *   plan()                           ~1/s: breaker + planHealthKills per app; the scheduler applies
 *                                    every action in the same job (see HealthDecision)
 *   replacementStarted(sentenced, new)  after creating the instance for a `start-replacement`
 *   standIns(appId)                  sentenced instance ids a replacement stands in for: converge must
 *                                    not count them toward `instances`
 *   takeDirty() / restoreDirty(w)    records to write with SchedulerStore.writeHealth (then announce
 *                                    w.appIds); put them back when the write failed
 *   stats()                          for metrics
 *   stop()                           end of term: stops timers, closes the probe queue and results reader
 *
 * `onChange(instanceIds)` is called (asynchronously, batched) when instances' aggregate health flips,
 * and once after the first sync with every tracked instance, so the scheduler can bring
 * `instances.healthy` in line (a previous leader may have died between its writes).
 *
 * Timing, per (task, check):
 * - first due: a task already running for an interval or more (every task at a leader start) gets an
 *   offset spread over the whole interval (flat load); a task that just started, within 5 s;
 * - every `dispatchMs` (200) the probes due within `lookaheadMs` (1 s) go to the queue in one call
 *   and the check's next due time is set (`nextDueAt`: missed rounds are skipped, never bursted);
 * - results: dropped when their task is not the instance's current task, or when they were due
 *   before this term started (the previous leader's probes); otherwise (ranAt − dueAt) goes into the
 *   lag window and, unless the worker skipped it, `applyProbeResult` at ranAt + latencyMs.
 *
 * Breaker inputs (`plan`): per app the summary of its instances' states; lag = max(p99 of recent
 * answered lag, p99 over all probed checks of how overdue their oldest unanswered probe is), so one
 * lost result does not stop kills but a stalled queue does; prober trouble = probes dropped by the
 * full queue, or the queue failing / not answering, within the last `troubleHoldMs`.
 *
 * Persistence: "material" changes (a counted failure, a first success or recovery, a sentence, a
 * replacement link, a hold of another kind) are written at the next takeDirty; a success that only
 * moves lastSuccess forward is written at most every `persistRefreshMs`, so 1,000 results/s do not
 * become 1,000 row writes/s (the stored lastSuccess may lag by that much; alive never does).
 *
 * Known limits: every task is checked with the app's current definition's checks (the scheduler
 * keeps only current definitions); a check whose target changed starts from no state.
 */
import type { AppDefinition, HealthCheck } from '../core/apps';
import { failedHealthCheck, healthStatusChanged, instanceHealthChanged, unhealthyInstanceKill } from '../core/events/marathon-events';
import {
  appWindowMs,
  applyProbeResult,
  checkSignature,
  CLOSED_BREAKER,
  DEFAULT_BREAKER_CONFIG,
  DEFAULT_KILL_RATE_LIMIT,
  defaultReplacementTimeoutMs,
  evaluateBreaker,
  FIRST_CHECK_AFTER_MS,
  firstDueAt,
  healthCheckResultJson,
  isFull,
  isPacerSide,
  isSentenced,
  LagWindow,
  NEW_HEALTH_STATE,
  nextDueAt,
  pacerSideChecks,
  planHealthKills,
  probeSpec,
  summarizeApp,
  taskHealth,
  type BreakerConfig,
  type BreakerState,
  type HealthCheckResultJson,
  type HealthState,
  type HeldInstance,
  type HoldKind,
  type KillCause,
  type KillRateLimit,
  type PacerProtocol,
  type ProbeSpec,
  type SentencedInstance,
  type StoredHealth,
  type TokenBucket,
} from '../core/health';
import { isActive, type Instance } from '../core/instances';
import { NO_TIMEOUT_CAP_MS } from '../health-checks/probe';
import { ProbeResults, ProbeScheduler, type ProbeJob, type ProbeResultMessage } from '../health-checks/probe-queue';
import { alignedHostPorts } from '../mesos/task-info';

/** Where probes go (ProbeScheduler). */
export interface ProbeSink {
  scheduleProbes(jobs: readonly ProbeJob[], now?: number): Promise<{ readonly accepted: number; readonly dropped: number }>;
  close?(): Promise<void>;
}

/** Where results come from (ProbeResults). */
export interface ProbeSource {
  onResult(handler: (result: ProbeResultMessage) => void): void;
  close?(): Promise<void>;
}

export interface HealthMonitorLog {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

/** The internal EventBus (builders run only when someone listens). */
export interface HealthEvents {
  readonly subscriberCount: number;
  publish(event: { readonly eventType: string }): unknown;
}

export interface HealthMonitorSettings {
  /** circuit breaker thresholds (core DEFAULT_BREAKER_CONFIG for what is left out) */
  readonly breaker?: Partial<BreakerConfig>;
  /** per-app health kill rate limit (default burst 1, one per 10 s) */
  readonly rateLimit?: KillRateLimit;
  /** how often due probes are sent (default 200 ms) */
  readonly dispatchMs?: number;
  /** probes due within this are sent (default 1,000 ms); the queue delays each batch until due */
  readonly lookaheadMs?: number;
  /** answered lag counted over this past span (default 15 s) */
  readonly lagLookbackMs?: number;
  /** a success that only moves lastSuccess forward is persisted at most this often per instance (default 60 s) */
  readonly persistRefreshMs?: number;
  /** a health kill not followed by the task's end is decided again after this (default 30 s) */
  readonly killRetryMs?: number;
  /** longest wait for a replacement to become healthy (default: core defaultReplacementTimeoutMs of the app's slowest check) */
  readonly replacementTimeoutMs?: number;
  /** a full queue or a failing queue call keeps the breaker open this long (default 10 s) */
  readonly troubleHoldMs?: number;
}

export interface HealthMonitorOptions {
  readonly probes: ProbeSink;
  readonly results: ProbeSource;
  readonly now?: () => number;
  readonly log: HealthMonitorLog;
  readonly events?: HealthEvents;
  readonly settings?: HealthMonitorSettings;
  /** instances whose aggregate health flipped (batched, asynchronous) */
  readonly onChange?: (instanceIds: string[]) => void;
}

/** All instance records of one app (any goal, any state), with its current definition. */
export interface AppInstances {
  readonly app: AppDefinition;
  readonly instances: readonly Instance[];
}

/**
 * What the scheduler must do, in the same job as `plan()`:
 * - `start-replacement`: create one new running-goal instance of the app (current version), then
 *   call `replacementStarted(instanceId, newId)`;
 * - `kill` with `relaunch: false`: set the sentenced instance's goal to decommissioned (its
 *   replacement stands in); with `relaunch: true`: kill its task and keep the goal running, so it is
 *   relaunched as in Marathon.
 * `backoff: true`: count one launch failure for the app's current config (Marathon's "replaced with
 * backoff": a task killed by its health check is a failed task) before creating / relaunching.
 * The monitor has already published `unhealthy_instance_kill_event` for every kill it returns.
 */
export type HealthDecision =
  | { readonly kind: 'start-replacement'; readonly appId: string; readonly instanceId: string; readonly backoff: true }
  | {
      readonly kind: 'kill';
      readonly appId: string;
      readonly instanceId: string;
      readonly taskId: string;
      readonly relaunch: boolean;
      readonly cause: KillCause;
      readonly backoff: boolean;
    };

/** A sentenced instance that still runs, and why (for the API and metrics). */
export interface HealthHold extends HeldInstance {
  readonly appId: string;
  /** since when it is held for this kind of reason */
  readonly since: number;
}

export interface HealthPlan {
  readonly actions: readonly HealthDecision[];
  readonly held: readonly HealthHold[];
}

/** Records for SchedulerStore.writeHealth; announce `appIds`' status once written. */
export interface HealthWrites {
  readonly upserts: StoredHealth[];
  readonly deletes: string[];
  readonly appIds: string[];
}

export interface HealthMonitorStats {
  /** instances with a tracked task */
  readonly instances: number;
  /** (task, check) pairs being probed */
  readonly probedChecks: number;
  readonly probesSent: number;
  readonly probesDropped: number;
  readonly resultsApplied: number;
  /** results of older tasks or of the previous term, and skipped (late) probes */
  readonly resultsIgnored: number;
  /** the lag the breaker last saw */
  readonly lagMs: number;
  readonly breaker: BreakerState;
  readonly held: Readonly<Partial<Record<HoldKind, number>>>;
  readonly sentenced: number;
  readonly healthKills: number;
  readonly replacementsStarted: number;
}

interface CheckEntry {
  readonly index: number;
  readonly check: HealthCheck & { protocol: PacerProtocol };
  readonly sig: string;
  spec: ProbeSpec | undefined;
  state: HealthState | undefined;
  /** next probe to send; undefined while the task is not probed */
  dueAt: number | undefined;
  /** oldest probe sent and not answered since */
  pendingDueAt: number | undefined;
}

interface Entry {
  readonly instanceId: string;
  readonly appId: string;
  readonly taskId: string;
  instance: Instance;
  app: AppDefinition;
  startedAt: number | undefined;
  checks: CheckEntry[];
  health: boolean | undefined;
  probing: boolean;
  sentencedAt?: number;
  replacement?: { readonly instanceId: string; readonly requestedAt: number };
  held?: { readonly kind: HoldKind; readonly reason: string; readonly since: number };
  killedAt?: number;
  /** a row may exist in instance_health */
  stored: boolean;
  /** when the record was last handed out by takeDirty */
  persistedAt: number;
  seen: number;
}

interface AppView {
  app: AppDefinition;
  instances: readonly Instance[];
  seen: number;
}

/** A probe's result reaches the leader this long after its timeout at the latest, when all is well. */
const RESULT_SLACK_MS = 1000;
/** A scheduleProbes call pending this long counts as prober trouble. */
const QUEUE_STUCK_MS = 10_000;
const EMPTY: ReadonlySet<string> = new Set();
/** stop() waits at most this for a queue call in flight, and as long again for the closes. */
const STOP_WAIT_MS = 3000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

export class HealthMonitor {
  private readonly now: () => number;
  private readonly log: HealthMonitorLog;
  private readonly breakerConfig: BreakerConfig;
  private readonly rateLimit: KillRateLimit;
  private readonly lookaheadMs: number;
  private readonly lagLookbackMs: number;
  private readonly persistRefreshMs: number;
  private readonly killRetryMs: number;
  private readonly troubleHoldMs: number;
  private readonly termStartedAt: number;

  private readonly entries = new Map<string, Entry>();
  private readonly views = new Map<string, AppView>();
  /** app id → sentenced instance ids with a replacement */
  private readonly standInIndex = new Map<string, Set<string>>();
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly lag = new LagWindow();
  private breaker: BreakerState = CLOSED_BREAKER;
  private restored: Map<string, StoredHealth> | undefined;
  private synced = false;
  private generation = 0;

  private dirty = new Set<string>();
  /** instance id → app id */
  private deletes = new Map<string, string>();
  private lastDeletes = new Map<string, string>();

  private changed = new Set<string>();
  private changeQueued = false;

  private sending: { readonly since: number } | undefined;
  private sendDone: Promise<void> = Promise.resolve();
  private trouble: { readonly reason: string; readonly at: number } | undefined;
  private readonly warnedAt = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  private stopped = false;

  private counters = { sent: 0, dropped: 0, applied: 0, ignored: 0, kills: 0, replacements: 0 };
  private lastLagMs = 0;
  private lastHeld: Partial<Record<HoldKind, number>> = {};

  constructor(private readonly opts: HealthMonitorOptions) {
    this.now = opts.now ?? Date.now;
    this.log = opts.log;
    const s = opts.settings ?? {};
    this.breakerConfig = { ...DEFAULT_BREAKER_CONFIG, ...s.breaker };
    this.rateLimit = s.rateLimit ?? DEFAULT_KILL_RATE_LIMIT;
    this.lookaheadMs = s.lookaheadMs ?? 1000;
    this.lagLookbackMs = s.lagLookbackMs ?? 15_000;
    this.persistRefreshMs = s.persistRefreshMs ?? 60_000;
    this.killRetryMs = s.killRetryMs ?? 30_000;
    this.troubleHoldMs = s.troubleHoldMs ?? 10_000;
    this.termStartedAt = this.now();
    opts.results.onResult((r) => this.onResult(r));
    this.timer = setInterval(() => this.dispatch(), s.dispatchMs ?? 200);
    this.timer.unref();
  }

  // ------------------------------------------------------------------ inputs from the scheduler

  /** The previous leader's records (SchedulerStore.loadHealth); call once, before the first sync. */
  load(stored: readonly StoredHealth[]): void {
    if (this.synced) this.log.warn('health: load() after the first sync: stored health of tasks already tracked is ignored');
    this.restored ??= new Map();
    for (const s of stored) this.restored.set(s.instanceId, s);
  }

  /** Every instance of every app (see the file comment). */
  sync(apps: Iterable<AppInstances>): void {
    const gen = ++this.generation;
    const now = this.now();
    for (const { app, instances } of apps) {
      if (!app.healthChecks.some(isPacerSide)) continue;
      const view = this.views.get(app.id);
      if (view === undefined) this.views.set(app.id, { app, instances, seen: gen });
      else {
        view.app = app;
        view.instances = instances;
        view.seen = gen;
      }
      for (const x of instances) {
        if (x.taskId === undefined || !isActive(x)) continue;
        let e = this.entries.get(x.instanceId);
        if (e !== undefined && e.taskId !== x.taskId) {
          this.forget(e);
          e = undefined;
        }
        if (e === undefined) e = this.track(x, app, now);
        else if (e.instance !== x || e.app !== app) this.refresh(e, x, app, now);
        e.seen = gen;
      }
    }
    for (const e of this.entries.values()) if (e.seen !== gen) this.forget(e);
    for (const [id, v] of this.views) if (v.seen !== gen) this.views.delete(id);
    this.dropLostReplacements();
    if (!this.synced) {
      this.synced = true;
      // Stored records whose task is gone: delete them.
      for (const s of this.restored?.values() ?? []) this.deletes.set(s.instanceId, s.appId);
      this.restored = undefined;
      for (const id of this.entries.keys()) this.changed.add(id);
      this.queueChange();
    }
  }

  /** The scheduler created `newInstanceId` to stand in for the sentenced `sentencedId`. */
  replacementStarted(sentencedId: string, newInstanceId: string): void {
    const e = this.entries.get(sentencedId);
    if (e === undefined) return;
    this.setReplacement(e, { instanceId: newInstanceId, requestedAt: this.now() });
    this.counters.replacements++;
    this.markDirty(e);
  }

  // ------------------------------------------------------------------ queries

  healthOf(instanceId: string): boolean | undefined {
    return this.entries.get(instanceId)?.health;
  }

  results(instanceId: string): HealthCheckResultJson[] {
    const e = this.entries.get(instanceId);
    if (e === undefined) return [];
    const out: HealthCheckResultJson[] = [];
    for (const c of e.checks) if (c.state !== undefined) out.push(healthCheckResultJson(c.state, instanceId));
    return out;
  }

  standIns(appId: string): ReadonlySet<string> {
    return this.standInIndex.get(appId) ?? EMPTY;
  }

  breakerState(): BreakerState {
    return this.breaker;
  }

  stats(): HealthMonitorStats {
    let probedChecks = 0;
    let sentenced = 0;
    for (const e of this.entries.values()) {
      if (e.sentencedAt !== undefined) sentenced++;
      if (e.probing) for (const c of e.checks) if (c.spec !== undefined) probedChecks++;
    }
    const c = this.counters;
    return {
      instances: this.entries.size,
      probedChecks,
      probesSent: c.sent,
      probesDropped: c.dropped,
      resultsApplied: c.applied,
      resultsIgnored: c.ignored,
      lagMs: this.lastLagMs,
      breaker: this.breaker,
      held: this.lastHeld,
      sentenced,
      healthKills: c.kills,
      replacementsStarted: c.replacements,
    };
  }

  // ------------------------------------------------------------------ persistence

  takeDirty(): HealthWrites {
    const now = this.now();
    const upserts: StoredHealth[] = [];
    const appIds = new Set<string>();
    for (const id of this.dirty) {
      const e = this.entries.get(id);
      if (e === undefined) continue;
      upserts.push(this.record(e));
      e.stored = true;
      e.persistedAt = now;
      appIds.add(e.appId);
    }
    for (const appId of this.deletes.values()) appIds.add(appId);
    const deletes = [...this.deletes.keys()];
    this.lastDeletes = this.deletes;
    this.dirty = new Set();
    this.deletes = new Map();
    return { upserts, deletes, appIds: [...appIds] };
  }

  /** The write of `w` failed: its records are written with the next batch (unless superseded). */
  restoreDirty(w: HealthWrites): void {
    for (const u of w.upserts) {
      const e = this.entries.get(u.instanceId);
      if (e !== undefined && e.taskId === u.taskId) this.dirty.add(u.instanceId);
    }
    for (const id of w.deletes) {
      const e = this.entries.get(id);
      if (e !== undefined) e.stored = true; // a newer task's record replaces the row (or deletes it when it ends)
      else this.deletes.set(id, this.lastDeletes.get(id) ?? '');
    }
  }

  // ------------------------------------------------------------------ kills

  plan(): HealthPlan {
    const now = this.now();
    const perApp = new Map<string, { states: HealthState[][]; sentenced: Entry[] }>();
    for (const e of this.entries.values()) {
      let a = perApp.get(e.appId);
      if (a === undefined) {
        a = { states: [], sentenced: [] };
        perApp.set(e.appId, a);
      }
      const states: HealthState[] = [];
      for (const c of e.checks) if (c.state !== undefined) states.push(c.state);
      a.states.push(states);
      if (e.sentencedAt !== undefined && !this.stillSentenced(e)) {
        delete e.sentencedAt;
        this.markDirty(e);
      }
      if (e.sentencedAt !== undefined) a.sentenced.push(e);
    }
    const summaries = [...perApp].map(([appId, a]) => summarizeApp(appId, a.states, now, appWindowMs(this.breakerConfig, this.slowestInterval(appId))));
    const lagMs = this.lagNow(now);
    this.lastLagMs = lagMs;
    const before = this.breaker;
    this.breaker = evaluateBreaker(before, { now, apps: summaries, lagMs, ...this.troubleNow(now) }, this.breakerConfig);
    this.logBreaker(before, this.breaker);

    const actions: HealthDecision[] = [];
    const held: HealthHold[] = [];
    const heldIds = new Set<string>();
    for (const [appId, a] of perApp) {
      if (a.sentenced.length === 0) continue;
      const view = this.views.get(appId);
      if (view === undefined) continue;
      const { app } = view;
      const timeoutMs = this.opts.settings?.replacementTimeoutMs ?? this.defaultTimeoutMs(app);
      const byId = new Map(view.instances.map((x) => [x.instanceId, x]));
      const sentenced: SentencedInstance[] = [];
      for (const e of a.sentenced) {
        // already on its way out, or not running (unreachable: its unreachableStrategy decides)
        if (e.instance.goal !== 'running' || e.instance.state !== 'TASK_RUNNING') continue;
        if (e.killedAt !== undefined && now - e.killedAt < this.killRetryMs) continue;
        let replacement: SentencedInstance['replacement'];
        if (e.replacement !== undefined) {
          const y = byId.get(e.replacement.instanceId);
          const ySentenced = y !== undefined && this.entries.get(y.instanceId)?.sentencedAt !== undefined;
          // A replacement sentenced in turn will not become healthy: stop waiting for it.
          replacement = { requestedAt: ySentenced ? Math.min(e.replacement.requestedAt, now - timeoutMs) : e.replacement.requestedAt, healthy: y !== undefined && this.replacementHealthy(y, app) };
        }
        sentenced.push({ instanceId: e.instanceId, sentencedAt: e.sentencedAt ?? now, ...lastFailureOf(e), ...(replacement !== undefined ? { replacement } : {}) });
      }
      if (sentenced.length === 0) continue;
      const p = planHealthKills({
        appId,
        instances: app.instances,
        maximumOverCapacity: app.upgradeStrategy.maximumOverCapacity,
        occupied: occupiedOf(view.instances),
        sentenced,
        now,
        replacementTimeoutMs: timeoutMs,
        breaker: this.breaker,
        bucket: this.buckets.get(appId),
        rateLimit: this.rateLimit,
      });
      if (p.bucket === undefined || isFull(p.bucket, now, this.rateLimit)) this.buckets.delete(appId);
      else this.buckets.set(appId, p.bucket);
      for (const d of p.actions) {
        const e = this.entries.get(d.instanceId);
        if (e === undefined) continue;
        if (d.kind === 'start-replacement') {
          actions.push({ kind: 'start-replacement', appId, instanceId: d.instanceId, backoff: true });
          continue;
        }
        e.killedAt = now;
        this.counters.kills++;
        actions.push({ kind: 'kill', appId, instanceId: d.instanceId, taskId: e.taskId, relaunch: d.relaunch, cause: d.cause, backoff: d.relaunch });
        this.log.info(`health: killing ${e.taskId} (${d.cause}${d.relaunch ? ', relaunched' : ', replaced'}): ${failureCause(e)}`);
        this.publish(() =>
          unhealthyInstanceKill(
            {
              appId, taskId: e.taskId, instanceId: e.instanceId, version: e.instance.appVersion, reason: failureCause(e), host: e.instance.host ?? '',
              ...(e.instance.agentId !== undefined ? { slaveId: e.instance.agentId } : {}),
            },
            new Date(now),
          ),
        );
      }
      for (const h of p.held) {
        const e = this.entries.get(h.instanceId);
        if (e === undefined) continue;
        heldIds.add(h.instanceId);
        if (e.held === undefined || e.held.kind !== h.kind) {
          e.held = { kind: h.kind, reason: h.reason, since: now };
          this.markDirty(e);
        } else if (e.held.reason !== h.reason) {
          e.held = { ...e.held, reason: h.reason };
          this.markRefresh(e, now);
        }
        held.push({ ...h, appId, since: e.held.since });
      }
    }
    const counts: Partial<Record<HoldKind, number>> = {};
    for (const e of this.entries.values()) {
      if (e.held === undefined) continue;
      if (!heldIds.has(e.instanceId)) {
        delete e.held;
        this.markDirty(e);
      } else counts[e.held.kind] = (counts[e.held.kind] ?? 0) + 1;
    }
    this.lastHeld = counts;
    return { actions, held };
  }

  // ------------------------------------------------------------------ lifecycle

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    // Bounded: with Redis unreachable, a queue call or a close may wait for a reconnection.
    const closing = Promise.race([this.sendDone, sleep(STOP_WAIT_MS)]).then(() =>
      Promise.all([
        this.opts.probes.close?.().catch((e: Error) => this.log.warn(`health: closing the probe queue: ${e.message}`)),
        this.opts.results.close?.().catch((e: Error) => this.log.warn(`health: closing the result reader: ${e.message}`)),
      ]),
    );
    if ((await Promise.race([closing.then(() => true), sleep(2 * STOP_WAIT_MS).then(() => false)])) === false) {
      this.log.warn('health: the probe queue did not close in time (Redis unreachable?)');
    }
  }

  // ------------------------------------------------------------------ tracking

  private track(x: Instance, app: AppDefinition, now: number): Entry {
    const e: Entry = {
      instanceId: x.instanceId, appId: x.appId, taskId: x.taskId as string, instance: x, app,
      startedAt: x.startedAt === undefined ? undefined : Date.parse(x.startedAt),
      checks: [], health: undefined, probing: false, stored: false, persistedAt: -Infinity, seen: 0,
    };
    e.checks = this.checksFor(e, app, x, []);
    const s = this.restored?.get(x.instanceId);
    if (s !== undefined && s.taskId === x.taskId) {
      this.restored?.delete(x.instanceId);
      e.stored = true;
      e.persistedAt = now;
      for (const c of e.checks) {
        const kept = s.checks.find((k) => k.index === c.index && (k.sig === undefined || k.sig === c.sig));
        if (kept !== undefined) c.state = kept.state;
      }
      if (s.sentencedAt !== undefined) e.sentencedAt = s.sentencedAt;
      if (s.replacement !== undefined) this.setReplacement(e, s.replacement);
      if (s.held !== undefined) e.held = s.held;
      e.health = taskHealth(e.checks.map((c) => c.state));
    }
    this.entries.set(e.instanceId, e);
    this.arm(e, now);
    return e;
  }

  private refresh(e: Entry, x: Instance, app: AppDefinition, now: number): void {
    if (e.app !== app || e.instance.host !== x.host || e.instance.hostPorts !== x.hostPorts) e.checks = this.checksFor(e, app, x, e.checks);
    e.instance = x;
    e.app = app;
    e.startedAt = x.startedAt === undefined ? undefined : Date.parse(x.startedAt);
    this.arm(e, now);
    this.updateHealth(e, now);
  }

  /** The app's Pacer-side checks for the task; states (and due times, same interval) kept where the check is the same. */
  private checksFor(e: Entry, app: AppDefinition, x: Instance, previous: readonly CheckEntry[]): CheckEntry[] {
    const aligned = alignedHostPorts(app, x.hostPorts);
    const hostPorts = (aligned.length > 0 ? aligned : x.hostPorts) as number[];
    return pacerSideChecks(app).map(({ index, check }) => {
      const sig = checkSignature(check);
      const old = previous.find((c) => c.index === index && c.sig === sig);
      const spec = probeSpec(check, { host: x.host, hostPorts });
      const sameRhythm = old !== undefined && old.check.intervalSeconds === check.intervalSeconds && old.spec !== undefined && spec !== undefined;
      return {
        index, check, sig, spec,
        state: old?.state,
        dueAt: sameRhythm ? old.dueAt : undefined,
        pendingDueAt: sameRhythm ? old.pendingDueAt : undefined,
      };
    });
  }

  /** Probed while running with a running goal; first due times for checks that have none. */
  private arm(e: Entry, now: number): void {
    const x = e.instance;
    e.probing = x.state === 'TASK_RUNNING' && x.goal === 'running';
    for (const c of e.checks) {
      if (!e.probing || c.spec === undefined) {
        c.dueAt = undefined;
        c.pendingDueAt = undefined;
      } else if (c.dueAt === undefined) {
        const interval = c.check.intervalSeconds;
        const justStarted = e.startedAt !== undefined && now - e.startedAt < interval * 1000;
        c.dueAt = firstDueAt(now, interval, `${e.taskId}#${c.index}`, justStarted ? FIRST_CHECK_AFTER_MS / 1000 : interval);
      }
    }
  }

  private forget(e: Entry): void {
    this.entries.delete(e.instanceId);
    this.dirty.delete(e.instanceId);
    if (e.stored) this.deletes.set(e.instanceId, e.appId);
    if (e.replacement !== undefined) this.setReplacement(e, undefined);
  }

  private setReplacement(e: Entry, r: Entry['replacement']): void {
    if (r === undefined) delete e.replacement;
    else e.replacement = r;
    let set = this.standInIndex.get(e.appId);
    if (r !== undefined) {
      if (set === undefined) this.standInIndex.set(e.appId, (set = new Set()));
      set.add(e.instanceId);
    } else if (set !== undefined) {
      set.delete(e.instanceId);
      if (set.size === 0) this.standInIndex.delete(e.appId);
    }
  }

  /** A replacement that no longer exists (or no longer has a running goal) stands in for nothing. */
  private dropLostReplacements(): void {
    for (const [appId, ids] of this.standInIndex) {
      const view = this.views.get(appId);
      for (const id of [...ids]) {
        const e = this.entries.get(id);
        const r = e?.replacement;
        if (e === undefined || r === undefined) continue;
        const y = view?.instances.find((x) => x.instanceId === r.instanceId);
        if (y === undefined || y.goal !== 'running') {
          this.setReplacement(e, undefined);
          this.markDirty(e);
        }
      }
    }
  }

  // ------------------------------------------------------------------ probes and results

  private dispatch(): void {
    if (this.stopped || this.sending !== undefined) return;
    const now = this.now();
    const horizon = now + this.lookaheadMs;
    const jobs: ProbeJob[] = [];
    for (const e of this.entries.values()) {
      if (!e.probing) continue;
      for (const c of e.checks) {
        const spec = c.spec;
        if (spec === undefined || c.dueAt === undefined || c.dueAt > horizon) continue;
        jobs.push({
          instanceId: e.instanceId, taskId: e.taskId, appId: e.appId, checkIndex: c.index, host: spec.host, port: spec.port,
          protocol: spec.protocol, ...(spec.path !== undefined ? { path: spec.path } : {}), timeoutSeconds: spec.timeoutSeconds,
          ...(spec.ignoreHttp1xx ? { ignoreHttp1xx: true } : {}), dueAt: c.dueAt,
        });
        c.pendingDueAt ??= c.dueAt;
        c.dueAt = nextDueAt(c.dueAt, c.check.intervalSeconds, now);
      }
    }
    if (jobs.length === 0) return;
    this.counters.sent += jobs.length;
    this.sending = { since: now };
    this.sendDone = this.opts.probes.scheduleProbes(jobs, now).then(
      ({ dropped }) => {
        if (dropped > 0) {
          this.counters.dropped += dropped;
          this.setTrouble(`probe queue full: ${dropped} probes dropped`);
        }
      },
      (err: Error) => this.setTrouble(`probe queue failed: ${err.message}`),
    ).finally(() => {
      this.sending = undefined;
    });
  }

  private setTrouble(reason: string): void {
    this.trouble = { reason, at: this.now() };
    this.warnEvery('trouble', `health: ${reason}`);
  }

  private onResult(r: ProbeResultMessage): void {
    if (this.stopped) return;
    const e = this.entries.get(r.instanceId);
    const c = e !== undefined && e.taskId === r.taskId && r.dueAt >= this.termStartedAt ? e.checks.find((k) => k.index === r.checkIndex) : undefined;
    if (e === undefined || c === undefined) {
      this.counters.ignored++;
      return;
    }
    this.lag.record(r.ranAt, Math.max(0, r.ranAt - r.dueAt));
    if (c.pendingDueAt !== undefined && r.dueAt >= c.pendingDueAt) c.pendingDueAt = undefined;
    const at = r.ranAt + r.latencyMs;
    const prev = c.state;
    if (r.skipped !== undefined || (prev !== undefined && at < Math.max(prev.lastSuccess ?? -Infinity, prev.lastFailure ?? -Infinity))) {
      this.counters.ignored++; // skipped, or answered before what is already known (out of order)
      return;
    }
    this.counters.applied++;
    const u = applyProbeResult(prev ?? NEW_HEALTH_STATE, r, { now: at, taskStartedAt: e.startedAt, check: c.check, running: e.instance.state === 'TASK_RUNNING' });
    c.state = u.state;
    const nowIso = new Date(this.now());
    if (u.kind === 'failure') this.publish(() => failedHealthCheck({ appId: e.appId, instanceId: e.instanceId, healthCheck: c.check }, nowIso));
    if (u.aliveChanged) this.publish(() => healthStatusChanged({ appId: e.appId, instanceId: e.instanceId, version: e.instance.appVersion, alive: u.alive }, nowIso));
    let material = prev === undefined || u.kind === 'failure' || (u.kind === 'success' && (u.aliveChanged || prev.consecutiveFailures > 0 || prev.firstSuccess === undefined));
    if (u.shouldKill && e.sentencedAt === undefined) {
      e.sentencedAt = at;
      material = true;
      this.log.info(`health: ${e.taskId} sentenced by check ${c.index} (${c.check.protocol}) after ${u.state.consecutiveFailures} consecutive failures: ${u.state.lastFailureCause ?? ''}`);
    }
    if (material) this.markDirty(e);
    else if (u.kind === 'success') this.markRefresh(e, this.now());
    this.updateHealth(e, this.now());
  }

  private updateHealth(e: Entry, now: number): void {
    const h = taskHealth(e.checks.map((c) => c.state));
    if (h === e.health) return;
    e.health = h;
    this.publish(() => instanceHealthChanged(e.instance, h, new Date(now)));
    this.changed.add(e.instanceId);
    this.queueChange();
  }

  private queueChange(): void {
    if (this.changeQueued || this.opts.onChange === undefined) return;
    this.changeQueued = true;
    queueMicrotask(() => {
      this.changeQueued = false;
      if (this.changed.size === 0 || this.stopped) return;
      const ids = [...this.changed];
      this.changed = new Set();
      try {
        this.opts.onChange?.(ids);
      } catch (err) {
        this.log.error(`health: onChange failed: ${(err as Error).message}`);
      }
    });
  }

  private markDirty(e: Entry): void {
    this.dirty.add(e.instanceId);
    this.deletes.delete(e.instanceId);
  }

  private markRefresh(e: Entry, now: number): void {
    if (now - e.persistedAt >= this.persistRefreshMs) this.markDirty(e);
  }

  private record(e: Entry): StoredHealth {
    const checks = [];
    for (const c of e.checks) if (c.state !== undefined) checks.push({ index: c.index, sig: c.sig, state: c.state });
    return {
      instanceId: e.instanceId, taskId: e.taskId, appId: e.appId, checks,
      ...(e.sentencedAt !== undefined ? { sentencedAt: e.sentencedAt } : {}),
      ...(e.replacement !== undefined ? { replacement: e.replacement } : {}),
      ...(e.held !== undefined ? { held: e.held } : {}),
    };
  }

  // ------------------------------------------------------------------ breaker inputs

  /** max(p99 of recent answered lag, p99 over probed checks of how overdue their oldest unanswered probe is). */
  private lagNow(now: number): number {
    const answered = this.lag.quantile(0.99, now - this.lagLookbackMs);
    let probed = 0;
    const late: number[] = [];
    for (const e of this.entries.values()) {
      if (!e.probing) continue;
      for (const c of e.checks) {
        if (c.spec === undefined) continue;
        probed++;
        let l = 0;
        if (c.pendingDueAt !== undefined) {
          const timeoutMs = c.check.timeoutSeconds > 0 ? c.check.timeoutSeconds * 1000 : NO_TIMEOUT_CAP_MS;
          l = now - c.pendingDueAt - timeoutMs - RESULT_SLACK_MS;
        }
        // due, and not even sent (the queue call before is still pending)
        if (c.dueAt !== undefined) l = Math.max(l, now - c.dueAt - RESULT_SLACK_MS);
        if (l > 0) late.push(l);
      }
    }
    if (late.length === 0) return answered;
    late.sort((a, b) => b - a);
    return Math.max(answered, late[Math.floor(0.01 * probed)] ?? 0);
  }

  private troubleNow(now: number): { proberTrouble?: string } {
    if (this.sending !== undefined && now - this.sending.since >= QUEUE_STUCK_MS) {
      return { proberTrouble: `probe queue not answering for ${Math.round((now - this.sending.since) / 1000)} s` };
    }
    if (this.trouble !== undefined && now - this.trouble.at < this.troubleHoldMs) return { proberTrouble: this.trouble.reason };
    return {};
  }

  private logBreaker(before: BreakerState, after: BreakerState): void {
    if (!before.global.open && after.global.open) this.log.warn(`health: all health kills stopped (circuit breaker): ${after.global.reason ?? ''}`);
    if (before.global.open && !after.global.open) this.log.info('health: health kills resumed (circuit breaker closed)');
    for (const [appId, g] of after.apps) {
      const was = before.apps.get(appId)?.open === true;
      if (g.open && !was) this.log.warn(`health: health kills of ${appId} stopped (circuit breaker): ${g.reason ?? ''}`);
      if (!g.open && was) this.log.info(`health: health kills of ${appId} resumed`);
    }
  }

  // ------------------------------------------------------------------ helpers

  /** Still sentenced by one of its current checks, or already being replaced (a replacement keeps the sentence). */
  private stillSentenced(e: Entry): boolean {
    if (e.replacement !== undefined) return true;
    return e.checks.some((c) => c.state !== undefined && isSentenced(c.state, c.check.maxConsecutiveFailures));
  }

  /** Running, running goal, and healthy on the app's checks: Pacer-side ones by their verdicts, Mesos-side ones by TaskStatus.healthy. */
  private replacementHealthy(y: Instance, app: AppDefinition): boolean {
    if (y.state !== 'TASK_RUNNING' || y.goal !== 'running') return false;
    const e = this.entries.get(y.instanceId);
    if (e === undefined || e.taskId !== y.taskId || e.health !== true) return false;
    return app.healthChecks.every(isPacerSide) || y.healthy === true;
  }

  private slowestInterval(appId: string): number {
    const app = this.views.get(appId)?.app;
    let max = 0;
    for (const c of app?.healthChecks ?? []) if (isPacerSide(c)) max = Math.max(max, c.intervalSeconds);
    return max;
  }

  private defaultTimeoutMs(app: AppDefinition): number {
    let max = 0;
    for (const c of app.healthChecks) if (isPacerSide(c)) max = Math.max(max, defaultReplacementTimeoutMs(c));
    return max;
  }

  private publish(build: () => { readonly eventType: string }): void {
    const ev = this.opts.events;
    if (ev === undefined || ev.subscriberCount === 0) return;
    ev.publish(build());
  }

  private warnEvery(key: string, msg: string, everyMs = 30_000): void {
    const now = this.now();
    const last = this.warnedAt.get(key);
    if (last !== undefined && now - last < everyMs) return;
    this.warnedAt.set(key, now);
    this.log.warn(msg);
  }
}

/** The latest counted failure over the entry's checks (the breaker's resume compares it). */
function lastFailureOf(e: Entry): { lastFailure?: number } {
  let at: number | undefined;
  for (const c of e.checks) {
    const f = c.state?.lastFailure;
    if (f !== undefined && (at === undefined || f > at)) at = f;
  }
  return at === undefined ? {} : { lastFailure: at };
}

/** Why the checks sentenced the task: the cause of the latest failure of a sentencing check. */
function failureCause(e: Entry): string {
  let best: HealthState | undefined;
  for (const c of e.checks) {
    const s = c.state;
    if (s === undefined || !isSentenced(s, c.check.maxConsecutiveFailures)) continue;
    if (best === undefined || (s.lastFailure ?? 0) > (best.lastFailure ?? 0)) best = s;
  }
  return best?.lastFailureCause ?? 'health check failed';
}

/**
 * Instances holding or about to hold capacity (replace-before-kill.ts `ReplaceInput.occupied`): every
 * running-goal one, plus the others whose task may still run.
 */
export function occupiedOf(instances: readonly Instance[]): number {
  let n = 0;
  for (const x of instances) if (x.goal === 'running' || isActive(x) || x.state === 'unreachable-inactive') n++;
  return n;
}

/** The monitor's settings from the process config (src/config/app-config.ts). */
export function healthSettingsFrom(c: {
  readonly healthKillBurst: number;
  readonly healthKillRefillSeconds: number;
  readonly healthBreakerAppShare: number;
  readonly healthBreakerGlobalShare: number;
  readonly healthBreakerMaxLagMs: number;
}): HealthMonitorSettings {
  return {
    rateLimit: { burst: c.healthKillBurst, refillSeconds: c.healthKillRefillSeconds },
    breaker: { appShare: c.healthBreakerAppShare, globalShare: c.healthBreakerGlobalShare, maxLagMs: c.healthBreakerMaxLagMs },
  };
}

/**
 * The real probe queue and result reader on Redis (`redisUrl` = AppConfig.redisUrl, `prefix` =
 * healthQueuePrefix, `maxQueued` = healthProbeMaxQueued). Results are read from now on: the previous
 * leader's are not wanted. Both are closed by `HealthMonitor.stop()`.
 */
export function redisProbeChannels(opts: { readonly redisUrl: string; readonly prefix: string; readonly maxQueued: number; readonly onError: (err: Error) => void }): {
  probes: ProbeScheduler;
  results: ProbeResults;
} {
  return {
    probes: new ProbeScheduler({ redisUrl: opts.redisUrl, prefix: opts.prefix, maxQueued: opts.maxQueued }),
    results: new ProbeResults({ redisUrl: opts.redisUrl, prefix: opts.prefix, from: 'latest', onError: opts.onError }),
  };
}
