import { describe, expect, it } from 'vitest';
import { EngineConnection } from '../../../../shared/protocol/client/engine-connection.js';
import type { BrowserWebSocket } from '../../../../shared/protocol/client/websocket-transport.js';
import { WebSocketTransport } from '../../../../shared/protocol/client/websocket-transport.js';

class FakeBrowserSocket implements BrowserWebSocket {
  readyState = 0;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  readonly sent: string[] = [];
  constructor(readonly url: string) {}
  send(data: string): void {
    this.sent.push(data);
  }
  close(code = 1005): void {
    this.onclose?.({ code, reason: '' });
  }
}

describe('WebSocketTransport', () => {
  it('carries the client core\'s requests and events, one frame a message', async () => {
    const sockets: FakeBrowserSocket[] = [];
    const transport = new WebSocketTransport('ws://127.0.0.1:1/rpc?token=t', (url) => {
      const socket = new FakeBrowserSocket(url);
      sockets.push(socket);
      queueMicrotask(() => socket.onopen?.({}));
      return socket;
    });
    const client = new EngineConnection(transport);
    await client.connect();
    const events: string[] = [];
    client.onEvent((event) => events.push(event.type));
    const answer = client.request('engine.status');
    expect(JSON.parse(sockets[0]!.sent[0]!)).toMatchObject({ id: 1, method: 'engine.status' });
    sockets[0]!.onmessage?.({ data: '{"jsonrpc":"2.0","method":"event","params":{"type":"run.activity"},"seq":1}' });
    sockets[0]!.onmessage?.({ data: '{"jsonrpc":"2.0","id":1,"result":{"pid":1}}' });
    expect(await answer).toEqual({ pid: 1 });
    expect(events).toEqual(['run.activity']);
  });

  it('rejects a connect the server refuses, without showing the token', async () => {
    const transport = new WebSocketTransport('ws://127.0.0.1:1/rpc?token=secret', (url) => {
      const socket = new FakeBrowserSocket(url);
      queueMicrotask(() => socket.onclose?.({ code: 1006, reason: '' }));
      return socket;
    });
    const error = await transport.connect().catch((e: Error) => e);
    expect(String(error)).toContain('token=…');
    expect(String(error)).not.toContain('secret');
  });

  it('tells the core when an open link is lost', async () => {
    let socket: FakeBrowserSocket | null = null;
    const transport = new WebSocketTransport('ws://x/rpc', (url) => {
      socket = new FakeBrowserSocket(url);
      queueMicrotask(() => socket!.onopen?.({}));
      return socket;
    });
    const client = new EngineConnection(transport);
    await client.connect();
    const pending = client.request('engine.status').catch((e: Error) => e.message);
    socket!.onclose?.({ code: 1001, reason: 'engine stopping' });
    expect(await pending).toContain('lost the engine connection (engine stopping)');
    expect(client.state).toBe('closed');
  });
});
