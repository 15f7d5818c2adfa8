// Turns one message's text into a validated request, or into the error to answer it with: the same for every transport.
import { ErrandError } from './errors.js';
import type { ProtocolError } from './errors.js';
import { jsonShapeProblem } from './json-shape.js';
import type { DecodedLine } from './line-decoder.js';
import { MAX_MESSAGE_BYTES, MAX_REQUEST_DEPTH, MAX_REQUEST_ITEMS } from './limits.js';
import { salvageId, validateRequest } from './messages.js';
import type { ValidRequest } from './messages.js';
import type { RequestId } from './wire.js';

export type DecodedRequest =
  | { ok: true; request: ValidRequest }
  /** `id` is the request's id when it could be read, so the answer still matches its request. */
  | { ok: false; id: RequestId | null; error: ProtocolError };

const SHAPE = { maxDepth: MAX_REQUEST_DEPTH, maxItems: MAX_REQUEST_ITEMS };

export function decodeRequest(text: string): DecodedRequest {
  const problem = jsonShapeProblem(text, SHAPE);
  if (problem === 'too_deep') {
    return refused('invalid_request', `The message nests arrays or objects more than ${MAX_REQUEST_DEPTH} levels deep, which no request needs, so it was refused unparsed.`);
  }
  if (problem === 'too_many_items') {
    return refused('invalid_request', `The message holds more than ${MAX_REQUEST_ITEMS} values, which no request needs, so it was refused unparsed.`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return refused('parse_error', 'The message is not valid JSON. Send one JSON object per line.');
  }
  try {
    return { ok: true, request: validateRequest(value) };
  } catch (error) {
    if (error instanceof ErrandError) return { ok: false, id: salvageId(value), error: error.toJSON() };
    throw error;
  }
}

/** The same for a line from a LineDecoder, which may already have been refused for its size or encoding. */
export function decodeRequestLine(line: DecodedLine): DecodedRequest {
  if (line.kind === 'too_large') {
    return refused('message_too_large', `A message of ${line.bytes} bytes is over the ${MAX_MESSAGE_BYTES}-byte limit and was ignored. Send less at once.`);
  }
  if (line.kind === 'invalid_utf8') {
    return refused('parse_error', 'The message is not valid UTF-8, so it was ignored. Send JSON text encoded as UTF-8.');
  }
  return decodeRequest(line.text);
}

function refused(code: ProtocolError['code'], message: string): DecodedRequest {
  return { ok: false, id: null, error: { code, message } };
}
