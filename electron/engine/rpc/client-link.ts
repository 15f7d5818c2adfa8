// What a connection needs of its transport (the unix socket, a WebSocket): the rest of serving a client is shared.
import type { DecodedLine } from '../../../shared/protocol/line-decoder.js';

export interface ClientLink {
  /** Sends one encoded message (a JSON text ending in a newline; a framed transport drops the newline). */
  write(text: string): void;
  /** Bytes written to the client that it has not taken yet. */
  unsentBytes(): number;
  /** The link can take no more writes (closing, or closed). */
  readonly ended: boolean;
  pauseReading(): void;
  resumeReading(): void;
  /** Sends a last message, then hangs up once the client took it (or at once if it cannot). */
  end(lastText: string): void;
  /** Cuts the link now. */
  destroy(): void;
  /** What the client sent, as messages (each refused already when too large or not UTF-8). */
  onMessages(listener: (messages: DecodedLine[]) => void): void;
  /** What it was sent has all been taken. */
  onDrain(listener: () => void): void;
  onClose(listener: () => void): void;
}
