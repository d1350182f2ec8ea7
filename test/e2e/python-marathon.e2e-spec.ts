import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createApp } from '../../src/bootstrap';
import { loadConfig } from '../../src/config/app-config';
import { formatInstanceId, formatTaskId, type Instance, type InstanceState } from '../../src/core/instances';
import { InstanceStore } from '../../src/persistence/instance-store';
import { TaskFailureStore } from '../../src/persistence/task-failure-store';
import type { QueueEntry, SchedulerControl } from '../../src/scheduler/scheduler-control';
import { TEST_DATABASE_URL } from '../integration/test-env';

/**
 * Existing Marathon clients work unchanged against Pacer: Debian's python3-marathon (the `marathon`
 * client 0.13) drives a listening Pacer over real HTTP. The client sends what Marathon's clients
 * send (Content-Type on body-less requests, `force=False`, `PUT /v2/apps//id`) and parses answers
 * strictly: an unknown key on an app, deployment or info object makes the call raise.
 *
 * The scenarios live in python/marathon_client.py and print one JSON object, step → result (or
 * `{error}` when the client raised), so a failure names the step and shows the client's error.
 */

// Debian's package is in /usr/bin/python3's dist-packages; a pyenv python on PATH does not see it.
const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(__dirname, 'python', 'marathon_client.py');
const ENSURE = path.join(__dirname, '..', '..', 'scripts', 'ensure-python-marathon.sh');
const EXAMPLES = path.join(__dirname, '..', 'fixtures', 'marathon-examples');
// Marathon itself rejects these (README there): both cmd and args; secrets / external volumes
// without their feature flags.
const INVALID_EXAMPLES = ['docs__app.json', 'system__external-volume-mesos-app.json', 'system__private-ucr-docker-app.json'];

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const SCRIPT_TIMEOUT_MS = 60_000;
const INSTALL_TIMEOUT_MS = 300_000;

// Scenario output is arbitrary JSON from the client: deliberately loose.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Results = Record<string, any>;

function runClient(baseUrl: string, scenario: string, ...args: string[]): Promise<Results> {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, [SCRIPT, scenario, baseUrl, ...args], { timeout: SCRIPT_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${scenario} failed: ${err.message}\n${stderr}`));
      try {
        resolve(JSON.parse(stdout) as Results);
      } catch (e) {
        reject(new Error(`${scenario} printed no JSON (${(e as Error).message}):\n${stdout}\n${stderr}`));
      }
    });
  });
}

/** Steps whose result is the client's error: listed so one assertion shows every failure. */
function failedSteps(results: Results): Record<string, string> {
  return Object.fromEntries(Object.entries(results).filter(([, v]) => v && typeof v === 'object' && 'error' in v).map(([k, v]) => [k, String(v.error)]));
}

interface Example {
  id: string;
  dependencies?: string[];
}

const absolute = (id: string): string => (id.startsWith('/') ? id : `/${id}`);

/**
 * The request that loads one example below `group` under unique ids: a single app is POSTed as
 * <group>/<slug>; an array (a bulk request) is PUT to /v2/apps with its ids and dependencies
 * moved below <group>/<slug>.
 */
function exampleRequest(group: string, file: string): { method: string; body: unknown; ids: string[]; created: number } {
  const slug = file.replace(/\.json$/, '').replace(/_+/g, '-').toLowerCase();
  const example = JSON.parse(readFileSync(path.join(EXAMPLES, file), 'utf8')) as Example | Example[];
  if (!Array.isArray(example)) return { method: 'POST', body: { ...example, id: `${group}/${slug}` }, ids: [`${group}/${slug}`], created: 201 };
  const moved = (id: string) => `${group}/${slug}${absolute(id)}`;
  const apps = example.map((a) => ({ ...a, id: moved(a.id), ...(a.dependencies ? { dependencies: a.dependencies.map(moved) } : {}) }));
  return { method: 'PUT', body: apps, ids: apps.map((a) => a.id), created: 200 };
}

const DEPLOYMENT_RESULT = { deploymentId: expect.stringMatching(/^[0-9a-f-]{36}$/), version: expect.stringMatching(ISO_MS) };

/** Stands in for the leader's scheduler: one queue entry, kills and delay resets recorded. */
class StandInScheduler implements SchedulerControl {
  entries: QueueEntry[] = [];
  readonly kills: string[][] = [];
  readonly resets: string[] = [];
  isActive(): boolean {
    return true;
  }
  queue(): readonly QueueEntry[] {
    return this.entries;
  }
  resetDelay(appId: string): boolean {
    this.resets.push(appId);
    return this.entries.some((e) => e.appId === appId);
  }
  async killInstances(instanceIds: readonly string[]): Promise<void> {
    this.kills.push([...instanceIds]);
  }
}

describe('python3-marathon 0.13 against a listening Pacer', () => {
  let app: NestFastifyApplication;
  const scheduler = new StandInScheduler();
  let baseUrl: string;
  const suffix = randomBytes(4).toString('hex');
  const g = `/py-${suffix}`;

  beforeAll(async () => {
    execFileSync('bash', [ENSURE], { timeout: INSTALL_TIMEOUT_MS, stdio: ['ignore', 'ignore', 'inherit'] });
    const config = loadConfig({
      DATABASE_URL: TEST_DATABASE_URL,
      PACER_ADVERTISED_ADDRESS: 'pacer.test:8080',
      LOG_LEVEL: 'silent',
      DATABASE_POOL_SIZE: '8',
      MAX_RUNNING_DEPLOYMENTS: '100000',
    });
    app = await createApp(config, { connectDatabase: true, logger: false, schedulerControl: scheduler });
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    baseUrl = `http://127.0.0.1:${port}`;
  }, INSTALL_TIMEOUT_MS + 30_000);

  afterAll(async () => {
    await app?.close();
  });

  it('reads /v2/info, /v2/leader and /ping', async () => {
    const r = await runClient(baseUrl, 'info');
    expect(failedSteps(r)).toEqual({});
    expect(r.get_info).toEqual({
      type: 'MarathonInfo',
      name: expect.any(String),
      version: expect.stringMatching(/^1\.\d+\.\d+/),
      elected: true,
      leader: 'pacer.test:8080',
      httpPort: 8080,
      master: expect.any(String),
      zkMaxVersions: expect.any(Number),
    });
    expect(r.get_leader).toEqual({ leader: 'pacer.test:8080' });
    expect(r.ping).toBe('pong');
  }, SCRIPT_TIMEOUT_MS);

  // Marathon's GET /metrics is JSON and the client parses it so: Pacer answers JSON to clients that
  // accept JSON, and Prometheus text otherwise (and always at /metrics/prometheus).
  it('get_metrics() parses /metrics as JSON', async () => {
    const r = await runClient(baseUrl, 'metrics');
    expect(failedSteps(r)).toEqual({});
    expect(r.get_metrics).toEqual(['counters', 'gauges', 'histograms', 'meters', 'timers', 'version']);
  }, SCRIPT_TIMEOUT_MS);

  it('creates, reads, lists, updates, scales, restarts, rolls back and deletes an app', async () => {
    const appId = `${g}/life/web`;
    const r = await runClient(baseUrl, 'lifecycle', appId, suffix);
    expect(failedSteps(r)).toEqual({});

    // create_app answers 201 and the client returns a MarathonApp built from our AppInfo.
    const created = r.create_app;
    expect(created).toMatchObject({
      type: 'MarathonApp',
      id: appId,
      cmd: 'sleep 100',
      cpus: 0.1,
      mem: 16,
      instances: 1,
      labels: { 'pacer-e2e': suffix, tier: 'web' },
      healthChecks: [{ protocol: 'TCP', portIndex: 0 }],
      upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: 1 },
      tasks: 0,
      tasksRunning: 0,
    });
    expect(created.version).toMatch(ISO_MS);
    expect(created.lastConfigChangeAt).toBe(created.version);
    expect(created.deployments).toHaveLength(1);
    expect(created.ports).toHaveLength(1);
    expect(created.ports[0]).toBeGreaterThan(0);
    expect(r.create_existing).toEqual({ raised: 'ConflictError', status: 409, message: `An app with id [${appId}] already exists.`, details: null });

    expect(r.get_app).toEqual(created);
    expect(r.get_app_embeds.id).toBe(appId);

    // list_apps: plain, by id substring, with embeds, by label selector, by cmd, with kwargs filters.
    expect(r.list_apps).toContain(appId);
    expect(r.list_apps_by_id).toEqual([appId]);
    expect(r.list_apps_embed_tasks).toEqual([{ id: appId, tasks: 0 }]);
    expect(r.list_apps_all_embeds).toEqual([appId]);
    expect(r.list_apps_by_label).toEqual([appId]);
    expect(r.list_apps_by_other_label).toEqual([]);
    expect(r.list_apps_by_cmd).toEqual([appId]);
    expect(r.list_apps_kwargs_filter).toEqual([appId]);

    // The create's deployment is still stored (nothing executes deployments yet): locked without force.
    expect(r.update_locked).toMatchObject({ raised: 'ConflictError', status: 409, message: expect.stringContaining('locked') });

    // update_app sends a partial body: PUT merges it into the stored app.
    expect(r.update_app).toEqual(DEPLOYMENT_RESULT);
    expect(r.after_update).toMatchObject({ ...created, cmd: 'sleep 200', version: r.update_app.version, lastConfigChangeAt: r.update_app.version, deployments: [r.update_app.deploymentId] });

    // scale_app: GET, then PUT /v2/apps//<id> (double slash) with {"instances": n}.
    expect(r.scale_app).toEqual(DEPLOYMENT_RESULT);
    expect(r.after_scale).toMatchObject({ cmd: 'sleep 200', instances: 3, version: r.scale_app.version, lastConfigChangeAt: r.update_app.version });
    expect(r.scale_app_delta).toEqual(DEPLOYMENT_RESULT);
    expect(r.after_scale_delta).toMatchObject({ cmd: 'sleep 200', instances: 2, lastConfigChangeAt: r.update_app.version });
    expect(r.restart_app).toEqual(DEPLOYMENT_RESULT);

    // Versions: newest first; each one readable as a MarathonApp; rollback to the first.
    const versions: string[] = r.list_versions;
    for (const v of versions) expect(v).toMatch(ISO_MS);
    expect([...versions].sort().reverse()).toEqual(versions);
    expect(versions).toEqual(expect.arrayContaining([created.version, r.update_app.version, r.scale_app.version, r.restart_app.version]));
    expect(versions[versions.length - 1]).toBe(created.version);
    expect(r.get_version_newest).toMatchObject({ id: appId, cmd: 'sleep 200', instances: 2, version: versions[0] });
    expect(r.get_version_oldest).toMatchObject({ id: appId, cmd: 'sleep 100', instances: 1, version: created.version });
    expect(r.rollback_app).toEqual(DEPLOYMENT_RESULT);
    expect(r.after_rollback).toMatchObject({ cmd: 'sleep 100', instances: 1, labels: created.labels });

    // Deployments: each forced write superseded the previous one; the rollback's is the one left.
    expect(r.list_deployments).toEqual([
      expect.objectContaining({ type: 'MarathonDeployment', id: r.rollback_app.deploymentId, version: r.rollback_app.version, affectedApps: [appId] }),
    ]);
    const [dep] = r.list_deployments;
    expect(dep.totalSteps).toBe(dep.actions.length);
    for (const apps of dep.appsInActions) for (const a of apps) expect(a).toBe(appId);
    // Cancel with rollback (a new deployment answers), then cancel that one without rollback (202, {}).
    expect(r.delete_deployment_rollback).toEqual(DEPLOYMENT_RESULT);
    expect(r.after_delete_deployment_rollback).toEqual([r.delete_deployment_rollback.deploymentId]);
    // The revert deploys the plan's original: the app as it was before the rollback.
    expect(r.after_revert).toMatchObject({ cmd: 'sleep 200', instances: 2, version: r.delete_deployment_rollback.version, deployments: [r.delete_deployment_rollback.deploymentId] });
    expect(r.delete_deployment_force).toEqual({});
    expect(r.after_delete_deployment_force).toEqual([]);
    expect(r.delete_unknown_deployment).toMatchObject({ raised: 'NotFoundError', status: 404 });

    expect(r.delete_app).toEqual(DEPLOYMENT_RESULT);
    expect(r.get_deleted_app).toEqual({ raised: 'NotFoundError', status: 404, message: `App '${appId}' does not exist`, details: null });
    // The client's scale_app swallows the 404 of its GET and returns None.
    expect(r.scale_deleted_app).toBeNull();
  }, SCRIPT_TIMEOUT_MS);

  // The scheduler is not running here: the spec writes instance rows and a task failure as the
  // leader would, and a stand-in SchedulerControl answers the queue and records the kills.
  it('lists, embeds and kills tasks and reads the queue (strict Task, TaskFailure and QueueItem parsing)', async () => {
    const appId = `${g}/taskapi/web`;
    const res = await fetch(`${baseUrl}/v2/apps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: appId, cmd: 'sleep 100', cpus: 0.1, mem: 16, instances: 3, portDefinitions: [{ port: 0 }] }),
    });
    const created = (await res.json()) as { version: string; deployments: Array<{ id: string }>; portDefinitions: Array<{ port: number }> };
    // nothing executes deployments here: cancel the create's so that scale=true is not locked
    await fetch(`${baseUrl}/v2/deployments/${created.deployments[0].id}?force=true`, { method: 'DELETE' });
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
    const task = (host: string, state: InstanceState): Instance => {
      const instanceId = formatInstanceId(appId, randomUUID());
      return {
        instanceId, appId, appVersion: created.version, goal: 'running', state, incarnation: 1, taskId: formatTaskId(instanceId, 1),
        agentId: `${host}-S0`, host, hostPorts: [31000], createdAt: at(0), stateSince: at(1), stagedAt: at(1),
        ...(state === 'TASK_RUNNING' ? { startedAt: at(2), healthy: true } : {}),
      };
    };
    const [a, b, c] = [task('node-1', 'TASK_RUNNING'), task('node-2', 'TASK_RUNNING'), task('node-1', 'provisioned')];
    await app.get(InstanceStore).upsertMany([a, b, c]);
    await app.get(TaskFailureStore).recordMany([{ appId, taskId: formatTaskId(a.instanceId, 0), state: 'TASK_FAILED', message: 'exit 1', host: 'node-1', version: created.version, timestamp: at(0), slaveId: 'node-1-S0' }]);
    scheduler.entries = [{
      appId, appVersion: created.version, count: 1, since: at(3), timeLeftSeconds: 0, overdue: true, processedOffersCount: 2, unusedOffersCount: 1,
      lastUnusedOfferAt: at(4), rejectSummaryLastOffers: [{ reason: 'InsufficientMemory', declined: 1, processed: 2 }],
      lastUnusedOffers: [{ offer: { id: 'o1', agentId: 'node-1-S0', hostname: 'node-1', resources: [{ name: 'mem', role: '*', scalar: 8 }], attributes: [] }, timestamp: at(4), reason: ['InsufficientMemory'] }],
    }];

    const r = await runClient(baseUrl, 'tasks', appId, a.taskId as string, b.taskId as string, c.taskId as string);
    expect(failedSteps(r)).toEqual({});
    const ids = [a.taskId, b.taskId, c.taskId].sort();
    expect(r.get_app).toEqual({
      tasks: ids, tasksRunning: 2, tasksStaged: 1,
      lastTaskFailure: { type: 'MarathonTaskFailure', taskId: formatTaskId(a.instanceId, 0), message: 'exit 1' },
    });
    expect(r.list_apps_embed_tasks).toEqual([3]);
    expect(r.list_tasks_app).toHaveLength(3);
    expect(r.list_tasks_app.find((t: { id: string }) => t.id === a.taskId)).toEqual({
      type: 'MarathonTask', id: a.taskId, appId, host: 'node-1', slaveId: 'node-1-S0', state: 'TASK_RUNNING', ports: [31000],
      servicePorts: [created.portDefinitions[0].port], stagedAt: at(1), startedAt: at(2), version: created.version,
    });
    expect(r.list_tasks_app.find((t: { id: string }) => t.id === c.taskId)).toMatchObject({ state: 'TASK_STAGING', startedAt: null });
    expect(r.list_tasks_all).toEqual(ids);

    expect(r.kill_task).toMatchObject({ type: 'MarathonTask', id: a.taskId });
    expect(r.kill_unknown_task).toMatchObject({ raised: 'NotFoundError', status: 404 });
    expect(r.kill_tasks_on_host).toEqual([b.taskId]);
    expect(r.kill_given_tasks).toBe(true);
    expect(scheduler.kills).toEqual([[a.instanceId], [b.instanceId], [c.instanceId]]);
    expect(r.kill_tasks_scale).toEqual(['deploymentId', 'version']);
    expect(r.kill_task_scale).toEqual(['deploymentId', 'version']);

    const item = {
      type: 'MarathonQueueItem', app: appId, appType: 'MarathonApp', count: 1, delay: { timeLeftSeconds: 0, overdue: true }, since: at(3),
      processedOffersSummary: {
        processedOffersCount: 2, unusedOffersCount: 1, lastUnusedOfferAt: at(4),
        rejectSummaryLastOffers: [{ reason: 'InsufficientMemory', declined: 1, processed: 2 }],
        rejectSummaryLaunchAttempt: [{ reason: 'InsufficientMemory', declined: 1, processed: 2 }],
      },
      lastUnusedOffers: null,
    };
    expect(r.list_queue).toEqual([item]);
    expect(r.list_queue_offers).toEqual([{ ...item, lastUnusedOffers: scheduler.entries[0].lastUnusedOffers }]);
    expect(r.reset_delay).toBeNull();
    expect(scheduler.resets).toEqual([appId, `${appId}-idle`]);
    expect(r.reset_delay_unknown).toEqual({ raised: 'NotFoundError', status: 404, message: `Application ${appId}-idle not found in tasks queue.`, details: null });
  }, SCRIPT_TIMEOUT_MS);

  it('raises the client exceptions for 404 and 422 answers', async () => {
    const r = await runClient(baseUrl, 'errors', `${g}/errors`);
    expect(failedSteps(r)).toEqual({});
    const missing = `${g}/errors/does-not-exist`;
    const notFound = { raised: 'NotFoundError', status: 404, message: `App '${missing}' does not exist`, details: null };
    expect(r.get_unknown_app).toEqual(notFound);
    expect(r.list_versions_unknown_app).toEqual(notFound);
    expect(r.restart_unknown_app).toEqual(notFound);
    expect(r.delete_unknown_app).toEqual(notFound);
    expect(r.get_unknown_version).toMatchObject({ raised: 'NotFoundError', status: 404, message: `App '${missing}' does not exist in version 2015-01-01T00:00:00.000Z` });
    expect(r.create_invalid_app).toMatchObject({ raised: 'MarathonHttpError', status: 422, message: 'Object is not valid' });
    expect(r.create_invalid_app.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: '/instances' })]));
  }, SCRIPT_TIMEOUT_MS);

  it("parses Pacer's normalized output for every Marathon example app it accepts", async () => {
    const group = `${g}/examples`;
    const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.json')).sort();
    const accepted: string[] = [];
    const rejected: Record<string, number> = {};
    for (const file of files) {
      const { method, body, ids, created } = exampleRequest(group, file);
      const res = await fetch(`${baseUrl}/v2/apps`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      await res.arrayBuffer();
      if (res.status === created) accepted.push(...ids);
      else rejected[file] = res.status;
    }
    expect(rejected).toEqual(Object.fromEntries(INVALID_EXAMPLES.map((f) => [f, 422])));

    const r = await runClient(baseUrl, 'examples', group, ...accepted);
    expect(failedSteps(r)).toEqual({});
    for (const id of accepted) {
      expect(r[`get:${id}`]).toMatchObject({ id, version: expect.stringMatching(ISO_MS) });
      expect(r[`embeds:${id}`]).toBe(id);
      expect(r[`version:${id}`]).toBe(id);
      expect(r[`round_trip:${id}`]).toEqual({ result: ['deploymentId', 'version'], label: 'yes', version: true });
    }
    expect(r.list_apps).toEqual([...accepted].sort());
  }, SCRIPT_TIMEOUT_MS);

  it("creates, reads, lists, scales, updates, rolls back and deletes Marathon's example group", async () => {
    const group = `${g}/sleep-group`;
    const r = await runClient(baseUrl, 'groups', group, path.join(EXAMPLES, 'groups', 'system__sleep-group.json'));
    expect(failedSteps(r)).toEqual({});
    expect(r.create_group).toEqual(DEPLOYMENT_RESULT);
    expect(r.create_existing).toEqual({ raised: 'ConflictError', status: 409, message: `Group ${group} is already created. Use PUT to change this group.`, details: null });
    const app = (id: string, instances: number) => ({ type: 'MarathonApp', id: `${group}/sleep/${id}`, instances, cmd: 'sleep 1000' });
    expect(r.get_group).toEqual({
      type: 'MarathonGroup',
      id: group,
      apps: [],
      groups: [{ type: 'MarathonGroup', id: `${group}/sleep`, apps: [app('goodnight-1', 1), app('goodnight-2', 1)], groups: [], dependencies: [], version: r.create_group.version }],
      dependencies: [],
      version: r.create_group.version,
    });
    expect(r.list_groups).toContain(g);
    expect(r.scale_locked).toMatchObject({ raised: 'ConflictError', status: 409 });
    expect(r.unlock).toBe(1);
    expect(r.scale_group).toEqual(DEPLOYMENT_RESULT);
    expect(r.after_scale.groups[0].apps).toEqual([app('goodnight-1', 2), app('goodnight-2', 2)]);
    expect(r.update_group).toEqual(DEPLOYMENT_RESULT);
    expect(r.after_update.groups[0].apps).toEqual([app('goodnight-1', 2)]);
    expect(r.rollback_group).toEqual(DEPLOYMENT_RESULT);
    expect(r.after_rollback.groups[0].apps).toEqual([app('goodnight-1', 1), app('goodnight-2', 1)]);
    expect(r.delete_group).toEqual(DEPLOYMENT_RESULT);
    expect(r.get_deleted_group).toEqual({ raised: 'NotFoundError', status: 404, message: `Group '${group}' does not exist`, details: null });
  }, SCRIPT_TIMEOUT_MS);
});
