import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { map, Observable } from 'rxjs';
import { ApiResult } from './api-result';

@Injectable()
export class ApiResultInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      map((value: unknown) => {
        if (!(value instanceof ApiResult)) return value;
        const reply = context.switchToHttp().getResponse<FastifyReply>();
        reply.status(value.status);
        for (const [k, v] of Object.entries(value.headers)) reply.header(k, v);
        return value.body;
      }),
    );
  }
}
