import { InitialSchema1763769600000 } from './1763769600000-initial-schema';
import { DeploymentsChurn1763776800000 } from './1763776800000-deployments-churn';
import { WritePathFunctions1763784000000 } from './1763784000000-write-path-functions';
import { FastCreate1763787600000 } from './1763787600000-fast-create';
import { Framework1795310488685 } from './1795310488685-framework';
import { Instances1795320000000 } from './1795320000000-instances';
import { TaskFailures1795330000000 } from './1795330000000-task-failures';
import { DeploymentStatus1795340000000 } from './1795340000000-deployment-status';
import { InstanceHealth1795350000000 } from './1795350000000-instance-health';
import { Groups1795360000000 } from './1795360000000-groups';
import { LeaderTerm1795370000000 } from './1795370000000-leader-term';
import { EventSubscriptions1795380000000 } from './1795380000000-event-subscriptions';

/** Every migration, in order. Listed explicitly so the app, the CLI and tests load the same set. */
export const MIGRATIONS = [InitialSchema1763769600000, DeploymentsChurn1763776800000, WritePathFunctions1763784000000, FastCreate1763787600000, Framework1795310488685, Instances1795320000000, TaskFailures1795330000000, DeploymentStatus1795340000000, InstanceHealth1795350000000, Groups1795360000000, LeaderTerm1795370000000, EventSubscriptions1795380000000];
