import { ZERO_COUNTS, type TaskCounts } from '../../core/instances/task-view';

/** App-level embeds of a group answer (`embed=group.apps.<x>`); `failures` = lastTaskFailure + tasks + counts + deployments. */
export interface GroupAppEmbeds {
  readonly counts: boolean;
  readonly deployments: boolean;
  readonly tasks: boolean;
  readonly lastTaskFailure: boolean;
  readonly readiness: boolean;
  readonly taskStats: boolean;
}

export function groupAppEmbeds(names: ReadonlySet<string>): GroupAppEmbeds {
  const failures = names.has('failures');
  return {
    counts: failures || names.has('counts'),
    deployments: failures || names.has('deployments'),
    tasks: failures || names.has('tasks'),
    lastTaskFailure: failures || names.has('lastTaskFailure'),
    readiness: names.has('readiness'),
    taskStats: names.has('taskStats'),
  };
}

/** What the status fields of one app in a group answer are made of (already serialized parts as text). */
export interface GroupAppRuntime {
  readonly deployments?: readonly string[];
  readonly counts?: TaskCounts;
  readonly tasksJson?: string;
  readonly lastTaskFailureJson?: string;
}

/**
 * An app inside a GroupInfo: the stored definition as Marathon's App JSON, plus only the status
 * fields asked for (Marathon embeds none by default in group answers). Spliced into the stored JSON
 * text before its closing brace, without parsing it.
 */
export function groupAppJson(definitionJson: string, runtime: GroupAppRuntime, e: GroupAppEmbeds): string {
  let out = definitionJson.slice(0, definitionJson.lastIndexOf('}'));
  if (e.deployments) out += `,"deployments":[${(runtime.deployments ?? []).map((id) => `{"id":${JSON.stringify(id)}}`).join(',')}]`;
  if (e.counts) {
    const c = runtime.counts ?? ZERO_COUNTS;
    out += `,"tasksStaged":${c.staged},"tasksRunning":${c.running},"tasksHealthy":${c.healthy},"tasksUnhealthy":${c.unhealthy}`;
  }
  if (e.tasks) out += `,"tasks":${runtime.tasksJson ?? '[]'}`;
  if (e.lastTaskFailure && runtime.lastTaskFailureJson !== undefined) out += `,"lastTaskFailure":${runtime.lastTaskFailureJson}`;
  if (e.readiness) out += ',"readinessCheckResults":[]';
  if (e.taskStats) out += ',"taskStats":{}';
  return `${out}}`;
}
