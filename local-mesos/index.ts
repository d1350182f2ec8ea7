// Library entry: start a local Mesos master with N agents in this process.
//
//   const mesos = await startLocalMesos({ port: 0, agents: 2, heartbeatIntervalSeconds: 0.5 });
//   // mesos.url === 'http://127.0.0.1:<port>' — ready as soon as the promise resolves.
//   await mesos.stop();
import * as fs from 'node:fs';
import type { Agent } from './agent/agent';
import { HttpFront } from './http/server';
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
  masterId: string;
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
  /** Closes the server and streams, and kills every task process group. Idempotent. */
  stop(): Promise<void>;
}

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
  return {
    url: `http://${ip.includes(':') ? `[${ip}]` : ip}:${address.port}`,
    port: address.port,
    masterId: master.id,
    agentIds: master.agents.map((a) => a.id),
    workDir: settings.workDir,
    zkNode: zk?.path,
    master,
    stopAgent: (idOrIndex, mode = 'kill') => master.stopAgent(agentOf(idOrIndex), mode),
    startAgent: (idOrIndex) => master.startAgent(agentOf(idOrIndex)),
    setMode: (mode) => {
      master.mode = mode;
    },
    state: () => masterState(master),
    stop: () => {
      stopping ??= (async () => {
        await zk?.close();
        await master.stop();
        await front.close();
        if (settings.workDirIsOurs && settings.cleanWorkDir) fs.rmSync(settings.workDir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}
