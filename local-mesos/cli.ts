// Command-line flags → LocalMesosOptions.
import * as fs from 'node:fs';
import type { AgentSpec, LocalMesosOptions } from './settings';

export const USAGE = `Usage: npm run local-mesos -- [flags]

  --port N                 listen port (default 5050; 0 = ephemeral)
  --host ADDR              bind address (default 127.0.0.1)
  --hostname NAME          hostname advertised in MasterInfo (default = host)
  --agents N               number of agents (default 3)
  --cpus X --mem MB --disk MB --gpus N      resources of every agent (default 4 / 4096 / 10240 / 0)
  --ports RANGES           port ranges of every agent, e.g. "[31000-31999]" (default: agent i gets
                           [31000+1000i - 31999+1000i] so real tasks on one machine never collide)
  --attributes LIST        attributes of every agent, "rack:r1;zone:a;gen:3" (numbers become scalars)
  --config FILE            JSON file with any option, e.g. {"agentSpecs":[{"cpus":2,"attributes":{"rack":"a"}}]}
  --heartbeat-interval D   HEARTBEAT period (default 15s)
  --allocation-interval D  offer cycle (default 1s)
  --status-update-resend D first resend of an unacknowledged update, doubling to 10 min (default 10s)
  --refuse-seconds S       refuse_seconds when DECLINE has no filters (default 5)
  --kill-grace D           default SIGTERM→SIGKILL grace (default 3s)
  --max-failover-timeout D cap on FrameworkInfo.failover_timeout (default none)
  --mode MODE              leader | recovering (503) | no-leader (503) (default leader)
  --leader HOST:PORT       act as a non-leader: 307 to this leader
  --work-dir DIR           sandbox root (default <tmp>/local-mesos-<pid>-<rand>, removed on exit)
  --keep-work-dir          do not remove the default work dir on exit
  --simulate               simulated agents (no processes; STARTING then RUNNING)
  --failure-share X        with --simulate: share of tasks that fail after STARTING (0..1)
  --zk URL                 register in ZooKeeper, e.g. zk://127.0.0.1:2181/mesos
  --stream-chunk-bytes N   split event stream writes into HTTP chunks of at most N bytes (tests)
  --master-id ID           fixed master id (default random UUID)
  --quiet                  no request/diagnostic logging
  --help

Durations: 500ms, 15s, 2m, 1h, or bare seconds.`;

export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new Error(`Invalid duration '${text}'`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return unit === 'ms' ? n / 1000 : unit === 'm' ? n * 60 : unit === 'h' ? n * 3600 : n;
}

export function parseAttributes(text: string): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const pair of text.split(';')) {
    if (pair.trim() === '') continue;
    const i = pair.indexOf(':');
    if (i <= 0) throw new Error(`Invalid attribute '${pair}' (expected name:value)`);
    const value = pair.slice(i + 1).trim();
    out[pair.slice(0, i).trim()] = /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  }
  return out;
}

export interface CliResult {
  options: LocalMesosOptions;
  help: boolean;
  quiet: boolean;
}

export function parseArgs(argv: string[]): CliResult {
  const options: LocalMesosOptions = {};
  const agentDefaults: AgentSpec = {};
  let help = false;
  let quiet = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--help': case '-h': help = true; break;
      case '--quiet': quiet = true; break;
      case '--port': options.port = Number(next()); break;
      case '--host': options.host = next(); break;
      case '--hostname': options.advertisedHostname = next(); break;
      case '--agents': options.agents = Number(next()); break;
      case '--cpus': agentDefaults.cpus = Number(next()); break;
      case '--mem': agentDefaults.mem = Number(next()); break;
      case '--disk': agentDefaults.disk = Number(next()); break;
      case '--gpus': agentDefaults.gpus = Number(next()); break;
      case '--ports': agentDefaults.ports = next(); break;
      case '--attributes': agentDefaults.attributes = parseAttributes(next()); break;
      case '--config': Object.assign(options, JSON.parse(fs.readFileSync(next(), 'utf8')) as LocalMesosOptions); break;
      case '--heartbeat-interval': options.heartbeatIntervalSeconds = parseDuration(next()); break;
      case '--allocation-interval': options.allocationIntervalSeconds = parseDuration(next()); break;
      case '--status-update-resend': options.statusUpdateResendSeconds = parseDuration(next()); break;
      case '--refuse-seconds': options.defaultRefuseSeconds = Number(next()); break;
      case '--kill-grace': options.killGraceSeconds = parseDuration(next()); break;
      case '--max-failover-timeout': options.maxFailoverTimeoutSeconds = parseDuration(next()); break;
      case '--mode': options.mode = modeOf(next()); break;
      case '--leader': options.mode = { kind: 'redirect', leader: next() }; break;
      case '--work-dir': options.workDir = next(); break;
      case '--keep-work-dir': options.cleanWorkDir = false; break;
      case '--simulate': options.simulate = true; break;
      case '--failure-share': options.simulateFailureShare = Number(next()); break;
      case '--zk': options.zk = next(); break;
      case '--stream-chunk-bytes': options.streamChunkBytes = Number(next()); break;
      case '--master-id': options.masterId = next(); break;
      default: throw new Error(`Unknown flag '${flag}'\n\n${USAGE}`);
    }
  }
  if (Object.keys(agentDefaults).length > 0) options.agentDefaults = { ...options.agentDefaults, ...agentDefaults };
  return { options, help, quiet };
}

function modeOf(text: string): LocalMesosOptions['mode'] {
  if (text === 'leader') return { kind: 'leader' };
  if (text === 'recovering') return { kind: 'recovering' };
  if (text === 'no-leader') return { kind: 'no-leader' };
  throw new Error(`Unknown mode '${text}' (leader | recovering | no-leader; use --leader for redirects)`);
}
