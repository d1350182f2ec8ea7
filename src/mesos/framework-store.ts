import type { DataSource } from 'typeorm';

/**
 * Where the Mesos framework id lives between runs (table `framework`, one row). Written from the
 * SUBSCRIBED event before anything else happens; read before every SUBSCRIBE.
 */
export interface FrameworkIdStore {
  load(): Promise<string | undefined>;
  save(frameworkId: string): Promise<void>;
}

export class PgFrameworkIdStore implements FrameworkIdStore {
  constructor(private readonly ds: DataSource) {}

  async load(): Promise<string | undefined> {
    const rows = (await this.ds.query('SELECT framework_id FROM framework WHERE id = 1')) as { framework_id: string }[];
    return rows[0]?.framework_id;
  }

  async save(frameworkId: string): Promise<void> {
    await this.ds.query(
      `INSERT INTO framework (id, framework_id, stored_at) VALUES (1, $1, now())
       ON CONFLICT (id) DO UPDATE SET framework_id = EXCLUDED.framework_id, stored_at = now()
       WHERE framework.framework_id IS DISTINCT FROM EXCLUDED.framework_id`,
      [frameworkId],
    );
  }

  /** Test and operator helper: forget the id (the next SUBSCRIBE registers a new framework). */
  async clear(): Promise<void> {
    await this.ds.query('DELETE FROM framework');
  }
}

/**
 * Whether Pacer has instances on record. The `instances` table arrives with the scheduler (next
 * issue); until then this reads it only if it exists, so the "instances but no framework id" guard
 * is already in force when it does.
 */
export function pgHasInstances(ds: DataSource): () => Promise<boolean> {
  return async () => {
    const rows = (await ds.query(`SELECT to_regclass('public.instances') IS NOT NULL AS present`)) as { present: boolean }[];
    if (!rows[0]?.present) return false;
    const any = (await ds.query('SELECT EXISTS (SELECT 1 FROM instances) AS any')) as { any: boolean }[];
    return any[0]?.any === true;
  };
}

/** In-memory store (tests, and a replica without a database). */
export class MemoryFrameworkIdStore implements FrameworkIdStore {
  saves = 0;
  constructor(private id: string | undefined = undefined) {}
  async load(): Promise<string | undefined> {
    return this.id;
  }
  async save(frameworkId: string): Promise<void> {
    this.saves++;
    this.id = frameworkId;
  }
}
