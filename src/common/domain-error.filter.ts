import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { assertUnreachable, DomainError, DomainErrorCode } from '../core/errors';

/** The one place that maps domain error codes to HTTP statuses. */
export function statusOf(code: DomainErrorCode): number {
  switch (code) {
    case DomainErrorCode.BAD_REQUEST:
      return 400;
    case DomainErrorCode.TOO_MANY_DEPLOYMENTS:
      return 403;
    case DomainErrorCode.APP_NOT_FOUND:
    case DomainErrorCode.APP_VERSION_NOT_FOUND:
    case DomainErrorCode.DEPLOYMENT_NOT_FOUND:
    case DomainErrorCode.GROUP_NOT_FOUND:
    case DomainErrorCode.TASK_NOT_FOUND:
    case DomainErrorCode.NOT_FOUND:
      return 404;
    case DomainErrorCode.APP_EXISTS:
    case DomainErrorCode.APP_LOCKED:
    case DomainErrorCode.CONFLICT:
      return 409;
    case DomainErrorCode.PAYLOAD_TOO_LARGE:
      return 413;
    case DomainErrorCode.VALIDATION:
      return 422;
    case DomainErrorCode.UNAVAILABLE:
      return 503;
    default:
      return assertUnreachable(code);
  }
}

/** Fastify's own errors (body parsing, limits) that carry a client-side status. */
interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message: string;
}

/**
 * Every error leaves as Marathon's JSON shape `{"message": ..., ...}`. Domain errors map by code;
 * framework HTTP errors keep their status; anything else is a 500 whose details stay in the log.
 */
@Catch()
export class DomainErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('DomainErrorFilter');

  catch(error: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const { status, body } = this.toResponse(error, request);
    void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
  }

  toResponse(error: unknown, request?: FastifyRequest): { status: number; body: Record<string, unknown> } {
    if (error instanceof DomainError) {
      return { status: statusOf(error.code), body: { message: error.message, ...error.extra } };
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      if (status === 404) return { status, body: { message: 'URI not found' } };
      const res = error.getResponse();
      const message = typeof res === 'string' ? res : ((res as { message?: unknown }).message ?? error.message);
      return { status, body: { message: Array.isArray(message) ? message.join('; ') : String(message) } };
    }
    const fe = error as FastifyLikeError;
    if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
      return { status: fe.statusCode, body: { message: clientMessage(fe) } };
    }
    this.logger.error({ err: error, url: request?.url }, 'unhandled error');
    return { status: 500, body: { message: 'Internal server error' } };
  }
}

function clientMessage(e: FastifyLikeError): string {
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'Request body is too large';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'Unsupported Media Type: send application/json';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'Invalid JSON';
    default:
      return e.message;
  }
}
