// What the client core needs of a link to the engine: a unix socket, a WebSocket, or Electron's preload.

export interface ClientTransport {
  /** Opens a fresh link; rejects when none can be made. Called again to reconnect after a close. */
  connect(): Promise<void>;
  /** Sends one message (a JSON text without framing: the transport frames it). */
  send(text: string): void;
  /** Each message the engine sent, as JSON text. */
  onMessage(listener: (text: string) => void): void;
  /** The link is gone, and why, in words. Called once per link that opened. */
  onClose(listener: (reason: string) => void): void;
  close(): void;
}
