// The HTTP front: the scheduler API, GET /state, and operator controls under /__local/.
import * as http from 'node:http';
import * as v8 from 'node:v8';
import type { AddressInfo, Socket } from 'node:net';
import type { Master } from '../master/master';
import type { AgentSpec, MasterMode } from '../settings';
import { resolveAgentSpec } from '../settings';
import { masterState } from './state';
import { refuseIfNotLeader, schedulerEndpoint } from './scheduler-endpoint';
import { readBody, reply, replyJson } from './util';

export const OPERATOR_PREFIX = '/__local';

export interface RestartRequest {
  downForMs?: number;
  newMasterId?: string;
}

export class HttpFront {
  readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  /** Set by index.ts: the master restart control (POST /__local/master/restart). */
  restartHandler: ((request: RestartRequest, keep: Socket) => Promise<void>) | null = null;

  constructor(private readonly master: Master) {
    this.server = http.createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
      this.route(req, res).catch((e: unknown) => {
        master.settings.log(`request failed: ${(e as Error).stack ?? String(e)}`);
        if (!res.headersSent) reply(res, 500, 'Internal error');
        else res.destroy();
      });
    });
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  /** Resets every client connection but `keep` (a master process that died takes its sockets along). */
  dropConnections(keep?: Socket): void {
    for (const socket of this.sockets) if (socket !== keep) socket.destroy();
  }

  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    const p = url.pathname;
    if (p === '/api/v1/scheduler') return schedulerEndpoint(this.master, req, res);
    if (p.startsWith(`${OPERATOR_PREFIX}/`)) return this.operator(req, res, p.slice(OPERATOR_PREFIX.length), url);
    if (req.method === 'GET' && ['/state', '/state.json', '/master/state', '/master/state.json'].includes(p)) {
      if (refuseIfNotLeader(this.master, req, res)) return;
      return replyJson(res, 200, masterState(this.master, { tasks: url.searchParams.get('tasks') !== 'false' }));
    }
    if (p === '/redirect' || p === '/master/redirect') {
      const mode = this.master.mode;
      const leader = mode.kind === 'redirect' ? mode.leader : `${this.master.address.hostname}:${this.master.address.port}`;
      if (mode.kind === 'no-leader') return reply(res, 503, 'No leader elected');
      return reply(res, 307, '', { Location: `//${leader}` });
    }
    if (p === '/health' || p === '/master/health') return reply(res, 200, '');
    if (req.method === 'GET' && (p === '/metrics/snapshot' || p === '/master/metrics/snapshot')) return replyJson(res, 200, metricsSnapshot(this.master));
    if (p === '/version') return replyJson(res, 200, { version: this.master.masterInfo().version, build_user: 'local-mesos' });
    reply(res, 404, '');
  }

  private async operator(req: http.IncomingMessage, res: http.ServerResponse, p: string, url: URL): Promise<void> {
    if (p === '/health' || p === '/ready') return reply(res, 200, 'ok');
    if (p === '/metrics' && req.method === 'GET') {
      const tasks = this.master.agents.reduce((n, a) => n + a.tasks.size, 0);
      return replyJson(res, 200, {
        memory: process.memoryUsage(),
        heap_spaces: heapSpaces(),
        tasks,
        pending_status_updates: this.master.updates.pendingCount,
        held_status_updates: this.master.updates.heldCount,
        messages: { ...this.master.metrics, ...this.master.agentMetrics },
        pid: process.pid,
      });
    }
    if (p === '/gc' && req.method === 'POST') {
      // Only with node --expose-gc; lets benchmarks measure live memory rather than garbage.
      const gc = (globalThis as { gc?: () => void }).gc;
      if (gc) gc();
      return replyJson(res, 200, { collected: gc !== undefined, memory: process.memoryUsage(), heap_spaces: heapSpaces() });
    }
    if (p === '/state' && req.method === 'GET') return replyJson(res, 200, masterState(this.master, { tasks: url.searchParams.get('tasks') !== 'false' }));
    if (req.method !== 'POST') return reply(res, 405, 'Expecting POST', { Allow: 'POST' });
    const body = await readBody(req, res);
    if (body === null) return;
    let input: Record<string, unknown> = {};
    try {
      if (body.length > 0) input = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch (e) {
      return reply(res, 400, `Invalid JSON: ${(e as Error).message}`);
    }
    const agentAction = /^\/agents\/([^/]+)\/(stop|start|restart)$/.exec(p);
    if (agentAction) {
      const agent = this.master.agentsById.get(decodeURIComponent(agentAction[1])) ?? this.master.agents[Number(agentAction[1])];
      if (!agent) return reply(res, 404, `No agent '${agentAction[1]}'`);
      if (agentAction[2] === 'stop') {
        const mode = (url.searchParams.get('mode') ?? (input.mode as string | undefined) ?? 'kill') === 'partition' ? 'partition' : 'kill';
        await this.master.stopAgent(agent, mode);
      } else {
        this.master.startAgent(agent);
      }
      return replyJson(res, 200, { id: agent.id, active: agent.active });
    }
    if (p === '/master/restart' || p === '/master/failover') {
      if (!this.restartHandler) return reply(res, 501, 'Restart is not available');
      const downForMs = input.down_for_ms;
      const newMasterId = input.master_id;
      if (downForMs !== undefined && (typeof downForMs !== 'number' || !(downForMs >= 0))) return reply(res, 400, "'down_for_ms' must be a non-negative number");
      if (newMasterId !== undefined && (typeof newMasterId !== 'string' || newMasterId === '')) return reply(res, 400, "'master_id' must be a non-empty string");
      const previous = this.master.id;
      await this.restartHandler({ downForMs, newMasterId }, req.socket);
      return replyJson(res, 200, { id: this.master.id, previous_id: previous });
    }
    if (p === '/agents') {
      const agent = this.master.addAgent(resolveAgentSpec(this.master.agents.length, input as AgentSpec, {}));
      return replyJson(res, 201, { id: agent.id });
    }
    if (p === '/mode') {
      this.master.mode = parseMode(input);
      return replyJson(res, 200, this.master.mode);
    }
    reply(res, 404, '');
  }
}

/** The subset of Mesos' `/metrics/snapshot` local-mesos keeps (master and agent counters). */
function metricsSnapshot(master: Master): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(master.metrics)) out[`master/${k}`] = v;
  out['master/frameworks_connected'] = [...master.frameworks.values()].filter((f) => f.connected).length;
  out['master/frameworks_disconnected'] = master.frameworks.size - out['master/frameworks_connected'];
  out['master/slaves_active'] = master.agents.filter((a) => a.active).length;
  out['master/elected'] = master.restarting || master.mode.kind !== 'leader' ? 0 : 1;
  out['slave/invalid_framework_messages'] = master.agentMetrics.framework_messages_dropped;
  return out;
}

/** V8 heap spaces in bytes: committed (`size`) and live (`used`). */
function heapSpaces(): Record<string, { size: number; used: number }> {
  const out: Record<string, { size: number; used: number }> = {};
  for (const s of v8.getHeapSpaceStatistics()) out[s.space_name] = { size: s.space_size, used: s.space_used_size };
  return out;
}

export function parseMode(input: Record<string, unknown>): MasterMode {
  switch (input.mode) {
    case 'redirect':
      if (typeof input.leader !== 'string') throw new Error("mode 'redirect' needs 'leader' (host:port)");
      return { kind: 'redirect', leader: input.leader };
    case 'recovering':
      return { kind: 'recovering' };
    case 'no-leader':
      return { kind: 'no-leader' };
    default:
      return { kind: 'leader' };
  }
}
