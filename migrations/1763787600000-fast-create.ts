import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Creating an app in one round trip. TypeScript computes everything a create writes (version,
 * service ports, plan) assuming the id is free; this function only verifies that assumption under
 * the app's advisory lock — no app with the id, no stored plan touching it, no app above or below
 * it, room for one more plan, every chosen service port free — and writes. If any check fails it
 * raises 'pacer:precondition' and the caller takes the general path, which gives the exact error.
 * Decisions stay in TypeScript: this is a compare-and-set.
 */
export class FastCreate1763787600000 implements MigrationInterface {
  name = 'FastCreate1763787600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION pacer_create_app(app text, parents text[], lo text, hi text, max_deployments int,
                                       ver timestamptz, def jsonb, ports int[],
                                       dep_id uuid, dep_original jsonb, dep_target jsonb, dep_steps jsonb)
      RETURNS void LANGUAGE plpgsql VOLATILE AS $fn$
      DECLARE
        claimed int;
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtextextended(app, 0));
        IF EXISTS (SELECT 1 FROM apps WHERE id = app OR id = ANY(parents))
           OR EXISTS (SELECT 1 FROM apps WHERE id ~>=~ lo AND id ~<~ hi)
           OR EXISTS (SELECT 1 FROM deployments WHERE affected_apps && ARRAY[app])
           OR (SELECT coalesce(sum(n), 0) FROM deployment_counts) >= max_deployments THEN
          RAISE EXCEPTION 'pacer:precondition';
        END IF;
        WITH ins AS (INSERT INTO service_ports (port, app_id) SELECT p, app FROM unnest(ports) p ON CONFLICT (port) DO NOTHING RETURNING 1)
        SELECT count(*) INTO claimed FROM ins;
        IF claimed < cardinality(ports) THEN
          RAISE EXCEPTION 'pacer:precondition';
        END IF;
        INSERT INTO app_versions (app_id, version, definition) VALUES (app, ver, def);
        INSERT INTO apps (id, version, definition) VALUES (app, ver, def);
        INSERT INTO deployments (id, version, affected_apps, original, target, steps, current_step, status)
        VALUES (dep_id, ver, ARRAY[app], dep_original, dep_target, dep_steps, 0, 'scheduled');
      END
      $fn$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION pacer_create_app(text, text[], text, text, int, timestamptz, jsonb, int[], uuid, jsonb, jsonb, jsonb)`);
  }
}
