// Shared setup for local-mesos integration tests: small intervals so every wait stays short.
import * as fs from 'node:fs';
import { startLocalMesos, type LocalMesos, type LocalMesosOptions } from '../index';
import type { EventStream, Json, OfferT, StatusT } from '../testing/client';

export const FAST: LocalMesosOptions = {
  port: 0,
  agents: 2,
  heartbeatIntervalSeconds: 0.2,
  allocationIntervalSeconds: 0.05,
  statusUpdateResendSeconds: 0.2,
  killGraceSeconds: 0.5,
};

export function startFast(overrides: LocalMesosOptions = {}): Promise<LocalMesos> {
  return startLocalMesos({ ...FAST, ...overrides });
}

export const ENCODINGS = ['json', 'protobuf'] as const;

export interface TaskOpts {
  cpus?: number;
  mem?: number;
  ports?: [number, number][];
  shell?: boolean;
  args?: string[];
  env?: Record<string, string>;
  graceSeconds?: number;
  healthCheck?: Json;
  maxCompletionSeconds?: number;
  agentId?: string;
}

/** A command TaskInfo in Mesos JSON form for the offer's agent. */
export function taskInfo(id: string, offer: OfferT, command: string, o: TaskOpts = {}): Json {
  const role = offer.allocation_info?.role;
  const alloc = role !== undefined ? { allocation_info: { role } } : {};
  const resources: Json[] = [
    { name: 'cpus', type: 'SCALAR', scalar: { value: o.cpus ?? 0.1 }, role: '*', ...alloc },
    { name: 'mem', type: 'SCALAR', scalar: { value: o.mem ?? 32 }, role: '*', ...alloc },
  ];
  if (o.ports) resources.push({ name: 'ports', type: 'RANGES', ranges: { range: o.ports.map(([begin, end]) => ({ begin, end })) }, role: '*', ...alloc });
  const cmd: Json = { value: command, shell: o.shell ?? true };
  if (o.args) cmd.arguments = o.args;
  if (o.env) cmd.environment = { variables: Object.entries(o.env).map(([name, value]) => ({ name, value })) };
  const info: Json = { name: id, task_id: { value: id }, agent_id: { value: o.agentId ?? offer.agent_id.value }, resources, command: cmd };
  if (o.graceSeconds !== undefined) info.kill_policy = { grace_period: { nanoseconds: Math.round(o.graceSeconds * 1e9) } };
  if (o.healthCheck) info.health_check = o.healthCheck;
  if (o.maxCompletionSeconds !== undefined) info.max_completion_time = { nanoseconds: Math.round(o.maxCompletionSeconds * 1e9) };
  return info;
}

export function acceptCall(offerIds: string[], tasks: Json[], refuseSeconds?: number): Json {
  const accept: Json = { offer_ids: offerIds.map((value) => ({ value })), operations: [{ type: 'LAUNCH', launch: { task_infos: tasks } }] };
  if (refuseSeconds !== undefined) accept.filters = { refuse_seconds: refuseSeconds };
  return { type: 'ACCEPT', accept };
}

/** Waits for an offer (optionally from one agent) that has not been taken yet. */
export async function nextOffer(stream: EventStream, agentId?: string, timeoutMs = 5000, pred: (o: OfferT) => boolean = () => true): Promise<OfferT> {
  const ok = (o: OfferT): boolean => (agentId === undefined || o.agent_id.value === agentId) && pred(o);
  const ev = await stream.take((e) => e.type === 'OFFERS' && e.offers!.offers.some(ok), timeoutMs, `offer${agentId ? ` from ${agentId}` : ''}`);
  return ev.offers!.offers.find(ok)!;
}

export const hasPorts = (o: OfferT): boolean => o.resources.some((r) => r.name === 'ports');

/** Launches tasks on a fresh offer and returns the offer used. */
export async function launch(stream: EventStream, tasks: (offer: OfferT) => Json[], agentId?: string, refuseSeconds = 0): Promise<OfferT> {
  // Freed resources can arrive as extra small offers for the same agent; use a roomy one.
  const offer = await nextOffer(stream, agentId, 5000, (o) => scalarOf(o, 'cpus') >= 1 && scalarOf(o, 'mem') >= 256);
  const r = await stream.call(acceptCall([offer.id.value], tasks(offer), refuseSeconds));
  if (r.status !== 202) throw new Error(`ACCEPT answered ${r.status}: ${r.body}`);
  return offer;
}

/** Waits for a task's update in `state`, acknowledging every reliable update seen for it on the way. */
export async function untilState(stream: EventStream, taskId: string, state: string, timeoutMs = 10_000): Promise<StatusT> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await stream.update(taskId, undefined, Math.max(1, deadline - Date.now()));
    if (status.uuid) await stream.ack(status);
    if (status.state === state) return status;
  }
}

export function portsOf(offer: OfferT): [number, number] {
  const r = offer.resources.find((x) => x.name === 'ports')!.ranges!.range[0];
  return [r.begin, r.end];
}

export function scalarOf(offer: OfferT, name: string): number {
  return offer.resources.filter((x) => x.name === name).reduce((n, x) => n + (x.scalar?.value ?? 0), 0);
}

/**
 * True while a process (or, for a negative id, any member of that process group) exists and is not a
 * zombie. Zombies count as dead: whether orphans get reaped depends on the machine's init process.
 */
export function alive(pid: number): boolean {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // Fields after the parenthesised command: state, ppid, pgrp, …
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (state === 'Z') continue;
    if (pid > 0 ? Number(entry) === pid : Number(pgrp) === -pid) return true;
  }
  return false;
}
