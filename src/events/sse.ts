/**
 * Marathon's server-sent-events framing, as its clients parse it (reference §1.8, §9): every message
 * has an `event: <eventType>` line (the npm client only sees named events) and the JSON on one
 * `data:` line, then a blank line.
 *
 *   event: status_update_event
 *   data: {"slaveId":"…","taskId":"…",…,"eventType":"status_update_event","timestamp":"…"}
 *
 * The same text is what travels between replicas on Redis (one message per event), so a replica
 * turns it into bytes once and writes those bytes to every one of its clients.
 */

const EVENT = 'event: ';
const DATA = '\ndata: ';

/** `event: <type>\ndata: <json>\n\n`. JSON.stringify never emits a raw newline, so one data line is enough. */
export function sseFrame(type: string, json: string): string {
  return `${EVENT}${type}${DATA}${json}\n\n`;
}

/** The type and JSON of a frame built by sseFrame, or undefined for anything else. */
export function parseSseFrame(frame: string): { type: string; json: string } | undefined {
  if (!frame.startsWith(EVENT) || !frame.endsWith('\n\n')) return undefined;
  const nl = frame.indexOf(DATA, EVENT.length);
  if (nl < 0) return undefined;
  const type = frame.slice(EVENT.length, nl);
  const json = frame.slice(nl + DATA.length, frame.length - 2);
  if (type.length === 0 || json.length === 0 || json.includes('\n')) return undefined;
  return { type, json };
}

/**
 * A comment line: SSE parsers ignore it (as do the python client's and marathon-lb's line parsers,
 * which only look at `event:` / `data:` lines); it keeps proxies and idle timeouts from closing a
 * quiet stream.
 */
export const SSE_KEEP_ALIVE = Buffer.from(':\n\n');

/** Marathon's (Jetty EventSourceServlet's) response headers, plus the leader hint Pacer adds everywhere. */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/event-stream;charset=UTF-8',
  'Cache-Control': 'no-cache, no-store, must-revalidate',
  Connection: 'close',
};
