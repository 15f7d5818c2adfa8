// The scripted Ollama, LM Studio and llama-server: their identity and model endpoints, streamed generation through
// the scripted model, and the capacity they keep (queueing or refusing past it).
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalModelServer } from '../../fixtures/local-model-server.mjs';
import type { LocalModelServer } from '../../fixtures/local-model-server.mjs';
import { PLAIN_TEXT } from '../../fixtures/model-server.mjs';

const servers: LocalModelServer[] = [];
async function start(options: Parameters<typeof startLocalModelServer>[0]): Promise<LocalModelServer> {
  const server = await startLocalModelServer(options);
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const getJson = async (url: string) => (await fetch(url)).json();

function chat(url: string, model = 'errand-plain'): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'What is the answer?' }] }),
  });
}

describe('scripted local model servers', () => {
  it('Ollama: identity, version, installed and loaded models with their context', async () => {
    const s = await start({ kind: 'ollama', models: [{ name: 'qwen3-coder', loaded: true, contextLength: 4096 }, { name: 'errand-plain' }] });
    expect(await (await fetch(s.url)).text()).toBe('Ollama is running');
    expect(await getJson(`${s.url}/api/version`)).toEqual({ version: '0.14.2' });
    const tags = (await getJson(`${s.url}/api/tags`)) as { models: { name: string }[] };
    expect(tags.models.map((m) => m.name)).toEqual(['qwen3-coder', 'errand-plain']);
    expect(await getJson(`${s.url}/api/ps`)).toMatchObject({ models: [{ name: 'qwen3-coder', context_length: 4096 }] });
  });

  it('LM Studio: its v1 REST model list with loaded instances, and the OpenAI list', async () => {
    const s = await start({ kind: 'lmstudio', models: [{ name: 'qwen3-coder', loaded: true }, { name: 'other' }] });
    const v1 = (await getJson(`${s.url}/api/v1/models`)) as { models: { key: string; loaded_instances: { config: { context_length: number } }[] }[] };
    expect(v1.models.map((m) => [m.key, m.loaded_instances.map((i) => i.config.context_length)])).toEqual([
      ['qwen3-coder', [65536]],
      ['other', []],
    ]);
    expect(await getJson(`${s.url}/v1/models`)).toMatchObject({ data: [{ id: 'qwen3-coder' }, { id: 'other' }] });
  });

  it('llama-server: health (503 while loading), props with total_slots and n_ctx, slots busy while serving', async () => {
    const s = await start({ kind: 'llama-server', capacity: 2, delayMs: 300, models: [{ name: 'errand-plain', loaded: true, contextLength: 32768 }] });
    s.state.loading = true;
    expect((await fetch(`${s.url}/health`)).status).toBe(503);
    s.state.loading = false;
    expect(await getJson(`${s.url}/health`)).toEqual({ status: 'ok' });
    expect(await getJson(`${s.url}/props`)).toMatchObject({ total_slots: 2, default_generation_settings: { n_ctx: 32768 } });
    const busy = chat(s.url);
    while (s.inFlight === 0) await new Promise((r) => setTimeout(r, 5));
    const slots = (await getJson(`${s.url}/slots`)) as { is_processing: boolean }[];
    expect(slots.map((slot) => slot.is_processing)).toEqual([true, false]);
    await (await busy).text();
  });

  for (const kind of ['ollama', 'lmstudio', 'llama-server'] as const) {
    it(`${kind}: streams chat, responses and messages through the scripted model`, async () => {
      const s = await start({ kind });
      const text = await (await chat(s.url)).text();
      expect(text).toContain('answer');
      const responses = await fetch(`${s.url}/v1/responses`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'errand-plain', stream: true, input: 'What is the answer?' }),
      });
      expect(await responses.text()).toContain('response.completed');
      const messages = await fetch(`${s.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'errand-plain', stream: true, max_tokens: 100, messages: [{ role: 'user', content: 'What is the answer?' }] }),
      });
      expect(await messages.text()).toContain('message_stop');
      expect(s.generations().map((r) => [r.api, r.answer?.text])).toEqual([
        ['openai-chat', PLAIN_TEXT],
        ['openai-responses', PLAIN_TEXT],
        ['anthropic', PLAIN_TEXT],
      ]);
    });
  }

  it('queues past its capacity: never more than C in flight, and every request is answered', async () => {
    const s = await start({ kind: 'ollama', capacity: 2, delayMs: 100 });
    const answers = await Promise.all(Array.from({ length: 6 }, () => chat(s.url).then((r) => r.status)));
    expect(answers).toEqual([200, 200, 200, 200, 200, 200]);
    expect(s.maxInFlight).toBe(2);
    expect(s.inFlight).toBe(0);
  });

  it('refuses past its capacity with 503 when told to (a server that sheds load)', async () => {
    const s = await start({ kind: 'llama-server', capacity: 1, delayMs: 200, overflow: 'reject' });
    const statuses = await Promise.all([chat(s.url), chat(s.url), chat(s.url)].map((p) => p.then(async (r) => (await r.text(), r.status))));
    expect(statuses.sort()).toEqual([200, 503, 503]);
    expect(s.rejected).toBe(2);
    expect(s.maxInFlight).toBe(1);
  });

  it('an API it does not serve answers 404 (an Ollama older than /v1/responses)', async () => {
    const s = await start({ kind: 'ollama', version: '0.12.0', apis: ['chat'] });
    const r = await fetch(`${s.url}/v1/responses`, { method: 'POST', body: '{}' });
    expect(r.status).toBe(404);
  });

  it('goes down and comes back on the same port', async () => {
    const s = await start({ kind: 'ollama' });
    await s.down();
    await expect(fetch(s.url)).rejects.toThrow();
    await s.up();
    expect((await fetch(s.url)).status).toBe(200);
  });
});
