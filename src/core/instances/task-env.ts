/**
 * The environment Marathon gives a task (reference marathon-api.md §2.2; Marathon 1.10
 * `mesos/TaskBuilder.scala` `commandInfo` / `taskContextEnv` and `mesos/EnvironmentHelper.scala`
 * `portsEnv` / `labelsToEnvVars`; Marathon docs "Task Environment Variables").
 *
 * Built in this order, a later layer overwriting an earlier one on the same name:
 *   1. task context: MESOS_TASK_ID, MARATHON_APP_ID, MARATHON_APP_VERSION, MARATHON_APP_DOCKER_IMAGE
 *      (only with a Docker image), MARATHON_APP_RESOURCE_CPUS|MEM|DISK|GPUS, MARATHON_APP_LABELS,
 *      MARATHON_APP_LABEL_<NAME>;
 *   2. ports and HOST, each name prefixed by `--env_vars_prefix` when one is set: PORT0…PORT{n-1},
 *      PORT_<port number>, PORT_<PORT NAME>, PORT, PORTS, HOST;
 *   3. the app's own `env` (literal values; secret references are resolved elsewhere).
 *
 * Decision — the app's env wins, MARATHON_* included: Marathon merges `runSpec.env` last
 * (`taskContextEnv ++ addPrefix(ports ++ HOST) ++ env`), so an app that sets PORT0 or
 * MARATHON_APP_ID sees its own value. Pacer keeps that, because apps migrated from Marathon rely on
 * overriding e.g. HOST or PORT; the API validation does not forbid such keys either.
 *
 * Details kept from Marathon's code (where the docs are vaguer):
 * - resources are printed as JVM doubles (`1.0`, `128.0`, `0.0`, `1.0E-4`); GPUs as an integer;
 * - label names: every run of characters outside [a-zA-Z0-9_] becomes one `_`, then upper case;
 *   labels whose name is ≥ 493 characters (512 − "MARATHON_APP_LABEL_".length) or whose value is ≥ 512
 *   are left out; MARATHON_APP_LABELS lists the sanitized names separated by spaces;
 * - PORT_<NAME> is the port name in upper case with nothing else replaced (Marathon does not sanitize
 *   port names; the validation allows only [a-z0-9-], so a name `my-api` gives `PORT_MY-API`, which
 *   processes read fine but a shell cannot expand);
 * - PORT_<n>: for each declared port n ≠ 0 (portDefinitions[i].port, or containerPort with port
 *   mappings) PORT_n = the host port; for a dynamic one (0) PORT_<host port> = the host port;
 * - with port mappings, a mapping without a host port contributes its container port to PORT<i>;
 *   with containerPort 0 as well, Marathon draws a random container port: Pacer asks `pickPort`
 *   (randomness is a parameter) and leaves PORT<i> out when none is given;
 * - no ports at all ⇒ no PORT* variables (not even an empty PORTS).
 */
import type { AppDefinition } from '../apps';

export interface TaskEnvInput {
  readonly app: AppDefinition;
  readonly taskId: string;
  /** the agent's hostname from the offer */
  readonly host: string;
  /**
   * Host port per declared port (portDefinitions, or container.portMappings when present), in order;
   * undefined for a port mapping without a host port.
   */
  readonly hostPorts: readonly (number | undefined)[];
  /** Marathon `--env_vars_prefix`, applied to the port variables and HOST only */
  readonly envVarsPrefix?: string;
  /** draws a container port in 1025..65535 not in `used` (only for mappings with containerPort 0 and no host port) */
  readonly pickPort?: (used: ReadonlySet<number>) => number;
}

const LABEL_PREFIX = 'MARATHON_APP_LABEL_';
const MAX_ENV_LENGTH = 512;
const MAX_LABEL_NAME_LENGTH = MAX_ENV_LENGTH - LABEL_PREFIX.length;

/** How the JVM prints a double (`Double.toString`): `1.0`, `0.5`, `128.0`, `1.0E7`, `1.0E-4`. */
export function jvmDoubleString(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(x);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(x);
    return s.includes('.') ? s : `${s}.0`;
  }
  const [mantissa = '', exponent = ''] = x.toExponential().split('e');
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${exponent.replace('+', '')}`;
}

/** Label name → env name part (Marathon `labelsToEnvVars.escape`). */
export function sanitizeLabelName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]+/g, '_').toUpperCase();
}

export function labelsEnv(labels: Readonly<Record<string, string>>): Record<string, string> {
  const values = new Map<string, string>();
  for (const [key, value] of Object.entries(labels)) {
    if (key.length < MAX_LABEL_NAME_LENGTH && value.length < MAX_ENV_LENGTH) values.set(sanitizeLabelName(key), value);
  }
  const env: Record<string, string> = { MARATHON_APP_LABELS: [...values.keys()].join(' ') };
  for (const [name, value] of values) env[`${LABEL_PREFIX}${name}`] = value;
  return env;
}

function declaredPorts(app: AppDefinition): { readonly numbers: readonly number[]; readonly names: readonly (string | undefined)[] } {
  const mappings = app.container?.portMappings;
  if (mappings !== undefined) return { numbers: mappings.map((m) => m.containerPort), names: mappings.map((m) => m.name) };
  const defs = app.portDefinitions ?? [];
  return { numbers: defs.map((d) => d.port), names: defs.map((d) => d.name) };
}

/** PORT0.., PORT_<n>, PORT_<NAME>, PORT, PORTS (Marathon `EnvironmentHelper.portsEnv`), unprefixed. */
export function portsEnv(
  requested: readonly number[],
  effective: readonly (number | undefined)[],
  names: readonly (string | undefined)[],
  pickPort?: (used: ReadonlySet<number>) => number,
): Record<string, string> {
  if (effective.length === 0) return {};
  const env: Record<string, string> = {};
  const used = new Set<number>([...requested, ...effective.filter((p): p is number => p !== undefined)]);
  const generated = new Map<number, number>();

  effective.forEach((hostPort, i) => {
    if (hostPort !== undefined) {
      env[`PORT${i}`] = String(hostPort);
      return;
    }
    const containerPort = requested[i];
    if (containerPort === undefined) return;
    if (containerPort !== 0) {
      env[`PORT${i}`] = String(containerPort);
    } else if (pickPort !== undefined) {
      const p = pickPort(used);
      used.add(p);
      generated.set(i, p);
      env[`PORT${i}`] = String(p);
    }
  });

  const n = Math.min(requested.length, effective.length);
  for (let i = 0; i < n; i++) {
    const want = requested[i] ?? 0;
    const got = effective[i];
    const port = got ?? (want !== 0 ? want : generated.get(i));
    if (port === undefined) continue;
    env[`PORT_${want !== 0 ? want : port}`] = String(port);
  }

  const named = Math.min(names.length, effective.length);
  for (let i = 0; i < named; i++) {
    const name = names[i];
    const got = effective[i];
    if (name !== undefined && got !== undefined) env[`PORT_${name.toUpperCase()}`] = String(got);
  }

  const assigned = [...effective.filter((p): p is number => p !== undefined), ...generated.values()];
  if (assigned.length > 0) env.PORT = String(assigned[0]);
  env.PORTS = assigned.join(',');
  return env;
}

/** The full environment of one task (see the layering above). */
export function taskEnv(input: TaskEnvInput): Record<string, string> {
  const { app } = input;
  // A Map, then fromEntries: an app env key such as `__proto__` stays a plain variable.
  const env = new Map<string, string>([
    ['MESOS_TASK_ID', input.taskId],
    ['MARATHON_APP_ID', app.id],
    ['MARATHON_APP_VERSION', app.version ?? ''],
  ]);
  const image = app.container?.docker?.image;
  if (image !== undefined) env.set('MARATHON_APP_DOCKER_IMAGE', image);
  env.set('MARATHON_APP_RESOURCE_CPUS', jvmDoubleString(app.cpus));
  env.set('MARATHON_APP_RESOURCE_MEM', jvmDoubleString(app.mem));
  env.set('MARATHON_APP_RESOURCE_DISK', jvmDoubleString(app.disk));
  env.set('MARATHON_APP_RESOURCE_GPUS', String(Math.trunc(app.gpus)));
  for (const [k, v] of Object.entries(labelsEnv(app.labels))) env.set(k, v);

  const prefix = input.envVarsPrefix ?? '';
  const { numbers, names } = declaredPorts(app);
  const ports = portsEnv(numbers, input.hostPorts, names, input.pickPort);
  for (const [k, v] of Object.entries(ports)) env.set(`${prefix}${k}`, v);
  env.set(`${prefix}HOST`, input.host);

  for (const [k, v] of Object.entries(app.env)) if (typeof v === 'string') env.set(k, v);
  return Object.fromEntries(env);
}
