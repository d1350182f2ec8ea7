// POST /api/v1/scheduler with the master's status codes and error texts (reference §1.1–§1.3).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CodecError, decodeProtobuf, fromMesosJson, missingRequired, type Plain } from '../codec/mesos-json';
import type { CallMsg } from '../codec/types';
import type { Master } from '../master/master';
import { Subscription } from '../master/subscription';
import { callType } from '../proto/schema';
import { readBody, reply } from './util';

export const APPLICATION_JSON = 'application/json';
export const APPLICATION_PROTOBUF = 'application/x-protobuf';
/**
 * Unwritten bytes above which a stream counts as congested and status update heads wait. Kept low:
 * bytes queued for a slow socket are the costliest way to wait (malloc'd buffers that outlive young
 * GCs and fragment the C heap; at 256 KiB a 100,000-task launch left ~20 MB of it resident), while
 * a held head is one set entry and the kernel's socket buffer still keeps the stream busy.
 */
const STREAM_HIGH_WATER_BYTES = 64 * 1024;

/** Sub-message each call type must carry (TEARDOWN, REVIVE and SUPPRESS need none). */
const REQUIRED_SUBMESSAGE: Record<string, string> = {
  SUBSCRIBE: 'subscribe',
  ACCEPT: 'accept',
  DECLINE: 'decline',
  ACCEPT_INVERSE_OFFERS: 'accept_inverse_offers',
  DECLINE_INVERSE_OFFERS: 'decline_inverse_offers',
  KILL: 'kill',
  SHUTDOWN: 'shutdown',
  ACKNOWLEDGE: 'acknowledge',
  ACKNOWLEDGE_OPERATION_STATUS: 'acknowledge_operation_status',
  RECONCILE: 'reconcile',
  RECONCILE_OPERATIONS: 'reconcile_operations',
  MESSAGE: 'message',
  REQUEST: 'request',
  UPDATE_FRAMEWORK: 'update_framework',
};

/** Answers mode-dependent refusals (307/503) shared by every master endpoint; true if answered. */
export function refuseIfNotLeader(master: Master, req: IncomingMessage, res: ServerResponse): boolean {
  if (master.restarting) {
    // Between a master's death and its successor finishing recovery (restartMaster).
    reply(res, 503, 'Master has not finished recovery');
    return true;
  }
  const mode = master.mode;
  if (mode.kind === 'redirect') {
    // Protocol-relative: the client keeps its scheme and swaps host:port.
    reply(res, 307, '', { Location: `//${mode.leader}${req.url ?? '/'}` });
    return true;
  }
  if (mode.kind === 'no-leader') {
    reply(res, 503, 'No leader elected');
    return true;
  }
  if (mode.kind === 'recovering') {
    reply(res, 503, 'Master has not finished recovery');
    return true;
  }
  return false;
}

export async function schedulerEndpoint(master: Master, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (refuseIfNotLeader(master, req, res)) return;
  if (req.method !== 'POST') return reply(res, 405, `Expecting one of { 'POST' }, but received '${req.method}'`, { Allow: 'POST' });
  const contentType = req.headers['content-type'];
  if (contentType === undefined) return reply(res, 400, "Expecting 'Content-Type' to be present");
  if (contentType !== APPLICATION_JSON && contentType !== APPLICATION_PROTOBUF) {
    return reply(res, 415, `Expecting 'Content-Type' of ${APPLICATION_JSON} or ${APPLICATION_PROTOBUF}`);
  }
  const body = await readBody(req, res);
  if (body === null) return;
  const parsed = parseCall(contentType, body);
  if (typeof parsed === 'string') return reply(res, 400, parsed);
  const invalid = validateCall(parsed);
  if (invalid) return reply(res, 400, `Failed to validate scheduler::Call: ${invalid}`);
  if (parsed.type === 'SUBSCRIBE') return subscribe(master, req, res, parsed);
  const frameworkId = parsed.framework_id!.value;
  const fw = master.frameworks.get(frameworkId);
  if (!fw) return reply(res, 400, 'Framework cannot be found');
  if (!fw.connected) return reply(res, 403, 'Framework is not subscribed');
  const streamId = req.headers['mesos-stream-id'];
  if (streamId === undefined) return reply(res, 400, "All non-subscribe calls should include the 'Mesos-Stream-Id' header");
  if (streamId !== fw.sub!.streamId) {
    return reply(res, 400, `The stream ID '${String(streamId)}' included in this request didn't match the stream ID currently associated with framework ID ${fw.id}`);
  }
  if (parsed.type === 'UNKNOWN') return reply(res, 501, 'Received an unexpected UNKNOWN call');
  const result = master.handle(fw, parsed);
  reply(res, result.status, result.body ?? '');
}

function parseCall(contentType: string, body: Buffer): CallMsg | string {
  const type = callType();
  let call: Plain;
  if (contentType === APPLICATION_PROTOBUF) {
    try {
      call = decodeProtobuf(type, body);
    } catch {
      return 'Failed to parse body into Call protobuf';
    }
    if (missingRequired(type, call).length > 0) return 'Failed to parse body into Call protobuf';
    return call as CallMsg;
  }
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (e) {
    return `Failed to parse body into JSON: ${(e as Error).message}`;
  }
  try {
    call = fromMesosJson(type, json);
  } catch (e) {
    if (e instanceof CodecError) return `Failed to convert JSON into Call protobuf: ${e.message}`;
    throw e;
  }
  const missing = missingRequired(type, call);
  if (missing.length > 0) return `Failed to convert JSON into Call protobuf: Missing required fields: ${missing.join(', ')}`;
  return call as CallMsg;
}

/** scheduler::Call validation (call level; framework-level problems come later as ERROR events). */
export function validateCall(call: CallMsg): string | null {
  if (call.type === undefined) return "Expecting 'type' to be present";
  const sub = REQUIRED_SUBMESSAGE[call.type];
  if (sub && call[sub] === undefined) return `Expecting '${sub}' to be present`;
  if (call.type === 'SUBSCRIBE') {
    const infoId = call.subscribe!.framework_info.id?.value;
    if (infoId !== call.framework_id?.value) return "'framework_id' differs from 'subscribe.framework_info.id'";
    return null;
  }
  if (call.framework_id === undefined) return "Expecting 'framework_id' to be present";
  if (call.type === 'ACKNOWLEDGE' && call.acknowledge!.uuid.length !== 16) return `Invalid UUID: expecting 16 bytes, got ${call.acknowledge!.uuid.length}`;
  if (call.type === 'ACKNOWLEDGE_OPERATION_STATUS' && call.acknowledge_operation_status!.agent_id === undefined) {
    return "Expecting 'agent_id' to be present";
  }
  return null;
}

/** Media types acceptable per the Accept header (absent ⇒ anything; q=0 ⇒ refused). */
export function accepts(header: string | undefined, mediaType: string): boolean {
  if (header === undefined || header.trim() === '') return true;
  const [type] = mediaType.split('/');
  for (const part of header.split(',')) {
    const [range, ...params] = part.trim().split(';').map((s) => s.trim());
    const q = params.find((p) => p.startsWith('q='));
    if (q !== undefined && Number(q.slice(2)) <= 0) continue;
    const r = range.toLowerCase();
    if (r === '*/*' || r === mediaType || r === `${type}/*`) return true;
  }
  return false;
}

function subscribe(master: Master, req: IncomingMessage, res: ServerResponse, call: CallMsg): void {
  const accept = req.headers.accept;
  let json: boolean;
  if (accepts(accept, APPLICATION_JSON)) json = true;
  else if (accepts(accept, APPLICATION_PROTOBUF)) json = false;
  else return reply(res, 406, `Expecting 'Accept' to allow '${APPLICATION_PROTOBUF}' or '${APPLICATION_JSON}'`);
  if (req.headers['mesos-stream-id'] !== undefined) {
    return reply(res, 400, "Subscribe calls should not include the 'Mesos-Stream-Id' header");
  }
  const streamId = randomUUID();
  // Headers go out before the framework is validated, as in Mesos; failures then arrive as ERROR.
  res.writeHead(200, { 'Content-Type': json ? APPLICATION_JSON : APPLICATION_PROTOBUF, 'Mesos-Stream-Id': streamId, 'Cache-Control': 'no-cache' });
  res.flushHeaders();
  req.socket.setNoDelay(true);
  const sub = new Subscription(res, json, streamId, {
    chunkBytes: master.settings.streamChunkBytes,
    maxBufferBytes: master.settings.maxStreamBufferBytes,
    highWaterBytes: Math.min(STREAM_HIGH_WATER_BYTES, Math.floor(master.settings.maxStreamBufferBytes / 4)),
  });
  master.subscribe(call, sub);
}
