import { ZERO_COUNTS, type TaskCounts } from '../../core/instances/task-view';

/** Embeds a client can ask for (`embed=apps.tasks` on the list, `embed=app.tasks` on one app). */
export interface AppEmbeds {
  readonly tasks: boolean;
  readonly counts: boolean;
  readonly deployments: boolean;
  readonly readiness: boolean;
  readonly lastTaskFailure: boolean;
  readonly taskStats: boolean;
}

/**
 * Reads `embed` values as Marathon does: `apps.` prefix for the list, `app.` for one app (either
 * spelling accepted); `failures` = lastTaskFailure + tasks + counts + deployments. Unknown values
 * are ignored, as Marathon ignores them.
 */
export function parseEmbeds(values: readonly string[], single: boolean): AppEmbeds {
  const names = new Set(values.map((v) => v.replace(/^apps?\./, '')));
  const failures = names.has('failures');
  return {
    // A single app always embeds tasks, counts, deployments and lastTaskFailure (compatibility).
    tasks: single || failures || names.has('tasks'),
    counts: true,
    deployments: true,
    readiness: names.has('readiness'),
    lastTaskFailure: single || failures || names.has('lastTaskFailure'),
    taskStats: names.has('taskStats'),
  };
}

/** What the scheduler knows about an app: read fresh from Postgres for every answer. */
export interface AppRuntime {
  readonly deployments: readonly string[];
  /** live task counts (core `countTasks`); zeros when absent */
  readonly counts?: TaskCounts;
  /** the app's tasks, already serialized as a JSON array (written when tasks are embedded) */
  readonly tasksJson?: string;
  /** the app's lastTaskFailure, already serialized (written when embedded and there is one) */
  readonly lastTaskFailureJson?: string;
}

/**
 * The definition-and-deployments part of an AppInfo: the definition's JSON text with `deployments`
 * spliced in before its closing brace, left open for `appStatusJson`. It does not depend on the
 * tasks, so GET /v2/apps/{id} keeps it in the read cache.
 */
export function appHeadJson(definitionJson: string, deployments: readonly string[]): string {
  const end = definitionJson.lastIndexOf('}');
  return `${definitionJson.slice(0, end)},"deployments":[${deployments.map((id) => `{"id":${JSON.stringify(id)}}`).join(',')}]`;
}

/** The status fields that close an `appHeadJson`: counts always, the rest as embedded. */
export function appStatusJson(runtime: Omit<AppRuntime, 'deployments'>, embeds: AppEmbeds): string {
  return appLiveJson(runtime, embeds) + appTailJson(embeds);
}

/**
 * The first part of `appStatusJson`, which depends on the app's tasks: counts, then tasks and the
 * last failure as embedded (a single app's answer always embeds both, so its read cache keeps this).
 */
export function appLiveJson(runtime: Omit<AppRuntime, 'deployments'>, embeds: AppEmbeds): string {
  const c = runtime.counts ?? ZERO_COUNTS;
  let out = `,"tasksStaged":${c.staged},"tasksRunning":${c.running},"tasksHealthy":${c.healthy},"tasksUnhealthy":${c.unhealthy}`;
  if (embeds.tasks) out += `,"tasks":${runtime.tasksJson ?? '[]'}`;
  if (embeds.lastTaskFailure && runtime.lastTaskFailureJson !== undefined) out += `,"lastTaskFailure":${runtime.lastTaskFailureJson}`;
  return out;
}

/** The rest of `appStatusJson`, which depends on the embeds only, closing brace included. */
export function appTailJson(embeds: AppEmbeds): string {
  if (!embeds.readiness && !embeds.taskStats) return '}';
  return `${embeds.readiness ? ',"readinessCheckResults":[]' : ''}${embeds.taskStats ? ',"taskStats":{}' : ''}}`;
}

/**
 * AppInfo = the stored definition + status fields, with only Marathon's own keys, built from the
 * definition's JSON text without parsing it: the status fields are spliced in before the closing
 * brace. `{"id": "/a", "cmd": "x"}` → `{"id": "/a", "cmd": "x","deployments":[{"id":"…"}],
 * "tasksStaged":0,...}`. Lists of thousands of apps are answered without a parse/serialize round
 * trip per app.
 */
export function appInfoJson(definitionJson: string, runtime: AppRuntime, embeds: AppEmbeds): string {
  return appHeadJson(definitionJson, runtime.deployments) + appStatusJson(runtime, embeds);
}
