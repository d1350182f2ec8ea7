/**
 * OpenAPI schemas of the event endpoints (the style of src/apps/dto/openapi-schemas.ts, kept here
 * and inlined in the decorators so the events module stays self-contained).
 */
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { MARATHON_EVENT_TYPES } from '../core/events/marathon-events';

const str = (description: string, extra: SchemaObject = {}): SchemaObject => ({ type: 'string', description, ...extra });
const timestamp = (description: string): SchemaObject => ({ type: 'string', format: 'date-time', description, example: '2015-09-30T12:44:30.061Z' });

export const EVENT_STREAM_SCHEMA: SchemaObject = {
  type: 'string',
  description: [
    'Server-sent events, one message per event, never closed by the server:',
    '`event: <eventType>` line, `data: <event JSON on one line>` line, blank line.',
    'Every event JSON has `eventType` and `timestamp` (Marathon’s shapes).',
    'The first message is the client’s own `event_stream_attached` (when the filter lets it through).',
    'Comment lines (`:`) are keep-alives.',
  ].join(' '),
  example:
    'event: event_stream_attached\ndata: {"remoteAddress":"10.0.0.7","eventType":"event_stream_attached","timestamp":"2015-09-30T12:44:30.061Z"}\n\n' +
    'event: status_update_event\ndata: {"slaveId":"S6","taskId":"foo.0664256e","taskStatus":"TASK_RUNNING","message":"","appId":"/foo","host":"srv5","ipAddresses":[],"ports":[31776],"version":"2015-09-30T09:09:17.614Z","eventType":"status_update_event","timestamp":"2015-09-30T12:44:45.681Z"}\n\n',
};

export const EVENT_TYPE_DESCRIPTION =
  'Repeatable: only events of these types (`?event_type=deployment_info&event_type=deployment_success`). ' +
  `Default: Marathon’s event types (${MARATHON_EVENT_TYPES.join(', ')}); other types only when asked for.`;

const subscriptionEvent = (eventType: 'subscribe_event' | 'unsubscribe_event'): SchemaObject => ({
  type: 'object',
  description: `The ${eventType} published for the change (Marathon’s answer).`,
  required: ['clientIp', 'callbackUrl', 'eventType', 'timestamp'],
  properties: {
    clientIp: str('Address of the client that made the request.', { example: '10.0.0.7' }),
    callbackUrl: str('The callback URL.', { example: 'http://hooks.example.com:9090/marathon-events' }),
    eventType: str('Event type.', { enum: [eventType] }),
    timestamp: timestamp('When the change was made.'),
  },
});

export const SUBSCRIBE_EVENT_SCHEMA = subscriptionEvent('subscribe_event');
export const UNSUBSCRIBE_EVENT_SCHEMA = subscriptionEvent('unsubscribe_event');

export const CALLBACK_URLS_SCHEMA: SchemaObject = {
  type: 'object',
  description: 'Answer of GET /v2/eventSubscriptions.',
  required: ['callbackUrls'],
  properties: { callbackUrls: { type: 'array', items: { type: 'string' }, description: 'Subscribed callback URLs, oldest first.' } },
};

export const ERROR_SCHEMA: SchemaObject = {
  type: 'object',
  description: 'Error answer.',
  required: ['message'],
  properties: { message: str('What went wrong.') },
};
