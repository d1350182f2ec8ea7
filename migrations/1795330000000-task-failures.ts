import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The last task failure per app (Marathon's `lastTaskFailure`, core `TaskFailure`), written by the
 * leader's scheduler (`TaskFailureStore.recordMany`), read by every replica for app answers.
 *
 * - One row per app: a newer failure replaces the older one, as in Marathon's TaskFailureRepository.
 * - No foreign key to `apps`: the scheduler records failures in batches while apps come and go, and a
 *   batch must never fail because one app was deleted meanwhile (recordMany skips unknown apps).
 * - A deleted app's failure is deleted with it, by a statement-level trigger on `apps`, in the
 *   deleting transaction: a later app with the same id never shows its predecessor's failure, and no
 *   write path has to remember it.
 */
export class TaskFailures1795330000000 implements MigrationInterface {
  name = 'TaskFailures1795330000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE task_failures (
        app_id text PRIMARY KEY,
        failure jsonb NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE FUNCTION pacer_forget_task_failures() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM task_failures f USING deleted_apps d WHERE f.app_id = d.id;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER apps_forget_task_failures AFTER DELETE ON apps
        REFERENCING OLD TABLE AS deleted_apps FOR EACH STATEMENT EXECUTE FUNCTION pacer_forget_task_failures()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER apps_forget_task_failures ON apps');
    await q.query('DROP FUNCTION pacer_forget_task_failures()');
    await q.query('DROP TABLE task_failures');
  }
}
