import { Controller, Delete, Headers, Inject, Ip, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ref } from '../apps/dto/openapi-schemas';
import { ApiResult } from '../common/api-result';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { DomainError, DomainErrorCode } from '../core/errors';
import { Leadership } from './leadership';

/** Marathon's leader proxy timeouts (`--leader_proxy_connection_timeout` + read timeout). */
const PROXY_TIMEOUT_MS = 15_000;

/**
 * DELETE /v2/leader (reference §1.7). On the leader: 200 `{"message":"Leadership abdicated"}`, then,
 * once the answer is sent, the replica gives leadership up and stands again as a candidate (Marathon
 * exits the process instead; Pacer's leader-only components restart from Postgres on their next
 * term, so the process can stay). On a standby the request is proxied to the leader, as Marathon's
 * standbys do (clients often talk to any replica behind a load balancer), with `X-Marathon-Via`
 * and loop detection: 404 `There is no leader` when none is known, 502 when the leader cannot be
 * reached. GET /v2/leader is served by the HealthController.
 */
@ApiTags('info')
@Controller('v2/leader')
export class LeaderController {
  constructor(
    private readonly leadership: Leadership,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Delete()
  @ApiOperation({ summary: 'Make the leader abdicate', description: 'The leader answers, then gives leadership up and stands again as a candidate; another replica (or, alone, itself with a new term) takes over. A standby forwards the request to the leader.' })
  @ApiQuery({ name: 'backup', required: false, type: String, description: "Marathon's backup URI: accepted and ignored (state lives in Postgres)" })
  @ApiQuery({ name: 'restore', required: false, type: String, description: "Marathon's restore URI: accepted and ignored" })
  @ApiResponse({ status: 200, description: 'Leadership abdicated', schema: { type: 'object', properties: { message: { type: 'string', example: 'Leadership abdicated' } }, required: ['message'] } })
  @ApiResponse({ status: 404, description: 'There is no leader', schema: ref('Error') })
  @ApiResponse({ status: 502, description: 'A standby could not reach the leader, or a proxying loop', schema: ref('Error') })
  abdicate(
    @Query() query: Record<string, unknown>,
    @Headers('x-marathon-via') via: string | undefined,
    @Ip() ip: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ApiResult> | ApiResult {
    if (this.leadership.isLeader()) {
      afterResponse(reply, () => {
        this.leadership.abdicate().catch(() => undefined);
      });
      return new ApiResult(200, { message: 'Leadership abdicated' });
    }
    const leader = this.leadership.leaderAddress();
    if (!leader) throw new DomainError(DomainErrorCode.NOT_FOUND, 'There is no leader');
    return this.proxy(leader, query, via, ip);
  }

  private async proxy(leader: string, query: Record<string, unknown>, via: string | undefined, ip: string): Promise<ApiResult> {
    const self = this.config.advertisedAddress;
    const hop = `1.1 ${self}`;
    if (leader === self || (via ?? '').split(',').some((v) => v.trim() === hop)) return new ApiResult(502, { message: 'Detected proxying loop.' });
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) for (const one of Array.isArray(v) ? v : [v]) search.append(k, String(one));
    const qs = search.toString();
    let res: Response;
    try {
      res = await fetch(`http://${leader}/v2/leader${qs ? `?${qs}` : ''}`, {
        method: 'DELETE',
        headers: { 'X-Marathon-Via': via ? `${via}, ${hop}` : hop, 'X-Forwarded-For': ip, Accept: 'application/json' },
        signal: AbortSignal.timeout(PROXY_TIMEOUT_MS),
        redirect: 'manual',
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause?.code;
      return new ApiResult(502, { message: cause === 'ECONNREFUSED' ? 'Connection to leader refused.' : `Could not reach the leader ${leader}: ${(e as Error).message}` });
    }
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = { message: text };
    }
    const upstreamVia = res.headers.get('x-marathon-via');
    return new ApiResult(res.status, body, { 'X-Marathon-Via': upstreamVia ? `${upstreamVia}, ${hop}` : hop });
  }
}

/** Runs `fn` once the answer left (or the connection closed), never before. */
function afterResponse(reply: FastifyReply, fn: () => void): void {
  let done = false;
  const once = (): void => {
    if (done) return;
    done = true;
    fn();
  };
  reply.raw.once('finish', once);
  reply.raw.once('close', once);
}
