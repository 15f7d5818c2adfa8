// `opencode serve`, started for one run: bound to 127.0.0.1 on a port of its choosing, behind a password made for
// this run, and spoken to over HTTP and its server-sent events.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/** How long `opencode serve` may take to say where it listens (a cold start reads its whole config and plugins). */
export const SERVER_START_TIMEOUT_MS = 60_000;
const USERNAME = 'errand';
const LISTENING = /listening on (http:\/\/127\.0\.0\.1:\d+)/;
/** An SSE event larger than this is dropped, not buffered: no event the driver acts on is near it. */
const MAX_EVENT_BYTES = 16 * 1024 * 1024;

export interface ServerEvent {
  type: string;
  properties: Record<string, unknown>;
}

export class OpenCodeServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    private readonly auth: string,
  ) {}

  /** Starts `<binary> serve …extraArgs`; rejects with what it printed when it exits or stays silent. */
  static start(binary: string, extraArgs: string[], onOutput: (text: string) => void): Promise<OpenCodeServer> {
    const password = randomBytes(24).toString('base64url');
    const env = { ...process.env, OPENCODE_SERVER_USERNAME: USERNAME, OPENCODE_SERVER_PASSWORD: password };
    const child = spawn(binary, ['serve', '--hostname', '127.0.0.1', '--port', '0', ...extraArgs], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const auth = `Basic ${Buffer.from(`${USERNAME}:${password}`).toString('base64')}`;
    return new Promise((resolve, reject) => {
      let said = '';
      let settled = false;
      const fail = (why: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        child.kill('SIGTERM');
        const tail = said.trim().split('\n').slice(-5).join('\n');
        reject(new Error(tail ? `${why}. It said:\n${tail}` : why));
      };
      const timer = setTimeout(() => fail(`opencode serve did not start within ${SERVER_START_TIMEOUT_MS / 1000} s`), SERVER_START_TIMEOUT_MS);
      const onData = (data: Buffer) => {
        const text = data.toString('utf8');
        if (settled) return onOutput(text);
        said = (said + text).slice(-4000);
        const listening = LISTENING.exec(said);
        if (!listening) return;
        settled = true;
        clearTimeout(timer);
        resolve(new OpenCodeServer(child, listening[1]!, auth));
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('error', (error) => fail(`could not start ${binary}: ${error.message}`));
      child.once('exit', (code, signal) => fail(`opencode serve exited (${signal ?? `code ${code}`}) before it was ready`));
    });
  }

  /** Resolves when the server process has gone, with how it went. */
  get exited(): Promise<string> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      return Promise.resolve(this.child.signalCode ?? `code ${this.child.exitCode}`);
    }
    return new Promise((resolve) => this.child.once('exit', (code, signal) => resolve(signal ?? `code ${code}`)));
  }

  stop(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
  }

  /** A JSON request; throws with the server's own message on a non-2xx answer. */
  async request(method: 'GET' | 'POST', path: string, body?: unknown, timeoutMs = 30_000): Promise<unknown> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: this.auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status}: ${errorMessage(text)}`);
    return text ? (JSON.parse(text) as unknown) : null;
  }

  /** Follows `/event`, calling `onEvent` for each event; resolves once connected, with `done` for when the stream ends. */
  async subscribe(onEvent: (event: ServerEvent) => void, signal: AbortSignal): Promise<{ done: Promise<void> }> {
    const response = await fetch(`${this.url}/event`, { headers: { authorization: this.auth, accept: 'text/event-stream' }, signal });
    if (!response.ok || !response.body) throw new Error(`GET /event: HTTP ${response.status}`);
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    const read = async () => {
      let pending = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        pending += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = pending.indexOf('\n\n')) !== -1) {
          const block = pending.slice(0, end);
          pending = pending.slice(end + 2);
          const event = parseEvent(block);
          if (event) onEvent(event);
        }
        if (pending.length > MAX_EVENT_BYTES) pending = '';
      }
    };
    return { done: read() };
  }
}

function parseEvent(block: string): ServerEvent | null {
  const data = block
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .map((line) => line.slice(5).trimStart())
    .join('\n');
  if (!data) return null;
  try {
    const event = JSON.parse(data) as Partial<ServerEvent>;
    return typeof event.type === 'string' ? { type: event.type, properties: event.properties ?? {} } : null;
  } catch {
    return null;
  }
}

function errorMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown; data?: { message?: unknown }; error?: unknown };
    const message = parsed.data?.message ?? parsed.message ?? parsed.error;
    if (message !== undefined) return typeof message === 'string' ? message : JSON.stringify(message).slice(0, 300);
  } catch {
    // Not JSON: show it as it came.
  }
  return body.slice(0, 300);
}
