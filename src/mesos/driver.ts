import type { IncomingMessage } from 'node:http';
import { backoffDelayMs, type BackoffPolicy } from './backoff';
import { codecFor, type Codec, type Encoding, type WireCall, type WireEvent, type WireFrameworkInfo } from './codec';
import { resolveRedirect, type MasterDetector } from './detector';
import type { FrameworkIdStore } from './framework-store';
import { HttpPool, openStream, postCall, readSmallBody } from './http';
import type { MesosMetrics } from './metrics';
import { RecordIOReader } from './recordio';
import type { OfferOperation, ReconcileTask, SchedulerEvent, TaskInfo, TaskStatus } from './types';

/**
 * The Mesos v1 scheduler driver (reference §1–§4).
 *
 * Responsibilities: keep one SUBSCRIBE stream to the leading master (detection, 307 redirects, 503
 * and failure retries with capped jittered backoff, heartbeat watchdog), persist the framework id
 * before anything else and reuse it on every resubscription, refuse to register anew when instances
 * exist without a stored id, turn events into typed `SchedulerEvent`s (delivered in order; a
 * listener's promise is awaited before the next event is read), and send calls on pooled
 * connections with timeouts.
 * Not its job: deciding what to launch, persisting task state, reconciliation policy. The caller
 * acknowledges updates (only after persisting them) and chooses what to do with offers.
 */
export interface FrameworkSettings {
  readonly user: string;
  readonly name: string;
  readonly role: string;
  readonly failoverTimeoutSeconds: number;
  readonly hostname?: string;
  readonly webuiUrl?: string;
  readonly principal?: string;
}

export interface DriverLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface DriverOptions {
  readonly framework: FrameworkSettings;
  readonly encoding: Encoding;
  readonly detector: MasterDetector;
  readonly store: FrameworkIdStore;
  /** True when Pacer has instances on record (then a missing framework id is an error, not a fresh start). */
  readonly hasInstances: () => Promise<boolean>;
  readonly metrics?: MesosMetrics;
  readonly log?: DriverLog;
  readonly backoff?: BackoffPolicy;
  /** Timeout of every non-SUBSCRIBE call. */
  readonly callTimeoutMs?: number;
  /** Longest wait for SUBSCRIBE's headers and then its first event. */
  readonly subscribeTimeoutMs?: number;
  /** Longest wait for the detector to name a master before backing off. */
  readonly detectTimeoutMs?: number;
  /** Missed heartbeat intervals before the stream is declared dead (reference §1.4: 5). */
  readonly heartbeatMisses?: number;
  readonly maxRecordBytes?: number;
  readonly random?: () => number;
}

export type SchedulerListener = (event: SchedulerEvent) => void | Promise<void>;

export type DriverErrorCode = 'NOT_SUBSCRIBED' | 'CALL_REJECTED' | 'CALL_FAILED';

/** A call that did not reach an accepting master. `status` is the HTTP status when there was one. */
export class MesosCallError extends Error {
  constructor(
    readonly code: DriverErrorCode,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'MesosCallError';
  }
}

/** Stops the driver for good (no retry makes it better). */
class FatalDriverError extends Error {}

const CAPABILITIES = ['MULTI_ROLE', 'PARTITION_AWARE', 'TASK_KILLING_STATE'] as const;
const MAX_REDIRECTS = 5;
const REMOVED = 'Framework has been removed';

interface Session {
  readonly master: string;
  readonly streamId: string;
  readonly frameworkId: string;
  readonly abort: AbortController;
}

const NO_LOG: DriverLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

export class MesosSchedulerDriver {
  private readonly codec: Codec;
  private readonly pool = new HttpPool();
  private readonly listeners: SchedulerListener[] = [];
  private readonly log: DriverLog;
  private frameworkIdValue: string | undefined;
  private session: Session | undefined;
  /** The connection being set up or read (aborted by stop(), 403s, leader changes, the watchdog). */
  private connection: AbortController | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;
  private lastMaster: string | undefined;
  private fatal: string | undefined;

  constructor(private readonly options: DriverOptions) {
    this.codec = codecFor(options.encoding);
    this.log = options.log ?? NO_LOG;
    options.detector.onChange((url) => this.leaderChanged(url));
  }

  // ------------------------------------------------------------------ state

  get frameworkId(): string | undefined {
    return this.frameworkIdValue;
  }

  /** The master we are subscribed to (or were last connected to). */
  get master(): string | undefined {
    return this.session?.master ?? this.lastMaster;
  }

  get isSubscribed(): boolean {
    return this.session !== undefined;
  }

  /** Set when the driver stopped for good (framework removed, id missing while instances exist). */
  get fatalError(): string | undefined {
    return this.fatal;
  }

  /** Listens to every event; returns the unsubscribe function. */
  on(listener: SchedulerListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  // ------------------------------------------------------------------ lifecycle

  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.running = this.run().catch((e: unknown) => this.log.error(`mesos driver loop crashed: ${(e as Error).stack ?? String(e)}`));
  }

  /** Closes the stream (the framework stays registered: tasks keep running) and stops retrying. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.connection?.abort(new Error('driver stopped'));
    this.wake?.();
    // Closing the detector first releases a loop waiting for a leader to be named.
    await this.options.detector.close();
    await this.running;
    this.running = undefined;
    this.pool.destroy();
  }

  // ------------------------------------------------------------------ calls

  /** ACCEPT with operations; resources of the offers not used are declined with `refuseSeconds`. */
  async accept(offerIds: readonly string[], operations: readonly OfferOperation[], refuseSeconds?: number): Promise<void> {
    await this.call({ type: 'ACCEPT', accept: { offer_ids: offerIds.map(id), operations, ...filters(refuseSeconds) } });
  }

  /** ACCEPT with one LAUNCH of `tasks`. */
  async launch(offerIds: readonly string[], tasks: readonly TaskInfo[], refuseSeconds?: number): Promise<void> {
    await this.accept(offerIds, [{ type: 'LAUNCH', launch: { task_infos: tasks } }], refuseSeconds);
  }

  /** DECLINE; without `refuseSeconds` the master's default filter (5 s) applies. */
  async decline(offerIds: readonly string[], refuseSeconds?: number): Promise<void> {
    await this.call({ type: 'DECLINE', decline: { offer_ids: offerIds.map(id), ...filters(refuseSeconds) } });
  }

  /** REVIVE: offers again for the roles (all when empty), filters cleared. */
  async revive(roles: readonly string[] = []): Promise<void> {
    await this.call({ type: 'REVIVE', revive: { roles } });
  }

  /** SUPPRESS: no offers for the roles (all when empty) until REVIVE. */
  async suppress(roles: readonly string[] = []): Promise<void> {
    await this.call({ type: 'SUPPRESS', suppress: { roles } });
  }

  /** KILL; `gracePeriodSeconds` overrides the task's kill policy. */
  async kill(taskId: string, agentId?: string, gracePeriodSeconds?: number): Promise<void> {
    await this.call({
      type: 'KILL',
      kill: {
        task_id: id(taskId),
        ...(agentId ? { agent_id: id(agentId) } : {}),
        ...(gracePeriodSeconds !== undefined ? { kill_policy: { grace_period: { nanoseconds: Math.round(gracePeriodSeconds * 1e9) } } } : {}),
      },
    });
  }

  /**
   * ACKNOWLEDGE an update, to be called after its new state is persisted (reference §4.1). Only
   * updates carrying a uuid are acknowledged; for the others this does nothing and returns false.
   */
  async acknowledge(status: TaskStatus): Promise<boolean> {
    if (!status.uuid || !status.agent_id) return false;
    await this.call({ type: 'ACKNOWLEDGE', acknowledge: { agent_id: status.agent_id, task_id: status.task_id, uuid: status.uuid } });
    return true;
  }

  /** RECONCILE: explicit for the given tasks, implicit (every task the master knows) when empty. */
  async reconcile(tasks: readonly ReconcileTask[]): Promise<void> {
    await this.call({
      type: 'RECONCILE',
      reconcile: { tasks: tasks.map((t) => ({ task_id: id(t.taskId), ...(t.agentId ? { agent_id: id(t.agentId) } : {}) })) },
    });
  }

  /** TEARDOWN: removes the framework and kills all its tasks. Only on an explicit operator request. */
  async teardown(): Promise<void> {
    await this.call({ type: 'TEARDOWN' });
    this.fatal = 'framework torn down';
    await this.stop();
  }

  private async call(call: WireCall): Promise<void> {
    const session = this.session;
    const metrics = this.options.metrics;
    if (!session) {
      metrics?.calls.inc({ type: call.type, outcome: 'not_subscribed' });
      throw new MesosCallError('NOT_SUBSCRIBED', `cannot send ${call.type}: not subscribed to a Mesos master`);
    }
    const body = this.codec.encodeCall({ ...call, framework_id: id(session.frameworkId) });
    let reply;
    try {
      reply = await postCall(
        this.pool,
        session.master,
        body,
        { 'Content-Type': this.codec.contentType, Accept: this.codec.contentType, 'Mesos-Stream-Id': session.streamId },
        this.options.callTimeoutMs ?? 30_000,
      );
    } catch (e) {
      metrics?.calls.inc({ type: call.type, outcome: 'failed' });
      throw new MesosCallError('CALL_FAILED', `${call.type} to ${session.master} failed: ${(e as Error).message}`);
    }
    if (reply.status === 202 || reply.status === 200) {
      metrics?.calls.inc({ type: call.type, outcome: 'accepted' });
      return;
    }
    const outcome = ({ 403: 'forbidden', 307: 'redirected', 503: 'unavailable' } as Record<number, string>)[reply.status] ?? 'rejected';
    metrics?.calls.inc({ type: call.type, outcome });
    if (outcome !== 'rejected') {
      // 403: the master no longer counts us as subscribed; 307/503: it stopped leading. Either way
      // the cure is one resubscription, not retrying the call (which would storm the master).
      this.resubscribe(session, `${call.type} answered ${reply.status} ${reply.text.trim()}`);
      throw new MesosCallError('NOT_SUBSCRIBED', `${call.type} answered ${reply.status}: resubscribing`, reply.status);
    }
    throw new MesosCallError('CALL_REJECTED', `${call.type} rejected with ${reply.status}: ${reply.text.trim()}`, reply.status);
  }

  // ------------------------------------------------------------------ subscription loop

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.stopping) {
      let subscribed = false;
      try {
        subscribed = await this.subscribeOnce();
      } catch (e) {
        if (e instanceof FatalDriverError) return this.failHard(e.message);
        if (!this.stopping) this.log.warn(`mesos subscription: ${(e as Error).message}`);
      }
      if (this.stopping) return;
      if (subscribed) attempt = 0;
      this.options.metrics?.reconnects.inc();
      const delay = backoffDelayMs(attempt++, this.options.backoff ?? { initialMs: 500, maxMs: 15_000 }, this.options.random);
      await this.sleep(delay);
    }
  }

  /** One SUBSCRIBE, read until the stream ends. Returns true if SUBSCRIBED arrived. */
  private async subscribeOnce(): Promise<boolean> {
    const frameworkId = await this.frameworkIdForSubscribe();
    let master = await this.options.detector.current(this.options.detectTimeoutMs ?? 10_000);
    if (!master) throw new Error('no leading Mesos master known');
    const body = this.codec.encodeCall(this.subscribeCall(frameworkId));
    for (let redirects = 0; ; redirects++) {
      const abort = new AbortController();
      this.connection = abort;
      this.lastMaster = master;
      let res: IncomingMessage;
      try {
        res = await openStream(master, body, { 'Content-Type': this.codec.contentType, Accept: this.codec.contentType }, abort.signal, this.options.subscribeTimeoutMs ?? 30_000);
      } catch (e) {
        this.options.detector.failed(master);
        throw new Error(`SUBSCRIBE to ${master} failed: ${(e as Error).message}`);
      }
      const status = res.statusCode ?? 0;
      if (status === 307 && redirects < MAX_REDIRECTS && typeof res.headers.location === 'string') {
        res.resume();
        const next = resolveRedirect(master, res.headers.location);
        this.log.info(`mesos master ${master} is not leading; following redirect to ${next}`);
        master = next;
        continue;
      }
      if (status !== 200) {
        const text = (await readSmallBody(res).catch(() => '')).trim();
        this.options.detector.failed(master);
        throw new Error(`SUBSCRIBE to ${master} answered ${status}${text ? `: ${text}` : ''}`);
      }
      return this.readStream(master, res, abort);
    }
  }

  /** The stored id (refusing to start fresh when instances exist without one). */
  private async frameworkIdForSubscribe(): Promise<string | undefined> {
    if (this.frameworkIdValue) return this.frameworkIdValue;
    const stored = await this.options.store.load();
    if (stored) return (this.frameworkIdValue = stored);
    if (await this.options.hasInstances()) {
      throw new FatalDriverError(
        'refusing to register a new Mesos framework: instances are on record but no framework id is stored. ' +
          'A new framework would orphan every running task (the old framework id is needed to resubscribe). ' +
          'Restore the framework id in the `framework` table, or remove the instances deliberately.',
      );
    }
    return undefined;
  }

  private subscribeCall(frameworkId: string | undefined): WireCall {
    const f = this.options.framework;
    const info: WireFrameworkInfo = {
      user: f.user,
      name: f.name,
      ...(frameworkId ? { id: id(frameworkId) } : {}),
      failover_timeout: f.failoverTimeoutSeconds,
      checkpoint: true,
      roles: [f.role],
      capabilities: CAPABILITIES.map((type) => ({ type })),
      ...(f.hostname ? { hostname: f.hostname } : {}),
      ...(f.webuiUrl ? { webui_url: f.webuiUrl } : {}),
      ...(f.principal ? { principal: f.principal } : {}),
    };
    return { type: 'SUBSCRIBE', ...(frameworkId ? { framework_id: id(frameworkId) } : {}), subscribe: { framework_info: info } };
  }

  /** Reads RecordIO events until the stream ends or is aborted. */
  private async readStream(master: string, res: IncomingMessage, abort: AbortController): Promise<boolean> {
    const streamId = headerValue(res.headers['mesos-stream-id']);
    const reader = new RecordIOReader(this.options.maxRecordBytes ?? 32 * 1024 * 1024);
    const watchdog = new Watchdog(this.options.subscribeTimeoutMs ?? 30_000, (ms) => abort.abort(new Error(`no event from ${master} for ${ms} ms`)));
    let subscribed = false;
    let endReason = 'stream closed by the master';
    try {
      for await (const chunk of res) {
        watchdog.touch();
        for (const record of reader.push(chunk as Buffer)) {
          watchdog.busy = true;
          const event = this.codec.decodeEvent(record);
          if (!subscribed && eventType(event) === 'SUBSCRIBED') {
            subscribed = true;
            await this.onSubscribed(master, streamId, abort, event, watchdog);
          } else {
            await this.dispatch(event);
          }
          watchdog.busy = false;
          watchdog.touch();
        }
      }
    } catch (e) {
      if (e instanceof FatalDriverError) throw e;
      const reason = abort.signal.aborted && abort.signal.reason instanceof Error ? abort.signal.reason.message : (e as Error).message;
      endReason = reason;
    } finally {
      watchdog.stop();
      res.destroy();
      if (this.connection === abort) this.connection = undefined;
      if (this.session?.abort === abort) this.session = undefined;
      this.options.metrics?.subscribed.set(0);
    }
    if (subscribed) {
      this.log.warn(`mesos stream from ${master} ended: ${endReason}`);
      await this.emit({ type: 'disconnected', reason: endReason });
    } else if (!this.stopping) {
      throw new Error(`SUBSCRIBE stream from ${master} ended before SUBSCRIBED: ${endReason}`);
    }
    return subscribed;
  }

  /** Persist the id first (reference §1.2: before anything else), then announce. */
  private async onSubscribed(master: string, streamId: string | undefined, abort: AbortController, event: WireEvent, watchdog: Watchdog): Promise<void> {
    this.options.metrics?.event('SUBSCRIBED', Date.now());
    const sub = event.subscribed;
    const frameworkId = sub?.framework_id?.value;
    if (!frameworkId || !streamId) throw new Error('SUBSCRIBED without framework id or Mesos-Stream-Id');
    if (this.frameworkIdValue && this.frameworkIdValue !== frameworkId) {
      this.log.error(`master assigned framework id ${frameworkId} although we subscribed as ${this.frameworkIdValue}`);
    }
    await this.options.store.save(frameworkId);
    this.frameworkIdValue = frameworkId;
    const interval = sub?.heartbeat_interval_seconds ?? 15;
    watchdog.setLimit(interval * 1000 * (this.options.heartbeatMisses ?? 5));
    this.session = { master, streamId, frameworkId, abort };
    this.options.metrics?.subscribed.set(1);
    this.log.info(`subscribed to mesos master ${master} as framework ${frameworkId} (${this.codec.encoding})`);
    await this.emit({
      type: 'subscribed',
      frameworkId,
      heartbeatIntervalSeconds: interval,
      master,
      ...(sub?.master_info ? { masterInfo: sub.master_info } : {}),
    });
  }

  private async dispatch(event: WireEvent): Promise<void> {
    const type = eventType(event);
    const now = Date.now();
    this.options.metrics?.event(type, now);
    switch (type) {
      case 'OFFERS':
        return this.emit({ type: 'offers', offers: event.offers?.offers ?? [] });
      case 'RESCIND':
        if (event.rescind?.offer_id) return this.emit({ type: 'rescind', offerId: event.rescind.offer_id.value });
        return;
      case 'UPDATE': {
        const status = event.update?.status;
        if (!status) return;
        if (status.timestamp) this.options.metrics?.streamLag.set(Math.max(0, now / 1000 - status.timestamp));
        return this.emit({ type: 'update', status });
      }
      case 'FAILURE': {
        const f = event.failure ?? {};
        return this.emit({ type: 'failure', agentId: f.agent_id?.value, executorId: f.executor_id?.value, status: f.status });
      }
      case 'ERROR':
        return this.onError(event.error?.message ?? 'unknown error');
      default:
        // HEARTBEAT only resets the watchdog; unknown and unused types are ignored (reference §2.2).
        return;
    }
  }

  private async onError(message: string): Promise<void> {
    if (message === REMOVED) throw new FatalDriverError(`Mesos master says "${REMOVED}": the framework id is dead; not resubscribing`);
    this.log.error(`mesos master sent ERROR: ${message}`);
    await this.emit({ type: 'error', message, fatal: false });
  }

  private async failHard(message: string): Promise<void> {
    this.fatal = message;
    this.stopping = true;
    this.log.error(`MESOS DRIVER STOPPED: ${message}`);
    await this.emit({ type: 'error', message, fatal: true });
  }

  private async emit(event: SchedulerEvent): Promise<void> {
    for (const listener of [...this.listeners]) {
      try {
        await listener(event);
      } catch (e) {
        this.log.error(`mesos event listener failed on ${event.type}: ${(e as Error).stack ?? String(e)}`);
      }
    }
  }

  /** Drop the stream of `session` (if still current) so the loop subscribes again. */
  private resubscribe(session: Session, reason: string): void {
    if (this.session !== session) return;
    this.log.warn(`resubscribing to mesos: ${reason}`);
    session.abort.abort(new Error(reason));
  }

  private leaderChanged(url: string | undefined): void {
    const current = this.session?.master ?? this.lastMaster;
    if (current && url === current) return;
    this.log.info(`leading mesos master is now ${url ?? 'unknown'}`);
    this.connection?.abort(new Error(`leading master changed to ${url ?? 'none'}`));
    this.wake?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}

/** Aborts the stream when nothing arrives for `limit` ms (not counting time spent in listeners). */
class Watchdog {
  busy = false;
  private last = Date.now();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private limit: number,
    private readonly fire: (ms: number) => void,
  ) {
    this.timer = setInterval(() => this.check(), Math.max(10, Math.min(1000, limit / 10)));
  }

  touch(): void {
    this.last = Date.now();
  }

  setLimit(ms: number): void {
    this.limit = ms;
    this.touch();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private check(): void {
    if (this.busy) return;
    const silent = Date.now() - this.last;
    if (silent > this.limit) {
      this.stop();
      this.fire(silent);
    }
  }
}

function id(value: string): { value: string } {
  return { value };
}

function filters(refuseSeconds: number | undefined): { filters?: { refuse_seconds: number } } {
  return refuseSeconds === undefined ? {} : { filters: { refuse_seconds: refuseSeconds } };
}

function eventType(event: WireEvent): string {
  return typeof event.type === 'string' ? event.type : 'UNKNOWN';
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
