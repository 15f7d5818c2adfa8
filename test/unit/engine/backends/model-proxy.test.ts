// The model endpoint watchdog, over real sockets: a tiny upstream on 127.0.0.1, the proxy in front, http clients.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { errorMessage } from '../../../../electron/engine/backends/error-message.js';
import { startModelProxy } from '../../../../electron/engine/backends/model-proxy.js';
import type { ModelFailure, ModelProxy } from '../../../../electron/engine/backends/model-proxy.js';
import { watchModel } from '../../../../electron/engine/backends/watch-model.js';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function upstream(handle: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
    handle(req, res, body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

async function proxy(upstreamUrl: string, options: { windowMs?: number; now?: () => number } = {}): Promise<{ proxy: ModelProxy; failures: ModelFailure[] }> {
  const failures: ModelFailure[] = [];
  const started = await startModelProxy({ upstream: upstreamUrl, onGiveUp: (f) => failures.push(f), ...options });
  closers.push(() => started.close());
  return { proxy: started, failures };
}

function request(url: string, init: { method?: string; headers?: http.OutgoingHttpHeaders; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: init.method ?? 'GET', headers: init.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

describe('model proxy', () => {
  it('forwards method, path under the base URL, query, body and headers, and answers unchanged', async () => {
    const up = await upstream((_req, res) => {
      res.writeHead(201, { 'content-type': 'application/json', 'x-upstream': 'yes', 'set-cookie': ['a=1', 'b=2'] });
      res.end('{"ok":true}');
    });
    const { proxy: p } = await proxy(`${up.url}/v1`);
    expect(p.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{32}\/v1$/);
    const answer = await request(`${p.url}/chat/completions?stream=true`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: 'Bearer k', 'x-client': 'qwen', connection: 'close, x-private', 'x-private': 'hop' },
      body: '{"model":"m"}',
    });
    expect(answer).toMatchObject({ status: 201, body: '{"ok":true}' });
    expect(answer.headers).toMatchObject({ 'x-upstream': 'yes', 'set-cookie': ['a=1', 'b=2'] });
    expect(up.seen).toHaveLength(1);
    const seen = up.seen[0]!;
    expect(seen).toMatchObject({ method: 'PUT', url: '/v1/chat/completions?stream=true', body: '{"model":"m"}' });
    expect(seen.headers).toMatchObject({ authorization: 'Bearer k', 'x-client': 'qwen', 'content-type': 'application/json', host: new URL(up.url).host });
    // Hop-by-hop headers, and those the Connection header names, stay on the agent's side.
    expect(seen.headers['x-private']).toBeUndefined();
    expect(seen.headers.connection).not.toContain('x-private');
  });

  it('keeps the base URL as written: a trailing slash, or none', async () => {
    const up = await upstream((_req, res) => res.end('ok'));
    expect((await proxy(`${up.url}/v1/`)).proxy.url).toMatch(/\/v1\/$/);
    const { proxy: bare } = await proxy(up.url);
    expect(bare.url).toMatch(/\/[A-Za-z0-9_-]{32}$/);
    await request(`${bare.url}/models`);
    expect(up.seen.at(-1)!.url).toBe('/models');
  });

  it('streams server-sent events as they come, not when the answer ends', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const up = await upstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write('data: {"n":1}\n\n');
      void released.then(() => res.end('data: {"n":2}\n\ndata: [DONE]\n\n'));
    });
    const { proxy: p } = await proxy(`${up.url}/v1`);
    const received: string[] = [];
    const ended = new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request(`${p.url}/chat/completions`, { method: 'POST', agent: false }, (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          received.push(chunk);
          // The first event arrived while the upstream still holds the rest back.
          if (received.length === 1) release();
        });
        res.on('end', () => resolve(res));
      });
      req.on('error', reject);
      req.end('{"stream":true}');
    });
    const res = await ended;
    expect(res.headers['content-type']).toBe('text/event-stream');
    expect(received[0]).toBe('data: {"n":1}\n\n');
    expect(received.join('')).toBe('data: {"n":1}\n\ndata: {"n":2}\n\ndata: [DONE]\n\n');
  });

  it('answers 404 without forwarding unless the first path segment is its token', async () => {
    const up = await upstream((_req, res) => res.end('ok'));
    const { proxy: p } = await proxy(`${up.url}/v1`);
    const { origin, pathname } = new URL(p.url);
    const token = pathname.split('/')[1]!;
    for (const path of ['/v1/models', '/', '', `/${token.slice(1)}/v1/models`, `/${token}x/v1/models`, `/x${token}/v1/models`, `/v1/${token}/models`]) {
      const answer = await request(`${origin}${path}`, { method: 'POST', body: '{}' });
      expect(answer.status, path).toBe(404);
    }
    expect(up.seen).toHaveLength(0);
    expect((await request(`${p.url}/models`)).status).toBe(200);
    expect(up.seen).toHaveLength(1);
  });

  it('gives up once, when 5xx answers have gone on for the window; any other answer ends the streak', async () => {
    let now = 0;
    const up = await upstream((req, res) => {
      if (req.url!.endsWith('/fail')) sendJson(res, 500, { error: { message: 'errand-http500: scripted failure', type: 'server_error' } });
      else if (req.url!.endsWith('/busy')) sendJson(res, 429, { error: { message: 'slow down' } });
      else sendJson(res, 200, { ok: true });
    });
    const { proxy: p, failures } = await proxy(`${up.url}/v1`, { windowMs: 10_000, now: () => now });
    const at = async (t: number, path: string): Promise<number> => {
      now = t;
      return (await request(`${p.url}/${path}`, { method: 'POST', body: '{}' })).status;
    };
    expect(await at(0, 'fail')).toBe(500);
    expect(await at(9_000, 'fail')).toBe(500);
    expect(await at(9_500, 'ok')).toBe(200); // the streak is over
    expect(await at(12_000, 'fail')).toBe(500); // a new one starts here
    expect(await at(15_000, 'busy')).toBe(429); // not a 5xx: over again
    expect(await at(16_000, 'fail')).toBe(500);
    expect(await at(25_999, 'fail')).toBe(500);
    expect(failures).toEqual([]);
    expect(await at(26_000, 'fail')).toBe(500);
    expect(failures).toEqual([{ status: 500, message: 'errand-http500: scripted failure' }]);
    expect(await at(60_000, 'fail')).toBe(500);
    expect(failures).toHaveLength(1);
  });

  it('remembers whether the last answer was a rate limit or a 5xx, with its message, for a failed run’s retry', async () => {
    const up = await upstream((req, res) => {
      if (req.url!.endsWith('/busy')) sendJson(res, 429, { error: { message: 'slow down' } });
      else if (req.url!.endsWith('/fail')) sendJson(res, 503, { error: { message: 'overloaded' } });
      else if (req.url!.endsWith('/bad')) sendJson(res, 400, { error: { message: 'bad request' } });
      else sendJson(res, 200, { ok: true });
    });
    const { proxy: p } = await proxy(up.url);
    expect(p.lastFailure).toBeNull();
    await request(`${p.url}/busy`, { method: 'POST', body: '{}' });
    expect(p.lastFailure).toEqual({ status: 429, message: 'slow down' });
    await request(`${p.url}/ok`);
    expect(p.lastFailure).toBeNull();
    await request(`${p.url}/fail`);
    expect(p.lastFailure).toEqual({ status: 503, message: 'overloaded' });
    await request(`${p.url}/bad`);
    expect(p.lastFailure).toBeNull();
  });

  it('passes a large 5xx body through whole, and reports a short snippet of it', async () => {
    const big = `${'upstream exploded '.repeat(100)}${'x'.repeat(1024 * 1024)}`;
    const up = await upstream((_req, res) => {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end(big);
    });
    const { proxy: p, failures } = await proxy(up.url, { windowMs: 0 });
    const answer = await request(`${p.url}/anything`);
    expect(answer.status).toBe(503);
    expect(answer.body).toBe(big);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.status).toBe(503);
    expect(failures[0]!.message.length).toBeLessThanOrEqual(300);
    expect(failures[0]!.message).toMatch(/^upstream exploded upstream exploded .*…$/);
  });

  it('answers 502 when the upstream refuses connections, and counts that as a failure', async () => {
    const closed = await upstream(() => {});
    const dead = closed.url;
    await closers.pop()!(); // nothing listens there now
    let now = 0;
    const { proxy: p, failures } = await proxy(`${dead}/v1`, { windowMs: 1_000, now: () => now });
    const first = await request(`${p.url}/chat/completions`, { method: 'POST', body: '{}' });
    expect(first.status).toBe(502);
    expect(JSON.parse(first.body).error.message).toMatch(/ECONNREFUSED/);
    expect(failures).toEqual([]);
    now = 1_000;
    expect((await request(`${p.url}/chat/completions`, { method: 'POST', body: '{}' })).status).toBe(502);
    expect(failures).toEqual([{ status: 502, message: expect.stringMatching(/^could not reach the model endpoint \(.*ECONNREFUSED.*\)$/) }]);
  });
});

describe('errorMessage', () => {
  it('reads the message of the JSON error shapes, else the text, in one line of at most 300 characters', () => {
    const json = (body: unknown) => Buffer.from(JSON.stringify(body));
    expect(errorMessage(500, json({ error: { message: 'boom', type: 'server_error' } }))).toBe('boom');
    expect(errorMessage(500, json([{ error: { code: 500, message: 'gemini boom' } }]))).toBe('gemini boom');
    expect(errorMessage(500, json({ error: 'plain boom' }))).toBe('plain boom');
    expect(errorMessage(502, json({ detail: 'detail boom' }))).toBe('detail boom');
    expect(errorMessage(502, Buffer.from('<html><body><h1>502 Bad\n Gateway</h1></body></html>'))).toBe('502 Bad Gateway');
    expect(errorMessage(500, Buffer.alloc(0))).toBe('Internal Server Error');
    expect(errorMessage(500, Buffer.from('y'.repeat(1000)))).toHaveLength(300);
  });

  it('decodes a compressed body even when only its start was kept', () => {
    const body = gzipSync(Buffer.from(JSON.stringify({ error: { message: 'zipped boom' } }) + ' '.repeat(100_000)));
    expect(errorMessage(500, body, 'gzip')).toBe('zipped boom');
    const start = gzipSync(Buffer.from(`zipped text ${'z'.repeat(100_000)}`)).subarray(0, 64);
    expect(errorMessage(500, start, 'gzip')).toMatch(/^zipped text z+/);
  });
});

describe('watchModel', () => {
  it('puts the proxy in the named variable for an http(s) URL, and leaves anything else alone', async () => {
    const up = await upstream((_req, res) => res.end('ok'));
    const watched = await watchModel('OPENAI_BASE_URL', { OPENAI_BASE_URL: `${up.url}/v1`, PATH: '/bin' }, () => {});
    closers.push(() => watched.proxy!.close());
    expect(watched).toMatchObject({ note: null, env: { OPENAI_BASE_URL: watched.proxy!.url, PATH: '/bin' } });
    expect((await request(`${watched.env.OPENAI_BASE_URL}/models`)).body).toBe('ok');
    for (const [name, env] of [
      [undefined, { OPENAI_BASE_URL: up.url }],
      ['OPENAI_BASE_URL', {}],
      ['OPENAI_BASE_URL', { OPENAI_BASE_URL: 'unix:///tmp/socket' }],
    ] as const) {
      const same = await watchModel(name, env, () => {});
      expect(same).toEqual({ env, proxy: null, note: null });
    }
  });

  it('does not watch when the environment sends the agent through an HTTP proxy, and says so', async () => {
    const env = { OPENAI_BASE_URL: 'https://api.example.com/v1', https_proxy: 'http://proxy.example.com:3128' };
    const watched = await watchModel('OPENAI_BASE_URL', env, () => {});
    expect(watched).toMatchObject({ env, proxy: null, note: expect.stringContaining('HTTP proxy') });
  });
});
