// A WebSocket as one more link: frames are messages (no newline framing), text must be UTF-8, binary is refused, and
// the connection hears when what it sent has gone out.
import { describe, expect, it } from 'vitest';
import type { WebSocketLike } from '../../../../electron/engine/rpc/ws-link.js';
import { WsLink } from '../../../../electron/engine/rpc/ws-link.js';
import type { DecodedLine } from '../../../../shared/protocol/line-decoder.js';

class FakeWebSocket implements WebSocketLike {
  bufferedAmount = 0;
  readyState = 1;
  readonly sent: string[] = [];
  readonly callbacks: (() => void)[] = [];
  closedWith: number | null = null;
  terminated = false;
  paused = false;
  private readonly listeners = new Map<string, ((...args: any[]) => void)[]>();

  send(data: string, callback?: () => void): void {
    this.sent.push(data);
    this.bufferedAmount += data.length;
    if (callback) this.callbacks.push(callback);
  }
  close(code?: number): void {
    this.closedWith = code ?? null;
  }
  terminate(): void {
    this.terminated = true;
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  on(event: string, listener: (...args: any[]) => void): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
  }
  emit(event: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(event) ?? []) listener(...args);
  }
  flush(): void {
    this.bufferedAmount = 0;
    for (const callback of this.callbacks.splice(0)) callback();
  }
}

describe('WsLink', () => {
  it('sends each message as one frame without the socket\'s newline, and reports the drain', () => {
    const ws = new FakeWebSocket();
    const link = new WsLink(ws);
    let drained = 0;
    link.onDrain(() => drained++);
    link.write('{"a":1}\n');
    expect(ws.sent).toEqual(['{"a":1}']);
    expect(link.unsentBytes()).toBe(7);
    ws.flush();
    expect(drained).toBe(1);
  });

  it('hands over text frames as messages, and refuses binary and invalid UTF-8 frames', () => {
    const ws = new FakeWebSocket();
    const link = new WsLink(ws);
    const got: DecodedLine[] = [];
    link.onMessages((messages) => got.push(...messages));
    ws.emit('message', Buffer.from('{"x":"é"}'), false);
    ws.emit('message', Buffer.from([1, 2, 3]), true);
    ws.emit('message', Buffer.from([0xff, 0xfe]), false);
    expect(got).toEqual([
      { kind: 'line', text: '{"x":"é"}' },
      { kind: 'invalid_utf8', bytes: 3 },
      { kind: 'invalid_utf8', bytes: 2 },
    ]);
  });

  it('says its last word, then closes, and is ended from then on', () => {
    const ws = new FakeWebSocket();
    const link = new WsLink(ws);
    link.end('{"bye":true}\n');
    expect(link.ended).toBe(true);
    expect(ws.sent).toEqual(['{"bye":true}']);
    ws.flush();
    expect(ws.closedWith).toBe(1000);
  });
});
