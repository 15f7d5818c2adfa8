// The dispatcher serves a transport it has never seen (a link in memory) with the same validation and limits as the socket.
import { describe, expect, it } from 'vitest';
import type { ClientLink } from '../../../../electron/engine/rpc/client-link.js';
import { Dispatcher } from '../../../../electron/engine/rpc/dispatcher.js';
import { MAX_UNREAD_BYTES } from '../../../../electron/engine/rpc/request-intake.js';
import type { DecodedLine } from '../../../../shared/protocol/line-decoder.js';
import { MAX_CLIENT_CONNECTIONS } from '../../../../shared/protocol/limits.js';

class MemoryLink implements ClientLink {
  readonly written: Record<string, unknown>[] = [];
  unsent = 0;
  reading = true;
  ended = false;
  private messages: (m: DecodedLine[]) => void = () => {};
  private closeListener: () => void = () => {};

  write(text: string): void {
    this.written.push(JSON.parse(text) as Record<string, unknown>);
  }
  unsentBytes(): number {
    return this.unsent;
  }
  pauseReading(): void {
    this.reading = false;
  }
  resumeReading(): void {
    this.reading = true;
  }
  end(lastText: string): void {
    this.write(lastText);
    this.ended = true;
    this.closeListener();
  }
  destroy(): void {
    this.ended = true;
    this.closeListener();
  }
  onMessages(listener: (m: DecodedLine[]) => void): void {
    this.messages = listener;
  }
  onDrain(): void {}
  onClose(listener: () => void): void {
    this.closeListener = listener;
  }
  receive(...texts: string[]): void {
    this.messages(texts.map((text) => ({ kind: 'line', text })));
  }
  receiveRaw(line: DecodedLine): void {
    this.messages([line]);
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('Dispatcher', () => {
  const echo = new Dispatcher(async (request) => ({ method: request.method }));

  it('answers a valid request, and refuses bad ones with the protocol\'s errors', async () => {
    const link = new MemoryLink();
    echo.admit(link);
    link.receive('{"jsonrpc":"2.0","id":1,"method":"engine.status"}', 'not json', '{"jsonrpc":"2.0","id":2,"method":"task.get","params":{"id":-1}}');
    link.receiveRaw({ kind: 'too_large', bytes: 9e6 });
    link.receive(`{"jsonrpc":"2.0","id":3,"method":"repo.list","params":${'['.repeat(40)}${']'.repeat(40)}}`);
    await settle();
    const codes = link.written.map((m) => (m.error as { code: string } | undefined)?.code ?? JSON.stringify(m.result));
    expect(codes.sort()).toEqual(['invalid_params', 'invalid_request', 'message_too_large', 'parse_error', '{"method":"engine.status"}']);
    link.destroy();
  });

  it('takes no more requests while the client leaves its answers unread', async () => {
    const link = new MemoryLink();
    echo.admit(link);
    link.unsent = MAX_UNREAD_BYTES;
    link.receive('{"jsonrpc":"2.0","id":1,"method":"engine.status"}');
    await settle();
    expect(link.written).toHaveLength(0);
    expect(link.reading).toBe(false);
    link.destroy();
  });

  it('counts every transport\'s clients against one cap, and room comes back as they leave', () => {
    const dispatcher = new Dispatcher(async () => null);
    const links = Array.from({ length: MAX_CLIENT_CONNECTIONS }, () => new MemoryLink());
    for (const link of links) expect(dispatcher.admit(link)).not.toBeNull();
    const refused = new MemoryLink();
    expect(dispatcher.admit(refused)).toBeNull();
    expect(refused.written[0]).toMatchObject({ id: null, error: { code: 'too_many_connections' } });
    links[0]!.destroy();
    expect(dispatcher.admit(new MemoryLink())).not.toBeNull();
  });
});
