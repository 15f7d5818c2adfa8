// A watchdog in front of an agent's model endpoint: a reverse proxy on 127.0.0.1 that passes every request and answer
// through unchanged, and says when the endpoint has kept failing, so a run need not wait out the agent's own retries.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import http, { STATUS_CODES } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream';
import { ERROR_BODY_MAX_BYTES, errorMessage } from './error-message.js';
import { FailureStreak } from './failure-streak.js';

export interface ModelFailure {
  status: number;
  message: string;
}

export interface ModelProxyOptions {
  /** The endpoint's base URL (http or https), as the agent would have used it. */
  upstream: string;
  /** Called once, when the endpoint has failed for the whole window. */
  onGiveUp(failure: ModelFailure): void;
  windowMs?: number;
  now?: () => number;
}

export interface ModelProxy {
  /** The upstream base URL's stand-in: give it to the agent instead. */
  readonly url: string;
  /** The last answer, when it was a rate limit or a 5xx (or no answer came): what a failed run's retry policy reads. */
  readonly lastFailure: ModelFailure | null;
  close(): Promise<void>;
}

// Per-connection headers (RFC 9110 7.6.1), plus host (the upstream's own) and expect (this server answered it).
const RATE_LIMITED = 429;
const NOT_FORWARDED = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'expect']);

export async function startModelProxy(options: ModelProxyOptions): Promise<ModelProxy> {
  const base = new URL(options.upstream);
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error(`not an http(s) URL: ${base.protocol}`);
  const client = base.protocol === 'https:' ? https : http;
  const agent = new client.Agent({ keepAlive: true });
  const token = randomBytes(24).toString('base64url');
  const streak = new FailureStreak(options.windowMs, options.now);
  let lastFailure: ModelFailure | null = null;

  const server = http.createServer((req, res) => {
    const path = pathAfterToken(req.url ?? '', token);
    if (path === null) {
      req.resume();
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    const upstreamReq = client.request({
      protocol: base.protocol,
      hostname: base.hostname.replace(/^\[|\]$/g, ''),
      port: base.port,
      method: req.method,
      path,
      headers: forwardable(req.headers),
      agent,
    });
    let agentGone = false;
    // The agent went away before its answer was complete: stop asking for it.
    res.once('close', () => {
      agentGone = !res.writableFinished;
      if (agentGone) upstreamReq.destroy();
    });
    req.on('error', () => upstreamReq.destroy());
    upstreamReq.once('response', (answer) => {
      const status = answer.statusCode ?? 502;
      res.writeHead(status, answer.statusMessage, forwardable(answer.headers));
      pipeline(answer, res, () => {});
      if (status === RATE_LIMITED || status >= 500) {
        lastFailure = { status, message: STATUS_CODES[status] ?? 'no message' };
        const failure = lastFailure;
        readErrorBody(answer, (body) => (failure.message = errorMessage(status, body, answer.headers['content-encoding'])));
      } else lastFailure = null;
      if (status < 500) streak.succeeded();
      else if (streak.failed()) {
        readErrorBody(answer, (body) => options.onGiveUp({ status, message: errorMessage(status, body, answer.headers['content-encoding']) }));
      }
    });
    upstreamReq.on('error', (error) => {
      if (agentGone || res.headersSent) {
        res.destroy();
        return;
      }
      // Node gives an AggregateError with no message when every address of a name refused.
      const message = `could not reach the model endpoint (${error.message || (error as NodeJS.ErrnoException).code || 'connection failed'})`;
      res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message, type: 'bad_gateway' } }));
      lastFailure = { status: 502, message };
      if (streak.failed()) options.onGiveUp({ status: 502, message });
    });
    req.pipe(upstreamReq);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  // The base URL's path and query as the agent would have written them (a trailing slash matters to some clients).
  const rest = options.upstream.trim().replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '');
  return {
    url: `http://127.0.0.1:${port}/${token}${rest}`,
    get lastFailure() {
      return lastFailure;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}

/** The upstream path a request asks for, or null unless its first path segment is the token. */
function pathAfterToken(url: string, token: string): string | null {
  const match = /^\/([^/?#]*)(.*)$/s.exec(url);
  if (!match) return null;
  const given = Buffer.from(match[1]!);
  const wanted = Buffer.from(token);
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) return null;
  const path = match[2]!;
  return path.startsWith('/') ? path : `/${path}`;
}

function forwardable(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const named = String(headers.connection ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase());
  const kept: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !NOT_FORWARDED.has(name) && !named.includes(name)) kept[name] = value;
  }
  return kept;
}

/** The start of an answer's body, as it streams past to the agent: once enough has come, or the body has ended. */
function readErrorBody(answer: http.IncomingMessage, done: (body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    answer.off('data', onData);
    done(Buffer.concat(chunks));
  };
  const onData = (chunk: Buffer): void => {
    chunks.push(chunk.subarray(0, ERROR_BODY_MAX_BYTES - size));
    size += chunks.at(-1)!.length;
    if (size >= ERROR_BODY_MAX_BYTES) finish();
  };
  answer.on('data', onData);
  answer.once('end', finish);
  answer.once('close', finish);
}
