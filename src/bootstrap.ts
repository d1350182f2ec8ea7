import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { FastifyInstance } from 'fastify';
import type { Logger as Pino } from 'pino';
import { createPino, PinoNestLogger } from './common/logger';
import { AppModule, AppModuleOptions } from './app.module';
import { OPENAPI_SCHEMAS } from './apps/dto/openapi-schemas';
import { GROUP_OPENAPI_SCHEMAS } from './groups/dto/openapi-schemas';
import { rewriteIdPath } from './common/app-path';
import { ApiResult } from './common/api-result';
import { DomainErrorFilter } from './common/domain-error.filter';
import { Metrics } from './common/metrics';
import { AppConfig } from './config/app-config';
import { Leadership } from './leader/leadership';

/**
 * Builds the Pacer HTTP application (not listening yet): Fastify with Marathon-compatible body
 * parsing and URL handling, one error filter, Swagger UI at /docs. Used by main, tests and the
 * OpenAPI generator, so all three see the same app.
 */
export async function createApp(config: AppConfig, options: AppModuleOptions & { logger?: boolean }): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.httpBodyLimitBytes,
    rewriteUrl: (req: { url?: string }) => rewriteIdPath(req.url ?? '/'),
    // Bound every request: a client that never finishes its body cannot hold a socket forever.
    requestTimeout: 30_000,
    return503OnClosing: true,
  });
  const logger = options.logger === false ? undefined : new PinoNestLogger(createPino(config));
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, options), adapter, {
    // Pacer registers its own JSON parser (configureFastify) that accepts empty bodies.
    bodyParser: false,
    logger: logger ?? false,
  });
  const filter = new DomainErrorFilter();
  app.useGlobalFilters(filter);
  configureFastify(app.getHttpAdapter().getInstance(), app.get(Leadership), app.get(Metrics), logger?.pino);
  setupSwagger(app);
  return app;
}

function configureFastify(fastify: FastifyInstance, leadership: Leadership, metrics: Metrics, log: Pino | undefined): void {
  // Marathon clients send `Content-Type: application/json` on every request, even with no body
  // (restart, DELETE): an empty body reads as "no body". Malformed JSON is a 400 in Marathon's shape.
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (e) {
      const err = Object.assign(new Error(`Invalid JSON: ${(e as Error).message}`), { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' });
      done(err, undefined);
    }
  });
  // An ApiResult carries its own status and headers (201 + Location, Marathon-Deployment-Id), and
  // may carry an already serialized JSON string (cache hits, lists). Applied here rather than in a
  // Nest interceptor: Nest's interceptor chain binds async resources on every request, which cost
  // more than a whole cached read.
  fastify.addHook('preSerialization', async (_request, reply, payload: unknown) => {
    if (!(payload instanceof ApiResult)) return payload;
    void reply.status(payload.status);
    for (const [k, v] of Object.entries(payload.headers)) void reply.header(k, v);
    if (typeof payload.body === 'string') void reply.serializer((raw: unknown) => raw as string);
    return payload.body;
  });
  fastify.addHook('onSend', async (_request, reply, payload) => {
    const leader = leadership.leaderAddress();
    if (leader) void reply.header('X-Marathon-Leader', `http://${leader}`);
    return payload;
  });
  fastify.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions?.url ?? 'unmatched';
    metrics.httpRequests.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    if (!log) return;
    if (reply.statusCode >= 500) log.error({ method: request.method, url: request.url, status: reply.statusCode, ms: reply.elapsedTime }, 'request failed');
    else if (log.isLevelEnabled('debug')) log.debug({ method: request.method, url: request.url, status: reply.statusCode, ms: reply.elapsedTime }, 'request');
  });
}

export function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Pacer')
    .setDescription(
      "Marathon-compatible orchestrator for long-running services on Apache Mesos. Speaks Marathon's REST API v2: existing Marathon clients work unchanged.",
    )
    .setVersion('0.1.0')
    .addTag('apps', 'Apps: definitions, versions, restarts (Marathon /v2/apps)')
    .addTag('groups', 'Groups of apps: trees, dependencies, whole-group deployments, scaling, rollback (Marathon /v2/groups)')
    .addTag('deployments', 'Stored deployment plans (Marathon /v2/deployments)')
    .addTag('tasks', 'Tasks of apps: list and kill (Marathon /v2/apps/{id}/tasks, /v2/tasks)')
    .addTag('queue', 'Instances waiting to be launched (Marathon /v2/queue)')
    .addTag('info', 'Liveness, metrics, build and leadership')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  document.components = { ...document.components, schemas: { ...(document.components?.schemas ?? {}), ...OPENAPI_SCHEMAS, ...GROUP_OPENAPI_SCHEMAS } };
  return document;
}

function setupSwagger(app: NestFastifyApplication): void {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
}
