import fc from 'fast-check';
import { normalizeApp } from '../apps';
import type { AppDefinition } from '../apps';
import { jvmDoubleString, labelsEnv, portsEnv, sanitizeLabelName, taskEnv } from './task-env';

const VERSION = '2015-04-02T09:37:00.596Z';
const TASK = 'web.instance-u1._app.1';

function app(raw: Record<string, unknown>): AppDefinition {
  const r = normalizeApp({ id: '/web', cmd: 'sleep 100', ...raw });
  if (!r.ok) throw new Error(JSON.stringify(r.details));
  return { ...r.app, version: VERSION };
}

describe('taskEnv', () => {
  it('host networking, two ports (one named, one fixed) — the whole map', () => {
    const a = app({
      portDefinitions: [{ port: 0, name: 'http' }, { port: 8080 }],
      labels: { team: 'core', 'my.label-x': 'v' },
      cpus: 0.5, mem: 64, disk: 0,
    });
    expect(taskEnv({ app: a, taskId: TASK, host: 'agent1', hostPorts: [31001, 31002] })).toEqual({
      MESOS_TASK_ID: TASK,
      MARATHON_APP_ID: '/web',
      MARATHON_APP_VERSION: VERSION,
      MARATHON_APP_RESOURCE_CPUS: '0.5',
      MARATHON_APP_RESOURCE_MEM: '64.0',
      MARATHON_APP_RESOURCE_DISK: '0.0',
      MARATHON_APP_RESOURCE_GPUS: '0',
      MARATHON_APP_LABELS: 'TEAM MY_LABEL_X',
      MARATHON_APP_LABEL_TEAM: 'core',
      MARATHON_APP_LABEL_MY_LABEL_X: 'v',
      PORT0: '31001',
      PORT1: '31002',
      PORT_31001: '31001',
      PORT_8080: '31002',
      PORT_HTTP: '31001',
      PORT: '31001',
      PORTS: '31001,31002',
      HOST: 'agent1',
    });
  });

  it('default app (one dynamic port named "default")', () => {
    const env = taskEnv({ app: app({}), taskId: TASK, host: 'h', hostPorts: [31000] });
    expect(env).toMatchObject({ PORT0: '31000', PORT: '31000', PORTS: '31000', PORT_DEFAULT: '31000', PORT_31000: '31000', MARATHON_APP_LABELS: '' });
  });

  it('no ports ⇒ no PORT variables', () => {
    const env = taskEnv({ app: app({ portDefinitions: [] }), taskId: TASK, host: 'h', hostPorts: [] });
    expect(Object.keys(env).filter((k) => k.startsWith('PORT'))).toEqual([]);
    expect(env.HOST).toBe('h');
  });

  it('the app env wins over everything, MARATHON_* included (Marathon merges env last)', () => {
    const base = app({ env: { PORT0: 'mine', MARATHON_APP_ID: 'fake', HOST: 'override', FOO: 'bar' } });
    const a: AppDefinition = { ...base, env: { ...base.env, SECRET: { secret: 's1' } } };
    const env = taskEnv({ app: a, taskId: TASK, host: 'h', hostPorts: [31000] });
    expect(env).toMatchObject({ PORT0: 'mine', MARATHON_APP_ID: 'fake', HOST: 'override', FOO: 'bar' });
    expect(env.SECRET).toBeUndefined();
  });

  it('--env_vars_prefix applies to ports and HOST only', () => {
    const env = taskEnv({ app: app({ env: { A: 'b' } }), taskId: TASK, host: 'h', hostPorts: [31000], envVarsPrefix: 'MY_' });
    expect(env).toMatchObject({ MY_PORT0: '31000', MY_PORTS: '31000', MY_HOST: 'h', MESOS_TASK_ID: TASK, A: 'b' });
    expect(env.PORT0).toBeUndefined();
    expect(env.HOST).toBeUndefined();
  });

  it('docker image and bridge port mappings', () => {
    const a = app({
      container: { type: 'DOCKER', docker: { image: 'nginx:1.9' }, portMappings: [{ containerPort: 80, hostPort: 0, name: 'web' }, { containerPort: 9000, name: 'metrics' }] },
      networks: [{ mode: 'container/bridge' }],
    });
    const env = taskEnv({ app: a, taskId: TASK, host: 'h', hostPorts: [31005, undefined] });
    expect(env).toMatchObject({
      MARATHON_APP_DOCKER_IMAGE: 'nginx:1.9', PORT0: '31005', PORT1: '9000', PORT_80: '31005', PORT_9000: '9000',
      PORT_WEB: '31005', PORT: '31005', PORTS: '31005',
    });
    expect(env.PORT_METRICS).toBeUndefined();
  });

  it('a port name with a dash is upper-cased as is (Marathon does not sanitize port names)', () => {
    const env = taskEnv({ app: app({ portDefinitions: [{ port: 0, name: 'my-api' }] }), taskId: TASK, host: 'h', hostPorts: [31000] });
    expect(env['PORT_MY-API']).toBe('31000');
  });

  it('an env key named __proto__ stays a plain variable', () => {
    const a = { ...app({}), env: JSON.parse('{"__proto__":"x"}') as Record<string, string> };
    const env = taskEnv({ app: a, taskId: TASK, host: 'h', hostPorts: [1] });
    expect(Object.getOwnPropertyDescriptor(env, '__proto__')?.value).toBe('x');
  });
});

describe('portsEnv: container ports without a host port', () => {
  it.each<[string, number[], (number | undefined)[], Record<string, string>]>([
    ['fixed container port', [8080], [undefined], { PORT0: '8080', PORT_8080: '8080', PORTS: '' }],
    ['dynamic container port drawn by pickPort', [0], [undefined], { PORT0: '2000', PORT_2000: '2000', PORT: '2000', PORTS: '2000' }],
    ['mixed', [0, 0], [31000, undefined], { PORT0: '31000', PORT1: '2000', PORT_31000: '31000', PORT_2000: '2000', PORT: '31000', PORTS: '31000,2000' }],
  ])('%s', (_n, requested, effective, expected) => {
    expect(portsEnv(requested, effective, [], () => 2000)).toEqual(expected);
  });

  it('without pickPort a dynamic container-only port is left out', () => {
    expect(portsEnv([0], [undefined], [])).toEqual({ PORTS: '' });
  });
});

describe('labels', () => {
  it.each([
    ['team', 'TEAM'],
    ['a.b-c', 'A_B_C'],
    ['a..--b', 'A_B'],
    ['Mixed_Case9', 'MIXED_CASE9'],
    ['ünï', '_N_'],
  ])('%s → %s', (name, expected) => {
    expect(sanitizeLabelName(name)).toBe(expected);
  });

  it('drops names ≥ 493 and values ≥ 512 characters', () => {
    const env = labelsEnv({ ['k'.repeat(492)]: 'ok', ['n'.repeat(493)]: 'x', v: 'y'.repeat(512), w: 'y'.repeat(511) });
    expect(env.MARATHON_APP_LABELS).toBe(`${'K'.repeat(492)} W`);
    expect(Object.keys(env)).toHaveLength(3);
  });
});

describe('jvmDoubleString', () => {
  it.each([
    [1, '1.0'], [0.5, '0.5'], [128, '128.0'], [0, '0.0'], [0.001, '0.001'], [0.0001, '1.0E-4'], [1e7, '1.0E7'],
    [12345678.9, '1.23456789E7'], [9999999, '9999999.0'], [0.1, '0.1'],
  ])('%d → %s', (x, s) => {
    expect(jvmDoubleString(x)).toBe(s);
  });
});

describe('properties', () => {
  it('PORT<i>/PORTS/PORT follow the host ports; every value a string', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ port: fc.constantFrom(0, 0, 80, 8080, 9000), hostPort: fc.integer({ min: 1, max: 65535 }) }), { maxLength: 6 }),
      (ports) => {
        const requested = ports.map((p) => p.port);
        const hostPorts = ports.map((p) => p.hostPort);
        const env = portsEnv(requested, hostPorts, []);
        if (ports.length === 0) {
          expect(env).toEqual({});
          return;
        }
        hostPorts.forEach((h, i) => expect(env[`PORT${i}`]).toBe(String(h)));
        expect(env.PORTS).toBe(hostPorts.join(','));
        expect(env.PORT).toBe(String(hostPorts[0]));
      },
    ));
  });

  it('label env: names are valid env names and MARATHON_APP_LABELS lists them', () => {
    fc.assert(fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), fc.string({ maxLength: 10 })), (labels) => {
      const env = labelsEnv(labels);
      const names = env.MARATHON_APP_LABELS === '' ? [] : (env.MARATHON_APP_LABELS ?? '').split(' ');
      for (const n of names) {
        expect(n).toMatch(/^[A-Z0-9_]+$/);
        expect(env[`MARATHON_APP_LABEL_${n}`]).toBeDefined();
      }
      expect(Object.keys(env)).toHaveLength(names.length + 1);
    }));
  });
});
