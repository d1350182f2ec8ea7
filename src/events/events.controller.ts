import { Controller, Delete, Get, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EventStreamService } from './event-stream.service';
import { EventSubscriptionsService } from './event-subscriptions.service';
import { CALLBACK_URLS_SCHEMA, ERROR_SCHEMA, EVENT_STREAM_SCHEMA, EVENT_TYPE_DESCRIPTION, SUBSCRIBE_EVENT_SCHEMA, UNSUBSCRIBE_EVENT_SCHEMA } from './events-openapi';

const CALLBACK_URL = () => ApiQuery({ name: 'callbackUrl', required: true, type: String, description: 'Absolute http(s) URL events are POSTed to (the event JSON as body).' });
const E400 = () => ApiResponse({ status: 400, description: 'callbackUrl missing or not an http(s) URL', schema: ERROR_SCHEMA });

const clientIp = (req: FastifyRequest): string => req.socket.remoteAddress ?? '';

@ApiTags('events')
@Controller('v2')
export class EventsController {
  constructor(
    private readonly stream: EventStreamService,
    private readonly subscriptions: EventSubscriptionsService,
  ) {}

  @Get('events')
  @ApiOperation({
    summary: 'Event stream (server-sent events)',
    description:
      'Needs `Accept: text/event-stream` (otherwise 405, as Marathon). Served by every replica with the same events. ' +
      'A client that lets more than EVENT_STREAM_CLIENT_BUFFER (1,024) events wait is disconnected; reconnect and re-fetch state.',
  })
  @ApiQuery({ name: 'event_type', required: false, isArray: true, type: String, description: EVENT_TYPE_DESCRIPTION })
  @ApiProduces('text/event-stream')
  @ApiResponse({ status: 200, description: 'The stream (headers Content-Type: text/event-stream, X-Marathon-Leader)', content: { 'text/event-stream': { schema: EVENT_STREAM_SCHEMA } } })
  @ApiResponse({ status: 405, description: 'The request does not accept text/event-stream', schema: ERROR_SCHEMA })
  events(@Req() req: FastifyRequest, @Res() reply: FastifyReply) { this.stream.attach(req, reply); }

  @Get('eventSubscriptions')
  @ApiOperation({ summary: 'List event callback URLs', description: 'Marathon’s HTTP callback API (deprecated in Marathon 1.4, kept for its users). Prefer /v2/events.' })
  @ApiResponse({ status: 200, schema: CALLBACK_URLS_SCHEMA })
  listSubscriptions() { return this.subscriptions.list(); }

  @Post('eventSubscriptions')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Subscribe a callback URL to events',
    description: 'Every Marathon event is then POSTed to it as JSON, with retries and backoff; a URL that cannot keep up loses events (its queued deliveries are capped). Subscribing twice is no error.',
  })
  @CALLBACK_URL()
  @ApiResponse({ status: 200, schema: SUBSCRIBE_EVENT_SCHEMA })
  @E400()
  subscribe(@Req() req: FastifyRequest, @Query('callbackUrl') callbackUrl: unknown) { return this.subscriptions.subscribe(clientIp(req), callbackUrl); }

  @Delete('eventSubscriptions')
  @ApiOperation({ summary: 'Unsubscribe a callback URL', description: 'Answers the unsubscribe_event even when the URL was not subscribed (as Marathon).' })
  @CALLBACK_URL()
  @ApiResponse({ status: 200, schema: UNSUBSCRIBE_EVENT_SCHEMA })
  @E400()
  unsubscribe(@Req() req: FastifyRequest, @Query('callbackUrl') callbackUrl: unknown) { return this.subscriptions.unsubscribe(clientIp(req), callbackUrl); }
}
