"""Drives Pacer with Debian's python3-marathon (the `marathon` client 0.13), unchanged.

Usage: marathon_client.py <scenario> <base-url> [args...]

Every scenario prints one JSON object on stdout: step name -> what the client returned (reduced
to plain values) or {"error": ...} when the client raised. The jest spec asserts on it, so a
failing step shows up as a readable diff and the later steps still run.

The client parses responses strictly: an unknown key on an app, task, deployment or info object
makes its model constructor raise TypeError. Each step therefore calls the real client method and
records the parsed model, never the raw response.
"""

import json
import sys
import traceback

from marathon import MarathonClient, MarathonApp
from marathon.models.group import MarathonGroup
from marathon.exceptions import ConflictError, MarathonError, MarathonHttpError, NotFoundError
from marathon.models.app import MarathonHealthCheck, PortDefinition

TIMEOUT_SECONDS = 10


class Steps:
    """Runs named steps, keeping going after a failure so one run shows every incompatibility."""

    def __init__(self):
        self.results = {}

    def run(self, name, fn):
        try:
            self.results[name] = fn()
        except Exception as e:  # noqa: BLE001 - the spec reports the error text
            self.results[name] = {'error': error_info(e)}
        return self.results[name]

    def expect_error(self, name, fn):
        """A step that must raise a MarathonHttpError: records its class, status and message."""
        try:
            value = fn()
        except MarathonHttpError as e:
            self.results[name] = {
                'raised': type(e).__name__,
                'status': e.status_code,
                'message': getattr(e, 'error_message', None),
                'details': getattr(e, 'error_details', None),
            }
            return
        except Exception as e:  # noqa: BLE001
            self.results[name] = {'error': error_info(e)}
            return
        self.results[name] = {'error': 'no exception raised', 'returned': plain(value)}


def error_info(e):
    details = f' details={json.dumps(e.error_details)}' if getattr(e, 'error_details', None) else ''
    return f'{type(e).__name__}: {e}{details}\n' + ''.join(traceback.format_exception(e)[-4:])


def plain(value):
    """Client models and containers as JSON-friendly values (camelCase, as the client sends them)."""
    if hasattr(value, 'json_repr'):
        return json.loads(value.to_json(minimal=False))
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def app_summary(app):
    """The parsed MarathonApp: its class plus the fields a client typically reads."""
    return {
        'type': type(app).__name__,
        'id': app.id,
        'cmd': app.cmd,
        'cpus': app.cpus,
        'mem': app.mem,
        'instances': app.instances,
        'labels': app.labels,
        'version': app.version,
        'lastConfigChangeAt': iso(app.version_info.last_config_change_at) if app.version_info else None,
        'deployments': [d.id for d in app.deployments],
        'ports': [p.port for p in app.port_definitions],
        'healthChecks': [{'protocol': h.protocol, 'portIndex': h.port_index} for h in app.health_checks],
        'upgradeStrategy': plain(app.upgrade_strategy),
        'tasks': len(app.tasks),
        'tasksRunning': app.tasks_running,
    }


def iso(dt):
    """A datetime the client parsed, back in Marathon's format (to compare with `version`)."""
    return None if dt is None else dt.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3] + 'Z'


def client_for(base_url):
    return MarathonClient(base_url, timeout=TIMEOUT_SECONDS)


def scenario_info(c, _args):
    s = Steps()

    def info():
        i = c.get_info()
        return {
            'type': type(i).__name__,
            'name': i.name,
            'version': i.version,
            'elected': i.elected,
            'leader': i.leader,
            'httpPort': i.http_config.http_port,
            'master': i.marathon_config.master,
            'zkMaxVersions': i.zookeeper_config.zk_max_versions,
        }

    s.run('get_info', info)
    s.run('get_leader', c.get_leader)
    s.run('ping', lambda: c.ping().decode())
    return s.results


def scenario_metrics(c, _args):
    s = Steps()
    s.run('get_metrics', lambda: sorted(c.get_metrics().keys()))
    return s.results


def scenario_lifecycle(c, args):
    app_id, label = args
    s = Steps()
    group = app_id.rsplit('/', 1)[0]

    def new_app():
        return MarathonApp(
            cmd='sleep 100', cpus=0.1, mem=16, instances=1,
            labels={'pacer-e2e': label, 'tier': 'web'},
            port_definitions=[PortDefinition(port=0, protocol='tcp', name='http')],
            health_checks=[MarathonHealthCheck(protocol='TCP', port_index=0, grace_period_seconds=30,
                                               interval_seconds=10, timeout_seconds=5, max_consecutive_failures=3)],
        )

    s.run('create_app', lambda: app_summary(c.create_app(app_id, new_app())))
    s.expect_error('create_existing', lambda: c.create_app(app_id, new_app()))
    s.run('get_app', lambda: app_summary(c.get_app(app_id)))
    s.run('get_app_embeds', lambda: app_summary(c.get_app(
        app_id, embed_tasks=True, embed_counts=True, embed_deployments=True, embed_readiness=True,
        embed_last_task_failure=True, embed_failures=True, embed_task_stats=True)))
    s.run('list_apps', lambda: [a.id for a in c.list_apps()])
    s.run('list_apps_by_id', lambda: [a.id for a in c.list_apps(app_id=group)])
    s.run('list_apps_embed_tasks', lambda: [
        {'id': a.id, 'tasks': len(a.tasks)} for a in c.list_apps(app_id=group, embed_tasks=True, embed_counts=True)])
    s.run('list_apps_all_embeds', lambda: [a.id for a in c.list_apps(
        app_id=group, embed_tasks=True, embed_counts=True, embed_deployments=True, embed_readiness=True,
        embed_last_task_failure=True, embed_failures=True, embed_task_stats=True)])
    s.run('list_apps_by_label', lambda: [a.id for a in c.list_apps(label=f'pacer-e2e=={label},tier==web')])
    s.run('list_apps_by_other_label', lambda: [a.id for a in c.list_apps(label=f'pacer-e2e=={label},tier==db')])
    s.run('list_apps_by_cmd', lambda: [a.id for a in c.list_apps(cmd='SLEEP 100', app_id=group)])
    s.run('list_apps_kwargs_filter', lambda: [a.id for a in c.list_apps(app_id=group, instances=1)])

    # The create left a deployment (nothing executes it yet): without force the app is locked.
    s.expect_error('update_locked', lambda: c.update_app(app_id, MarathonApp(cmd='sleep 150')))
    s.run('update_app', lambda: c.update_app(app_id, MarathonApp(cmd='sleep 200'), force=True))
    s.run('after_update', lambda: app_summary(c.get_app(app_id)))
    s.run('scale_app', lambda: c.scale_app(app_id, instances=3, force=True))
    s.run('after_scale', lambda: app_summary(c.get_app(app_id)))
    s.run('scale_app_delta', lambda: c.scale_app(app_id, delta=-1, force=True))
    s.run('after_scale_delta', lambda: app_summary(c.get_app(app_id)))
    s.run('restart_app', lambda: c.restart_app(app_id, force=True))

    versions = s.run('list_versions', lambda: c.list_versions(app_id))
    if isinstance(versions, list) and versions:
        s.run('get_version_newest', lambda: app_summary(c.get_version(app_id, versions[0])))
        s.run('get_version_oldest', lambda: app_summary(c.get_version(app_id, versions[-1])))
        s.run('rollback_app', lambda: c.rollback_app(app_id, versions[-1], force=True))
        s.run('after_rollback', lambda: app_summary(c.get_app(app_id)))

    def ours():
        return [d for d in c.list_deployments() if app_id in (d.affected_apps or [])]

    def deployments():
        return [{
            'type': type(d).__name__,
            'id': d.id,
            'version': d.version,
            'affectedApps': d.affected_apps,
            'currentStep': d.current_step,
            'totalSteps': d.total_steps,
            'actions': [[a.action for a in step.actions] for step in d.steps],
            'appsInActions': [[a.app for a in step.actions] for step in d.steps],
        } for d in ours()]

    deps = s.run('list_deployments', deployments)
    if isinstance(deps, list) and deps:
        # Without force: Marathon deploys the revert of the plan and answers that new deployment.
        revert = s.run('delete_deployment_rollback', lambda: c.delete_deployment(deps[0]['id']))
        s.run('after_delete_deployment_rollback', lambda: [d.id for d in ours()])
        s.run('after_revert', lambda: app_summary(c.get_app(app_id)))
        if isinstance(revert, dict) and 'deploymentId' in revert:
            # With force: cancel only (202, empty body); the client returns {}.
            s.run('delete_deployment_force', lambda: c.delete_deployment(revert['deploymentId'], force=True))
            s.run('after_delete_deployment_force', lambda: [d.id for d in ours()])
    s.expect_error('delete_unknown_deployment', lambda: c.delete_deployment('00000000-0000-0000-0000-000000000000'))

    s.run('delete_app', lambda: c.delete_app(app_id, force=True))
    s.expect_error('get_deleted_app', lambda: c.get_app(app_id))
    s.run('scale_deleted_app', lambda: c.scale_app(app_id, instances=2))
    return s.results


def scenario_errors(c, args):
    (group,) = args
    s = Steps()
    s.expect_error('get_unknown_app', lambda: c.get_app(f'{group}/does-not-exist'))
    s.expect_error('list_versions_unknown_app', lambda: c.list_versions(f'{group}/does-not-exist'))
    s.expect_error('restart_unknown_app', lambda: c.restart_app(f'{group}/does-not-exist'))
    s.expect_error('delete_unknown_app', lambda: c.delete_app(f'{group}/does-not-exist'))
    s.expect_error('create_invalid_app', lambda: c.create_app(f'{group}/invalid', MarathonApp(cmd='sleep 1', instances=-1)))
    s.expect_error('get_unknown_version', lambda: c.get_version(f'{group}/does-not-exist', '2015-01-01T00:00:00.000Z'))
    return s.results


def scenario_examples(c, args):
    """Reads back apps Pacer accepted from Marathon's own example definitions."""
    group, ids = args[0], args[1:]
    s = Steps()
    for app_id in ids:
        s.run(f'get:{app_id}', lambda app_id=app_id: plain(c.get_app(app_id)))
        s.run(f'embeds:{app_id}', lambda app_id=app_id: c.get_app(
            app_id, embed_tasks=True, embed_counts=True, embed_deployments=True, embed_readiness=True,
            embed_last_task_failure=True, embed_task_stats=True).id)
        s.run(f'version:{app_id}', lambda app_id=app_id: c.get_version(app_id, c.list_versions(app_id)[0]).id)
        # The classic client workflow: read an app, change a field, send the whole object back.
        def round_trip(app_id=app_id):
            app = c.get_app(app_id)
            app.labels['pacer-round-trip'] = 'yes'
            result = c.update_app(app_id, app, force=True)
            after = c.get_app(app_id)
            return {'result': sorted(result.keys()), 'label': after.labels.get('pacer-round-trip'), 'version': after.version == result['version']}
        s.run(f'round_trip:{app_id}', round_trip)
    s.run('list_apps', lambda: sorted(a.id for a in c.list_apps(app_id=group, embed_tasks=True)))
    return s.results


def task_summary(t):
    """The parsed MarathonTask: its class and the fields clients read."""
    return {
        'type': type(t).__name__,
        'id': t.id,
        'appId': t.app_id,
        'host': t.host,
        'slaveId': t.slave_id,
        'state': t.state,
        'ports': t.ports,
        'servicePorts': t.service_ports,
        'stagedAt': iso(t.staged_at),
        'startedAt': iso(t.started_at),
        'version': t.version,
    }


def scenario_tasks(c, args):
    """Tasks, kills and the queue; the spec wrote the instance rows and stands in for the scheduler."""
    app_id, task_a, task_b, task_c = args
    s = Steps()

    def app_with_tasks():
        app = c.get_app(app_id)
        failure = app.last_task_failure
        return {
            'tasks': sorted(t.id for t in app.tasks),
            'tasksRunning': app.tasks_running,
            'tasksStaged': app.tasks_staged,
            'lastTaskFailure': {'type': type(failure).__name__, 'taskId': failure.task_id, 'message': failure.message} if failure else None,
        }

    s.run('get_app', app_with_tasks)
    s.run('list_apps_embed_tasks', lambda: [len(a.tasks) for a in c.list_apps(app_id=app_id, embed_tasks=True, embed_last_task_failure=True)])
    s.run('list_tasks_app', lambda: sorted((task_summary(t) for t in c.list_tasks(app_id)), key=lambda t: t['id']))
    s.run('list_tasks_all', lambda: sorted(t.id for t in c.list_tasks() if t.app_id == app_id))
    s.run('kill_task', lambda: task_summary(c.kill_task(app_id, task_a)))
    s.expect_error('kill_unknown_task', lambda: c.kill_task(app_id, task_a.rsplit('.', 1)[0] + '.99'))
    s.run('kill_tasks_on_host', lambda: sorted(t.id for t in c.kill_tasks(app_id, host='node-2')))
    s.run('kill_given_tasks', lambda: c.kill_given_tasks([task_c]))
    s.run('kill_tasks_scale', lambda: sorted(c.kill_tasks(app_id, scale=True).keys()))
    s.run('kill_task_scale', lambda: sorted(c.kill_task(app_id, task_b, scale=True).keys()))

    def queue(embed):
        return [{
            'type': type(q).__name__,
            'app': q.app.id,
            'appType': type(q.app).__name__,
            'count': q.count,
            'delay': {'timeLeftSeconds': q.delay.time_left_seconds, 'overdue': q.delay.overdue},
            'since': q.since,
            'processedOffersSummary': q.processed_offers_summary,
            'lastUnusedOffers': q.last_unused_offers,
        } for q in c.list_queue(embed_last_unused_offers=embed)]

    s.run('list_queue', lambda: queue(False))
    s.run('list_queue_offers', lambda: queue(True))
    s.run('reset_delay', lambda: c.reset_delay(app_id))
    s.expect_error('reset_delay_unknown', lambda: c.reset_delay(app_id + '-idle'))
    return s.results


def group_summary(g):
    """The parsed MarathonGroup (and its MarathonApps): classes, ids and what clients read."""
    return {
        'type': type(g).__name__,
        'id': g.id,
        'apps': [{'type': type(a).__name__, 'id': a.id, 'instances': a.instances, 'cmd': a.cmd} for a in g.apps],
        'groups': [group_summary(x) for x in g.groups],
        'dependencies': g.dependencies,
        'version': g.version,
    }


def scenario_groups(c, args):
    """Marathon's example group under a unique id: create, read, list, scale, update, roll back, delete."""
    group_id, example_file = args
    s = Steps()
    with open(example_file, encoding='utf-8') as f:
        group = MarathonGroup.from_json(json.loads(f.read().replace('/sleep-group', group_id)))
    created = s.run('create_group', lambda: c.create_group(group))
    s.expect_error('create_existing', lambda: c.create_group(group))
    s.run('get_group', lambda: group_summary(c.get_group(group_id)))
    s.run('list_groups', lambda: sorted(g.id for g in c.list_groups()))
    # Nothing executes deployments here: the create's plan still locks the apps (scale_group has no force).
    s.expect_error('scale_locked', lambda: c.scale_group(group_id, 2))

    def unlock():
        cancelled = [d.id for d in c.list_deployments() if any(a.startswith(group_id + '/') for a in d.affected_apps)]
        for d in cancelled:
            c.delete_deployment(d, force=True)
        return len(cancelled)

    s.run('unlock', unlock)
    s.run('scale_group', lambda: c.scale_group(group_id, 2))
    s.run('after_scale', lambda: group_summary(c.get_group(group_id)))

    def update():
        # The classic workflow: read the group, drop an app, send the whole object back.
        g = c.get_group(group_id)
        g.groups[0].apps = g.groups[0].apps[:1]
        return c.update_group(group_id, g, force=True)

    s.run('update_group', update)
    s.run('after_update', lambda: group_summary(c.get_group(group_id)))
    if isinstance(created, dict) and 'version' in created:
        s.run('rollback_group', lambda: c.rollback_group(group_id, created['version'], force=True))
        s.run('after_rollback', lambda: group_summary(c.get_group(group_id)))
    s.run('delete_group', lambda: c.delete_group(group_id, force=True))
    s.expect_error('get_deleted_group', lambda: c.get_group(group_id))
    return s.results


SCENARIOS = {
    'tasks': scenario_tasks,
    'info': scenario_info,
    'metrics': scenario_metrics,
    'lifecycle': scenario_lifecycle,
    'errors': scenario_errors,
    'examples': scenario_examples,
    'groups': scenario_groups,
}


def main():
    scenario, base_url, *args = sys.argv[1:]
    results = SCENARIOS[scenario](client_for(base_url), args)
    json.dump(results, sys.stdout, default=str)
    sys.stdout.write('\n')


if __name__ == '__main__':
    try:
        main()
    except MarathonError as e:
        print(f'marathon client error: {e}', file=sys.stderr)
        sys.exit(2)
