// Web mode: an HTTP server on 127.0.0.1 that serves the page and, through the upgrade handler, a WebSocket whose
// clients the dispatcher serves like the socket's. Nothing is served without the token, the exact Host and, for the
// WebSocket, the exact Origin.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ClientLink } from './client-link.js';
import type { Dispatcher } from './dispatcher.js';
import { newToken, refusal, TOKEN_COOKIE, tokenOf } from './web-auth.js';
import type { WebAuthRules } from './web-auth.js';

export const WEB_SOCKET_PATH = '/rpc';
export const DEFAULT_WEB_HOST = '127.0.0.1';

/** Completes a WebSocket handshake already authorised (the `ws` package's handleUpgrade), handing over the link. */
export type WebSocketAcceptor = (req: IncomingMessage, socket: Socket, head: Buffer, onLink: (link: ClientLink) => void) => void;

export interface WebAddress {
  url: string;
  host: string;
  port: number;
}

const PLACEHOLDER_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Errand</title></head>
<body><main><h1>Errand</h1><p>The engine is serving web mode. The app's views come here.</p></main></body></html>
`;

export class WebServer {
  private readonly server: Server;
  private rules: WebAuthRules | null = null;
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly acceptWebSocket: WebSocketAcceptor | null,
  ) {
    this.server = createServer((req, res) => this.onRequest(req, res));
    this.server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => this.onUpgrade(req, socket, head));
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  listen(port: number, host = DEFAULT_WEB_HOST): Promise<WebAddress> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const bound = (this.server.address() as AddressInfo).port;
        const origin = `http://${host}:${bound}`;
        this.rules = { token: newToken(), host: `${host}:${bound}`, origin };
        resolve({ url: `${origin}/?token=${this.rules.token}`, host, port: bound });
      });
    });
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const refused = refusal(req, this.rules!, false);
    if (refused) {
      res.writeHead(refused.status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end(`${refused.message}\n`);
      return;
    }
    const path = new URL(req.url ?? '/', this.rules!.origin).pathname;
    if (req.method !== 'GET' || path !== '/') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found.\n');
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src ws://${this.rules!.host}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      // The URL carries the token once; after that the cookie does, out of reach of scripts and other sites.
      'set-cookie': `${TOKEN_COOKIE}=${tokenOf(req)}; HttpOnly; SameSite=Strict; Path=/`,
    });
    res.end(PLACEHOLDER_PAGE);
  }

  private onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const refused = refusal(req, this.rules!, true);
    const path = new URL(req.url ?? '/', this.rules!.origin).pathname;
    if (refused || path !== WEB_SOCKET_PATH || !this.acceptWebSocket) {
      const [status, message] = refused
        ? [refused.status, refused.message]
        : path !== WEB_SOCKET_PATH
          ? [404, `The WebSocket is at ${WEB_SOCKET_PATH}.`]
          : [501, 'This engine was built without WebSocket support.'];
      socket.end(`HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : status === 404 ? 'Not Found' : 'Not Implemented'}\r\n` +
        `content-type: text/plain; charset=utf-8\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(message) + 1}\r\n\r\n${message}\n`);
      return;
    }
    this.acceptWebSocket(req, socket, head, (link) => this.dispatcher.admit(link));
  }
}
