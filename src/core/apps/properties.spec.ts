import fc from 'fast-check';
import {
  APP_KEYS, CONTAINER_KEYS, PORT_DEFINITION_KEYS, PORT_MAPPING_KEYS, READINESS_CHECK_KEYS,
  isUpgrade, jsonEqual, mergeAppUpdate, normalizeApp,
} from './index';
import type { AppDefinition } from './index';

/**
 * Generates request bodies that are mostly valid, with deliberate invalid corners (bad ids,
 * duplicate port names, bad constraints), covering deprecated and canonical fields.
 */
const segment = fc.oneof({ weight: 8, arbitrary: fc.constantFrom('a', 'b', 'web', 'x-1', 'a.b') }, { weight: 1, arbitrary: fc.constantFrom('Bad', 'tasks', '..', '') });
const id = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join('/'));
const portName = fc.constantFrom('http', 'api', 'metrics', 'web', 'Bad_Name');
const portDef = fc.record({ port: fc.constantFrom(0, 0, 80, 8080), name: fc.option(portName, { nil: undefined }), protocol: fc.constantFrom('tcp', 'udp', undefined) });
const constraint = fc.constantFrom(
  ['hostname', 'UNIQUE'], ['rack', 'GROUP_BY', '2'], ['rack', 'MAX_PER', '1'], ['hostname', 'LIKE', 'a.*'],
  ['hostname', 'CLUSTER', 'h1'], ['rack', 'IS', 'r1'], ['hostname', 'UNIQUE'], ['x', 'NOPE'],
);
const healthCheck = fc.record({
  protocol: fc.constantFrom('HTTP', 'TCP', 'MESOS_HTTP', 'COMMAND', undefined),
  portIndex: fc.option(fc.nat(2), { nil: undefined }),
  command: fc.constantFrom(undefined, { value: 'true' }),
  intervalSeconds: fc.option(fc.nat(100), { nil: undefined }),
}, { requiredKeys: [] });
const network = fc.constantFrom(
  undefined, [{ mode: 'host' }], [{ mode: 'container/bridge' }], [{ mode: 'container', name: 'dcos' }],
);
const container = fc.constantFrom(
  undefined,
  { type: 'DOCKER', docker: { image: 'nginx' } },
  { type: 'DOCKER', docker: { image: 'nginx', network: 'BRIDGE', portMappings: [{ containerPort: 80, name: 'http' }] } },
  { type: 'MESOS', docker: { image: 'alpine' }, portMappings: [{ containerPort: 80, hostPort: 0, name: 'api' }] },
  { type: 'MESOS', volumes: [{ containerPath: 'data', mode: 'RW', persistent: { size: 10 } }] },
);
const rawApp = fc.record({
  id,
  cmd: fc.constantFrom('sleep 100', 'echo hi', 'sleep 1', undefined, 'x'),
  args: fc.constantFrom(undefined, undefined, undefined, ['sleep', '1'], []),
  instances: fc.option(fc.nat(5), { nil: undefined }),
  cpus: fc.option(fc.constantFrom(0.1, 1, 2.5), { nil: undefined }),
  mem: fc.option(fc.constantFrom(32, 128, 1024), { nil: undefined }),
  env: fc.option(fc.dictionary(fc.constantFrom('A', 'B', 'PATH'), fc.string({ maxLength: 5 })), { nil: undefined }),
  labels: fc.option(fc.dictionary(fc.constantFrom('l1', 'l2', 'l3', 'MARATHON_SINGLE_INSTANCE_APP'), fc.constantFrom('true', 'x')), { nil: undefined }),
  constraints: fc.option(fc.array(constraint, { maxLength: 3 }), { nil: undefined }),
  ports: fc.option(fc.array(fc.constantFrom(0, 80, 443), { maxLength: 2 }), { nil: undefined }),
  portDefinitions: fc.option(fc.array(portDef, { maxLength: 3 }), { nil: undefined }),
  healthChecks: fc.option(fc.array(healthCheck, { maxLength: 2 }), { nil: undefined }),
  networks: network,
  container,
  uris: fc.constantFrom(undefined, ['http://x/a.tgz']),
  dependencies: fc.option(fc.array(id, { maxLength: 2 }), { nil: undefined }),
  upgradeStrategy: fc.option(fc.record({ minimumHealthCapacity: fc.constantFrom(0, 0.5, 1), maximumOverCapacity: fc.constantFrom(0, 1) }), { nil: undefined }),
  unreachableStrategy: fc.constantFrom(undefined, 'disabled', { inactiveAfterSeconds: 5, expungeAfterSeconds: 10 }),
  killSelection: fc.constantFrom(undefined, 'YOUNGEST_FIRST', 'oldest_first'),
  requirePorts: fc.option(fc.boolean(), { nil: undefined }),
  acceptedResourceRoles: fc.constantFrom(undefined, ['*'], ['*', 'prod']),
  taskKillGracePeriodSeconds: fc.option(fc.nat(30), { nil: undefined }),
  user: fc.constantFrom(undefined, 'nobody'),
  unknownKey: fc.constantFrom(undefined, 1, 'tty'),
}, { requiredKeys: ['id'] });

const validApp = rawApp.map((r) => normalizeApp(r)).filter((r): r is { ok: true; app: AppDefinition } => r.ok).map((r) => r.app);

const subset = (o: object | undefined, keys: readonly string[]) => o === undefined || Object.keys(o).every((k) => keys.includes(k));
const hasNullOrUndefined = (v: unknown): boolean =>
  v === null || v === undefined || (typeof v === 'object' && Object.values(v as object).some(hasNullOrUndefined));

describe('normalizeApp properties', () => {
  it('never throws; failures always carry non-empty details with "/"-paths', () => {
    fc.assert(fc.property(fc.oneof(fc.jsonValue(), rawApp), (raw) => {
      const r = normalizeApp(raw);
      if (!r.ok) {
        expect(r.details.length).toBeGreaterThan(0);
        for (const d of r.details) {
          expect(d.path.startsWith('/')).toBe(true);
          expect(d.errors.length).toBeGreaterThan(0);
        }
      }
    }), { numRuns: 150 });
  });

  it('generates a reasonable share of valid apps (the generator is not vacuous)', () => {
    const sample = fc.sample(rawApp, { numRuns: 300, seed: 42 });
    const valid = sample.filter((r) => normalizeApp(r).ok).length;
    expect(valid).toBeGreaterThan(20);
    expect(valid).toBeLessThan(300);
  });

  it('is idempotent: normalizing a normalized app gives the same app', () => {
    fc.assert(fc.property(validApp, (app) => {
      expect(normalizeApp(app)).toEqual({ ok: true, app });
    }), { numRuns: 150 });
  });

  it('emits only Marathon keys (python3-marathon rejects unknown keys) and never null/undefined', () => {
    fc.assert(fc.property(validApp, (app) => {
      expect(subset(app, APP_KEYS)).toBe(true);
      expect(subset(app.container, CONTAINER_KEYS)).toBe(true);
      for (const p of app.portDefinitions ?? []) expect(subset(p, PORT_DEFINITION_KEYS)).toBe(true);
      for (const m of app.container?.portMappings ?? []) expect(subset(m, PORT_MAPPING_KEYS)).toBe(true);
      for (const r of app.readinessChecks) expect(subset(r, READINESS_CHECK_KEYS)).toBe(true);
      expect(hasNullOrUndefined(app)).toBe(false);
    }), { numRuns: 150 });
  });

  it('round-trips through JSON unchanged', () => {
    fc.assert(fc.property(validApp, (app) => {
      expect(JSON.parse(JSON.stringify(app))).toEqual(app);
    }), { numRuns: 100 });
  });

  it('is independent of the request key order', () => {
    fc.assert(fc.property(rawApp, (raw) => {
      const reversed = Object.fromEntries(Object.entries(raw).reverse());
      expect(normalizeApp(reversed)).toEqual(normalizeApp(raw));
    }), { numRuns: 100 });
  });
});

describe('isUpgrade properties', () => {
  it('is false iff only instances (or version stamps) differ', () => {
    const mutations: [string, (a: AppDefinition) => unknown][] = [
      ['instances', (a) => ({ instances: a.instances + 1 })],
      ['labels', (a) => ({ labels: { ...a.labels, extra: 'y' } })],
      ['cpus', (a) => ({ cpus: a.cpus + 1 })],
      ['env', (a) => ({ env: { ...a.env, EXTRA: 'y' } })],
      ['backoffSeconds', (a) => ({ backoffSeconds: a.backoffSeconds + 1 })],
      ['user', (a) => ({ user: a.user === 'root' ? 'nobody' : 'root' })],
    ];
    fc.assert(fc.property(validApp, fc.constantFrom(...mutations), (app, [name, mutate]) => {
      const r = normalizeApp(mergeAppUpdate(app, mutate(app)));
      if (!r.ok) return; // e.g. a single-instance app scaled to 2
      expect(jsonEqual(r.app, app)).toBe(false);
      expect(isUpgrade(app, r.app)).toBe(name !== 'instances');
      expect(isUpgrade(r.app, app)).toBe(name !== 'instances');
    }), { numRuns: 150 });
  });

  it('merging an app with itself is a no-op', () => {
    fc.assert(fc.property(validApp, (app) => {
      expect(normalizeApp(mergeAppUpdate(app, app))).toEqual({ ok: true, app });
    }), { numRuns: 100 });
  });
});
