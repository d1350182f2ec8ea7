// Options of a local-mesos instance and their defaults (Mesos' own defaults where one exists).
import * as os from 'node:os';
import * as path from 'node:path';
import { parseRanges, type PortRanges } from './master/resources';

/** One agent's shape. Omitted fields take the defaults below. */
export interface AgentSpec {
  /** Hostname in offers; default 127.0.0.<n> (loopback, so every agent is reachable yet distinct). */
  hostname?: string;
  /** Nominal agent port (in offer urls and MESOS_AGENT_ENDPOINT); default 5051 + index. */
  port?: number;
  cpus?: number;
  mem?: number;
  disk?: number;
  gpus?: number;
  /** "[31000-31999]" or [[31000, 31999]]; default a distinct 1000-port block per agent. */
  ports?: string | [number, number][];
  /** Text attributes as strings, scalar attributes as numbers. */
  attributes?: Record<string, string | number>;
}

/** How the master answers scheduler calls: as leader, redirecting, recovering (503) or leaderless (503). */
export type MasterMode = { kind: 'leader' } | { kind: 'redirect'; leader: string } | { kind: 'recovering' } | { kind: 'no-leader' };

export interface LocalMesosOptions {
  /** Listen port; 0 = ephemeral. Default 5050. */
  port?: number;
  /** Bind address. Default 127.0.0.1. */
  host?: string;
  /** Hostname advertised in MasterInfo. Default = host. */
  advertisedHostname?: string;
  /** Number of agents when `agentSpecs` is absent. Default 3. */
  agents?: number;
  /** Per-agent overrides; its length wins over `agents`. */
  agentSpecs?: AgentSpec[];
  /** Defaults applied to every agent before its own spec. */
  agentDefaults?: AgentSpec;
  heartbeatIntervalSeconds?: number;
  allocationIntervalSeconds?: number;
  /** First resend delay of an unacknowledged status update (doubles up to 10 min). Default 10 s. */
  statusUpdateResendSeconds?: number;
  /** refuse_seconds when a DECLINE/ACCEPT carries no filters. Default 5. */
  defaultRefuseSeconds?: number;
  /** Kill grace when neither KILL nor TaskInfo has a kill policy. Default 3 s. */
  killGraceSeconds?: number;
  /** Upper bound for failover_timeout honoured by the master (seconds); default unlimited. */
  maxFailoverTimeoutSeconds?: number;
  /** Initial answer mode; default leader. */
  mode?: MasterMode;
  /** Sandbox root. Default <tmpdir>/local-mesos-<pid>-<random>. */
  workDir?: string;
  /** Remove the work dir on stop (only when it was created by us). Default true. */
  cleanWorkDir?: boolean;
  /** Simulated agents: no processes; STARTING then RUNNING (or FAILED for `simulateFailureShare`). */
  simulate?: boolean;
  simulateFailureShare?: number;
  /** zk://host:port/path — register as json.info_ ephemeral sequential znode. */
  zk?: string;
  /** Split every HTTP chunk of the event stream into pieces of at most this many bytes (tests). 0 = off. */
  streamChunkBytes?: number;
  /** Outbound bytes a subscriber may have pending before its stream is closed. Default 64 MiB. */
  maxStreamBufferBytes?: number;
  /** Fixed master id (default: random UUID). */
  masterId?: string;
  /** Logger; default silent. */
  log?: (line: string) => void;
}

export interface Settings {
  port: number;
  host: string;
  advertisedHostname: string;
  agentSpecs: ResolvedAgentSpec[];
  heartbeatMs: number;
  heartbeatSeconds: number;
  allocationMs: number;
  resendMs: number;
  defaultRefuseSeconds: number;
  killGraceMs: number;
  maxFailoverTimeoutMs: number;
  mode: MasterMode;
  workDir: string;
  workDirIsOurs: boolean;
  cleanWorkDir: boolean;
  simulate: boolean;
  simulateFailureShare: number;
  zk: string | undefined;
  streamChunkBytes: number;
  maxStreamBufferBytes: number;
  masterId: string | undefined;
  log: (line: string) => void;
}

export interface ResolvedAgentSpec {
  hostname: string;
  port: number;
  cpus: number;
  mem: number;
  disk: number;
  gpus: number;
  ports: PortRanges;
  attributes: Record<string, string | number>;
}

function loopbackHost(index: number): string {
  const n = index + 1;
  return `127.0.${Math.floor(n / 256)}.${n % 256}`;
}

export function resolveAgentSpec(index: number, spec: AgentSpec, defaults: AgentSpec): ResolvedAgentSpec {
  const merged = { ...defaults, ...spec };
  const ports = merged.ports;
  let flat: PortRanges;
  if (ports === undefined) flat = [31000 + index * 1000, 31999 + index * 1000];
  else if (typeof ports === 'string') flat = parseRanges(ports);
  else flat = ports.flat();
  return {
    hostname: merged.hostname ?? loopbackHost(index),
    port: merged.port ?? 5051 + index,
    cpus: merged.cpus ?? 4,
    mem: merged.mem ?? 4096,
    disk: merged.disk ?? 10240,
    gpus: merged.gpus ?? 0,
    ports: flat,
    attributes: merged.attributes ?? {},
  };
}

export function resolveSettings(o: LocalMesosOptions): Settings {
  const count = o.agentSpecs?.length ?? o.agents ?? 3;
  const defaults = o.agentDefaults ?? {};
  const agentSpecs = Array.from({ length: count }, (_, i) => resolveAgentSpec(i, o.agentSpecs?.[i] ?? {}, defaults));
  const host = o.host ?? '127.0.0.1';
  const heartbeatSeconds = o.heartbeatIntervalSeconds ?? 15;
  const workDirIsOurs = o.workDir === undefined;
  return {
    port: o.port ?? 5050,
    host,
    advertisedHostname: o.advertisedHostname ?? host,
    agentSpecs,
    heartbeatSeconds,
    heartbeatMs: heartbeatSeconds * 1000,
    allocationMs: (o.allocationIntervalSeconds ?? 1) * 1000,
    resendMs: (o.statusUpdateResendSeconds ?? 10) * 1000,
    defaultRefuseSeconds: o.defaultRefuseSeconds ?? 5,
    killGraceMs: (o.killGraceSeconds ?? 3) * 1000,
    maxFailoverTimeoutMs: (o.maxFailoverTimeoutSeconds ?? Infinity) * 1000,
    mode: o.mode ?? { kind: 'leader' },
    workDir: o.workDir ?? path.join(os.tmpdir(), `local-mesos-${process.pid}-${Math.random().toString(36).slice(2, 8)}`),
    workDirIsOurs,
    cleanWorkDir: o.cleanWorkDir ?? true,
    simulate: o.simulate ?? false,
    simulateFailureShare: o.simulateFailureShare ?? 0,
    zk: o.zk,
    streamChunkBytes: o.streamChunkBytes ?? 0,
    maxStreamBufferBytes: o.maxStreamBufferBytes ?? 64 * 1024 * 1024,
    masterId: o.masterId,
    log: o.log ?? (() => undefined),
  };
}
