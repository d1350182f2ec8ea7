import { APP_VALIDATION_MESSAGES as M, isUpgrade, mergeAppUpdate, needsRestart, normalizeApp } from './index';
import type { AppDefinition } from './index';

function ok(raw: unknown): AppDefinition {
  const r = normalizeApp(raw);
  if (!r.ok) throw new Error(JSON.stringify(r.details));
  return r.app;
}
const current = ok({
  id: '/g/app', cmd: 'sleep 100', instances: 2, labels: { a: 'b' }, portDefinitions: [{ port: 10000, name: 'http' }],
  version: '2024-01-01T00:00:00.000Z', versionInfo: { lastScalingAt: '2024-01-01T00:00:00.000Z', lastConfigChangeAt: '2024-01-01T00:00:00.000Z' },
});
const merge = (patch: unknown) => normalizeApp(mergeAppUpdate(current, patch));

describe('mergeAppUpdate', () => {
  it('an empty patch keeps the app unchanged', () => {
    expect(merge({})).toEqual({ ok: true, app: current });
  });

  it('fields present replace, absent or null keep the current value', () => {
    const r = merge({ instances: 5, labels: { c: 'd' }, cmd: null });
    expect(r.ok && r.app).toEqual({ ...current, instances: 5, labels: { c: 'd' } });
  });

  it('id, version and versionInfo in the body never change the app', () => {
    const r = merge({ id: '/other', version: '2030-01-01T00:00:00.000Z', instances: 3 });
    expect(r.ok && r.app.id).toBe('/g/app');
    expect(r.ok && r.app.version).toBe(current.version);
  });

  it('setting cmd on an app that has args is rejected, as in Marathon', () => {
    const withArgs = ok({ id: '/x', args: ['sleep', '1'] });
    expect(normalizeApp(mergeAppUpdate(withArgs, { cmd: 'sleep 2' }))).toEqual({ ok: false, details: [{ path: '/', errors: [M.cmdArgsContainer] }] });
    const r = normalizeApp(mergeAppUpdate(withArgs, { cmd: 'sleep 2', args: [] }));
    expect(r.ok && r.app.cmd).toBe('sleep 2');
    expect(r.ok && 'args' in r.app).toBe(false);
  });

  it('legacy ports in the patch replace portDefinitions', () => {
    const r = merge({ ports: [8080, 0] });
    expect(r.ok && r.app.portDefinitions).toEqual([{ port: 8080, protocol: 'tcp' }, { port: 0, protocol: 'tcp' }]);
  });

  it('legacy uris in the patch replace fetch', () => {
    const withFetch = ok({ id: '/x', cmd: 'xx', fetch: [{ uri: 'http://a/b' }] });
    const r = normalizeApp(mergeAppUpdate(withFetch, { uris: ['http://c/d.zip'] }));
    expect(r.ok && r.app.fetch).toEqual([{ uri: 'http://c/d.zip', extract: true, executable: false, cache: false }]);
  });

  it('a legacy docker network in the patch replaces networks', () => {
    const r = merge({ container: { type: 'DOCKER', docker: { image: 'nginx', network: 'BRIDGE' } } });
    expect(r.ok && r.app.networks).toEqual([{ mode: 'container/bridge' }]);
    expect(r.ok && r.app.portDefinitions).toBeUndefined();
  });

  it('switching to container networking drops port definitions and requirePorts', () => {
    const r = merge({ networks: [{ mode: 'container', name: 'dcos' }], requirePorts: true });
    expect(r.ok && r.app.portDefinitions).toBeUndefined();
    expect(r.ok && r.app.requirePorts).toBe(false);
  });

  it.each([null, 'x', 3, [1]])('a non-object patch (%j) is returned unchanged', (p) => {
    expect(mergeAppUpdate(current, p)).toBe(p);
  });

  it('invalid patch values are reported with their path', () => {
    expect(merge({ instances: -1 })).toEqual({ ok: false, details: [{ path: '/instances', errors: ['error.min'] }] });
  });
});

describe('isUpgrade / needsRestart', () => {
  it.each([
    ['instances only', { instances: 9 }, false],
    ['version stamps only', { version: '2025-01-01T00:00:00.000Z' }, false],
    ['labels', { labels: {} }, true],
    ['cmd', { cmd: 'sleep 1' }, true],
    ['upgradeStrategy', { upgradeStrategy: { minimumHealthCapacity: 0.5, maximumOverCapacity: 1 } }, true],
    ['killSelection', { killSelection: 'OLDEST_FIRST' }, true],
    ['env', { env: { A: 'b' } }, true],
    ['cpus', { cpus: 2 }, true],
  ])('%s → %s', (_n, patch, expected) => {
    const r = merge(patch);
    if (!r.ok) throw new Error(JSON.stringify(r.details));
    expect(isUpgrade(current, r.app)).toBe(expected);
    expect(needsRestart(current, r.app)).toBe(expected);
  });

  it('is independent of key order', () => {
    const reversed = Object.fromEntries(Object.entries(current).reverse()) as unknown as AppDefinition;
    expect(isUpgrade(current, reversed)).toBe(false);
  });

  it('needsRestart also sees a new lastConfigChangeAt (the /restart endpoint)', () => {
    const restarted = { ...current, versionInfo: { lastScalingAt: 'x', lastConfigChangeAt: '2025-01-01T00:00:00.000Z' } };
    expect(isUpgrade(current, restarted)).toBe(false);
    expect(needsRestart(current, restarted)).toBe(true);
  });
});
