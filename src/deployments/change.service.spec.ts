import type { DeploymentStep } from '../core/deployments/deployment';
import { withSentenced } from './change.service';

describe('withSentenced (kill with scale=true)', () => {
  const steps: DeploymentStep[] = [
    { actions: [{ action: 'StopApplication', app: '/gone' }] },
    { actions: [{ action: 'ScaleApplication', app: '/a' }, { action: 'ScaleApplication', app: '/b' }, { action: 'RestartApplication', app: '/c' }] },
  ];

  it.each<[string, Map<string, string[]> | undefined, DeploymentStep[]]>([
    ['nothing sentenced: the plan as it is', undefined, steps],
    ['attached to the ScaleApplication of that app only', new Map([['/a', ['a.instance-1']], ['/c', ['c.instance-1']]]), [
      steps[0],
      { actions: [{ action: 'ScaleApplication', app: '/a', sentenced: ['a.instance-1'] }, { action: 'ScaleApplication', app: '/b' }, { action: 'RestartApplication', app: '/c' }] },
    ]],
    ['an empty list adds nothing', new Map([['/b', []]]), steps],
  ])('%s', (_name, sentenced, expected) => {
    expect(withSentenced(steps, sentenced)).toEqual(expected);
  });
});
