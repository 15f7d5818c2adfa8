// The wire format: one JSON object per line (JSON-RPC 2.0 shape) in both directions.
import type { EngineEvent } from './events.js';
import type { ProtocolError } from './errors.js';

export type RequestId = number | string;

export interface RequestMessage {
  jsonrpc: '2.0';
  id: RequestId;
  method: string;
  params?: unknown;
}

export type ResponseMessage =
  | { jsonrpc: '2.0'; id: RequestId | null; result: unknown; elapsedMs?: number }
  | { jsonrpc: '2.0'; id: RequestId | null; error: ProtocolError; elapsedMs?: number };

export interface EventMessage {
  jsonrpc: '2.0';
  method: 'event';
  params: EngineEvent;
}

export type ServerMessage = ResponseMessage | EventMessage;

export function encodeMessage(message: RequestMessage | ServerMessage): string {
  return JSON.stringify(message) + '\n';
}
