import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The write path's statements as PL/pgSQL functions. Why: a write is sent as one multi-statement
 * message per round trip, which cannot use prepared statements, and planning those statements
 * cost about 1.8 ms of Postgres CPU per write (the snapshot read alone 1 ms) — more than executing
 * them. PL/pgSQL caches each statement's plan per connection, so a write now plans once per pooled
 * connection. The functions only read and write rows; every decision stays in TypeScript.
 *
 * They are VOLATILE, so in READ COMMITTED each statement inside takes a fresh snapshot: the read in
 * pacer_begin_change sees every write committed before its advisory locks were granted.
 */
export class WritePathFunctions1763784000000 implements MigrationInterface {
  name = 'WritePathFunctions1763784000000';

  async up(q: QueryRunner): Promise<void> {
    // How many deployments are stored, kept by a trigger in 16 shards: counting the table itself
    // cost O(stored plans) per write (2 ms at 30,000), and one counter row would serialise every
    // write's commit behind its row lock. Each connection adds to the shard of its backend pid, so
    // a transaction only ever locks one counter row (shards by plan id deadlocked: one writer
    // deleting a plan of shard 3 and inserting one of shard 7 while another did the reverse).
    // Shards may go negative; the count is the sum of the 16 rows.
    await q.query(`CREATE TABLE deployment_counts (shard int PRIMARY KEY, n bigint NOT NULL)`);
    await q.query(`
      INSERT INTO deployment_counts (shard, n)
      SELECT s, CASE WHEN s = 0 THEN (SELECT count(*) FROM deployments) ELSE 0 END FROM generate_series(0, 15) s`);
    await q.query(`
      CREATE FUNCTION pacer_count_deployments() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        UPDATE deployment_counts SET n = n + CASE WHEN TG_OP = 'INSERT' THEN 1 ELSE -1 END
         WHERE shard = pg_backend_pid() % 16;
        RETURN NULL;
      END
      $fn$`);
    await q.query(`
      CREATE TRIGGER deployments_count AFTER INSERT OR DELETE ON deployments
      FOR EACH ROW EXECUTE FUNCTION pacer_count_deployments()`);
    // Locks the ids (in key order: two writers never deadlock), then reads what a write decides on.
    await q.query(`
      CREATE FUNCTION pacer_begin_change(ids text[], parents text[], lo text[], hi text[])
      RETURNS json LANGUAGE plpgsql VOLATILE AS $fn$
      DECLARE
        result json;
      BEGIN
        PERFORM pg_advisory_xact_lock(k) FROM (SELECT DISTINCT hashtextextended(id, 0) AS k FROM unnest(ids) id ORDER BY k) s;
        SELECT json_build_object(
          'apps', (SELECT coalesce(json_agg(definition), '[]') FROM apps WHERE id = ANY(ids)),
          'conflicts', (SELECT coalesce(json_agg(json_build_object('id', d.id, 'affectedApps', d.affected_apps) ORDER BY d.created_at), '[]')
                          FROM deployments d WHERE d.affected_apps && ids),
          'n', (SELECT coalesce(sum(n), 0) FROM deployment_counts),
          'related', (SELECT coalesce(json_agg(r.id), '[]') FROM (
                        SELECT a.id FROM apps a WHERE a.id = ANY(parents)
                        UNION ALL
                        SELECT (SELECT a.id FROM apps a WHERE a.id ~>=~ t.lo AND a.id ~<~ t.hi LIMIT 1) FROM unnest(lo, hi) AS t(lo, hi)
                      ) r WHERE r.id IS NOT NULL),
          'held', (SELECT coalesce(json_object_agg(p.app_id, p.ports), '{}') FROM
                     (SELECT app_id, array_agg(port) AS ports FROM service_ports WHERE app_id = ANY(ids) GROUP BY app_id) p)
        ) INTO result;
        RETURN result;
      END
      $fn$`);
    // Claims the fixed ports and as many random candidates as are free; returns what it got.
    await q.query(`
      CREATE FUNCTION pacer_claim_ports(app text, fixed int[], candidates int[])
      RETURNS json LANGUAGE plpgsql VOLATILE AS $fn$
      DECLARE
        got_fixed int[];
        got_random int[];
      BEGIN
        WITH ins AS (INSERT INTO service_ports (port, app_id) SELECT DISTINCT p, app FROM unnest(fixed) p
                     ON CONFLICT (port) DO NOTHING RETURNING port)
        SELECT array_agg(port) INTO got_fixed FROM ins;
        WITH ins AS (INSERT INTO service_ports (port, app_id) SELECT DISTINCT p, app FROM unnest(candidates) p WHERE NOT (p = ANY(fixed))
                     ON CONFLICT (port) DO NOTHING RETURNING port)
        SELECT array_agg(port) INTO got_random FROM ins;
        RETURN json_build_object('fixed', coalesce(got_fixed, '{}'), 'rnd', coalesce(got_random, '{}'));
      END
      $fn$`);
    // Stores a new current definition and its immutable version, prunes history to keep_versions,
    // and releases the service ports the app no longer uses.
    await q.query(`
      CREATE FUNCTION pacer_save_app(app text, ver timestamptz, def jsonb, existed boolean, keep_versions int, ports int[])
      RETURNS void LANGUAGE plpgsql VOLATILE AS $fn$
      BEGIN
        INSERT INTO app_versions (app_id, version, definition) VALUES (app, ver, def);
        INSERT INTO apps (id, version, definition) VALUES (app, ver, def)
          ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, definition = EXCLUDED.definition, updated_at = now();
        IF existed THEN
          DELETE FROM app_versions WHERE app_id = app AND version < (
            SELECT v.version FROM app_versions v WHERE v.app_id = app ORDER BY v.version DESC OFFSET keep_versions - 1 LIMIT 1);
        END IF;
        DELETE FROM service_ports WHERE app_id = app AND NOT (port = ANY(ports));
      END
      $fn$`);
    // Drops apps (with all their versions and ports), superseded plans, and stores the new plan.
    await q.query(`
      CREATE FUNCTION pacer_finish_change(deleted text[], superseded uuid[], dep_id uuid, dep_version timestamptz, dep_apps text[],
                                          dep_original jsonb, dep_target jsonb, dep_steps jsonb, dep_step int, dep_status text)
      RETURNS void LANGUAGE plpgsql VOLATILE AS $fn$
      BEGIN
        IF cardinality(deleted) > 0 THEN
          DELETE FROM apps WHERE id = ANY(deleted);
          DELETE FROM app_versions WHERE app_id = ANY(deleted);
          DELETE FROM service_ports WHERE app_id = ANY(deleted);
        END IF;
        IF cardinality(superseded) > 0 THEN
          DELETE FROM deployments WHERE id = ANY(superseded);
        END IF;
        IF dep_id IS NOT NULL THEN
          INSERT INTO deployments (id, version, affected_apps, original, target, steps, current_step, status)
          VALUES (dep_id, dep_version, dep_apps, dep_original, dep_target, dep_steps, dep_step, dep_status);
        END IF;
      END
      $fn$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER deployments_count ON deployments`);
    await q.query(`DROP FUNCTION pacer_count_deployments()`);
    await q.query(`DROP TABLE deployment_counts`);
    await q.query(`DROP FUNCTION pacer_finish_change(text[], uuid[], uuid, timestamptz, text[], jsonb, jsonb, jsonb, int, text)`);
    await q.query(`DROP FUNCTION pacer_save_app(text, timestamptz, jsonb, boolean, int, int[])`);
    await q.query(`DROP FUNCTION pacer_claim_ports(text, int[], int[])`);
    await q.query(`DROP FUNCTION pacer_begin_change(text[], text[], text[], text[])`);
  }
}
