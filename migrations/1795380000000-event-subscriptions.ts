import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * HTTP event-callback subscriptions (Marathon's `/v2/eventSubscriptions`): one row per callback URL,
 * shared by every replica (each keeps the list in memory and reloads it when a subscribe_event or
 * unsubscribe_event reaches it, and periodically). Subscribing an URL twice keeps the first row, as
 * Marathon keeps a set.
 */
export class EventSubscriptions1795380000000 implements MigrationInterface {
  name = 'EventSubscriptions1795380000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE event_subscriptions (
        callback_url text PRIMARY KEY,
        client_ip text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE event_subscriptions');
  }
}
