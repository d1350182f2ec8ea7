import type { Instance } from '../../src/core/instances';
import { InstanceTracker } from '../../src/scheduler/instance-tracker';

const T0 = '2026-01-01T00:00:00.000Z';
const rec = (appId: string, n: number): Instance => ({
  instanceId: `${appId.slice(1)}.instance-${n}`, appId, appVersion: T0, goal: 'running', state: 'TASK_RUNNING', incarnation: 1,
  taskId: `${appId.slice(1)}.instance-${n}._app.1`, hostPorts: [], createdAt: T0, stateSince: T0,
});

describe('InstanceTracker: apps to announce after a write (takeWrittenApps)', () => {
  it('collects the apps of put and removed records, apart from takeTouchedApps; loads are not writes', () => {
    const t = new InstanceTracker();
    t.load([rec('/loaded', 1)], 0);
    t.put(rec('/a', 1), 0);
    t.put(rec('/b', 1), 0);
    t.remove(rec('/loaded', 1).instanceId);
    expect(t.takeTouchedApps()).toEqual(new Set(['/a', '/b', '/loaded']));
    expect(t.takeWrittenApps()).toEqual(new Set(['/a', '/b', '/loaded']));
    expect(t.takeWrittenApps()).toEqual(new Set());
  });

  it('a failed write puts its apps back with its changes', () => {
    const t = new InstanceTracker();
    t.put(rec('/a', 1), 0);
    const changes = t.takeChanges();
    const apps = t.takeWrittenApps();
    t.put(rec('/b', 1), 0); // changed while the write was in flight
    t.restoreChanges(changes, apps);
    expect(t.pendingWrites).toBe(2);
    expect(t.takeWrittenApps()).toEqual(new Set(['/a', '/b']));
  });
});
