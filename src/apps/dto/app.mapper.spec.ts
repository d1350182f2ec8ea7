import { appHeadJson, appInfoJson, appLiveJson, appStatusJson, appTailJson, parseEmbeds } from './app.mapper';

const def = '{"id":"/web","cmd":"sleep 1"}';

describe('appInfoJson', () => {
  it.each<[string, Parameters<typeof appInfoJson>[1], string[], boolean, Record<string, unknown>]>([
    ['list, nothing embedded: zero counts, no tasks key', { deployments: [] }, [], false,
      { id: '/web', cmd: 'sleep 1', deployments: [], tasksStaged: 0, tasksRunning: 0, tasksHealthy: 0, tasksUnhealthy: 0 }],
    ['live counts', { deployments: ['d1'], counts: { staged: 1, running: 3, healthy: 2, unhealthy: 1 } }, [], false,
      { id: '/web', cmd: 'sleep 1', deployments: [{ id: 'd1' }], tasksStaged: 1, tasksRunning: 3, tasksHealthy: 2, tasksUnhealthy: 1 }],
    ['single app: tasks ([] when none given) and the failure when there is one', { deployments: [], lastTaskFailureJson: '{"appId":"/web"}' }, [], true,
      { id: '/web', cmd: 'sleep 1', deployments: [], tasksStaged: 0, tasksRunning: 0, tasksHealthy: 0, tasksUnhealthy: 0, tasks: [], lastTaskFailure: { appId: '/web' } }],
    ['list with apps.tasks: tasks but no failure', { deployments: [], tasksJson: '[{"id":"t"}]', lastTaskFailureJson: '{"appId":"/web"}' }, ['apps.tasks'], false,
      { id: '/web', cmd: 'sleep 1', deployments: [], tasksStaged: 0, tasksRunning: 0, tasksHealthy: 0, tasksUnhealthy: 0, tasks: [{ id: 't' }] }],
    ['list with apps.lastTaskFailure', { deployments: [], lastTaskFailureJson: '{"appId":"/web"}' }, ['apps.lastTaskFailure'], false,
      { id: '/web', cmd: 'sleep 1', deployments: [], tasksStaged: 0, tasksRunning: 0, tasksHealthy: 0, tasksUnhealthy: 0, lastTaskFailure: { appId: '/web' } }],
    ['single app without a failure: no lastTaskFailure key', { deployments: [], tasksJson: '[]' }, [], true,
      { id: '/web', cmd: 'sleep 1', deployments: [], tasksStaged: 0, tasksRunning: 0, tasksHealthy: 0, tasksUnhealthy: 0, tasks: [] }],
  ])('%s', (_name, runtime, embed, single, expected) => {
    expect(JSON.parse(appInfoJson(def, runtime, parseEmbeds(embed, single)))).toEqual(expected);
  });

  it('is the cached head followed by the status part', () => {
    const runtime = { deployments: ['d1'], counts: { staged: 0, running: 1, healthy: 0, unhealthy: 0 }, tasksJson: '[]' };
    const embeds = parseEmbeds([], true);
    expect(appHeadJson(def, runtime.deployments) + appStatusJson(runtime, embeds)).toBe(appInfoJson(def, runtime, embeds));
  });

  it.each([[[]], [['app.readiness']], [['taskStats', 'failures']], [['readiness', 'taskStats']]])(
    'a single app: the cached live part (independent of the embeds) then the tail of the embeds, %j',
    (embed) => {
      const runtime = { counts: { staged: 1, running: 1, healthy: 0, unhealthy: 0 }, tasksJson: '[{"id":"t"}]', lastTaskFailureJson: '{"appId":"/web"}' };
      const embeds = parseEmbeds(embed, true);
      expect(appLiveJson(runtime, embeds)).toBe(appLiveJson(runtime, parseEmbeds([], true)));
      expect(appLiveJson(runtime, embeds) + appTailJson(embeds)).toBe(appStatusJson(runtime, embeds));
    },
  );
});
