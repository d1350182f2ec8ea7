import { randomUUID } from 'node:crypto';
import type { AppDefinition } from '../core/apps';
import { converge, type ConvergeDecision, type ConvergeMode } from '../core/converge/converge';
import type { ActionStatus, Deployment, DeploymentAction, StepStatus } from '../core/deployments/deployment';
import { reasonsFor, type ActionFacts } from '../core/converge/reasons';
import {
  applyStatus,
  backoffStrategyOf,
  checkUnreachable,
  configVersionOf,
  delayFor,
  forgetExpired,
  formatInstanceId,
  isActive,
  isOverdue,
  isReady,
  isScheduled,
  isTerminalState,
  newInstance,
  parseTaskId,
  provision,
  recordFailure,
  recordProgress,
  resetDelay,
  setGoal,
  timeLeftMs,
  type ApplyResult,
  type BackoffTable,
  type Instance,
  type InstanceEffect,
  type MesosTaskState,
  type TaskFailure,
} from '../core/instances';
import { matchOffer, type AgentInfo, type WaitingGroup } from '../core/matching';
import { toCoreOffer } from '../mesos/offer';
import { buildTaskInfo } from '../mesos/task-info';
import type { Offer, ReconcileTask, SchedulerEvent, TaskInfo, TaskStatus } from '../mesos/types';
import { appTerminated, deploymentInfo, deploymentStepSuccess, deploymentSuccess, instanceChanged, instanceHealthChanged, statusUpdateOf } from '../core/events/marathon-events';
import { pacerSideChecks } from '../core/health';
import type { HealthMonitor } from './health-monitor';
import { InstanceTracker } from './instance-tracker';
import { ReadinessChecker, type ReadinessTarget } from './readiness';
import { OfferStats } from './offer-stats';
import type { MesosPort, SchedulerStore } from './ports';
import type { QueueEntry, SchedulerControl } from './scheduler-control';

export interface SchedulerSettings {
  readonly frameworkRole: string;
  readonly maxInstancesPerOffer: number;
  readonly declineOfferDurationSeconds: number;
  readonly minReviveOffersIntervalMs: number;
  readonly reconciliationIntervalSeconds: number;
  readonly scaleAppsIntervalSeconds: number;
  readonly taskLaunchConfirmTimeoutSeconds: number;
  readonly taskLaunchTimeoutSeconds: number;
  readonly killRetrySeconds: number;
  readonly tickMs: number;
}

export interface SchedulerLog {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

/** Where the scheduler's Marathon events go (the internal EventBus). */
export interface SchedulerEvents {
  /** builders run only when someone listens */
  readonly subscriberCount: number;
  publish(event: { readonly eventType: string }): unknown;
}

export interface SchedulerMetrics {
  launched(n: number): void;
  updates(n: number): void;
  offers(used: number, declined: number): void;
  kills(n: number): void;
}

/** Refuse filter when nothing waits at all (we also SUPPRESS then): an idle framework costs nothing. */
const IDLE_REFUSE_SECONDS = 3600;
/** Bounds: offers held while the loop is busy, updates buffered before they are applied. */
const MAX_PENDING_OFFERS = 1024;
const MAX_PENDING_UPDATES = 100_000;
/** Tasks per explicit RECONCILE call. */
const RECONCILE_CHUNK = 1000;
/** Mesos calls in flight at once from one batch (acks, kills, launches). */
const CALL_CONCURRENCY = 64;
/** A provisioned launch is not reconciled explicitly until it is this old (its ACCEPT may be in flight). */
const RECONCILE_PROVISIONED_AFTER_MS = 30_000;
/** Health kills and replacements are planned this often. */
const HEALTH_PLAN_MS = 1000;
/** A plan's shown status is rewritten at most this often while its step does not move. */
const STATUS_WRITE_MS = 1000;
/** Deployment progress is re-evaluated at most this often while only instance states change. */
const DEPLOYMENT_EVAL_MS = 100;

interface PendingUpdate {
  readonly status: TaskStatus;
}

/**
 * The leader's scheduler: keeps every app at its asked count on Mesos. One instance lives for one
 * leadership term (a new leader builds a new one from Postgres).
 *
 * Everything that changes state runs one job at a time (`exclusive`), so the in-memory records, the
 * launch queue and the offers never race. Each job decides with pure core functions (applyStatus,
 * converge, matchOffer, backoff), writes the changed instance records in one batch, and only then
 * talks to Mesos: a status update is acknowledged after its effect is stored; a task is launched
 * after its provisioned record is stored. So a restart never loses an update and never launches a
 * task twice (a stored provisioned launch that never reached Mesos is reconciled as unknown and
 * relaunched with the next incarnation).
 */
export class Scheduler implements SchedulerControl {
  private readonly tracker = new InstanceTracker();
  private readonly stats = new OfferStats();
  private apps = new Map<string, AppDefinition>();
  /** config version (lastConfigChangeAt) per `${appId} ${version}` of versions instances run */
  private readonly configs = new Map<string, string>();
  private deployments: Deployment<AppDefinition>[] = [];
  /** app id → the deployment that owns it */
  private locked = new Map<string, Deployment<AppDefinition>>();
  private backoff: BackoffTable = new Map();
  private readonly agents = new Map<string, AgentInfo>();
  private readonly killsSent = new Map<string, number>();
  /** when each task still running was first asked to die (for "not terminating" reasons) */
  private readonly firstKill = new Map<string, number>();
  /** the last task failure per app and when it happened (for deployment reasons) */
  private readonly lastFailures = new Map<string, { failure: { taskId: string; state: string; message: string }; atMs: number }>();
  /** Pacer-side health checks of this term (issue 7) */
  private health: HealthMonitor | undefined;
  private lastHealthPlanMs = 0;
  /** readiness checks of new instances during deployments (reference §3.3) */
  private readonly readiness: ReadinessChecker;
  /** per plan: what was last written as its status, and when */
  private readonly statusWritten = new Map<string, { key: string; atMs: number }>();

  private offers: Offer[] = [];
  private updates: PendingUpdate[] = [];
  private failures: TaskFailure[] = [];
  private dirtyApps = new Set<string>();
  private reloadAll = false;
  private needsEval = false;
  private lastEvalMs = 0;
  private lastScaleAllMs = 0;
  private lastReconcileMs = 0;
  private subscribed = false;
  private suppressed = false;
  private lastReviveMs = -Infinity;
  private reviveWanted = false;
  private cursor = 0;
  private started = false;
  private stopped = false;
  private chain: Promise<void> = Promise.resolve();
  private kicked = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly driver: MesosPort,
    private readonly store: SchedulerStore,
    private readonly settings: SchedulerSettings,
    private readonly log: SchedulerLog,
    private readonly now: () => number = Date.now,
    private readonly metrics?: SchedulerMetrics,
    private readonly events?: SchedulerEvents,
    /** builds the term's Pacer-side health checking (absent: no HTTP/TCP checks are run) */
    private readonly healthFactory?: (onChange: (instanceIds: string[]) => void) => HealthMonitor,
  ) {
    this.readiness = new ReadinessChecker({
      now,
      log,
      onChange: () => {
        this.needsEval = true;
        this.evalForced = true;
        this.kick();
      },
    });
  }

  // ------------------------------------------------------------------ lifecycle

  /** Load the term's state from Postgres; call before the driver's events are delivered. */
  async start(): Promise<void> {
    const t0 = this.now();
    const [instances, apps, deployments] = await Promise.all([this.store.loadInstances(), this.store.loadApps(), this.store.loadDeployments()]);
    this.tracker.load(instances, this.now());
    this.setApps(apps);
    this.setDeployments(deployments);
    await this.learnConfigs(instances);
    if (this.healthFactory !== undefined) {
      this.health = this.healthFactory((ids) => this.healthChanged(ids));
      this.health.load(await this.store.loadHealth());
    }
    this.started = true;
    // An earlier leader may have died between a write and its announcement: every replica drops the
    // task status it cached ('*' = RESET_ALL on the status channel).
    this.store.announceStatus(['*']);
    this.needsEval = true;
    this.lastScaleAllMs = this.now();
    this.log.info(`scheduler loaded ${instances.length} instances, ${this.apps.size} apps, ${deployments.length} deployments in ${this.now() - t0} ms`);
    this.timer = setInterval(() => this.tick(), this.settings.tickMs);
    this.timer.unref();
    this.kick();
  }

  /** Stop taking work; the current job finishes (bounded by its calls' timeouts). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.evalTimer) clearTimeout(this.evalTimer);
    this.readiness.stop();
    await this.chain;
    await this.health?.stop();
  }

  /** The term's health monitor (metrics). */
  get healthMonitor(): HealthMonitor | undefined {
    return this.health;
  }

  isActive(): boolean {
    return this.started && !this.stopped;
  }

  /** Wait for the jobs queued so far (tests, shutdown). */
  idle(): Promise<void> {
    return this.chain;
  }

  // ------------------------------------------------------------------ inputs

  /** The driver's listener: never blocks the event stream (work is queued and bounded). */
  onEvent(e: SchedulerEvent): void {
    switch (e.type) {
      case 'subscribed':
        return this.subscribedEvent();
      case 'offers':
        return this.offersEvent(e.offers);
      case 'rescind':
        return this.rescindEvent(e.offerId);
      case 'update':
        return this.updateEvent(e.status);
      case 'disconnected':
        return this.disconnectedEvent();
      case 'error':
        this.log.error(`mesos: ${e.message}${e.fatal ? ' (driver stopped)' : ''}`);
        return;
      case 'failure':
        this.log.warn(`mesos reports a failure on agent ${e.agentId ?? '?'}${e.status !== undefined ? ` (status ${e.status})` : ''}`);
        return;
    }
  }

  subscribedEvent(): void {
    this.exclusive(async () => {
      this.subscribed = true;
      this.suppressed = false;
      this.lastReviveMs = -Infinity;
      // A new subscription: no ACCEPT of this term is in flight, so every stored launch is asked about.
      await this.reconcileAll(true);
      await this.offerInterest(true);
    });
  }

  disconnectedEvent(): void {
    this.subscribed = false;
    this.offers = [];
  }

  offersEvent(offers: readonly Offer[]): void {
    for (const o of offers) {
      if (this.offers.length >= MAX_PENDING_OFFERS) {
        // Too many held: give it back at once without a filter (Marathon does the same).
        void this.driver.decline([o.id.value]).catch(() => undefined);
        continue;
      }
      this.offers.push(o);
    }
    this.kick();
  }

  rescindEvent(offerId: string): void {
    this.offers = this.offers.filter((o) => o.id.value !== offerId);
  }

  updateEvent(status: TaskStatus): void {
    // Dropping is safe: an unacknowledged update is sent again by Mesos.
    if (this.updates.length >= MAX_PENDING_UPDATES) return;
    this.updates.push({ status });
    this.kick();
  }

  /** An app's stored definition or deployments changed (change feed). */
  appChanged(appId: string): void {
    this.dirtyApps.add(appId);
    this.kick();
  }

  /** Notifications may have been missed: reload every app and deployment. */
  resetApps(): void {
    this.reloadAll = true;
    this.kick();
  }

  // ------------------------------------------------------------------ SchedulerControl

  queue(): QueueEntry[] {
    const nowMs = this.now();
    const out: QueueEntry[] = [];
    for (const [appId, ids] of this.tracker.waitingApps()) {
      const app = this.apps.get(appId);
      if (app === undefined || ids.size === 0) continue;
      const left = timeLeftMs(delayFor(this.backoff, appId, configVersionOf(app)), nowMs);
      const s = this.stats.summary(appId);
      out.push({
        appId,
        appVersion: app.version ?? '',
        count: ids.size,
        since: new Date(this.tracker.waitingSinceMs(appId) ?? nowMs).toISOString(),
        timeLeftSeconds: Math.ceil(left / 1000),
        overdue: left === 0,
        ...s,
      });
    }
    return out.sort((a, b) => (a.appId < b.appId ? -1 : a.appId > b.appId ? 1 : 0));
  }

  resetDelay(appId: string): boolean {
    if (this.tracker.waitingCount(appId) === 0) return false;
    this.backoff = resetDelay(this.backoff, appId);
    this.reviveWanted = true;
    this.kick();
    return true;
  }

  killInstances(instanceIds: readonly string[], wipe: boolean): Promise<void> {
    return this.exclusive(async () => {
      const nowIso = this.iso();
      const kills: Array<[string, string | undefined]> = [];
      for (const id of instanceIds) {
        const x = this.tracker.get(id);
        if (x === undefined) continue;
        if (wipe) {
          this.applyResult(x, setGoal(x, 'decommissioned'), nowIso, kills);
          this.markScale(x.appId, true);
        } else if (x.taskId !== undefined && isActive(x)) {
          kills.push([x.taskId, x.agentId]);
        }
      }
      await this.flush();
      await this.sendKills(kills);
    });
  }

  // ------------------------------------------------------------------ the job loop

  private exclusive(job: () => Promise<void>): Promise<void> {
    const run = this.chain.then(async () => {
      if (this.stopped) return;
      try {
        await job();
      } catch (e) {
        this.log.error(`scheduler job failed: ${(e as Error).stack ?? String(e)}`);
      }
    });
    this.chain = run;
    return run;
  }

  /** Schedule one pass over everything pending (coalesced). */
  private kick(): void {
    if (this.kicked || !this.started || this.stopped) return;
    this.kicked = true;
    setImmediate(() => {
      this.kicked = false;
      void this.exclusive(() => this.pass());
    });
  }

  private tick(): void {
    void this.exclusive(async () => {
      await this.housekeeping();
      await this.pass();
    });
  }

  /** Apply pending updates, app changes and offers, until nothing is pending. */
  private async pass(): Promise<void> {
    for (let rounds = 0; rounds < 100 && !this.stopped; rounds++) {
      let worked = false;
      if (this.updates.length > 0) {
        await this.applyUpdates();
        worked = true;
      }
      if (this.reloadAll || this.dirtyApps.size > 0) {
        await this.reloadApps();
        worked = true;
      }
      for (const id of this.tracker.takeTouchedApps()) this.markScale(id, false);
      if (this.needsEval) {
        const wait = DEPLOYMENT_EVAL_MS - (this.now() - this.lastEvalMs);
        if (this.evalForced || wait <= 0) {
          await this.evaluate();
          worked = true;
        } else if (!this.evalTimer) {
          this.evalTimer = setTimeout(() => {
            this.evalTimer = undefined;
            this.kick();
          }, wait);
        }
      }
      if (this.offers.length > 0 && this.subscribed) {
        await this.processOffers();
        worked = true;
      }
      await this.offerInterest(false);
      if (!worked) return;
    }
  }

  /** Bring this app to its count soon (outside deployments); `force` skips the evaluation throttle. */
  private markScale(appId: string, force: boolean): void {
    this.pendingScale.add(appId);
    this.needsEval = true;
    if (force) this.evalForced = true;
  }

  private evalForced = false;
  private evalTimer: NodeJS.Timeout | undefined;

  // ------------------------------------------------------------------ status updates

  private async applyUpdates(): Promise<void> {
    const batch = this.updates;
    this.updates = [];
    const nowIso = this.iso();
    const kills: Array<[string, string | undefined]> = [];
    for (const { status } of batch) {
      const taskId = status.task_id.value;
      const x = this.tracker.byTaskId(taskId) ?? this.instanceOfTask(taskId);
      if (x === undefined) {
        // Not ours (any more): a task that still runs is killed (reference §4.3, orphan tasks).
        if (!isTerminalState(status.state) && status.state !== 'TASK_UNREACHABLE') kills.push([taskId, status.agent_id?.value]);
        continue;
      }
      const app = this.apps.get(x.appId);
      const r = applyStatus(
        x,
        {
          taskId,
          state: status.state as MesosTaskState,
          ...(status.reason !== undefined ? { reason: status.reason } : {}),
          ...(status.message !== undefined ? { message: status.message } : {}),
          ...(status.healthy !== undefined ? { healthy: status.healthy } : {}),
          ...(status.agent_id !== undefined ? { agentId: status.agent_id.value } : {}),
          ...(status.unreachable_time !== undefined ? { unreachableTime: new Date(status.unreachable_time.nanoseconds / 1e6).toISOString() } : {}),
        },
        nowIso,
        app?.unreachableStrategy ?? 'disabled',
      );
      this.applyResult(x, r, nowIso, kills);
      if (this.events !== undefined && this.events.subscriberCount > 0 && r.ignored === undefined) {
        this.events.publish(statusUpdateOf(r.instance, { taskId, state: status.state as MesosTaskState, message: status.message, agentId: status.agent_id?.value }, nowIso));
        if (r.instance.state !== x.state) this.events.publish(instanceChanged(r.instance, nowIso));
      }
      if (isTerminalState(r.instance.state)) {
        this.killsSent.delete(taskId);
        this.firstKill.delete(taskId);
      }
    }
    this.metrics?.updates(batch.length);
    await this.flush();
    // Persisted: now Mesos may forget them.
    await this.inParallel(
      batch.filter((u) => u.status.uuid !== undefined && u.status.uuid.length > 0),
      (u) => this.driver.acknowledge(u.status).then(() => undefined),
    );
    await this.sendKills(kills);
    await this.writeFailures();
  }

  /** The instance of an older incarnation's task id (stale updates are routed to their instance). */
  private instanceOfTask(taskId: string): Instance | undefined {
    const parsed = parseTaskId(taskId);
    return parsed.ok ? this.tracker.get(parsed.value.instanceId) : undefined;
  }

  /** Store the reducer's record and carry out its effects (kills are collected for after the write). */
  private applyResult(before: Instance, r: ApplyResult, nowIso: string, kills: Array<[string, string | undefined]>): void {
    const nowMs = Date.parse(nowIso);
    if (r.instance !== before) this.tracker.put(r.instance, nowMs);
    for (const e of r.effects) this.effect(r.instance, e, nowMs, kills);
  }

  private effect(x: Instance, e: InstanceEffect, nowMs: number, kills: Array<[string, string | undefined]>): void {
    switch (e.kind) {
      case 'kill':
        kills.push([e.taskId, x.agentId]);
        return;
      case 'expunge':
        this.tracker.remove(x.instanceId);
        if (x.taskId !== undefined) {
          this.killsSent.delete(x.taskId);
          this.firstKill.delete(x.taskId);
        }
        this.markScale(x.appId, false);
        return;
      case 'schedule-replacement':
        this.markScale(x.appId, false);
        return;
      case 'relaunch':
        this.reviveWanted = true;
        return;
      case 'record-task-failure':
        if (this.failures.length < 10_000) this.failures.push(e.failure);
        this.lastFailures.set(x.appId, { failure: { taskId: e.failure.taskId, state: e.failure.state, message: e.failure.message }, atMs: nowMs });
        return;
      case 'backoff-failure':
      case 'backoff-progress': {
        const app = this.apps.get(x.appId);
        if (app === undefined || !this.runsCurrentConfig(x, app)) return;
        const config = configVersionOf(app);
        this.backoff =
          e.kind === 'backoff-failure'
            ? recordFailure(this.backoff, app.id, config, backoffStrategyOf(app), nowMs)
            : recordProgress(this.backoff, app.id, config, nowMs);
        return;
      }
    }
  }

  private async writeFailures(): Promise<void> {
    if (this.failures.length === 0) return;
    const f = this.failures;
    this.failures = [];
    try {
      await this.store.recordFailures(f);
    } catch (e) {
      this.log.warn(`recording ${f.length} task failures: ${(e as Error).message}`);
      return;
    }
    this.store.announceStatus(new Set(f.map((x) => x.appId)));
  }

  /** Write every changed record; on failure keep them pending and rethrow (nothing external happens). */
  private async flush(): Promise<void> {
    if (this.tracker.pendingWrites === 0) {
      await this.flushHealth(); // verdicts change without any instance record changing
      return;
    }
    const changes = this.tracker.takeChanges();
    const apps = this.tracker.takeWrittenApps();
    try {
      await this.store.writeInstances(changes.upserts, changes.deletes);
    } catch (e) {
      this.tracker.restoreChanges(changes, apps);
      throw e;
    }
    this.store.announceStatus(apps);
    await this.flushHealth();
  }

  /** Health verdicts changed since the last write (after the instance records they belong to). */
  private async flushHealth(): Promise<void> {
    if (this.health === undefined) return;
    const w = this.health.takeDirty();
    if (w.upserts.length === 0 && w.deletes.length === 0) return;
    try {
      await this.store.writeHealth(w.upserts, w.deletes);
    } catch (e) {
      this.health.restoreDirty(w);
      this.log.warn(`writing health: ${(e as Error).message}`);
      return;
    }
    this.store.announceStatus(w.appIds);
  }

  /** The monitor's aggregate verdicts flipped: carry them into the instance records (instances.healthy). */
  private healthChanged(instanceIds: string[]): void {
    void this.exclusive(async () => {
      const health = this.health;
      if (health === undefined) return;
      const nowMs = this.now();
      for (const id of instanceIds) {
        const x = this.tracker.get(id);
        const app = x === undefined ? undefined : this.apps.get(x.appId);
        if (x === undefined || app === undefined || pacerSideChecks(app).length === 0) continue;
        const h = health.healthOf(id);
        if (x.healthy === h) continue;
        const next: Instance = h === undefined ? withoutHealthy(x) : { ...x, healthy: h };
        this.tracker.put(next, nowMs);
        if (this.events !== undefined && this.events.subscriberCount > 0) this.events.publish(instanceHealthChanged(next, h, new Date(nowMs).toISOString()));
        this.markScale(x.appId, false);
      }
      await this.flush();
    });
  }

  /** ~1/s: health kills and replacements as the monitor plans them (breaker and rate limit applied). */
  private applyHealthPlan(nowIso: string, kills: Array<[string, string | undefined]>): void {
    const health = this.health;
    if (health === undefined) return;
    const nowMs = Date.parse(nowIso);
    for (const a of health.plan().actions) {
      const app = this.apps.get(a.appId);
      const x = this.tracker.get(a.instanceId);
      if (app === undefined || x === undefined) continue;
      if (a.backoff) this.backoff = recordFailure(this.backoff, app.id, configVersionOf(app), backoffStrategyOf(app), nowMs);
      if (a.kind === 'start-replacement') {
        const id = formatInstanceId(app.id, randomUUID());
        this.tracker.put(newInstance({ instanceId: id, appId: app.id, appVersion: app.version ?? nowIso, now: nowIso }), nowMs);
        health.replacementStarted(a.instanceId, id);
        this.reviveWanted = true;
      } else if (a.relaunch) {
        kills.push([a.taskId, x.agentId]);
      } else {
        this.applyResult(x, setGoal(x, 'decommissioned'), nowIso, kills);
      }
      this.markScale(app.id, true);
    }
  }

  // ------------------------------------------------------------------ apps and deployments

  private setApps(apps: Map<string, AppDefinition | null>): void {
    const next = new Map<string, AppDefinition>();
    for (const [id, app] of apps) if (app !== null) next.set(id, app);
    this.apps = next;
    for (const app of next.values()) this.configs.set(`${app.id} ${app.version ?? ''}`, configVersionOf(app));
  }

  private setDeployments(deployments: Deployment<AppDefinition>[]): void {
    this.deployments = deployments;
    this.locked = new Map();
    for (const d of deployments) for (const id of d.affectedApps) this.locked.set(id, d);
  }

  private async learnConfigs(instances: readonly Instance[]): Promise<void> {
    const pairs = new Map<string, [string, string]>();
    for (const x of instances) {
      const key = `${x.appId} ${x.appVersion}`;
      if (!this.configs.has(key)) pairs.set(key, [x.appId, x.appVersion]);
    }
    if (pairs.size === 0) return;
    const found = await this.store.configVersions([...pairs.values()]);
    for (const [k, v] of found) this.configs.set(k, v);
  }

  private async reloadApps(): Promise<void> {
    const all = this.reloadAll;
    const ids = [...this.dirtyApps];
    this.reloadAll = false;
    this.dirtyApps = new Set();
    try {
      const [apps, deployments] = await Promise.all([this.store.loadApps(all ? undefined : ids), this.store.loadDeployments()]);
      if (all) {
        this.setApps(apps);
      } else {
        for (const [id, app] of apps) {
          if (app === null) {
            this.apps.delete(id);
          } else {
            const before = this.apps.get(id);
            this.apps.set(id, app);
            this.configs.set(`${app.id} ${app.version ?? ''}`, configVersionOf(app));
            if (before !== undefined && configVersionOf(before) !== configVersionOf(app)) this.reviveWanted = true;
          }
        }
      }
      this.setDeployments(deployments);
    } catch (e) {
      // Try again on the next pass.
      if (all) this.reloadAll = true;
      for (const id of ids) this.dirtyApps.add(id);
      throw e;
    }
    for (const id of all ? this.apps.keys() : ids) this.markScale(id, true);
  }

  /** apps to bring to their count outside deployments at the next evaluation */
  private pendingScale = new Set<string>();

  /**
   * Drive every stored plan (current step's actions), then keep apps outside deployments at their
   * count (changed apps at once, all of them every scaleAppsInterval), then stop orphans.
   */
  private async evaluate(): Promise<void> {
    this.needsEval = false;
    this.evalForced = false;
    this.lastEvalMs = this.now();
    const nowIso = this.iso();
    const kills: Array<[string, string | undefined]> = [];
    const finished: Deployment<AppDefinition>[] = [];
    const progressed: Array<[string, number]> = [];

    const nowMs = Date.parse(nowIso);
    this.trackReadiness();
    if (this.health !== undefined) {
      const checked: Array<{ app: AppDefinition; instances: Instance[] }> = [];
      for (const app of this.apps.values()) if (pacerSideChecks(app).length > 0) checked.push({ app, instances: this.tracker.ofApp(app.id) });
      this.health.sync(checked);
    }
    const statuses: Array<[Deployment<AppDefinition>, StepStatus]> = [];
    for (const d of this.deployments) {
      let step = Math.max(1, d.currentStep);
      let decisions: Array<[DeploymentAction, ConvergeDecision]> = [];
      while (step <= d.steps.length) {
        decisions = d.steps[step - 1].actions.map((action) => [action, this.convergeApp(action.app, modeOf(action), action, nowIso, kills)]);
        if (!decisions.every(([, x]) => x.done)) break;
        step++;
      }
      if (step > d.steps.length) {
        finished.push(d);
        continue;
      }
      if (step !== d.currentStep) progressed.push([d.id, step]);
      statuses.push([d, this.stepStatus(d, step, decisions, nowIso)]);
    }

    const scaleAll = this.now() - this.lastScaleAllMs >= this.settings.scaleAppsIntervalSeconds * 1000;
    if (scaleAll) this.lastScaleAllMs = this.now();
    const toScale = scaleAll ? new Set([...this.apps.keys(), ...this.tracker.appIds()]) : this.pendingScale;
    this.pendingScale = new Set();
    for (const appId of toScale) {
      if (this.locked.has(appId)) continue;
      const app = this.apps.get(appId);
      // Instances of an app that no longer exists (and no plan stops them): stop them.
      this.convergeApp(appId, app === undefined ? 'StopApplication' : 'Maintain', undefined, nowIso, kills);
    }

    await this.flush();
    await this.sendKills(kills);

    // Batched: with thousands of plans (one per created app), per-plan statements or list rebuilds
    // would make every evaluation O(plans²) or thousands of round trips.
    const moved = new Set(progressed.map(([id]) => id));
    const byId = new Map(this.deployments.map((d) => [d.id, d]));
    for (const [id, step] of progressed) {
      const d = byId.get(id);
      if (d !== undefined) this.publishStepEvents(d, d.currentStep, step, nowIso);
    }
    const writes: Array<{ id: string; step: number; status: StepStatus }> = [];
    const updated = new Map<string, Deployment<AppDefinition>>();
    const movedApps = new Set<string>();
    for (const [d, status] of statuses) {
      // Shown by every replica: written when the step moves, else when it changed (≤ 1/s per plan).
      const key = JSON.stringify(status.actions);
      const last = this.statusWritten.get(d.id);
      if (!moved.has(d.id) && last !== undefined && (last.key === key || nowMs - last.atMs < STATUS_WRITE_MS)) continue;
      this.statusWritten.set(d.id, { key, atMs: nowMs });
      updated.set(d.id, { ...d, currentStep: status.step, status: 'running', stepStatus: status });
      writes.push({ id: d.id, step: status.step, status });
      if (moved.has(d.id)) for (const a of d.affectedApps) movedApps.add(a);
    }
    if (updated.size > 0) this.setDeployments(this.deployments.map((x) => updated.get(x.id) ?? x));
    if (writes.length > 0) await this.store.saveProgress(writes);
    if (movedApps.size > 0) this.store.announce([...movedApps]);
    if (finished.length > 0) {
      const ids = new Set(finished.map((d) => d.id));
      this.setDeployments(this.deployments.filter((d) => !ids.has(d.id)));
      for (const id of ids) this.statusWritten.delete(id);
      const affected = new Set<string>();
      for (const d of finished) {
        this.publishStepEvents(d, d.currentStep, d.steps.length + 1, nowIso);
        for (const a of d.affectedApps) affected.add(a);
      }
      const existed = await this.store.finishDeployments([...ids]);
      if (existed.size > 0) this.log.info(`${existed.size} deployment(s) finished`);
      this.store.announce([...affected]);
    }
  }

  /**
   * deployment_info when a step starts, deployment_step_success for each step passed, and
   * deployment_success (plus app_terminated_event for stopped apps) when the plan is done.
   * `from` 0 = the plan had not started; `to` > steps = done.
   */
  private publishStepEvents(d: Deployment<AppDefinition>, from: number, to: number, nowIso: string): void {
    if (this.events === undefined || this.events.subscriberCount === 0) return;
    for (let step = Math.max(1, from); step < to && step <= d.steps.length; step++) {
      if (step > from) this.events.publish(deploymentInfo(d, nowIso, step)); // entered and passed in one evaluation
      this.events.publish(deploymentStepSuccess(d, nowIso, step));
      for (const a of d.steps[step - 1].actions) if (a.action === 'StopApplication') this.events.publish(appTerminated(a.app, nowIso));
    }
    if (to > d.steps.length) this.events.publish(deploymentSuccess(d, nowIso));
    else this.events.publish(deploymentInfo(d, nowIso, to));
  }

  /** A new instance passed its app's readiness checks (true when the app has none; old ones are not asked). */
  private isReadyFor(x: Instance, app: AppDefinition): boolean {
    return app.readinessChecks.length === 0 || !this.runsCurrentConfig(x, app) || this.readiness.isReady(x.instanceId);
  }

  /** Readiness is polled for the running new instances of every app a current step acts on. */
  private trackReadiness(): void {
    const targets: ReadinessTarget[] = [];
    for (const d of this.deployments) {
      const step = d.steps[Math.max(1, d.currentStep) - 1];
      for (const action of step?.actions ?? []) {
        const app = this.apps.get(action.app);
        if (app === undefined || app.readinessChecks.length === 0 || action.action === 'StopApplication') continue;
        for (const x of this.tracker.ofApp(action.app)) {
          if (x.goal !== 'running' || x.state !== 'TASK_RUNNING' || x.taskId === undefined || x.host === undefined || !this.runsCurrentConfig(x, app)) continue;
          targets.push({ instanceId: x.instanceId, taskId: x.taskId, app, host: x.host, hostPorts: x.hostPorts });
        }
      }
    }
    this.readiness.track(targets);
  }

  /** The current step of a plan as shown by /v2/deployments: progress and reasons per action. */
  private stepStatus(d: Deployment<AppDefinition>, step: number, decisions: ReadonlyArray<[DeploymentAction, ConvergeDecision]>, nowIso: string): StepStatus {
    const nowMs = Date.parse(nowIso);
    const stepStartedAt = step === d.currentStep && d.stepStatus?.step === step ? d.stepStatus.stepStartedAt : nowIso;
    const startedMs = Date.parse(stepStartedAt);
    const actions: ActionStatus[] = decisions.map(([action, decision]) => {
      const app = this.apps.get(action.app);
      const instances = this.tracker.ofApp(action.app);
      const current = app === undefined ? [] : instances.filter((x) => x.goal === 'running' && this.runsCurrentConfig(x, app));
      const unhealthy = app === undefined ? [] : current.filter((x) => x.state === 'TASK_RUNNING' && !isHealthyEnough(x, app)).map((x) => ({ taskId: x.taskId ?? x.instanceId }));
      const notReady = app === undefined ? 0 : current.filter((x) => isHealthyEnough(x, app) && !this.isReadyFor(x, app)).length;
      const readinessCheckResults = app === undefined || app.readinessChecks.length === 0 ? [] : current.flatMap((x) => this.readiness.results(x.instanceId));
      const offers = this.stats.summary(action.app);
      const failure = this.lastFailures.get(action.app);
      let oldestTerminating = 0;
      for (const x of instances) {
        const at = x.goal !== 'running' && x.taskId !== undefined ? this.firstKill.get(x.taskId) : undefined;
        if (at !== undefined) oldestTerminating = Math.max(oldestTerminating, (nowMs - at) / 1000);
      }
      const facts: ActionFacts = {
        progress: decision.progress,
        done: decision.done,
        backoffSecondsLeft: app === undefined ? 0 : timeLeftMs(delayFor(this.backoff, app.id, configVersionOf(app)), nowMs) / 1000,
        offerReasons: offers.rejectSummaryLastOffers,
        offersProcessed: offers.rejectSummaryLastOffers[0]?.processed ?? 0,
        agents: this.agents.size,
        agentsRuledOutByConstraints: this.stats.agentsRuledOut(action.app),
        unhealthy,
        notReady,
        ...(failure !== undefined && failure.atMs >= startedMs ? { lastFailure: failure.failure } : {}),
        oldestTerminatingSeconds: oldestTerminating,
      };
      return { action: action.action, app: action.app, progress: { ...decision.progress }, reasons: reasonsFor(facts), readinessCheckResults };
    });
    return { step, stepStartedAt, updatedAt: nowIso, actions };
  }

  private replaceDeployment(d: Deployment<AppDefinition>): void {
    this.setDeployments(this.deployments.map((x) => (x.id === d.id ? d : x)));
  }

  /** One app, one mode: apply the core's decision (goal changes, new instances). */
  private convergeApp(appId: string, mode: ConvergeMode, action: DeploymentAction | undefined, nowIso: string, kills: Array<[string, string | undefined]>): ConvergeDecision {
    const app = mode === 'StopApplication' ? undefined : this.apps.get(appId);
    // A sentenced instance whose replacement stands in does not count toward `instances`.
    const standIns = mode === 'StopApplication' ? undefined : this.health?.standIns(appId);
    const all = this.tracker.ofApp(appId);
    const instances = standIns === undefined || standIns.size === 0 ? all : all.filter((x) => !standIns.has(x.instanceId));
    const decision = converge({
      mode,
      app,
      instances,
      isCurrent: (x) => app !== undefined && (isScheduled(x) || this.runsCurrentConfig(x, app)),
      isHealthy: (x) => app !== undefined && isHealthyEnough(x, app) && (action === undefined || this.isReadyFor(x, app)),
      ...(action?.sentenced !== undefined ? { sentenced: action.sentenced } : {}),
    });
    const nowMs = Date.parse(nowIso);
    for (const x of decision.decommission) {
      const current = this.tracker.get(x.instanceId) ?? x;
      this.applyResult(current, setGoal(current, 'decommissioned'), nowIso, kills);
    }
    if (decision.toStart > 0 && app !== undefined) {
      for (let i = 0; i < decision.toStart; i++) {
        this.tracker.put(newInstance({ instanceId: formatInstanceId(appId, randomUUID()), appId, appVersion: app.version ?? nowIso, now: nowIso }), nowMs);
      }
      this.reviveWanted = true;
    }
    if (mode === 'StopApplication' && decision.decommission.length > 0) this.backoff = resetDelay(this.backoff, appId);
    if (this.tracker.waitingCount(appId) === 0) this.stats.forget(appId);
    return decision;
  }

  private runsCurrentConfig(x: Instance, app: AppDefinition): boolean {
    const config = this.configs.get(`${x.appId} ${x.appVersion}`);
    return config !== undefined && config === configVersionOf(app);
  }

  // ------------------------------------------------------------------ offers

  private async processOffers(): Promise<void> {
    const offers = this.offers;
    this.offers = [];
    const nowMs = this.now();
    const nowIso = new Date(nowMs).toISOString();
    const groups: WaitingGroup[] = [];
    for (const [appId, ids] of this.tracker.waitingApps()) {
      const app = this.apps.get(appId);
      if (app === undefined || ids.size === 0) continue;
      groups.push({ key: appId, app, count: ids.size, ready: isReady(delayFor(this.backoff, appId, configVersionOf(app)), nowMs) });
    }
    groups.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const wanted = groups.some((g) => g.ready !== false);

    const launches: Array<{ offer: Offer; tasks: TaskInfo[]; provisioned: Array<[Instance, Instance]> }> = [];
    const declines: string[] = [];
    for (const offer of offers) {
      const core = toCoreOffer(offer);
      this.agents.set(core.agentId, { hostname: core.hostname, attributes: core.attributes });
      if (!wanted) {
        declines.push(core.id);
        continue;
      }
      const result = matchOffer({
        offer: core,
        groups,
        placed: this.placedFor(groups),
        maxInstancesPerOffer: this.settings.maxInstancesPerOffer,
        random: Math.random,
        cursor: this.cursor,
        frameworkRole: this.settings.frameworkRole,
      });
      this.cursor = result.nextCursor;
      for (const rej of result.rejections) this.stats.unused(rej.key, core, rej.reasons, nowMs);
      if (result.launches.length === 0) {
        declines.push(core.id);
        continue;
      }
      const tasks: TaskInfo[] = [];
      const provisioned: Array<[Instance, Instance]> = [];
      const used = new Set<string>();
      for (const launch of result.launches) {
        const gi = groups.findIndex((g) => g.key === launch.key);
        const app = groups[gi].app;
        const waiting = this.tracker.waitingApps().get(launch.appId);
        const id = waiting?.values().next().value;
        const before = id === undefined ? undefined : this.tracker.get(id);
        if (before === undefined) continue;
        const x = provision(before, { agentId: core.agentId, host: core.hostname, hostPorts: launch.hostPorts, appVersion: app.version ?? before.appVersion }, nowIso);
        this.tracker.put(x, nowMs);
        this.configs.set(`${x.appId} ${x.appVersion}`, configVersionOf(app));
        provisioned.push([before, x]);
        groups[gi] = { ...groups[gi], count: groups[gi].count - 1 };
        tasks.push(buildTaskInfo({ app, taskId: x.taskId as string, agentId: core.agentId, hostname: core.hostname, launch, allocationRole: offer.allocation_info?.role }));
        used.add(launch.appId);
      }
      for (const a of used) this.stats.used(a, nowMs, core.agentId);
      if (tasks.length === 0) declines.push(core.id);
      else launches.push({ offer, tasks, provisioned });
    }

    // Provisioned records first: a launch Pacer has not stored must never reach Mesos.
    try {
      await this.flush();
    } catch (e) {
      for (const l of launches) for (const [before] of l.provisioned) this.tracker.put(before, nowMs);
      this.tracker.takeChanges(); // the reverted records equal what is stored
      await this.driver.decline([...declines, ...launches.map((l) => l.offer.id.value)]).catch(() => undefined);
      throw e;
    }
    const stillWaiting = groups.some((g) => g.count > 0 && g.ready !== false);
    const refuse = !wanted ? IDLE_REFUSE_SECONDS : stillWaiting ? 0 : this.settings.declineOfferDurationSeconds;
    await this.inParallel(launches, async (l) => {
      try {
        await this.driver.launch([l.offer.id.value], l.tasks, refuse);
        this.metrics?.launched(l.tasks.length);
      } catch (e) {
        this.log.warn(`launching ${l.tasks.length} tasks on ${l.offer.hostname} failed: ${(e as Error).message}`);
        // Mesos never got them: back to the queue (as a dropped launch, without backoff).
        for (const [, x] of l.provisioned) this.dropLaunch(x.instanceId, String((e as Error).message));
      }
    });
    if (declines.length > 0) {
      await this.driver.decline(declines, !wanted ? IDLE_REFUSE_SECONDS : this.settings.declineOfferDurationSeconds).catch((e: Error) => this.log.warn(`decline: ${e.message}`));
    }
    this.metrics?.offers(launches.length, declines.length);
    await this.flush();
  }

  private dropLaunch(instanceId: string, message: string): void {
    const x = this.tracker.get(instanceId);
    if (x === undefined || x.state !== 'provisioned' || x.taskId === undefined) return;
    const r = applyStatus(x, { taskId: x.taskId, state: 'TASK_DROPPED', message: `launch not sent: ${message}` }, this.iso());
    this.tracker.put(r.instance, this.now());
    this.reviveWanted = true;
  }

  /** Agents of the active instances of each constrained waiting app (what constraints compare with). */
  private placedFor(groups: readonly WaitingGroup[]): Record<string, AgentInfo[]> | undefined {
    let placed: Record<string, AgentInfo[]> | undefined;
    for (const g of groups) {
      if (g.app.constraints.length === 0) continue;
      placed ??= {};
      placed[g.key] = this.tracker
        .ofApp(g.app.id)
        .filter((x) => isActive(x) && x.goal === 'running')
        .map((x) => (x.agentId !== undefined ? this.agents.get(x.agentId) : undefined) ?? { hostname: x.host ?? '', attributes: [] });
    }
    return placed;
  }

  /** SUPPRESS when nothing can be launched; REVIVE (rate-limited) when something starts waiting. */
  private async offerInterest(force: boolean): Promise<void> {
    if (!this.subscribed || !this.driver.isSubscribed) return;
    const nowMs = this.now();
    let wanted = false;
    for (const [appId] of this.tracker.waitingApps()) {
      const app = this.apps.get(appId);
      if (app !== undefined && isReady(delayFor(this.backoff, appId, configVersionOf(app)), nowMs)) {
        wanted = true;
        break;
      }
    }
    try {
      if (!wanted) {
        this.reviveWanted = false;
        if (!this.suppressed || force) {
          await this.driver.suppress();
          this.suppressed = true;
        }
        return;
      }
      if (!this.suppressed && !this.reviveWanted && !force) return;
      if (nowMs - this.lastReviveMs < this.settings.minReviveOffersIntervalMs) return; // the tick retries
      this.lastReviveMs = nowMs;
      this.reviveWanted = false;
      this.suppressed = false;
      await this.driver.revive();
    } catch (e) {
      this.log.warn(`offer interest: ${(e as Error).message}`);
    }
  }

  // ------------------------------------------------------------------ time-driven checks

  private async housekeeping(): Promise<void> {
    const nowMs = this.now();
    const nowIso = new Date(nowMs).toISOString();
    const kills: Array<[string, string | undefined]> = [];
    this.backoff = forgetExpired(this.backoff, nowMs);
    // An app whose backoff just ran out is wanted again: offers declined meanwhile must come back.
    const ready = new Set<string>();
    for (const [appId] of this.tracker.waitingApps()) {
      const app = this.apps.get(appId);
      if (app !== undefined && isReady(delayFor(this.backoff, appId, configVersionOf(app)), nowMs)) ready.add(appId);
    }
    for (const a of ready) if (!this.readyLastTick.has(a)) this.reviveWanted = true;
    this.readyLastTick = ready;
    if (this.health !== undefined && nowMs - this.lastHealthPlanMs >= HEALTH_PLAN_MS) {
      this.lastHealthPlanMs = nowMs;
      this.applyHealthPlan(nowIso, kills);
    }
    const timeouts = { launchConfirmTimeoutSeconds: this.settings.taskLaunchConfirmTimeoutSeconds, launchTimeoutSeconds: this.settings.taskLaunchTimeoutSeconds };
    const retryMs = this.settings.killRetrySeconds * 1000;
    for (const x of this.tracker.all()) {
      if (x.taskId === undefined) continue;
      if (x.state === 'TASK_UNREACHABLE' || x.state === 'unreachable-inactive') {
        const app = this.apps.get(x.appId);
        const r = checkUnreachable(x, app?.unreachableStrategy ?? 'disabled', nowIso);
        if (r.instance !== x || r.effects.length > 0) this.applyResult(x, r, nowIso, kills);
        continue;
      }
      if (!isActive(x)) continue;
      const sent = this.killsSent.get(x.taskId);
      if (x.goal !== 'running' && (sent === undefined || nowMs - sent >= retryMs)) {
        kills.push([x.taskId, x.agentId]);
      } else if (isOverdue(x, nowIso, timeouts) && (sent === undefined || nowMs - sent >= retryMs)) {
        this.log.warn(`task ${x.taskId} is ${x.state} for too long: killing it`);
        kills.push([x.taskId, x.agentId]);
      }
    }
    await this.flush();
    await this.sendKills(kills);
    if (this.subscribed && nowMs - this.lastReconcileMs >= this.settings.reconciliationIntervalSeconds * 1000) await this.reconcileAll();
    this.needsEval = true;
    this.evalForced = true;
    if (this.reviveWanted) await this.offerInterest(false);
  }

  private readyLastTick = new Set<string>();

  /** Explicit reconciliation of every task we believe may run, then implicit (reference §4.5). */
  private async reconcileAll(includeFresh = false): Promise<void> {
    const nowMs = this.now();
    this.lastReconcileMs = nowMs;
    const tasks: ReconcileTask[] = [];
    for (const x of this.tracker.all()) {
      if (x.taskId === undefined || !(isActive(x) || x.state === 'unreachable-inactive')) continue;
      if (!includeFresh && x.state === 'provisioned' && nowMs - Date.parse(x.stagedAt ?? x.stateSince) < RECONCILE_PROVISIONED_AFTER_MS) continue;
      tasks.push({ taskId: x.taskId, ...(x.agentId !== undefined ? { agentId: x.agentId } : {}) });
    }
    try {
      for (let i = 0; i < tasks.length; i += RECONCILE_CHUNK) await this.driver.reconcile(tasks.slice(i, i + RECONCILE_CHUNK));
      await this.driver.reconcile([]);
    } catch (e) {
      this.log.warn(`reconciliation: ${(e as Error).message}`);
      this.lastReconcileMs = 0;
    }
  }

  // ------------------------------------------------------------------ helpers

  private async sendKills(kills: Array<[string, string | undefined]>): Promise<void> {
    if (kills.length === 0) return;
    const nowMs = this.now();
    const unique = new Map(kills);
    for (const taskId of unique.keys()) {
      this.killsSent.set(taskId, nowMs);
      if (!this.firstKill.has(taskId)) this.firstKill.set(taskId, nowMs);
    }
    this.metrics?.kills(unique.size);
    await this.inParallel([...unique], async ([taskId, agentId]) => {
      try {
        await this.driver.kill(taskId, agentId);
      } catch (e) {
        this.log.warn(`kill ${taskId}: ${(e as Error).message}`);
      }
    });
  }

  private async inParallel<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < items.length) {
        const item = items[next++];
        try {
          await fn(item);
        } catch (e) {
          this.log.warn(`mesos call failed: ${(e as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CALL_CONCURRENCY, items.length) }, worker));
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }
}

function modeOf(action: DeploymentAction): ConvergeMode {
  return action.action;
}

/**
 * Counts as healthy for deployments, restarts and counts: running with a running goal, and reported
 * healthy when the app has health checks.
 */
export function isHealthyEnough(x: Instance, app: AppDefinition): boolean {
  if (x.state !== 'TASK_RUNNING' || x.goal !== 'running') return false;
  // Mesos-side checks report through TaskStatus.healthy, Pacer-side ones through the HealthMonitor;
  // both end up in the record's `healthy`.
  return app.healthChecks.length === 0 || x.healthy === true;
}

function withoutHealthy(x: Instance): Instance {
  const copy: Partial<Instance> & Pick<Instance, 'instanceId'> = { ...x };
  delete (copy as { healthy?: boolean }).healthy;
  return copy as Instance;
}
