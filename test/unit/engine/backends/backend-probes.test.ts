// What a probe makes of each kind's answers, including older and odd servers; URLs and detection ports.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ollamaApis } from '../../../../electron/engine/backends/backend-kinds.js';
import { backendUrl } from '../../../../electron/engine/backends/backend-url.js';
import { localCandidates } from '../../../../electron/engine/backends/local-candidates.js';
import { probeBackend } from '../../../../electron/engine/backends/probe-backend.js';

const servers: Server[] = [];
afterEach(() => Promise.all(servers.splice(0).map((s) => new Promise((resolve) => (s.closeAllConnections(), s.close(resolve))))));

/** A server answering GETs from a table of path → [status, body]. */
async function serve(routes: Record<string, [number, unknown] | ((req: IncomingMessage, res: ServerResponse) => void)>): Promise<string> {
  const server = createServer((req, res) => {
    const route = routes[new URL(req.url!, 'http://x').pathname];
    if (typeof route === 'function') return route(req, res);
    const [status, body] = route ?? [404, { error: 'no' }];
    res.writeHead(status, { 'content-type': 'application/json' }).end(typeof body === 'string' ? body : JSON.stringify(body));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('backend probes', () => {
  it('Ollama: APIs by version (Responses from 0.13.3, Messages from 0.14)', () => {
    expect(ollamaApis('0.12.9')).toEqual({ apis: ['chat'], missing: { responses: 'Ollama 0.13.3 and later do', messages: 'Ollama 0.14 and later do' } });
    expect(ollamaApis('0.13.3').apis).toEqual(['chat', 'responses']);
    expect(ollamaApis('0.14.0-rc1').apis).toEqual(['chat', 'responses', 'messages']);
    expect(ollamaApis('1.0.0').apis).toEqual(['chat', 'responses', 'messages']);
  });

  it('Ollama: a loaded model missing from the installed list is still listed as loaded', async () => {
    const url = await serve({
      '/api/version': [200, { version: '0.14.1' }],
      '/api/tags': [200, { models: [{ name: 'a:latest' }] }],
      '/api/ps': [200, { models: [{ name: 'b', context_length: 8192 }] }],
    });
    expect(await probeBackend('ollama', url, null)).toMatchObject({
      health: 'ok',
      version: '0.14.1',
      models: [
        { name: 'a:latest', loaded: false, contextLength: null },
        { name: 'b', loaded: true, contextLength: 8192 },
      ],
    });
  });

  it('LM Studio before 0.4: the v0 REST API says what is loaded', async () => {
    const url = await serve({
      '/api/v0/models': [200, { data: [{ id: 'q', type: 'llm', state: 'loaded', loaded_context_length: 16384 }, { id: 'e', type: 'embeddings', state: 'loaded' }, { id: 'r', type: 'llm', state: 'not-loaded' }] }],
    });
    expect((await probeBackend('lmstudio', url, null)).models).toEqual([
      { name: 'q', loaded: true, contextLength: 16384 },
      { name: 'r', loaded: false, contextLength: null },
    ]);
  });

  it('llama-server: loading while /health is 503; slots unknown when /slots is off; the model from its path', async () => {
    let loading = true;
    const url = await serve({
      '/health': (_req, res) => res.writeHead(loading ? 503 : 200).end(loading ? '{"error":{"message":"Loading model"}}' : '{"status":"ok"}'),
      '/props': [200, { n_ctx: 4096, total_slots: 3, model_path: '/m/tiny-coder.Q4.gguf' }],
      '/slots': [501, { error: { message: 'This server does not support slots endpoint.' } }],
    });
    expect(await probeBackend('llama-server', url, null)).toMatchObject({ health: 'loading', problem: 'it is loading its model' });
    loading = false;
    expect(await probeBackend('llama-server', url, null)).toMatchObject({
      health: 'ok',
      slots: 3,
      busy: null,
      models: [{ name: 'tiny-coder.Q4', loaded: true, contextLength: 4096 }],
    });
  });

  it('something else on the port is not taken for the kind; silence is "down"; a refused key says so', async () => {
    const url = await serve({ '/api/version': [200, '<html>router login</html>'], '/health': [200, 'ok'] });
    expect(await probeBackend('ollama', url, null)).toMatchObject({ health: 'error', problem: 'it answers, but not like Ollama (GET /api/version)' });
    expect(await probeBackend('llama-server', url, null)).toMatchObject({ health: 'error', problem: 'it answers, but not like llama-server (GET /props)' });
    expect((await probeBackend('lmstudio', 'http://127.0.0.1:9', null)).health).toBe('down');
    const cloud = await serve({ '/v1/models': [401, { error: { message: 'bad key' } }] });
    expect(await probeBackend('openai', cloud, 'k')).toMatchObject({ health: 'error', problem: expect.stringMatching(/^its key was refused \(HTTP 401\)/) });
  });

  it('an answer past its size bound is not read to the end', async () => {
    const url = await serve({
      '/api/version': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(256 * 1024, 0x20);
        const pump = () => {
          while (!res.destroyed && res.write(chunk));
          if (!res.destroyed) res.once('drain', pump);
        };
        pump();
      },
    });
    expect(await probeBackend('ollama', url, null)).toMatchObject({ health: 'error', problem: 'GET /api/version: its answer is over 2 MiB' });
  });

  it('backend URLs: the root, without /v1, credentials, queries or other schemes', () => {
    expect(backendUrl('http://gpu-box:8080/v1/')).toBe('http://gpu-box:8080');
    expect(backendUrl(' https://openrouter.ai/api/v1 ')).toBe('https://openrouter.ai/api');
    expect(() => backendUrl('http://u:p@h')).toThrow(/user or password/);
    expect(() => backendUrl('http://h/?key=1')).toThrow(/query or fragment/);
    expect(() => backendUrl('file:///etc')).toThrow(/http:\/\/ or https:\/\//);
    expect(() => backendUrl('gpu-box:8080')).toThrow();
  });

  it('detection ports: the defaults, or ERRAND_LOCAL_PORTS (bad entries ignored, empty means none)', () => {
    expect(localCandidates({}).map((c) => [c.name, c.url])).toEqual([
      ['ollama', 'http://127.0.0.1:11434'],
      ['lmstudio', 'http://127.0.0.1:1234'],
      ['llama-server', 'http://127.0.0.1:8080'],
      ['llama-server-9931', 'http://127.0.0.1:9931'],
    ]);
    expect(localCandidates({ ERRAND_LOCAL_PORTS: 'ollama=5,vllm=6,lmstudio=70000, llama-server = 7 ' }).map((c) => c.name + '@' + c.url)).toEqual([
      'ollama@http://127.0.0.1:5',
      'llama-server@http://127.0.0.1:7',
    ]);
    expect(localCandidates({ ERRAND_LOCAL_PORTS: '' })).toEqual([]);
  });
});
