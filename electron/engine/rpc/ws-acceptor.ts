// The WebSocket handshake for web mode, by `ws`: the upgrade it is handed was authenticated already (web-server.ts).
import { WebSocketServer } from 'ws';
import { MAX_WEB_MESSAGE_BYTES } from '../../../shared/protocol/limits.js';
import type { WebSocketAcceptor } from './web-server.js';
import { WsLink } from './ws-link.js';

export function wsAcceptor(): WebSocketAcceptor {
  // noServer: the HTTP server is web-server.ts's; maxPayload refuses (1009) a frame past the limit before it is buffered.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WEB_MESSAGE_BYTES, perMessageDeflate: false });
  return (req, socket, head, onLink) => wss.handleUpgrade(req, socket, head, (ws) => onLink(new WsLink(ws)));
}
