// The master: frameworks and their streams, agents, tasks, and the scheduler calls that act on them.
// HTTP concerns (status codes, encodings) live in http/; this file holds the behaviour.
import { randomUUID } from 'node:crypto';
import { Agent, type AgentUpdate, type UpdateSink } from '../agent/agent';
import { ProcessExecutor } from '../agent/process-executor';
import { SimulatedExecutor } from '../agent/simulated-executor';
import type { CallMsg, EventMsg, FrameworkInfoMsg, TaskStatusMsg } from '../codec/types';
import type { MasterMode, Settings } from '../settings';
import { handleAccept } from './accept';
import { Allocator } from './allocator';
import { Framework } from './framework';
import { reconcile, type ReconcileTask } from './reconcile';
import { StatusUpdateManager } from './status-updates';
import type { Subscription } from './subscription';
import { isTerminal, stateForFramework, type TaskState, type Task } from './task';

export const LOCAL_MESOS_VERSION = '1.11.0';
const MAX_REMOVED_FRAMEWORKS = 10_000;
const MAX_COMPLETED_TASKS = 1000;
/** setTimeout's limit; longer failover timeouts are re-armed in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface CallResult {
  status: number;
  body?: string;
}

export interface MasterUpdate {
  taskId: string;
  state: TaskState;
  reason: string;
  message?: string;
  agentId?: string;
  healthy?: boolean;
  unreachableSince?: number;
}

export interface CompletedTask {
  id: string;
  name: string;
  framework_id: string;
  agent_id: string;
  state: TaskState;
}

/** Counters named as in Mesos' master metrics (`GET /metrics/snapshot`, without the `master/` prefix). */
export interface MasterMessageMetrics {
  messages_shutdown_executor: number;
  messages_framework_to_executor: number;
  valid_framework_to_executor_messages: number;
  invalid_framework_to_executor_messages: number;
  messages_resource_request: number;
}

const zeroMetrics = (): MasterMessageMetrics => ({
  messages_shutdown_executor: 0,
  messages_framework_to_executor: 0,
  valid_framework_to_executor_messages: 0,
  invalid_framework_to_executor_messages: 0,
  messages_resource_request: 0,
});

/** What the agents did with forwarded calls (a real agent counts these in its own metrics). */
export interface AgentMessageMetrics {
  /** MESSAGE data handed to a live executor (the command executor ignores it, as Mesos' does). */
  framework_messages_delivered: number;
  /** MESSAGE for an executor the agent does not run (dropped, as `slave/invalid_framework_messages`). */
  framework_messages_dropped: number;
  /** SHUTDOWN for an executor the agent does not run (dropped with a warning). */
  shutdowns_of_unknown_executors: number;
}

export class Master implements UpdateSink {
  /** Changes when the master is restarted (a new master process takes over). */
  id: string;
  mode: MasterMode;
  readonly frameworks = new Map<string, Framework>();
  readonly removedFrameworks = new Set<string>();
  readonly agents: Agent[] = [];
  readonly agentsById = new Map<string, Agent>();
  readonly allocator: Allocator;
  readonly updates: StatusUpdateManager;
  readonly completed: CompletedTask[] = [];
  /** Address written into MasterInfo; set once the HTTP server listens. */
  address = { hostname: '127.0.0.1', ip: '127.0.0.1', port: 5050 };
  private nextFrameworkNum = 0;
  private nextOfferNum = 0;
  private nextAgentNum = 0;
  private running = false;
  /** True between restartMaster's "crash" and the new master coming up: every master endpoint answers 503. */
  restarting = false;
  /** Master counters: in-memory, so a restarted master starts again from zero. */
  metrics: MasterMessageMetrics = zeroMetrics();
  /** Agent-side counters (agents outlive master restarts). */
  readonly agentMetrics: AgentMessageMetrics = { framework_messages_delivered: 0, framework_messages_dropped: 0, shutdowns_of_unknown_executors: 0 };
  /** Master ids this process has had, oldest first (the current one last). */
  readonly previousIds: string[] = [];

  constructor(readonly settings: Settings) {
    this.id = settings.masterId ?? randomUUID();
    this.mode = settings.mode;
    this.allocator = new Allocator({
      frameworks: () => this.frameworks.values(),
      agents: () => this.agents,
      nextOfferId: () => `${this.id}-O${this.nextOfferNum++}`,
      allocationMs: settings.allocationMs,
      defaultRefuseSeconds: settings.defaultRefuseSeconds,
    });
    this.updates = new StatusUpdateManager(settings.resendMs, {
      release: (task) => this.release(task),
      forget: (task) => this.forget(task),
    });
    for (const spec of settings.agentSpecs) this.addAgent(spec);
  }

  start(): void {
    this.running = true;
    this.allocator.start();
    this.updates.start();
  }

  /** Stops timers, closes streams and hard-kills every task process. */
  async stop(): Promise<void> {
    this.running = false;
    this.allocator.stop();
    this.updates.stop();
    for (const fw of this.frameworks.values()) {
      this.clearFrameworkTimers(fw);
      fw.sub?.close();
    }
    const kills: Promise<void>[] = [];
    for (const agent of this.agents) for (const task of agent.tasks) kills.push(agent.executor.destroy(task));
    await Promise.all(kills);
  }

  /**
   * First half of a master failover: the master process "dies". Every scheduler stream is cut
   * without a goodbye, frameworks, offers, filters and removed-framework ids are forgotten (they are
   * in-memory state; only the registry of agents survives), and the master answers 503 until
   * `comeUp`. Agents and their tasks are untouched: processes keep running and updates produced
   * meanwhile queue up on the agent side, as on a real agent whose master is gone.
   */
  goDown(): void {
    if (this.restarting) return;
    this.restarting = true;
    this.allocator.stop();
    for (const fw of this.frameworks.values()) {
      this.clearFrameworkTimers(fw);
      const sub = fw.sub;
      // Detach first so the stream's close handler does not start the failover timeout.
      fw.sub = null;
      sub?.abort();
      fw.offers.clear();
      fw.filters.clear();
    }
    this.allocator.offers.clear();
    for (const agent of this.agents) agent.offered = agent.offered.subtract(agent.offered);
    this.updates.forgetStreams();
  }

  /**
   * Second half: a new master (new id unless given) takes over. Every agent re-registers with the
   * tasks it runs; the frameworks of those tasks are recovered as disconnected frameworks (no
   * failover timer, as in Mesos, where failover_timeout is not persisted: MESOS-4659) until they
   * resubscribe with their id, which then gets their pending status updates resent. Frameworks with
   * no tasks are simply accepted again on SUBSCRIBE with their id (§1.5).
   */
  comeUp(newId: string = randomUUID()): void {
    if (!this.restarting) return;
    const old = [...this.frameworks.values()];
    this.frameworks.clear();
    this.removedFrameworks.clear();
    this.completed.length = 0;
    this.metrics = zeroMetrics();
    this.previousIds.push(this.id);
    this.id = newId;
    this.nextFrameworkNum = 0;
    this.nextOfferNum = 0;
    for (const fw of old) fw.tasks.clear();
    // Agent re-registration: each reports its tasks (including terminal ones with unacknowledged updates).
    for (const agent of this.agents) {
      for (const task of agent.tasks) {
        let fw = this.frameworks.get(task.fw.id);
        if (!fw) {
          fw = new Framework(task.fw.id, task.fw.info);
          fw.disconnectedAt = Date.now();
          this.frameworks.set(fw.id, fw);
        }
        task.fw = fw;
        fw.tasks.set(task.id, task);
      }
    }
    this.restarting = false;
    if (this.running) this.allocator.start();
  }

  addAgent(spec: Settings['agentSpecs'][number]): Agent {
    const agent = new Agent(`${this.id}-S${this.nextAgentNum}`, this.nextAgentNum++, spec);
    agent.executor = this.settings.simulate
      ? new SimulatedExecutor(this, this.settings.simulateFailureShare)
      : new ProcessExecutor(agent, this, { workDir: this.settings.workDir, log: this.settings.log });
    this.agents.push(agent);
    this.agentsById.set(agent.id, agent);
    if (this.running) this.allocator.trigger();
    return agent;
  }

  masterInfo(): Record<string, unknown> {
    const { hostname, ip, port } = this.address;
    const octets = ip.split('.').map(Number);
    // Deprecated `ip`: IPv4 packed in network byte order, read as a little-endian uint32.
    const packed = octets.length === 4 ? ((octets[3] << 24) | (octets[2] << 16) | (octets[1] << 8) | octets[0]) >>> 0 : 0;
    return {
      id: this.id,
      ip: packed,
      port,
      pid: `master@${ip}:${port}`,
      hostname,
      version: LOCAL_MESOS_VERSION,
      address: { hostname, ip, port },
      capabilities: [{ type: 'AGENT_UPDATE' }, { type: 'AGENT_DRAINING' }, { type: 'QUOTA_V2' }],
    };
  }

  // ---------------------------------------------------------------- subscription and failover

  /** SUBSCRIBE after the 200 headers went out: framework-level errors become ERROR events. */
  subscribe(call: CallMsg, sub: Subscription): void {
    const sc = call.subscribe!;
    const info = sc.framework_info;
    const error = validateFrameworkInfo(info, sc.suppressed_roles ?? []);
    if (error) return sub.error(error);
    const requestedId = info.id?.value;
    if (requestedId !== undefined && this.removedFrameworks.has(requestedId)) return sub.error('Framework has been removed');
    let fw = requestedId !== undefined ? this.frameworks.get(requestedId) : undefined;
    if (!fw) {
      // New framework, or one known to a previous master (accepted and rebuilt, §1.5).
      fw = new Framework(requestedId ?? this.nextFrameworkId(), info);
      this.frameworks.set(fw.id, fw);
    } else {
      this.failOver(fw, info);
    }
    this.attach(fw, sub, sc.suppressed_roles ?? []);
  }

  private nextFrameworkId(): string {
    let id: string;
    do id = `${this.id}-${String(this.nextFrameworkNum++).padStart(4, '0')}`;
    while (this.frameworks.has(id) || this.removedFrameworks.has(id));
    return id;
  }

  private failOver(fw: Framework, info: FrameworkInfoMsg): void {
    const old = fw.sub;
    fw.sub = null;
    if (old && !old.closed) old.error('Framework failed over');
    this.clearFrameworkTimers(fw);
    this.allocator.discardAll(fw);
    // user and checkpoint cannot change on resubscription; other fields can.
    fw.applyInfo({ ...info, user: fw.info.user, checkpoint: fw.info.checkpoint });
  }

  private attach(fw: Framework, sub: Subscription, suppressedRoles: string[]): void {
    fw.sub = sub;
    fw.disconnectedAt = 0;
    sub.onClose(() => this.disconnected(fw, sub));
    fw.suppressed.clear();
    for (const role of suppressedRoles) fw.suppressed.add(role);
    sub.send({
      type: 'SUBSCRIBED',
      subscribed: { framework_id: { value: fw.id }, heartbeat_interval_seconds: this.settings.heartbeatSeconds, master_info: this.masterInfo() },
    });
    sub.send({ type: 'HEARTBEAT' });
    fw.heartbeat = setInterval(() => fw.send({ type: 'HEARTBEAT' }), this.settings.heartbeatMs);
    this.updates.forwardAll((t) => t.fw === fw);
    this.allocator.trigger();
  }

  private disconnected(fw: Framework, sub: Subscription): void {
    if (fw.sub !== sub || fw.removed) return;
    fw.sub = null;
    fw.disconnectedAt = Date.now();
    this.clearFrameworkTimers(fw);
    this.allocator.discardAll(fw);
    const timeoutMs = Math.min((fw.info.failover_timeout ?? 0) * 1000, this.settings.maxFailoverTimeoutMs);
    if (!this.running) return;
    if (timeoutMs <= 0) return this.removeFramework(fw);
    this.armFailover(fw, Date.now() + timeoutMs);
  }

  private armFailover(fw: Framework, deadline: number): void {
    const left = deadline - Date.now();
    fw.failoverTimer = setTimeout(() => {
      if (left > MAX_TIMER_MS) this.armFailover(fw, deadline);
      else if (!fw.connected) this.removeFramework(fw);
    }, Math.min(left, MAX_TIMER_MS));
  }

  private clearFrameworkTimers(fw: Framework): void {
    if (fw.heartbeat) clearInterval(fw.heartbeat);
    if (fw.failoverTimer) clearTimeout(fw.failoverTimer);
    fw.heartbeat = null;
    fw.failoverTimer = null;
  }

  /** TEARDOWN or failover timeout: kill every task, forget the framework, refuse its id from now on. */
  removeFramework(fw: Framework): void {
    if (fw.removed) return;
    fw.removed = true;
    this.clearFrameworkTimers(fw);
    this.allocator.discardAll(fw);
    const sub = fw.sub;
    fw.sub = null;
    sub?.close();
    for (const task of [...fw.tasks.values()]) {
      this.updates.drop(task);
      fw.tasks.delete(task.id);
      if (task.released || task.agent.stopMode === 'kill') this.forget(task);
      else task.agent.executor.kill(task, this.settings.killGraceMs);
    }
    this.frameworks.delete(fw.id);
    this.removedFrameworks.add(fw.id);
    if (this.removedFrameworks.size > MAX_REMOVED_FRAMEWORKS) {
      this.removedFrameworks.delete(this.removedFrameworks.values().next().value as string);
    }
  }

  // ---------------------------------------------------------------- calls

  /** Every non-SUBSCRIBE call of a connected framework (HTTP checks already done). */
  handle(fw: Framework, call: CallMsg): CallResult {
    switch (call.type) {
      case 'TEARDOWN':
        this.removeFramework(fw);
        break;
      case 'ACCEPT':
        handleAccept(this, fw, call.accept!);
        break;
      case 'DECLINE':
        this.decline(fw, call.decline!.offer_ids ?? [], call.decline!.filters?.refuse_seconds);
        break;
      case 'REVIVE':
        if (rolesKnown(fw, call.revive?.roles)) this.allocator.revive(fw, call.revive?.roles ?? []);
        break;
      case 'SUPPRESS':
        if (rolesKnown(fw, call.suppress?.roles)) this.allocator.suppress(fw, call.suppress?.roles ?? []);
        break;
      case 'KILL':
        this.kill(fw, call.kill!);
        break;
      case 'ACKNOWLEDGE':
        this.acknowledge(fw, call.acknowledge!);
        break;
      case 'RECONCILE':
        reconcile(this, fw, (call.reconcile!.tasks ?? []) as ReconcileTask[]);
        break;
      case 'UPDATE_FRAMEWORK':
        return this.updateFramework(fw, call);
      case 'SHUTDOWN':
        this.shutdownExecutor(fw, call.shutdown!);
        break;
      case 'MESSAGE':
        this.frameworkMessage(fw, call.message!);
        break;
      case 'REQUEST':
        // Handed to the allocator, which (hierarchical, as in Mesos) ignores resource requests.
        this.metrics.messages_resource_request++;
        break;
      default:
        // Inverse offers and operation calls: nothing to act on here.
        break;
    }
    return { status: 202 };
  }

  decline(fw: Framework, offerIds: { value: string }[], refuseSeconds: number | undefined): void {
    for (const { value } of offerIds) {
      const offer = this.allocator.offers.get(value);
      // Unknown or foreign offer ids are silently ignored (§2.1).
      if (!offer || offer.fw !== fw) continue;
      this.allocator.remove(offer, false);
      this.allocator.refuse(fw, offer.role, offer.agent, offer.res, refuseSeconds);
    }
  }

  private kill(fw: Framework, kill: NonNullable<CallMsg['kill']>): void {
    const task = fw.tasks.get(kill.task_id.value);
    if (!task || !task.agent.active) {
      // Unknown (or behind a partition): answer like explicit reconciliation does [code].
      reconcile(this, fw, [{ task_id: kill.task_id, agent_id: kill.agent_id }]);
      return;
    }
    if (isTerminal(task.state)) return;
    const ns = kill.kill_policy?.grace_period?.nanoseconds;
    const graceMs = ns !== undefined ? ns / 1e6 : (task.killGraceMs ?? this.settings.killGraceMs);
    if (task.state === 'TASK_STAGING') {
      task.killRequested = true;
      return;
    }
    task.agent.executor.kill(task, graceMs);
  }

  /** The task run by an executor: command executors here have the task's id as executor id. */
  private executorTask(fw: Framework, agentId: string, executorId: string): Task | undefined {
    const task = fw.tasks.get(executorId);
    return task && task.agent.id === agentId && !isTerminal(task.state) ? task : undefined;
  }

  /**
   * SHUTDOWN: forwarded to a registered agent (dropped otherwise). The agent shuts the executor
   * down; the command executor kills its task as KILL does (KILLING if the framework wants it, then
   * KILLED). An executor the agent does not run is ignored.
   */
  private shutdownExecutor(fw: Framework, shutdown: NonNullable<CallMsg['shutdown']>): void {
    this.metrics.messages_shutdown_executor++;
    const agent = this.agentsById.get(shutdown.agent_id.value);
    if (!agent || !agent.active) return;
    const task = this.executorTask(fw, agent.id, shutdown.executor_id.value);
    if (!task) {
      this.agentMetrics.shutdowns_of_unknown_executors++;
      return;
    }
    if (task.state === 'TASK_STAGING') {
      task.killRequested = true;
      return;
    }
    task.agent.executor.kill(task, task.killGraceMs ?? this.settings.killGraceMs);
  }

  /**
   * MESSAGE: best effort. Counted valid when the agent is registered and connected, invalid
   * otherwise (as the master's metrics do); the agent hands it to the executor if it runs one, and
   * the command executor ignores framework messages, as Mesos' does. Never answered.
   */
  private frameworkMessage(fw: Framework, message: NonNullable<CallMsg['message']>): void {
    this.metrics.messages_framework_to_executor++;
    const agent = this.agentsById.get(message.agent_id.value);
    if (!agent || !agent.active) {
      this.metrics.invalid_framework_to_executor_messages++;
      return;
    }
    this.metrics.valid_framework_to_executor_messages++;
    if (this.executorTask(fw, agent.id, message.executor_id.value)) this.agentMetrics.framework_messages_delivered++;
    else this.agentMetrics.framework_messages_dropped++;
  }

  private acknowledge(fw: Framework, ack: NonNullable<CallMsg['acknowledge']>): void {
    const task = fw.tasks.get(ack.task_id.value);
    if (!task || task.agent.id !== ack.agent_id.value) return;
    this.updates.acknowledge(task, ack.uuid);
  }

  private updateFramework(fw: Framework, call: CallMsg): CallResult {
    const uf = call.update_framework!;
    const info = uf.framework_info;
    if (info.id?.value !== fw.id) return { status: 400, body: "'framework_info.id' differs from 'framework_id'" };
    const error = validateFrameworkInfo(info, uf.suppressed_roles ?? []);
    if (error) return { status: 400, body: error };
    if (info.user !== fw.info.user) return { status: 400, body: "Updating 'FrameworkInfo.user' is unsupported" };
    if ((info.checkpoint ?? false) !== (fw.info.checkpoint ?? false)) return { status: 400, body: "Updating 'FrameworkInfo.checkpoint' is unsupported" };
    if (info.principal !== fw.info.principal) return { status: 400, body: "Updating 'FrameworkInfo.principal' is unsupported" };
    fw.applyInfo(info);
    fw.suppressed.clear();
    for (const role of uf.suppressed_roles ?? []) fw.suppressed.add(role);
    for (const offer of [...fw.offers]) if (!fw.roles.includes(offer.role)) this.allocator.remove(offer, true);
    this.allocator.trigger();
    return { status: 200 };
  }

  // ---------------------------------------------------------------- tasks and updates

  /** Agent-side update entry point (executors call this). */
  update(task: Task, update: AgentUpdate): void {
    if (task.agent.stopMode === 'kill' && task.agent.state === 'unreachable') return;
    this.updates.enqueue(task, update);
  }

  /** Master-generated update: no uuid, not retried, never acknowledged. */
  sendMasterUpdate(fw: Framework, u: MasterUpdate): void {
    const status: TaskStatusMsg = {
      task_id: { value: u.taskId },
      state: stateForFramework(u.state, fw.partitionAware),
      source: 'SOURCE_MASTER',
      reason: u.reason,
      timestamp: Date.now() / 1000,
    };
    if (u.agentId !== undefined) status.agent_id = { value: u.agentId };
    if (u.message !== undefined) status.message = u.message;
    if (u.healthy !== undefined) status.healthy = u.healthy;
    if (u.unreachableSince) status.unreachable_time = { nanoseconds: u.unreachableSince * 1e6 };
    const event: EventMsg = { type: 'UPDATE', update: { status } };
    fw.send(event);
  }

  /** Terminal latest state: resources go back to the agent (they are offered again). */
  private release(task: Task): void {
    if (task.released) return;
    task.released = true;
    task.agent.used = task.agent.used.subtract(task.res);
  }

  /** Terminal update acknowledged (or framework gone): the task is forgotten. */
  forget(task: Task): void {
    this.release(task);
    this.updates.drop(task);
    if (task.fw.tasks.get(task.id) === task) task.fw.tasks.delete(task.id);
    task.agent.tasks.delete(task);
    this.completed.push({ id: task.id, name: task.name, framework_id: task.fw.id, agent_id: task.agent.id, state: task.state });
    if (this.completed.length > MAX_COMPLETED_TASKS) this.completed.splice(0, this.completed.length - MAX_COMPLETED_TASKS);
  }

  // ---------------------------------------------------------------- operator: agents

  /**
   * Stops an agent. 'kill': its processes die (agent host lost). 'partition': they keep running but
   * nothing gets through until it is started again. Either way its tasks become TASK_UNREACHABLE
   * (TASK_LOST without PARTITION_AWARE), its offers are rescinded and frameworks get FAILURE.
   */
  async stopAgent(agent: Agent, mode: 'kill' | 'partition'): Promise<void> {
    if (!agent.active) return;
    agent.state = 'unreachable';
    agent.stopMode = mode;
    agent.unreachableSince = Date.now();
    this.allocator.rescindAgent(agent);
    const kills: Promise<void>[] = [];
    for (const task of agent.tasks) {
      if (mode === 'kill') {
        kills.push(agent.executor.destroy(task));
        this.updates.drop(task);
      }
      if (isTerminal(task.state) && mode === 'kill') continue;
      this.sendMasterUpdate(task.fw, {
        taskId: task.id, state: 'TASK_UNREACHABLE', reason: 'REASON_AGENT_REMOVED', agentId: agent.id,
        message: 'Agent is unreachable', unreachableSince: agent.unreachableSince,
      });
      if (mode === 'kill') task.state = 'TASK_UNREACHABLE';
    }
    for (const fw of this.frameworks.values()) fw.send({ type: 'FAILURE', failure: { agent_id: { value: agent.id } } });
    await Promise.all(kills);
  }

  /**
   * Restarts an agent. After 'kill' its old tasks are gone: TASK_GONE (TASK_LOST without
   * PARTITION_AWARE), reason AGENT_RESTARTED. After 'partition' they are back as they are, and their
   * pending updates flow again.
   */
  startAgent(agent: Agent): void {
    if (agent.active) return;
    const mode = agent.stopMode;
    agent.state = 'active';
    agent.stopMode = null;
    if (mode === 'kill') {
      for (const task of [...agent.tasks]) {
        if (task.fw.tasks.get(task.id) === task) {
          this.sendMasterUpdate(task.fw, { taskId: task.id, state: 'TASK_GONE', reason: 'REASON_AGENT_RESTARTED', agentId: agent.id, message: 'Agent restarted' });
        }
        task.state = 'TASK_GONE';
        this.forget(task);
      }
    }
    agent.used = agent.used.subtract(agent.used);
    for (const task of agent.tasks) if (!task.released) agent.used = agent.used.add(task.res);
    this.updates.forwardAll((t) => t.agent === agent);
    this.allocator.trigger();
  }
}

function rolesKnown(fw: Framework, roles: string[] | undefined): boolean {
  return (roles ?? []).every((r) => fw.roles.includes(r));
}

const ROLE_RE = /^[^/\s\\.-][^/\s\\]*$/;

/** Framework-level validation; failures are ERROR events (SUBSCRIBE) or 400 (UPDATE_FRAMEWORK). */
export function validateFrameworkInfo(info: FrameworkInfoMsg, suppressedRoles: string[]): string | null {
  const caps = new Set((info.capabilities ?? []).map((c) => c.type));
  const roles = info.roles ?? [];
  if (!caps.has('MULTI_ROLE') && roles.length > 0) return "'FrameworkInfo.roles' must not be set without the MULTI_ROLE capability";
  if (caps.has('MULTI_ROLE') && info.role !== undefined) return "'FrameworkInfo.role' must not be set when the MULTI_ROLE capability is present";
  if (new Set(roles).size !== roles.length) return "'FrameworkInfo.roles' contains duplicate items";
  const effective = caps.has('MULTI_ROLE') ? roles : [info.role ?? '*'];
  for (const role of effective) if (role !== '*' && !ROLE_RE.test(role)) return `Invalid role '${role}'`;
  const ft = info.failover_timeout;
  if (ft !== undefined && (!Number.isFinite(ft) || ft < 0)) return `Invalid failover_timeout: ${ft}`;
  for (const r of suppressedRoles) if (!effective.includes(r)) return `Suppressed role '${r}' is not contained in the framework's roles`;
  return null;
}
