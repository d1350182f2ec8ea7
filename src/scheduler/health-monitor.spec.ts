import { normalizeApp, type AppDefinition } from '../core/apps';
import type { StoredHealth } from '../core/health';
import type { Instance, InstanceState } from '../core/instances';
import type { ProbeJob, ProbeResultMessage } from '../health-checks/probe-queue';
import { HealthMonitor, occupiedOf, type HealthMonitorSettings, type ProbeSink, type ProbeSource } from './health-monitor';

const T0 = Date.UTC(2026, 0, 1);
const S = 1000;
const LONG_AGO = new Date(T0 - 3600 * S).toISOString();

function makeApp(extra: Record<string, unknown> = {}, check: Record<string, unknown> = {}): AppDefinition {
  const r = normalizeApp({
    id: '/web', cmd: 'serve', instances: 3, portDefinitions: [{ port: 0 }],
    upgradeStrategy: { minimumHealthCapacity: 0.5, maximumOverCapacity: 1 },
    healthChecks: [{ protocol: 'HTTP', path: '/health', portIndex: 0, gracePeriodSeconds: 30, intervalSeconds: 10, timeoutSeconds: 2, maxConsecutiveFailures: 1, ...check }],
    ...extra,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.details));
  return { ...r.app, version: new Date(T0 - 7200 * S).toISOString() };
}

function inst(n: number, state: InstanceState = 'TASK_RUNNING', extra: Partial<Instance> = {}, appId = '/web'): Instance {
  const id = `${appId.slice(1)}.instance-${n}`;
  return {
    instanceId: id, appId, appVersion: '2025-12-31T22:00:00.000Z', goal: 'running', state, incarnation: 1, taskId: `${id}._app.1`,
    agentId: 'agent-1', host: '10.0.0.1', hostPorts: [31000 + n], createdAt: LONG_AGO, stateSince: LONG_AGO, stagedAt: LONG_AGO,
    ...(state === 'TASK_RUNNING' ? { startedAt: LONG_AGO } : {}),
    ...extra,
  };
}

class FakeProbes implements ProbeSink {
  jobs: ProbeJob[] = [];
  dropped = 0;
  fail: Error | undefined;
  closed = false;
  async scheduleProbes(jobs: readonly ProbeJob[]): Promise<{ accepted: number; dropped: number }> {
    if (this.fail) throw this.fail;
    const accepted = jobs.slice(0, jobs.length - this.dropped);
    this.jobs.push(...accepted);
    return { accepted: accepted.length, dropped: jobs.length - accepted.length };
  }
  take(): ProbeJob[] {
    const j = this.jobs;
    this.jobs = [];
    return j;
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

class FakeResults implements ProbeSource {
  private handler: ((r: ProbeResultMessage) => void) | undefined;
  onResult(h: (r: ProbeResultMessage) => void): void {
    this.handler = h;
  }
  answer(job: ProbeJob, ok: boolean, over: Partial<ProbeResultMessage> = {}): void {
    this.handler?.({
      instanceId: job.instanceId, taskId: job.taskId, appId: job.appId, checkIndex: job.checkIndex, dueAt: job.dueAt, ranAt: job.dueAt,
      worker: 'replica-a', ok, latencyMs: 3, ...(ok ? { status: 200 } : { status: 503, cause: '503 Service Unavailable' }), ...over,
    });
  }
}

interface Rig {
  monitor: HealthMonitor;
  probes: FakeProbes;
  results: FakeResults;
  events: Array<{ eventType: string } & Record<string, unknown>>;
  changes: string[][];
  logs: string[];
}

function rig(settings: HealthMonitorSettings = {}, stored?: StoredHealth[]): Rig {
  const probes = new FakeProbes();
  const results = new FakeResults();
  const events: Rig['events'] = [];
  const changes: string[][] = [];
  const logs: string[] = [];
  const log = { info: (m: string) => logs.push(m), warn: (m: string) => logs.push(m), error: (m: string) => logs.push(m) };
  const monitor = new HealthMonitor({
    probes, results, log, settings,
    now: () => Date.now(),
    events: { subscriberCount: 1, publish: (e) => events.push(e as Rig['events'][number]) },
    onChange: (ids) => changes.push(ids),
  });
  if (stored) monitor.load(stored);
  return { monitor, probes, results, events, changes, logs };
}

/** Lets due probes go out (fake timers drive the dispatch interval). */
const advance = (ms: number): Promise<void> => jest.advanceTimersByTimeAsync(ms);

/** Answers every probe sent so far, `ok` or not per instance. */
function answerAll(r: Rig, ok: (job: ProbeJob) => boolean): ProbeJob[] {
  const jobs = r.probes.take();
  for (const j of jobs) r.results.answer(j, ok(j));
  return jobs;
}

describe('HealthMonitor', () => {
  let r: Rig;
  beforeEach(() => {
    jest.useFakeTimers({ now: T0, doNotFake: ['queueMicrotask', 'nextTick'] });
  });
  afterEach(async () => {
    await r?.monitor.stop();
    jest.useRealTimers();
  });

  it('arms one probe per check of every running task, spread over the interval, and every interval after', async () => {
    r = rig();
    const app = makeApp();
    const staging = inst(4, 'TASK_STAGING');
    const leaving = inst(5, 'TASK_RUNNING', { goal: 'decommissioned' });
    r.monitor.sync([{ app, instances: [inst(1), inst(2), inst(3), staging, leaving] }]);
    await advance(10 * S);
    const first = r.probes.take();
    expect(first.map((j) => j.instanceId).sort()).toEqual(['web.instance-1', 'web.instance-2', 'web.instance-3']);
    expect(first.find((j) => j.instanceId === 'web.instance-2')).toMatchObject({
      taskId: 'web.instance-2._app.1', appId: '/web', checkIndex: 0, host: '10.0.0.1', port: 31002, protocol: 'HTTP', path: '/health', timeoutSeconds: 2,
    });
    for (const j of first) expect(j.dueAt).toBeGreaterThanOrEqual(T0);
    for (const j of first) expect(j.dueAt).toBeLessThan(T0 + 10 * S);
    await advance(10 * S);
    const second = r.probes.take();
    expect(second.map((j) => j.dueAt).sort()).toEqual(first.map((j) => j.dueAt + 10 * S).sort());
    expect(r.monitor.stats()).toMatchObject({ instances: 5, probedChecks: 3, probesSent: 6 });
  });

  it('probes a task that just started within 5 s, and one that starts running later', async () => {
    r = rig();
    const app = makeApp({}, { intervalSeconds: 60 });
    const fresh = inst(1, 'TASK_RUNNING', { startedAt: new Date(T0).toISOString() });
    r.monitor.sync([{ app, instances: [fresh, inst(2, 'TASK_STARTING')] }]);
    await advance(5 * S);
    expect(r.probes.take().map((j) => j.instanceId)).toEqual(['web.instance-1']);
    r.monitor.sync([{ app, instances: [fresh, inst(2, 'TASK_RUNNING', { startedAt: new Date(Date.now()).toISOString() })] }]);
    await advance(5 * S);
    expect(r.probes.take().map((j) => j.instanceId)).toEqual(['web.instance-2']);
  });

  it('results flip health, with Marathon events, healthCheckResults and onChange', async () => {
    r = rig();
    const app = makeApp({}, { maxConsecutiveFailures: 3 });
    r.monitor.sync([{ app, instances: [inst(1), inst(2)] }]);
    await Promise.resolve();
    r.changes.length = 0; // the first sync reports every tracked instance once
    expect(r.monitor.healthOf('web.instance-1')).toBeUndefined();
    await advance(10 * S);
    answerAll(r, () => true);
    await Promise.resolve();
    expect(r.monitor.healthOf('web.instance-1')).toBe(true);
    expect(r.changes.map((ids) => [...ids].sort())).toEqual([['web.instance-1', 'web.instance-2']]);
    expect(r.monitor.results('web.instance-1')).toEqual([
      { alive: true, consecutiveFailures: 0, firstSuccess: expect.any(String), lastSuccess: expect.any(String), lastFailure: null, lastFailureCause: null, instanceId: 'web.instance-1' },
    ]);
    expect(r.events.map((e) => e.eventType)).toEqual(['health_status_changed_event', 'instance_health_changed_event', 'health_status_changed_event', 'instance_health_changed_event']);
    r.events.length = 0;

    await advance(10 * S);
    answerAll(r, (j) => j.instanceId !== 'web.instance-2');
    await Promise.resolve();
    expect(r.monitor.healthOf('web.instance-2')).toBe(false);
    expect(r.monitor.results('web.instance-2')[0]).toMatchObject({ alive: false, consecutiveFailures: 1, lastFailureCause: '503 Service Unavailable' });
    expect(r.events.map((e) => e.eventType)).toEqual(['failed_health_check_event', 'health_status_changed_event', 'instance_health_changed_event']);
    expect(r.events[0]).toMatchObject({ appId: '/web', taskId: 'web.instance-2', healthCheck: expect.objectContaining({ protocol: 'HTTP' }) });
    expect(r.events[2]).toMatchObject({ instanceId: 'web.instance-2', healthy: false });
    expect(r.changes.at(-1)).toEqual(['web.instance-2']);
  });

  it('ignores results of another task, of the previous term, and skipped probes', async () => {
    r = rig();
    r.monitor.sync([{ app: makeApp(), instances: [inst(1)] }]);
    await advance(10 * S);
    const [job] = r.probes.take();
    r.results.answer(job, true, { taskId: 'web.instance-1._app.0' });
    r.results.answer(job, true, { dueAt: T0 - 1 });
    r.results.answer(job, false, { skipped: 'late', ignored: true, cause: 'not probed' });
    expect(r.monitor.healthOf('web.instance-1')).toBeUndefined();
    expect(r.monitor.stats()).toMatchObject({ resultsApplied: 0, resultsIgnored: 3 });
    r.results.answer(job, true);
    expect(r.monitor.healthOf('web.instance-1')).toBe(true);
  });

  it('failures inside the grace period before a first success are not counted, but show the task as not alive', async () => {
    r = rig();
    const app = makeApp({}, { gracePeriodSeconds: 300 });
    r.monitor.sync([{ app, instances: [inst(1, 'TASK_RUNNING', { startedAt: new Date(T0).toISOString() })] }]);
    await advance(5 * S);
    answerAll(r, () => false);
    expect(r.monitor.healthOf('web.instance-1')).toBe(false);
    expect(r.monitor.results('web.instance-1')[0]).toMatchObject({ alive: false, consecutiveFailures: 0 });
    expect(r.events.map((e) => e.eventType)).toEqual(['instance_health_changed_event']);
  });

  /** Three healthy instances, then instance-1 fails twice (maxConsecutiveFailures 1: sentenced). */
  async function sentenceOne(app: AppDefinition, instances: Instance[]): Promise<void> {
    r.monitor.sync([{ app, instances }]);
    await advance(10 * S);
    answerAll(r, () => true);
    for (let round = 0; round < 2; round++) {
      await advance(10 * S);
      answerAll(r, (j) => j.instanceId !== 'web.instance-1');
    }
  }

  it('a sentenced instance is replaced first, and killed without relaunch once its replacement is healthy', async () => {
    r = rig();
    const app = makeApp();
    const three = [inst(1), inst(2), inst(3)];
    await sentenceOne(app, three);
    expect(r.monitor.takeDirty().upserts.map((u) => [u.instanceId, u.sentencedAt !== undefined])).toContainEqual(['web.instance-1', true]);
    const p1 = r.monitor.plan();
    expect(p1.actions).toEqual([{ kind: 'start-replacement', appId: '/web', instanceId: 'web.instance-1', backoff: true }]);
    // asked again (the scheduler did not start one yet) once the app's kill rate limit allows
    expect(r.monitor.plan()).toMatchObject({ actions: [], held: [{ instanceId: 'web.instance-1', kind: 'rate-limit' }] });
    r.monitor.replacementStarted('web.instance-1', 'web.instance-9');
    expect([...r.monitor.standIns('/web')]).toEqual(['web.instance-1']);

    // the replacement is scheduled, then runs: the sentenced one waits for it to be healthy
    const waiting = inst(9, 'scheduled', { taskId: undefined, host: undefined, hostPorts: [], startedAt: undefined });
    r.monitor.sync([{ app, instances: [...three, waiting] }]);
    expect(r.monitor.plan()).toMatchObject({ actions: [], held: [{ instanceId: 'web.instance-1', kind: 'replacement-not-healthy', appId: '/web' }] });
    const running = inst(9, 'TASK_RUNNING', { startedAt: new Date(Date.now()).toISOString() });
    r.monitor.sync([{ app, instances: [...three, running] }]);
    await advance(5 * S);
    answerAll(r, (j) => j.instanceId !== 'web.instance-1');
    r.events.length = 0;
    const p2 = r.monitor.plan();
    expect(p2.actions).toEqual([{ kind: 'kill', appId: '/web', instanceId: 'web.instance-1', taskId: 'web.instance-1._app.1', relaunch: false, cause: 'replacement-healthy', backoff: false }]);
    expect(r.events).toEqual([expect.objectContaining({ eventType: 'unhealthy_instance_kill_event', instanceId: 'web.instance-1', reason: '503 Service Unavailable', host: '10.0.0.1', slaveId: 'agent-1' })]);
    expect(r.monitor.plan().actions).toEqual([]); // not decided twice while the kill is under way

    // decommissioned, killed: its health is forgotten and its record deleted
    r.monitor.sync([{ app, instances: [inst(1, 'TASK_KILLED', { goal: 'decommissioned' }), inst(2), inst(3), running] }]);
    expect(r.monitor.healthOf('web.instance-1')).toBeUndefined();
    expect(r.monitor.standIns('/web').size).toBe(0);
    expect(r.monitor.takeDirty().deletes).toEqual(['web.instance-1']);
  });

  it('without maximumOverCapacity the sentenced instance is killed first and relaunched, as in Marathon; kills are rate-limited', async () => {
    r = rig({ rateLimit: { burst: 1, refillSeconds: 60 } });
    const app = makeApp({ instances: 10, upgradeStrategy: { minimumHealthCapacity: 0.5, maximumOverCapacity: 0 } });
    r.monitor.sync([{ app, instances: Array.from({ length: 10 }, (_, i) => inst(i + 1)) }]);
    await advance(10 * S);
    answerAll(r, () => true);
    for (let round = 0; round < 2; round++) {
      await advance(10 * S);
      answerAll(r, (j) => j.instanceId !== 'web.instance-1' && j.instanceId !== 'web.instance-2');
    }
    const p = r.monitor.plan();
    // the oldest sentence goes first (whichever probe was due first), the other waits for a token
    const killed = p.actions[0]?.instanceId;
    expect(['web.instance-1', 'web.instance-2']).toContain(killed);
    expect(p.actions).toEqual([{ kind: 'kill', appId: '/web', instanceId: killed, taskId: `${killed}._app.1`, relaunch: true, cause: 'no-over-capacity', backoff: true }]);
    const other = killed === 'web.instance-1' ? 'web.instance-2' : 'web.instance-1';
    expect(p.held).toEqual([expect.objectContaining({ instanceId: other, kind: 'rate-limit', appId: '/web' })]);
    expect(r.monitor.stats().held).toEqual({ 'rate-limit': 1 });
  });

  it('the circuit breaker holds every kill when most instances fail at once, and reports why', async () => {
    r = rig();
    const app = makeApp({ instances: 10 });
    const ten = Array.from({ length: 10 }, (_, i) => inst(i + 1));
    r.monitor.sync([{ app, instances: ten }]);
    await advance(10 * S);
    answerAll(r, () => true);
    for (let round = 0; round < 2; round++) {
      await advance(10 * S);
      answerAll(r, (j) => Number(j.instanceId.split('-')[1]) > 8);
    }
    const p = r.monitor.plan();
    expect(p.actions).toEqual([]);
    expect(p.held).toHaveLength(8);
    for (const h of p.held) expect(h).toMatchObject({ kind: 'breaker', reason: expect.stringContaining('8 of 10') });
    expect(r.monitor.stats().breaker.global.open || r.monitor.stats().breaker.apps.get('/web')?.open).toBe(true);
    expect(r.logs.some((l) => l.includes('stopped (circuit breaker)'))).toBe(true);
    const written = r.monitor.takeDirty().upserts.find((u) => u.instanceId === 'web.instance-1');
    expect(written?.held).toMatchObject({ kind: 'breaker', since: Date.now() });
  });

  it('one failing instance of ten is replaced (the breaker stays closed)', async () => {
    r = rig();
    const app = makeApp({ instances: 10 });
    await sentenceOne(app, Array.from({ length: 10 }, (_, i) => inst(i + 1)));
    expect(r.monitor.plan().actions).toEqual([{ kind: 'start-replacement', appId: '/web', instanceId: 'web.instance-1', backoff: true }]);
  });

  it('probes that go unanswered (a stalled queue or prober) open the breaker', async () => {
    r = rig();
    const app = makeApp({ instances: 3 });
    await sentenceOne(app, [inst(1), inst(2), inst(3)]);
    // every probe is sent, none answered for a while
    await advance(10 * S);
    r.probes.take();
    await advance(10 * S);
    r.probes.take();
    const p = r.monitor.plan();
    expect(p.actions).toEqual([]);
    expect(p.held[0]).toMatchObject({ kind: 'breaker', tripKind: 'probe-lag' });
  });

  it('one lost result among many probes does not open the breaker', async () => {
    r = rig();
    const app = makeApp({ instances: 200 });
    r.monitor.sync([{ app, instances: Array.from({ length: 200 }, (_, i) => inst(i + 1)) }]);
    for (let round = 0; round < 3; round++) {
      await advance(10 * S);
      const jobs = r.probes.take();
      for (const j of jobs) if (j.instanceId !== 'web.instance-7') r.results.answer(j, true);
    }
    r.monitor.plan();
    expect(r.monitor.stats().breaker.global.open).toBe(false);
    expect(r.monitor.stats().lagMs).toBe(0);
  });

  it('a full probe queue is prober trouble: kills wait', async () => {
    r = rig();
    const app = makeApp();
    await sentenceOne(app, [inst(1), inst(2), inst(3)]);
    r.probes.dropped = 1;
    await advance(10 * S);
    answerAll(r, (j) => j.instanceId !== 'web.instance-1');
    expect(r.monitor.plan().held[0]).toMatchObject({ kind: 'breaker', tripKind: 'prober', reason: expect.stringContaining('dropped') });
    expect(r.monitor.stats().probesDropped).toBeGreaterThan(0);
  });

  it('load() restores health, sentences and replacement links: a new term does not start unknown', async () => {
    const app = makeApp();
    const stored: StoredHealth[] = [
      { instanceId: 'web.instance-1', taskId: 'web.instance-1._app.1', appId: '/web', checks: [{ index: 0, sig: 'HTTP index 0 /health', state: { firstSuccess: T0 - 60 * S, lastSuccess: T0 - 5 * S, consecutiveFailures: 0 } }] },
      {
        instanceId: 'web.instance-2', taskId: 'web.instance-2._app.1', appId: '/web', sentencedAt: T0 - 20 * S, replacement: { instanceId: 'web.instance-4', requestedAt: T0 - 10 * S },
        checks: [{ index: 0, state: { firstSuccess: T0 - 60 * S, lastSuccess: T0 - 40 * S, lastFailure: T0 - 20 * S, lastFailureCause: 'timeout', consecutiveFailures: 2, failingSince: T0 - 30 * S } }],
      },
      // the task relaunched meanwhile, and an instance that is gone
      { instanceId: 'web.instance-3', taskId: 'web.instance-3._app.0', appId: '/web', checks: [{ index: 0, state: { firstSuccess: T0 - 60 * S, lastSuccess: T0 - 50 * S, consecutiveFailures: 0 } }] },
      { instanceId: 'web.instance-7', taskId: 'web.instance-7._app.1', appId: '/web', checks: [{ index: 0, state: { consecutiveFailures: 0 } }] },
    ];
    r = rig({}, stored);
    r.monitor.sync([{ app, instances: [inst(1), inst(2), inst(3), inst(4, 'TASK_STAGING')] }]);
    await Promise.resolve();
    expect(r.monitor.healthOf('web.instance-1')).toBe(true);
    expect(r.monitor.healthOf('web.instance-2')).toBe(false);
    expect(r.monitor.healthOf('web.instance-3')).toBeUndefined();
    expect(r.monitor.results('web.instance-2')[0]).toMatchObject({ consecutiveFailures: 2, lastFailureCause: 'timeout' });
    expect([...r.monitor.standIns('/web')]).toEqual(['web.instance-2']);
    expect(r.changes).toEqual([['web.instance-1', 'web.instance-2', 'web.instance-3', 'web.instance-4']]);
    expect(r.monitor.takeDirty()).toEqual({ upserts: [], deletes: ['web.instance-3', 'web.instance-7'], appIds: ['/web'] });
    expect(r.monitor.plan()).toMatchObject({ actions: [], held: [{ instanceId: 'web.instance-2', kind: 'replacement-not-healthy' }] });
  });

  it('writes material changes at once and mere refreshes of lastSuccess at most every persistRefreshMs', async () => {
    r = rig({ persistRefreshMs: 60 * S });
    r.monitor.sync([{ app: makeApp(), instances: [inst(1)] }]);
    await advance(10 * S);
    answerAll(r, () => true);
    const first = r.monitor.takeDirty();
    expect(first.upserts).toEqual([{ instanceId: 'web.instance-1', taskId: 'web.instance-1._app.1', appId: '/web', checks: [{ index: 0, sig: 'HTTP index 0 /health', state: expect.objectContaining({ consecutiveFailures: 0 }) }] }]);
    expect(first.appIds).toEqual(['/web']);
    await advance(10 * S);
    answerAll(r, () => true);
    expect(r.monitor.takeDirty().upserts).toEqual([]);
    await advance(10 * S);
    answerAll(r, () => false);
    expect(r.monitor.takeDirty().upserts[0].checks[0].state).toMatchObject({ consecutiveFailures: 1 });
    // a failed write is retried with the next batch
    await advance(10 * S);
    answerAll(r, () => false);
    const failed = r.monitor.takeDirty();
    expect(failed.upserts).toHaveLength(1);
    r.monitor.restoreDirty(failed);
    expect(r.monitor.takeDirty().upserts).toHaveLength(1);
  });

  it('forgets ended tasks and instances that are gone, and stops probing them', async () => {
    r = rig();
    const app = makeApp();
    r.monitor.sync([{ app, instances: [inst(1), inst(2)] }]);
    await advance(10 * S);
    answerAll(r, () => true);
    r.monitor.takeDirty();
    r.monitor.sync([{ app, instances: [inst(1, 'TASK_FAILED')] }]);
    expect(r.monitor.healthOf('web.instance-1')).toBeUndefined();
    expect(r.monitor.healthOf('web.instance-2')).toBeUndefined();
    expect(r.monitor.takeDirty().deletes.sort()).toEqual(['web.instance-1', 'web.instance-2']);
    await advance(20 * S);
    expect(r.probes.take()).toEqual([]);
    // relaunched: the new task starts from no state
    r.monitor.sync([{ app, instances: [inst(1, 'TASK_RUNNING', { incarnation: 2, taskId: 'web.instance-1._app.2' })] }]);
    expect(r.monitor.healthOf('web.instance-1')).toBeUndefined();
    // an app without Pacer-side checks is not tracked
    r.monitor.sync([{ app: makeApp({ healthChecks: [] }), instances: [inst(1)] }]);
    expect(r.monitor.stats().instances).toBe(0);
  });

  it('stop() closes the probe queue and the result reader', async () => {
    r = rig();
    await r.monitor.stop();
    expect(r.probes.closed).toBe(true);
  });
});

describe('occupiedOf', () => {
  it('counts running-goal instances and others whose task may still run', () => {
    expect(occupiedOf([
      inst(1), inst(2, 'scheduled'), inst(3, 'TASK_KILLING', { goal: 'decommissioned' }), inst(4, 'TASK_KILLED', { goal: 'decommissioned' }),
      inst(5, 'unreachable-inactive', { goal: 'stopped' }),
    ])).toBe(4);
  });
});
