// Library entry: start a local Mesos master with N agents in this process.
//
//   const mesos = await startLocalMesos({ port: 0, agents: 2, heartbeatIntervalSeconds: 0.5 });
//   // mesos.url === 'http://127.0.0.1:<port>' — ready as soon as the promise resolves.
//   await mesos.stop();
import * as fs from 'node:fs';
import type { Socket } from 'node:net';
import type { Agent } from './agent/agent';
import { HttpFront, type RestartRequest } from './http/server';
import { masterState } from './http/state';
import { Master } from './master/master';
import { resolveSettings, type LocalMesosOptions, type MasterMode } from './settings';
import { registerInZk, type ZkRegistration } from './zk';

export type { LocalMesosOptions, AgentSpec, MasterMode } from './settings';
export { OPERATOR_PREFIX } from './http/server';

export interface LocalMesos {
  /** http://host:port of the master. */
  url: string;
  port: number;
  /** The current master's id (a restart gives a new one by default). */
  readonly masterId: string;
  /** Agent ids in creation order. */
  agentIds: string[];
  workDir: string;
  /** ZooKeeper znode path when registered. */
  zkNode?: string;
  master: Master;
  stopAgent(idOrIndex: string | number, mode?: 'kill' | 'partition'): Promise<void>;
  startAgent(idOrIndex: string | number): void;
  setMode(mode: MasterMode): void;
  state(): Record<string, unknown>;
  /**
   * Master failover on the same address: the master "dies" (streams and connections cut, frameworks,
   * offers and filters forgotten, 503 for `downForMs`, default 1 s, at most 60 s), then a new master
   * (new id unless `newMasterId`) comes up; agents re-register with their still-running tasks and
   * pending status updates, and frameworks resubscribe with their ids. Resolves once it is up.
   */
  restartMaster(options?: RestartOptions): Promise<void>;
  /** Ends a restart's downtime now (the new master comes up); no-op when the master is up. */
  endMasterDowntime(): void;
  /** Closes the server and streams, and kills every task process group. Idempotent. */
  stop(): Promise<void>;
}

export interface RestartOptions {
  downForMs?: number;
  newMasterId?: string;
}

const DEFAULT_DOWN_MS = 1000;
const MAX_DOWN_MS = 60_000;

export async function startLocalMesos(options: LocalMesosOptions = {}): Promise<LocalMesos> {
  const settings = resolveSettings(options);
  if (!settings.simulate) fs.mkdirSync(settings.workDir, { recursive: true });
  const master = new Master(settings);
  const front = new HttpFront(master);
  const address = await front.listen(settings.port, settings.host);
  const ip = address.address === '0.0.0.0' || address.address === '::' ? '127.0.0.1' : address.address;
  master.address = { hostname: settings.advertisedHostname === '0.0.0.0' ? ip : settings.advertisedHostname, ip, port: address.port };
  master.start();
  let zk: ZkRegistration | undefined;
  if (settings.zk) {
    try {
      zk = await registerInZk(settings.zk, master.masterInfo());
    } catch (e) {
      await master.stop();
      await front.close();
      throw e;
    }
  }
  const agentOf = (idOrIndex: string | number): Agent => {
    const agent = typeof idOrIndex === 'number' ? master.agents[idOrIndex] : master.agentsById.get(idOrIndex);
    if (!agent) throw new Error(`No agent ${idOrIndex}`);
    return agent;
  };
  let stopping: Promise<void> | undefined;
  let restarting: Promise<void> | undefined;
  let wakeUp: (() => void) | undefined;
  const restartMaster = (request: RestartRequest, keep?: Socket): Promise<void> => {
    if (stopping) return Promise.reject(new Error('local-mesos is stopping'));
    restarting ??= (async () => {
      try {
        master.goDown();
        front.dropConnections(keep);
        const downMs = Math.min(Math.max(0, request.downForMs ?? DEFAULT_DOWN_MS), MAX_DOWN_MS);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, downMs);
          wakeUp = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wakeUp = undefined;
        if (stopping) return;
        await zk?.close();
        zk = undefined;
        master.comeUp(request.newMasterId);
        if (settings.zk) zk = await registerInZk(settings.zk, master.masterInfo());
      } finally {
        restarting = undefined;
      }
    })();
    return restarting;
  };
  front.restartHandler = restartMaster;
  return {
    url: `http://${ip.includes(':') ? `[${ip}]` : ip}:${address.port}`,
    port: address.port,
    get masterId() {
      return master.id;
    },
    agentIds: master.agents.map((a) => a.id),
    workDir: settings.workDir,
    get zkNode() {
      return zk?.path;
    },
    master,
    stopAgent: (idOrIndex, mode = 'kill') => master.stopAgent(agentOf(idOrIndex), mode),
    startAgent: (idOrIndex) => master.startAgent(agentOf(idOrIndex)),
    setMode: (mode) => {
      master.mode = mode;
    },
    state: () => masterState(master),
    restartMaster: (options = {}) => restartMaster(options),
    endMasterDowntime: () => wakeUp?.(),
    stop: () => {
      stopping ??= (async () => {
        wakeUp?.();
        await restarting?.catch(() => undefined);
        await zk?.close();
        await master.stop();
        await front.close();
        if (settings.workDirIsOurs && settings.cleanWorkDir) fs.rmSync(settings.workDir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}
