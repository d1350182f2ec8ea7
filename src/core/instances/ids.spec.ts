import fc from 'fast-check';
import { appIdFromTaskId, formatInstanceId, formatTaskId, nextTaskId, parseInstanceId, parseTaskId } from './ids';

const UUID = 'b6ff5fa5-7714-11e7-a55c-5ecf1c4671f6';

describe('formatInstanceId / formatTaskId', () => {
  it.each([
    ['/app', 'app.instance-' + UUID],
    ['/test/foo/bla/rest', 'test_foo_bla_rest.instance-' + UUID],
    ['/prod/web.v2/api', 'prod_web.v2_api.instance-' + UUID],
  ])('%s → %s', (appId, expected) => {
    expect(formatInstanceId(appId, UUID)).toBe(expected);
    expect(formatTaskId(expected, 1)).toBe(`${expected}._app.1`);
  });

  it.each([
    ['relative app id', 'app', UUID],
    ['root', '/', UUID],
    ['uppercase segment', '/App', UUID],
    ['uuid with a dot', '/app', 'a.b'],
    ['uuid with an underscore', '/app', 'a_b'],
    ['empty uuid', '/app', ''],
  ])('rejects %s', (_name, appId, uuid) => {
    expect(() => formatInstanceId(appId, uuid)).toThrow();
  });

  it('rejects a negative or fractional incarnation', () => {
    expect(() => formatTaskId('a.instance-x', -1)).toThrow();
    expect(() => formatTaskId('a.instance-x', 1.5)).toThrow();
  });
});

describe('parseTaskId', () => {
  it.each([
    ['mygroup_myapp.instance-' + UUID + '._app.42', '/mygroup/myapp', 42, 'instance-'],
    ['mygroup_myapp.marathon-' + UUID + '._app.1', '/mygroup/myapp', 1, 'marathon-'],
    ['a.b_c.instance-u1._app.0', '/a.b/c', 0, 'instance-'],
    ['x.instance-y.instance-z._app.3', '/x.instance-y', 3, 'instance-'],
  ])('%s', (id, appId, incarnation, prefix) => {
    expect(parseTaskId(id)).toEqual({ ok: true, value: expect.objectContaining({ appId, incarnation, prefix, taskId: id }) });
  });

  it.each([
    ['empty', ''],
    ['no instance part', 'app._app.1'],
    ['no incarnation', 'app.instance-u1._app'],
    ['pod container name', 'app.instance-u1.web.1'],
    ['non-numeric incarnation', 'app.instance-u1._app.x'],
    ['leading zero incarnation', 'app.instance-u1._app.01'],
    ['empty segment', 'a__b.instance-u1._app.1'],
    ['leading underscore', '_a.instance-u1._app.1'],
    ['uuid with odd characters', 'a.instance-u$1._app.1'],
    ['bad segment', 'a-.instance-u1._app.1'],
    ['reserved last segment', 'a_tasks.instance-u1._app.1'],
    ['uppercase path (Marathon ids are lowercase)', 'myGroup_myApp.instance-u1._app.1'],
    ['huge incarnation', 'a.instance-u1._app.99999999999999999999'],
  ])('rejects %s with a reason', (_name, id) => {
    const r = parseTaskId(id);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/\S/);
  });
});

describe('parseInstanceId', () => {
  it('parses an instance id', () => {
    expect(parseInstanceId('a_b.instance-u1')).toEqual({ ok: true, value: { instanceId: 'a_b.instance-u1', appId: '/a/b', uuid: 'u1', prefix: 'instance-' } });
  });
  it('rejects a task id', () => {
    expect(parseInstanceId('a_b.instance-u1._app.1').ok).toBe(false);
  });
});

describe('appIdFromTaskId', () => {
  it.each([
    ['test_foo.instance-' + UUID + '._app.2', '/test/foo'],
    ['test_foo.instance-' + UUID, '/test/foo'],
    ['app_682ebe64-0771-11e4-b05d-e0f84720c54e', '/app'],
    ['group_app.682ebe64-0771-11e4-b05d-e0f84720c54e', '/group/app'],
    ['not-ours', undefined],
    ['', undefined],
  ])('%s → %s', (id, appId) => {
    expect(appIdFromTaskId(id)).toBe(appId);
  });
});

describe('nextTaskId', () => {
  it('increments the incarnation', () => {
    expect(nextTaskId('a.instance-u1._app.1')).toBe('a.instance-u1._app.2');
  });
  it('throws on a malformed id', () => {
    expect(() => nextTaskId('nope')).toThrow();
  });
});

describe('properties', () => {
  const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?$/);
  const segment = fc.array(label, { minLength: 1, maxLength: 3 }).map((ls) => ls.join('.')).filter((s) => !['restart', 'tasks', 'versions'].includes(s));
  const appId = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => '/' + s.join('/'));
  const uuid = fc.oneof(fc.uuid(), fc.stringMatching(/^[A-Za-z0-9-]{1,20}$/));
  const incarnation = fc.nat({ max: 1_000_000 });

  it('format → parse round-trips (app id, uuid, incarnation)', () => {
    fc.assert(fc.property(appId, uuid, incarnation, (a, u, n) => {
      const instanceId = formatInstanceId(a, u);
      const taskId = formatTaskId(instanceId, n);
      const parsed = parseTaskId(taskId);
      expect(parsed).toEqual({ ok: true, value: { instanceId, appId: a, uuid: u, prefix: 'instance-', taskId, incarnation: n } });
      expect(appIdFromTaskId(taskId)).toBe(a);
      expect(parseInstanceId(instanceId)).toEqual({ ok: true, value: { instanceId, appId: a, uuid: u, prefix: 'instance-' } });
    }));
  });

  it('parse never throws, and whatever parses re-formats to the same string', () => {
    fc.assert(fc.property(fc.string({ maxLength: 60 }), (s) => {
      const r = parseTaskId(s);
      if (r.ok) {
        expect(r.value.prefix === 'instance-' ? formatTaskId(formatInstanceId(r.value.appId, r.value.uuid), r.value.incarnation) : s).toBe(s);
      }
    }));
  });

  it('nextTaskId keeps the instance and adds one', () => {
    fc.assert(fc.property(appId, uuid, incarnation, (a, u, n) => {
      const next = parseTaskId(nextTaskId(formatTaskId(formatInstanceId(a, u), n)));
      expect(next.ok && next.value.incarnation).toBe(n + 1);
      expect(next.ok && next.value.instanceId).toBe(formatInstanceId(a, u));
    }));
  });
});
