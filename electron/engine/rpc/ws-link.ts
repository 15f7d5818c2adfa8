// A client on a WebSocket (web mode) as a ClientLink: one message per frame, so no line framing, and the frame size
// bounded by the server's maxPayload before anything is buffered whole.
import type { DecodedLine } from '../../../shared/protocol/line-decoder.js';
import type { ClientLink } from './client-link.js';

/** The parts of a `ws` WebSocket the link uses. */
export interface WebSocketLike {
  readonly bufferedAmount: number;
  readonly readyState: number;
  send(data: string, callback?: (error?: Error) => void): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  pause(): void;
  resume(): void;
  on(event: 'message', listener: (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => void): void;
  on(event: 'close', listener: () => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
}

const OPEN = 1;
const NORMAL_CLOSURE = 1000;
/** How long a closing client has to take its last message before the connection is cut. */
const CLOSE_GRACE_MS = 1000;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export class WsLink implements ClientLink {
  private drainListener: () => void = () => {};
  private closing = false;

  constructor(private readonly ws: WebSocketLike) {
    ws.on('error', () => ws.terminate());
  }

  get ended(): boolean {
    return this.closing || this.ws.readyState !== OPEN;
  }

  write(text: string): void {
    // A frame is a message: the newline that frames it on the socket is not sent.
    this.ws.send(text.endsWith('\n') ? text.slice(0, -1) : text, () => {
      if (this.ws.bufferedAmount === 0) this.drainListener();
    });
  }

  unsentBytes(): number {
    return this.ws.bufferedAmount;
  }

  pauseReading(): void {
    this.ws.pause();
  }

  resumeReading(): void {
    this.ws.resume();
  }

  end(lastText: string): void {
    this.closing = true;
    this.ws.send(lastText.endsWith('\n') ? lastText.slice(0, -1) : lastText, () => this.ws.close(NORMAL_CLOSURE));
    setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS).unref();
  }

  destroy(): void {
    this.ws.terminate();
  }

  onMessages(listener: (messages: DecodedLine[]) => void): void {
    this.ws.on('message', (data, isBinary) => {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (isBinary) {
        listener([{ kind: 'invalid_utf8', bytes: bytes.length }]);
        return;
      }
      try {
        listener([{ kind: 'line', text: utf8.decode(bytes) }]);
      } catch {
        listener([{ kind: 'invalid_utf8', bytes: bytes.length }]);
      }
    });
  }

  onDrain(listener: () => void): void {
    this.drainListener = listener;
  }

  onClose(listener: () => void): void {
    this.ws.on('close', listener);
  }
}
