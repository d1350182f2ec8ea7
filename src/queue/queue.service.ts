import { Inject, Injectable } from '@nestjs/common';
import { ApiResult } from '../common/api-result';
import { parseList } from '../common/query';
import { canonicalizeId } from '../core/apps';
import { DomainError, DomainErrorCode } from '../core/errors';
import { AppStore } from '../persistence/app-store';
import { Leadership } from '../leader/leadership';
import { requireScheduler } from '../leader/leader-required';
import { SCHEDULER_CONTROL, type SchedulerControl } from '../scheduler/scheduler-control';
import { queueItemJson } from './dto/queue.mapper';

/**
 * Responsibilities: Marathon's /v2/queue (reference §1.6) over the running scheduler's launch queue:
 * list what waits for offers, reset an app's launch delay. Both need the scheduler (503 otherwise):
 * the queue lives in the leader's memory.
 */
@Injectable()
export class QueueService {
  constructor(
    private readonly apps: AppStore,
    @Inject(SCHEDULER_CONTROL) private readonly scheduler: SchedulerControl,
    private readonly leadership: Leadership,
  ) {}

  /** GET /v2/queue[?embed=lastUnusedOffers]; an entry whose app is gone meanwhile is left out. */
  async list(query: Readonly<Record<string, unknown>>): Promise<ApiResult<string>> {
    requireScheduler(this.scheduler, this.leadership);
    const embedOffers = parseList(query.embed).some((e) => e.replace(/^queue\./, '').toLowerCase() === 'lastunusedoffers');
    const entries = this.scheduler.queue();
    const apps = await this.apps.appsTextById([...new Set(entries.map((e) => e.appId))]);
    const items: string[] = [];
    for (const e of entries) {
      const app = apps.get(e.appId);
      if (app !== undefined) items.push(queueItemJson(e, app, embedOffers));
    }
    return new ApiResult(200, `{"queue":[${items.join(',')}]}`, { 'Content-Type': 'application/json; charset=utf-8' });
  }

  /** DELETE /v2/queue/{appId}/delay: 204, or 404 when nothing of the app waits. */
  resetDelay(rawId: string): ApiResult<undefined> {
    requireScheduler(this.scheduler, this.leadership);
    const id = canonicalizeId(rawId, '/');
    if (!this.scheduler.resetDelay(id)) throw new DomainError(DomainErrorCode.NOT_FOUND, `Application ${id} not found in tasks queue.`);
    return new ApiResult(204, undefined);
  }
}
