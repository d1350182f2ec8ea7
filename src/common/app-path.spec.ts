import { rewriteIdPath } from './app-path';

describe('rewriteIdPath', () => {
  it.each([
    ['/v2/apps', '/v2/apps'],
    ['/v2/apps/', '/v2/apps'],
    ['/v2/apps?embed=apps.tasks', '/v2/apps?embed=apps.tasks'],
    ['/v2/apps/web', '/v2/apps/web'],
    ['/v2/apps//my-app', '/v2/apps/my-app'],
    ['/v2/apps/prod/web/api', '/v2/apps/prod%2Fweb%2Fapi'],
    ['/v2/apps/prod/web/versions', '/v2/apps/prod%2Fweb/versions'],
    ['/v2/apps/prod/web/versions/2020-01-01T00:00:00.000Z?x=1', '/v2/apps/prod%2Fweb/versions/2020-01-01T00:00:00.000Z?x=1'],
    ['/v2/apps/prod/web/restart?force=true', '/v2/apps/prod%2Fweb/restart?force=true'],
    ['/v2/apps/prod/web/tasks', '/v2/apps/prod%2Fweb/tasks'],
    ['/v2/apps/prod/web/tasks/prod_web.instance-1._app.1', '/v2/apps/prod%2Fweb/tasks/prod_web.instance-1._app.1'],
    ['/v2/apps/prod/*', '/v2/apps/prod%2F*'],
    ['/v2/apps/prod/*/tasks', '/v2/apps/prod%2F*/tasks'],
    ['/v2/apps/prod/web/tasks?host=a&scale=True', '/v2/apps/prod%2Fweb/tasks?host=a&scale=True'],
    ['/v2/queue', '/v2/queue'],
    ['/v2/queue?embed=lastUnusedOffers', '/v2/queue?embed=lastUnusedOffers'],
    ['/v2/queue/web/delay', '/v2/queue/web/delay'],
    ['/v2/queue//prod/web/delay', '/v2/queue/prod%2Fweb/delay'],
    ['/v2/groups/prod/versions', '/v2/groups/prod/versions'],
    ['/v2/groups/a/b/versions/2020', '/v2/groups/a%2Fb/versions/2020'],
    ['//v2//deployments', '/v2/deployments'],
    ['/ping', '/ping'],
  ])('%s → %s', (input, expected) => {
    expect(rewriteIdPath(input)).toBe(expected);
  });
});
