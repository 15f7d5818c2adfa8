// Web mode's transport, for the renderer in a browser: one message per WebSocket frame. It takes the WebSocket
// constructor from the caller (the browser's own), so nothing here depends on the DOM.
import type { ClientTransport } from './transport.js';

/** The parts of the standard WebSocket the transport uses. */
export interface BrowserWebSocket {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export class WebSocketTransport implements ClientTransport {
  private socket: BrowserWebSocket | null = null;
  private messageListener: (text: string) => void = () => {};
  private closeListener: (reason: string) => void = () => {};

  constructor(
    private readonly url: string,
    private readonly open: (url: string) => BrowserWebSocket,
  ) {}

  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = this.open(this.url);
      let opened = false;
      socket.onopen = () => {
        opened = true;
        this.socket = socket;
        resolve();
      };
      socket.onmessage = (event) => {
        if (typeof event.data === 'string') this.messageListener(event.data);
      };
      socket.onerror = () => {};
      socket.onclose = (event) => {
        const reason = event.reason || `the connection closed (code ${event.code})`;
        if (!opened) {
          reject(new Error(`could not reach the engine at ${this.url.replace(/token=[^&]*/, 'token=…')}: ${reason}`));
          return;
        }
        if (this.socket === socket) this.socket = null;
        this.closeListener(event.reason ? `lost the engine connection (${event.reason})` : '');
      };
    });
  }

  send(text: string): void {
    this.socket?.send(text);
  }

  onMessage(listener: (text: string) => void): void {
    this.messageListener = listener;
  }

  onClose(listener: (reason: string) => void): void {
    this.closeListener = listener;
  }

  close(): void {
    this.socket?.close(1000);
  }
}
