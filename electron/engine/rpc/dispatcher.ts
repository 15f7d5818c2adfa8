// Serves clients whatever their transport: admits them within the connection cap, validates each message, answers it.
import { ErrandError } from '../../../shared/protocol/errors.js';
import type { ProtocolError } from '../../../shared/protocol/errors.js';
import type { DecodedLine } from '../../../shared/protocol/line-decoder.js';
import { MAX_CLIENT_CONNECTIONS } from '../../../shared/protocol/limits.js';
import type { ValidRequest } from '../../../shared/protocol/messages.js';
import { decodeRequestLine } from '../../../shared/protocol/request-decoder.js';
import { encodeMessage } from '../../../shared/protocol/wire.js';
import { corruptionAtRuntime } from '../store/integrity.js';
import type { ClientLink } from './client-link.js';
import { Connection } from './connection.js';

export type RequestHandler = (request: ValidRequest, connection: Connection) => Promise<unknown>;

export class Dispatcher {
  readonly connections = new Set<Connection>();
  onDisconnect: (connection: Connection) => void = () => {};

  constructor(private readonly handle: RequestHandler) {}

  /** Serves a new client, or tells it the engine is full and hangs up (null). */
  admit(link: ClientLink): Connection | null {
    if (this.connections.size >= MAX_CLIENT_CONNECTIONS) {
      const message = `The engine already serves ${MAX_CLIENT_CONNECTIONS} connections, its most. Close some clients (watch, attach, the app) and try again.`;
      link.end(encodeMessage({ jsonrpc: '2.0', id: null, error: { code: 'too_many_connections', message } }));
      return null;
    }
    const connection = new Connection(
      link,
      (line, conn) => this.onLine(line, conn),
      (conn) => {
        this.connections.delete(conn);
        this.onDisconnect(conn);
      },
    );
    this.connections.add(connection);
    return connection;
  }

  /** Says why to every client and hangs up. */
  closeAll(reason: string): void {
    for (const connection of this.connections) connection.close(reason);
  }

  private async onLine(line: DecodedLine, connection: Connection): Promise<void> {
    const started = performance.now();
    const decoded = decodeRequestLine(line);
    if (!decoded.ok) {
      connection.reply({ jsonrpc: '2.0', id: decoded.id, error: decoded.error, elapsedMs: elapsed(started) });
      return;
    }
    const { request } = decoded;
    try {
      const result = await this.handle(request, connection);
      connection.reply({ jsonrpc: '2.0', id: request.id, result, elapsedMs: elapsed(started) });
    } catch (error) {
      const protocolError = toProtocolError(error);
      if (protocolError.code === 'internal') console.error('[engine] request failed:', error);
      connection.reply({ jsonrpc: '2.0', id: request.id, error: protocolError, elapsedMs: elapsed(started) });
    }
  }
}

function toProtocolError(error: unknown): ProtocolError {
  if (error instanceof ErrandError) return error.toJSON();
  const code = (error as { code?: string })?.code;
  const corrupt = corruptionAtRuntime(error);
  if (corrupt) return corrupt;
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') {
    return { code: 'disk_full', message: 'The disk is full, so nothing was stored. Free some space and try again.' };
  }
  return { code: 'internal', message: `The engine hit an unexpected error: ${(error as Error)?.message ?? error}. See engine.log.` };
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 1000) / 1000;
}
