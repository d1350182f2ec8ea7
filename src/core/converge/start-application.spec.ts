import { normalizeApp, type AppDefinition } from '../apps';
import type { Instance } from '../instances/instance';
import { converge } from './converge';

const app = (): AppDefinition => {
  const r = normalizeApp({ id: '/shop/web', cmd: 'sleep 1000', instances: 3, dependencies: ['/shop/db'] });
  if (!r.ok) throw new Error(JSON.stringify(r.details));
  return r.app;
};

describe('StartApplication (Marathon legacy no-op, reference §3.2)', () => {
  it('is done at once and launches nothing: the ScaleApplication of the app\'s dependency step does', () => {
    const d = converge({ mode: 'StartApplication', app: app(), instances: [] as Instance[], isCurrent: () => true, isHealthy: () => false });
    expect(d).toMatchObject({ decommission: [], toStart: 0, done: true });
    expect(d.progress.target).toBe(3);
  });
});
