// Checks an incoming request against the envelope and its method's schema before anything acts on it.
import { ErrandError } from './errors.js';
import { isMethod, methodSchemas } from './methods.js';
import type { Method, MethodParams } from './methods.js';
import type { RequestId } from './wire.js';

export interface ValidRequest<M extends Method = Method> {
  id: RequestId;
  method: M;
  params: MethodParams<M>;
}

function isRequestId(value: unknown): value is RequestId {
  return (
    (typeof value === 'number' && Number.isSafeInteger(value)) ||
    (typeof value === 'string' && value.length > 0 && value.length <= 64)
  );
}

/** The id of a message if one can be read from it, so an error answer can still be matched to its request. */
export function salvageId(value: unknown): RequestId | null {
  if (typeof value !== 'object' || value === null) return null;
  const id = (value as Record<string, unknown>).id;
  return isRequestId(id) ? id : null;
}

/** Checks a decoded message against the envelope and its method's schema; throws ErrandError when it fails. */
export function validateRequest(value: unknown): ValidRequest {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ErrandError('invalid_request', 'A request must be a JSON object with jsonrpc, id, method and params.');
  }
  const msg = value as Record<string, unknown>;
  const extra = Object.keys(msg).filter((k) => !['jsonrpc', 'id', 'method', 'params'].includes(k));
  if (msg.jsonrpc !== '2.0' || !isRequestId(msg.id) || typeof msg.method !== 'string' || extra.length > 0) {
    throw new ErrandError(
      'invalid_request',
      'A request needs jsonrpc "2.0", an id (integer or short string), a method name and nothing else besides params.',
    );
  }
  if (!isMethod(msg.method)) {
    throw new ErrandError('unknown_method', `Unknown method "${msg.method.slice(0, 80)}". Is the client newer than the engine?`);
  }
  const parsed = methodSchemas[msg.method].safeParse(msg.params);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'params';
    throw new ErrandError('invalid_params', `${msg.method}: ${where} ${issue?.message ?? 'is invalid'}`);
  }
  return { id: msg.id, method: msg.method, params: parsed.data as MethodParams<Method> };
}
