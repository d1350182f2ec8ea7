import { appTerminated } from '../core/events/marathon-events';
import { acceptsEventStream } from './event-stream.service';
import { parseSseFrame, sseFrame } from './sse';

describe('SSE framing', () => {
  it('frames as Marathon: an event line, one data line, a blank line', () => {
    const json = JSON.stringify(appTerminated('/a', '2026-03-01T12:00:00.000Z'));
    expect(sseFrame('app_terminated_event', json)).toBe(`event: app_terminated_event\ndata: ${json}\n\n`);
  });

  it('parses what it frames, and nothing else', () => {
    const json = JSON.stringify({ eventType: 'x', text: 'multi\nline' }); // escaped: still one line
    expect(parseSseFrame(sseFrame('x', json))).toEqual({ type: 'x', json });
    expect(parseSseFrame('data: {}\n\n')).toBeUndefined();
    expect(parseSseFrame('event: x\ndata: {}\n')).toBeUndefined();
    expect(parseSseFrame('event: \ndata: {}\n\n')).toBeUndefined();
    expect(parseSseFrame('event: x\ndata: {\n}\n\n')).toBeUndefined();
  });

  it.each([
    ['text/event-stream', true],
    ['text/event-stream; charset=utf-8', true],
    ['application/json, Text/Event-Stream', true],
    [['application/json', 'text/event-stream'], true],
    ['application/json', false],
    ['*/*', false], // Jetty's EventSourceServlet wants the type itself
    [undefined, false],
  ])('Accept %j asks for the stream: %s', (accept, expected) => {
    expect(acceptsEventStream(accept)).toBe(expected);
  });
});
