import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Creating apps in one round trip, many at a time. TypeScript computes everything a create writes
 * (version, service ports, plan) assuming the id is free; this function only verifies that
 * assumption under the apps' advisory locks — no app with the id, no stored plan touching it, no
 * app above or below it, room for one more plan, every chosen service port free — and writes.
 * A create whose assumption fails writes nothing and reports false; the caller then takes the
 * general path, which gives the exact error. Decisions stay in TypeScript: this is a
 * compare-and-set.
 *
 * Why many at a time: creates arriving together (one event-loop turn) share one transaction, so one
 * round trip and one WAL flush serve them all. Locks are taken in key order, as every writer does,
 * so batches and other writes never deadlock.
 */
export class FastCreate1763787600000 implements MigrationInterface {
  name = 'FastCreate1763787600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION pacer_create_apps(reqs jsonb, max_deployments int)
      RETURNS jsonb LANGUAGE plpgsql VOLATILE AS $fn$
      DECLARE
        r jsonb;
        app text;
        ports int[];
        ok boolean;
        claimed int;
        results jsonb := '[]'::jsonb;
      BEGIN
        PERFORM pg_advisory_xact_lock(k)
          FROM (SELECT DISTINCT hashtextextended(e->>'app', 0) AS k FROM jsonb_array_elements(reqs) e ORDER BY k) s;
        FOR r IN SELECT e FROM jsonb_array_elements(reqs) WITH ORDINALITY AS t(e, i) ORDER BY i LOOP
          app := r->>'app';
          ports := ARRAY(SELECT (jsonb_array_elements_text(r->'ports'))::int);
          ok := NOT (
            EXISTS (SELECT 1 FROM apps WHERE id = app OR id = ANY(ARRAY(SELECT jsonb_array_elements_text(r->'parents'))))
            OR EXISTS (SELECT 1 FROM apps WHERE id ~>=~ (app || '/') AND id ~<~ (app || '0'))
            OR EXISTS (SELECT 1 FROM deployments WHERE affected_apps && ARRAY[app])
            OR (SELECT coalesce(sum(n), 0) FROM deployment_counts) >= max_deployments);
          IF ok AND cardinality(ports) > 0 THEN
            WITH ins AS (INSERT INTO service_ports (port, app_id) SELECT p, app FROM unnest(ports) p ON CONFLICT (port) DO NOTHING RETURNING 1)
            SELECT count(*) INTO claimed FROM ins;
            IF claimed < cardinality(ports) THEN
              -- A new app holds no ports yet: what it holds now is exactly what this claim took.
              DELETE FROM service_ports WHERE app_id = app;
              ok := false;
            END IF;
          END IF;
          IF ok THEN
            INSERT INTO app_versions (app_id, version, definition) VALUES (app, (r->>'version')::timestamptz, r->'def');
            INSERT INTO apps (id, version, definition) VALUES (app, (r->>'version')::timestamptz, r->'def');
            INSERT INTO deployments (id, version, affected_apps, original, target, steps, current_step, status)
            VALUES ((r->>'deployment')::uuid, (r->>'version')::timestamptz, ARRAY[app], r->'original', r->'target', r->'steps', 0, 'scheduled');
          END IF;
          results := results || to_jsonb(ok);
        END LOOP;
        RETURN results;
      END
      $fn$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION pacer_create_apps(jsonb, int)`);
  }
}
