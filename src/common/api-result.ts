/**
 * What a service returns when the HTTP answer needs more than a 200 with a body: a status and
 * headers (201 + Location, Marathon-Deployment-Id). A Fastify preSerialization hook applies it, so
 * controllers stay one line and services never touch the HTTP reply.
 */
export class ApiResult<T = unknown> {
  constructor(
    readonly status: number,
    readonly body: T,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {}
}
