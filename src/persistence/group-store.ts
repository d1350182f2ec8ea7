import { Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { AppDefinition } from '../core/apps';
import type { GroupRow } from '../core/groups';

/**
 * Responsibilities: the reads of /v2/groups — a subtree's apps and stored groups, group
 * dependencies, which ids name something, recorded group versions. Every subtree read is an index
 * range scan on the id (`'/a/' ≤ id < '/a0'` holds exactly the ids below `/a`: '0' follows '/'),
 * so a read costs what the subtree holds, not what the cluster holds.
 * Non-responsibilities: writes (they go through AppStoreTx.commit, in the change's transaction).
 */

/** An app of a subtree: id, version, and the stored definition as JSON text (when asked for). */
export interface SubtreeApp {
  readonly id: string;
  readonly version: string;
  readonly json: string;
}

/** What a group held at a recorded version. */
export interface RecordedGroup {
  /** the group itself and every stored group below it, with dependencies */
  readonly groups: GroupRow[];
  readonly apps: AppDefinition[];
}

const ISO = (col: string): string => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The `[lo, hi)` text range of the ids strictly below `group`. */
export function belowRange(group: string): [string, string] {
  return group === '/' ? ['/', '0'] : [`${group}/`, `${group}0`];
}

@Injectable()
export class GroupStore {
  constructor(private readonly ds: DataSource) {}

  private pool(): Pool {
    return (this.ds.driver as unknown as { master: Pool }).master;
  }

  /** The apps below `group` (JSON text only when `definitions`) and the stored groups at or below it. */
  async subtree(group: string, definitions: boolean): Promise<{ apps: SubtreeApp[]; groups: GroupRow[] }> {
    const [lo, hi] = belowRange(group);
    const json = definitions ? 'definition::text' : `''`;
    const [apps, groups] = await Promise.all([
      this.pool().query<SubtreeApp>({
        text: `SELECT id, ${ISO('version')} AS version, ${json} AS json FROM apps WHERE id ~>=~ $1 AND id ~<~ $2`,
        values: [lo, hi],
      }),
      this.pool().query<GroupRow>({
        text: `SELECT id, dependencies, ${ISO('version')} AS version FROM groups WHERE id = $1 OR (id ~>=~ $2 AND id ~<~ $3)`,
        values: [group, lo, hi],
      }),
    ]);
    return { apps: apps.rows, groups: groups.rows };
  }

  /** Those of `ids` that are apps. */
  async appsAmong(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const res = await this.pool().query<{ id: string }>(`SELECT id FROM apps WHERE id = ANY($1::text[])`, [ids]);
    return new Set(res.rows.map((r) => r.id));
  }

  /** Dependencies of every stored group that has some (they apply to all apps below the group). */
  async groupDependencies(): Promise<Map<string, string[]>> {
    const res = await this.pool().query<{ id: string; dependencies: string[] }>(`SELECT id, dependencies FROM groups WHERE cardinality(dependencies) > 0`);
    return new Map(res.rows.map((r) => [r.id, r.dependencies]));
  }

  /** Those of `ids` that name an app, a stored group, or a group holding either. */
  async existing(ids: readonly string[]): Promise<Set<string>> {
    const asked = [...new Set(ids)].filter((id) => id !== '/');
    const out = new Set<string>(ids.includes('/') ? ['/'] : []);
    if (asked.length === 0) return out;
    const res = await this.pool().query<{ id: string }>(
      `SELECT x AS id FROM unnest($1::text[]) AS x
        WHERE EXISTS (SELECT 1 FROM apps a WHERE a.id = x OR (a.id ~>=~ (x || '/') AND a.id ~<~ (x || '0')))
           OR EXISTS (SELECT 1 FROM groups g WHERE g.id = x OR (g.id ~>=~ (x || '/') AND g.id ~<~ (x || '0')))`,
      [asked],
    );
    for (const r of res.rows) out.add(r.id);
    return out;
  }

  /** Recorded versions of a group, newest first. */
  async versions(group: string): Promise<string[]> {
    const res = await this.pool().query<{ version: string }>(
      `SELECT ${ISO('version')} AS version FROM group_versions WHERE group_id = $1 AND member_id = $1 ORDER BY version DESC`,
      [group],
    );
    return res.rows.map((r) => r.version);
  }

  /** What a group held at a recorded version, or undefined when none was recorded then. */
  async recorded(group: string, version: Date): Promise<RecordedGroup | undefined> {
    const res = await this.pool().query<{ member_id: string; dependencies: string[] | null; definition: AppDefinition | null; version: string }>(
      `SELECT member_id, dependencies, definition, ${ISO('version')} AS version FROM group_versions WHERE group_id = $1 AND version = $2`,
      [group, version],
    );
    if (res.rows.length === 0) return undefined;
    const groups: GroupRow[] = [];
    const apps: AppDefinition[] = [];
    for (const r of res.rows) {
      if (r.definition !== null) apps.push(r.definition);
      else groups.push({ id: r.member_id, dependencies: r.dependencies ?? [], version: r.version });
    }
    return { groups, apps };
  }
}
