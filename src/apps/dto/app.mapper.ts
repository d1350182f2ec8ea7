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

/** What the scheduler knows about an app's tasks (zeros until instances exist). */
export interface AppRuntime {
  readonly deployments: readonly string[];
}

/**
 * AppInfo = the stored definition + status fields, with only Marathon's own keys, built from the
 * definition's JSON text without parsing it: the status
 * fields are spliced in before the closing brace. `{"id": "/a", "cmd": "x"}` →
 * `{"id": "/a", "cmd": "x","tasksStaged":0,...,"deployments":[{"id":"…"}]}`. Lists of thousands of
 * apps are answered without a parse/serialize round trip per app.
 */
export function appInfoJson(definitionJson: string, runtime: AppRuntime, embeds: AppEmbeds): string {
  const end = definitionJson.lastIndexOf('}');
  let out = `${definitionJson.slice(0, end)},"tasksStaged":0,"tasksRunning":0,"tasksHealthy":0,"tasksUnhealthy":0,"deployments":[`;
  out += runtime.deployments.map((id) => `{"id":${JSON.stringify(id)}}`).join(',');
  out += ']';
  if (embeds.tasks) out += ',"tasks":[]';
  if (embeds.readiness) out += ',"readinessCheckResults":[]';
  if (embeds.taskStats) out += ',"taskStats":{}';
  return `${out}}`;
}
