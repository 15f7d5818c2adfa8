// `errand serve`: web mode on 127.0.0.1, a URL with a token, and nothing served to a request that lacks the token, is
// sent to another Host (DNS rebinding), or comes from another Origin (a cross-site page).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { MAX_WEB_MESSAGE_BYTES } from '../../../shared/protocol/limits.js';
import { waitUntil } from '../../support/processes.js';
import { ERRAND_BIN, Sandbox } from '../../support/sandbox.js';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' });
    });
    req.on('error', reject);
    req.end();
  });
}

const upgrade = (token: string) => ({
  connection: 'Upgrade',
  upgrade: 'websocket',
  'sec-websocket-version': '13',
  'sec-websocket-key': Buffer.from('0123456789abcdef').toString('base64'),
  token,
});

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

describe('errand serve', () => {
  let sb: Sandbox;
  let child: ChildProcess;
  let served: { url: string; host: string; port: number };
  let token: string;

  beforeAll(async () => {
    sb = new Sandbox();
    child = spawn(process.execPath, [ERRAND_BIN, 'serve', '--json'], { env: sb.env, stdio: ['ignore', 'pipe', 'inherit'] });
    served = await new Promise((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!));
      });
      child.once('exit', (code) => reject(new Error(`errand serve exited ${code}`)));
    });
    token = new URL(served.url).searchParams.get('token')!;
  });
  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await sb.cleanup();
  });

  const ws = (headers: Record<string, string>) => {
    const { token: t, ...rest } = headers;
    return get(served.port, `/rpc?token=${encodeURIComponent(t ?? '')}`, rest);
  };
  const origin = () => `http://127.0.0.1:${served.port}`;

  it('prints a local URL with a long random token', () => {
    expect(served.host).toBe('127.0.0.1');
    expect(served.url).toBe(`http://127.0.0.1:${served.port}/?token=${token}`);
    expect(token.length).toBeGreaterThanOrEqual(40);
  });

  it('serves the page to the URL it printed, with a strict CSP and the token moved into an HttpOnly SameSite cookie', async () => {
    const page = await get(served.port, `/?token=${token}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Errand</title>');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['set-cookie']?.[0]).toMatch(new RegExp(`^errand_token=${token}; HttpOnly; SameSite=Strict`));
    expect((await get(served.port, '/', { cookie: `errand_token=${token}` })).status).toBe(200);
  });

  it('serves nothing without the right token, or at another Host', async () => {
    expect((await get(served.port, '/')).status).toBe(401);
    const wrong = await get(served.port, `/?token=${token.slice(0, -1)}x`);
    expect(wrong.status).toBe(401);
    expect(wrong.body).not.toContain('Errand</title>');
    expect((await get(served.port, `/?token=${token}`, { host: `localhost:${served.port}` })).status).toBe(403);
    expect((await get(served.port, `/?token=${token}`, { host: `evil.example:${served.port}` })).status).toBe(403);
    expect((await get(served.port, `/?token=${token}`, { origin: 'http://evil.example' })).status).toBe(403);
  });

  it('refuses a WebSocket with a wrong token, a wrong Host, or a wrong or missing Origin', async () => {
    expect((await ws({ ...upgrade('nope'), origin: origin() })).status).toBe(401);
    expect((await ws({ ...upgrade(token), origin: origin(), host: `rebound.example:${served.port}` })).status).toBe(403);
    expect((await ws({ ...upgrade(token), origin: 'http://evil.example' })).status).toBe(403);
    expect((await ws({ ...upgrade(token), origin: `http://localhost:${served.port}` })).status).toBe(403);
    expect((await ws(upgrade(token))).status).toBe(403);
    expect((await ws({ ...upgrade(token), origin: origin() })).status).toBe(101);
  });

  it('answers requests and pushes events over the right WebSocket, one message per frame', async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${served.port}/rpc?token=${token}`, { origin: origin() });
    const messages: any[] = [];
    const waitFor = (test: (m: any) => boolean, what: string) =>
      new Promise<any>((resolve, reject) => {
        const found = messages.find(test);
        if (found) return resolve(found);
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 20_000);
        socket.on('message', () => {
          const hit = messages.find(test);
          if (!hit) return;
          clearTimeout(timer);
          resolve(hit);
        });
      });
    socket.on('message', (data) => messages.push(JSON.parse(String(data))));
    await new Promise((resolve, reject) => (socket.once('open', resolve), socket.once('error', reject)));
    socket.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'events.subscribe' }));
    const snapshot = await waitFor((m) => m.id === 1, 'the snapshot');
    expect(snapshot.result.seq).toBeTypeOf('number');
    socket.send(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'repo.add', params: { path: sb.repo('web') } }));
    await waitFor((m) => m.id === 2, 'repo.add');
    socket.send(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'engine.status' }));
    expect((await waitFor((m) => m.id === 3, 'engine.status')).result.pid).toBeTypeOf('number');
    socket.close();
  });

  it('closes a WebSocket that sends a frame over its limit (1009), and keeps serving', async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${served.port}/rpc?token=${token}`, { origin: origin() });
    socket.on('error', () => {});
    await new Promise((resolve, reject) => (socket.once('open', resolve), socket.once('error', reject)));
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send('x'.repeat(MAX_WEB_MESSAGE_BYTES + 1));
    expect(await closed).toBe(1009);
    expect((await ws({ ...upgrade(token), origin: origin() })).status).toBe(101);
  });

  it('stops serving when errand serve stops', async () => {
    expect(await listening(served.port)).toBe(true);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    await exited;
    await waitUntil(async () => !(await listening(served.port)), 'the web server to close');
  });
});
