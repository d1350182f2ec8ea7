import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Groups (issue 9). The group tree is derived from app ids; only groups created through /v2/groups
 * are stored, one row each (they may be empty and carry dependencies), so a change writes the rows
 * of the groups it touches and never a document holding the whole tree.
 *
 * - `groups`: id, dependencies, version of the last change to the row. Prefix scans (a subtree) use
 *   the text_pattern_ops index with the `~>=~`/`~<~` range `'/a/' ≤ id < '/a0'`.
 * - `group_versions`: what a group held after each change made through /v2/groups, for
 *   `GET /v2/groups/{id}/versions` and rollback (`PUT {"version"}`): one row per member (the group
 *   itself, each stored group below it with its dependencies, each app below it with its
 *   definition), keyed by (group, version, member). Definitions are copied rather than referenced
 *   because app history is pruned (MAX_APP_VERSIONS) and dropped with the app, and a rollback must
 *   be able to bring back an app the change removed. Bounded per group like app versions.
 *
 * pacer_save_groups runs in the write's transaction, after its apps are saved, so the recorded
 * version is exactly what the transaction commits.
 *
 * pacer_save_apps is pacer_save_app for many apps in one statement (set-based): a change of a
 * 1,000-app group sent 1,000 statements, each parsed and planned on its own (~0.5 ms apiece); now it
 * sends one. Same rows, same pruning, same port release.
 */
export class Groups1795360000000 implements MigrationInterface {
  name = 'Groups1795360000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE groups (
        id            text PRIMARY KEY,
        dependencies  text[] NOT NULL DEFAULT '{}',
        version       timestamptz(3) NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX groups_id_prefix_idx ON groups (id text_pattern_ops)`);
    await q.query(`
      CREATE TABLE group_versions (
        group_id      text NOT NULL,
        version       timestamptz(3) NOT NULL,
        member_id     text NOT NULL,
        dependencies  text[],
        definition    jsonb,
        PRIMARY KEY (group_id, version, member_id)
      )`);
    // Stores group rows (upserts: [{id, dependencies}]), drops rows (and their recorded versions),
    // drops every recorded version at or below a group (a deleted group), and records the subtree of
    // `snap` as it now stands, keeping the newest `keep_versions` of it.
    await q.query(`
      CREATE FUNCTION pacer_save_groups(upserts jsonb, removed text[], forget text, snap text, ver timestamptz, keep_versions int)
      RETURNS void LANGUAGE plpgsql VOLATILE AS $fn$
      DECLARE
        lo text;
        hi text;
      BEGIN
        IF cardinality(removed) > 0 THEN
          DELETE FROM groups WHERE id = ANY(removed);
          DELETE FROM group_versions WHERE group_id = ANY(removed);
        END IF;
        IF jsonb_array_length(upserts) > 0 THEN
          INSERT INTO groups (id, dependencies, version)
          SELECT u.id, ARRAY(SELECT jsonb_array_elements_text(u.dependencies)), ver
            FROM jsonb_to_recordset(upserts) AS u(id text, dependencies jsonb)
          ON CONFLICT (id) DO UPDATE SET dependencies = EXCLUDED.dependencies, version = EXCLUDED.version, updated_at = now();
        END IF;
        IF forget IS NOT NULL THEN
          lo := CASE WHEN forget = '/' THEN '/' ELSE forget || '/' END;
          hi := CASE WHEN forget = '/' THEN '0' ELSE forget || '0' END;
          DELETE FROM group_versions WHERE group_id = forget OR (group_id ~>=~ lo AND group_id ~<~ hi);
        END IF;
        IF snap IS NOT NULL THEN
          lo := CASE WHEN snap = '/' THEN '/' ELSE snap || '/' END;
          hi := CASE WHEN snap = '/' THEN '0' ELSE snap || '0' END;
          -- two changes of one group within one millisecond: the later one's record wins
          DELETE FROM group_versions WHERE group_id = snap AND version = ver;
          INSERT INTO group_versions (group_id, version, member_id, dependencies)
          VALUES (snap, ver, snap, coalesce((SELECT g.dependencies FROM groups g WHERE g.id = snap), '{}'));
          INSERT INTO group_versions (group_id, version, member_id, dependencies)
          SELECT snap, ver, g.id, g.dependencies FROM groups g WHERE g.id ~>=~ lo AND g.id ~<~ hi AND g.id <> snap;
          INSERT INTO group_versions (group_id, version, member_id, definition)
          SELECT snap, ver, a.id, a.definition FROM apps a WHERE a.id ~>=~ lo AND a.id ~<~ hi;
          DELETE FROM group_versions WHERE group_id = snap AND version < (
            SELECT v.version FROM group_versions v WHERE v.group_id = snap AND v.member_id = snap
             ORDER BY v.version DESC OFFSET keep_versions - 1 LIMIT 1);
        END IF;
      END
      $fn$`);
    await q.query(`
      CREATE FUNCTION pacer_save_apps(saves jsonb, keep_versions int)
      RETURNS void LANGUAGE plpgsql VOLATILE AS $fn$
      BEGIN
        INSERT INTO app_versions (app_id, version, definition)
        SELECT s.id, s.version, s.def FROM jsonb_to_recordset(saves) AS s(id text, version timestamptz, def jsonb);
        INSERT INTO apps (id, version, definition)
        SELECT s.id, s.version, s.def FROM jsonb_to_recordset(saves) AS s(id text, version timestamptz, def jsonb)
          ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, definition = EXCLUDED.definition, updated_at = now();
        DELETE FROM app_versions v
         USING (SELECT s.id FROM jsonb_to_recordset(saves) AS s(id text, existed boolean) WHERE s.existed) e
         WHERE v.app_id = e.id AND v.version < (
           SELECT w.version FROM app_versions w WHERE w.app_id = e.id ORDER BY w.version DESC OFFSET keep_versions - 1 LIMIT 1);
        DELETE FROM service_ports p
         USING jsonb_to_recordset(saves) AS s(id text, ports int[])
         WHERE p.app_id = s.id AND NOT (p.port = ANY(s.ports));
      END
      $fn$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION pacer_save_apps(jsonb, int)`);
    await q.query(`DROP FUNCTION pacer_save_groups(jsonb, text[], text, text, timestamptz, int)`);
    await q.query(`DROP TABLE group_versions`);
    await q.query(`DROP TABLE groups`);
  }
}
