import { Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';

/**
 * Responsibilities: the `event_subscriptions` table (migration 1795380000000), the callback URLs of
 * Marathon's `/v2/eventSubscriptions`, in subscription order. Non-responsibilities: events and
 * deliveries (EventCallbackService).
 */
@Injectable()
export class EventSubscriptionStore {
  constructor(private readonly ds: DataSource) {}

  /** Adds the URL; true when it was not subscribed yet. */
  async add(callbackUrl: string, clientIp: string): Promise<boolean> {
    const res = await this.pool().query({
      name: 'pacer_event_subscription_add',
      text: 'INSERT INTO event_subscriptions (callback_url, client_ip) VALUES ($1, $2) ON CONFLICT (callback_url) DO NOTHING',
      values: [callbackUrl, clientIp],
    });
    return (res.rowCount ?? 0) > 0;
  }

  /** Removes the URL; true when it was subscribed. */
  async remove(callbackUrl: string): Promise<boolean> {
    const res = await this.pool().query({ name: 'pacer_event_subscription_remove', text: 'DELETE FROM event_subscriptions WHERE callback_url = $1', values: [callbackUrl] });
    return (res.rowCount ?? 0) > 0;
  }

  /** Every callback URL, oldest subscription first. */
  async list(): Promise<string[]> {
    const res = await this.pool().query<{ callback_url: string }>({
      name: 'pacer_event_subscription_list',
      text: 'SELECT callback_url FROM event_subscriptions ORDER BY created_at, callback_url',
    });
    return res.rows.map((r) => r.callback_url);
  }

  /** The DataSource's own pg pool, as the other stores use it. */
  private pool(): Pool {
    return (this.ds.driver as unknown as { master: Pool }).master;
  }
}
