// The scripted model server (test/fixtures/model-server.mjs) over real HTTP, without the agent CLIs: each API shape,
// scenario selection by model name, and the multi-turn tool flow.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ANSWERED_TEXT,
  codexModelCatalog,
  EDIT_DONE_TEXT,
  EDIT_INTRO_TEXT,
  HANG_TEXT,
  MODELS,
  type ModelServer,
  NO_TOOL_TEXT,
  NOTE_CONTENT,
  NOTE_FILE,
  PERMIT_ARGV,
  PERMIT_COMMAND,
  PERMIT_DONE_TEXT,
  PLAIN_TEXT,
  QUESTION_TEXT,
  REFUSED_TEXT,
  SIDE_TEXT,
  SLOW_TEXT,
  startModelServer,
} from '../fixtures/model-server.mjs';
import { ROOT } from '../support/sandbox.js';

type Json = any;
interface SseEvent {
  event?: string;
  data: Json;
}

const json = async (res: Response | Promise<Response>): Promise<Json> => (await res).json();

/** Reads a whole SSE response into events; `data: [DONE]` becomes the string '[DONE]'. */
async function readSse(res: Response): Promise<SseEvent[]> {
  expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((frame) => frame.trim() !== '')
    .map((frame) => {
      const event = /^event: (.*)$/m.exec(frame)?.[1];
      const data = /^data: (.*)$/m.exec(frame)?.[1] ?? '';
      return { event, data: data === '[DONE]' ? data : JSON.parse(data) };
    });
}

const bashTool = { type: 'object', properties: { command: { type: 'string' }, description: { type: 'string' } }, required: ['command', 'description'] };
const writeSchema = { type: 'object', properties: { file_path: { type: 'string' }, content: { type: 'string' } }, required: ['file_path', 'content'] };

describe('the scripted model server', () => {
  let server: ModelServer;
  const post = (path: string, body: Json, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  beforeAll(async () => {
    server = await startModelServer();
  });
  afterAll(() => server.close());

  it('answers the probes: HEAD and GET /, and the model lists', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${server.url}/`, { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(`${server.url}/`)).status).toBe(200);
    for (const path of ['/v1/models', '/models']) {
      const list = await json(fetch(`${server.url}${path}`));
      expect(list.data.map((m: Json) => m.id)).toEqual(MODELS);
    }
    const gemini = await json(fetch(`${server.url}/v1beta/models`));
    expect(gemini.models[0].name).toBe('models/errand-plain');
    expect((await fetch(`${server.url}/nowhere`)).status).toBe(404);
  });

  describe('Anthropic Messages', () => {
    it('streams a plain answer as message_start, text deltas, message_delta and message_stop', async () => {
      const res = await post('/v1/messages', { model: 'errand-plain', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'Hi' }] }, {
        'x-claude-code-session-id': 'session-1',
        'x-api-key': 'secret',
      });
      const events = await readSse(res);
      const names = events.map((e) => e.event);
      expect(names[0]).toBe('message_start');
      expect(names.slice(-2)).toEqual(['message_delta', 'message_stop']);
      expect(events.every((e) => e.event === e.data.type)).toBe(true);
      const text = events.filter((e) => e.data.delta?.type === 'text_delta').map((e) => e.data.delta.text).join('');
      expect(text).toBe(PLAIN_TEXT);
      const delta = events.find((e) => e.event === 'message_delta')!.data;
      expect(delta.delta.stop_reason).toBe('end_turn');
      expect(delta.usage.output_tokens).toBeGreaterThan(0);
      const recorded = server.requests.find((r) => r.headers['x-claude-code-session-id'] === 'session-1')!;
      expect(recorded).toMatchObject({ api: 'anthropic', model: 'errand-plain', scenario: 'plain', step: 0, hadToolResult: false, side: false });
      expect(recorded.headers['x-api-key']).toBe('present');
    });

    it('plays the edit scenario over two turns, with an absolute path from the announced working directory', async () => {
      const system = [{ type: 'text', text: 'You are an agent.\nWorking directory: /tmp/errand-work' }];
      const tools = [{ name: 'Bash', input_schema: bashTool }, { name: 'Write', input_schema: writeSchema }];
      const first = await readSse(await post('/v1/messages', { model: 'errand-edit', stream: true, system, tools, messages: [{ role: 'user', content: 'Make the note' }] }));
      const start = first.find((e) => e.data.content_block?.type === 'tool_use')!.data;
      expect(start.content_block).toMatchObject({ type: 'tool_use', name: 'Write', input: {} });
      const argsJson = first.filter((e) => e.data.index === start.index && e.data.delta?.type === 'input_json_delta').map((e) => e.data.delta.partial_json).join('');
      expect(JSON.parse(argsJson)).toEqual({ file_path: `/tmp/errand-work/${NOTE_FILE}`, content: NOTE_CONTENT });
      expect(first.find((e) => e.event === 'message_delta')!.data.delta.stop_reason).toBe('tool_use');
      const introText = first.filter((e) => e.data.delta?.type === 'text_delta').map((e) => e.data.delta.text).join('');
      expect(introText).toBe(EDIT_INTRO_TEXT);

      const messages = [
        { role: 'user', content: [{ type: 'text', text: 'Make the note' }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: start.content_block.id, name: 'Write', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: start.content_block.id, content: 'File created' }] },
      ];
      const second = await json(post('/v1/messages', { model: 'errand-edit', system, tools, messages }));
      expect(second).toMatchObject({ type: 'message', role: 'assistant', stop_reason: 'end_turn', content: [{ type: 'text', text: EDIT_DONE_TEXT }] });
      const recorded = server.requests.filter((r) => r.model === 'errand-edit');
      expect(recorded.map((r) => [r.step, r.hadToolResult, r.cwd])).toEqual([
        [0, false, '/tmp/errand-work'],
        [1, true, '/tmp/errand-work'],
      ]);
    });

    it('reports a refused tool call in its final text', async () => {
      const tools = [{ name: 'Bash', input_schema: bashTool }];
      const messages = [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'Bash', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'This command requires approval', is_error: true }] },
      ];
      const answer = await json(post('/v1/messages', { model: 'errand-permission', tools, messages }));
      expect(answer.content).toEqual([{ type: 'text', text: REFUSED_TEXT }]);
    });

    it('uses a question tool when one is offered, and thanks the person after the answer', async () => {
      const questionSchema = {
        type: 'object',
        properties: {
          questions: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                question: { type: 'string' },
                header: { type: 'string' },
                options: { type: 'array', items: { type: 'object', properties: { label: { type: 'string' }, description: { type: 'string' } }, required: ['label', 'description'] } },
                multiSelect: { type: 'boolean' },
              },
              required: ['question', 'header', 'options', 'multiSelect'],
            },
          },
        },
        required: ['questions'],
      };
      const tools = [{ name: 'AskUserQuestion', input_schema: questionSchema }];
      const ask = await json(post('/v1/messages', { model: 'errand-question', tools, messages: [{ role: 'user', content: 'Paint it' }] }));
      const call = ask.content.find((b: Json) => b.type === 'tool_use');
      expect(call.name).toBe('AskUserQuestion');
      expect(call.input.questions[0]).toMatchObject({ question: QUESTION_TEXT, multiSelect: false });
      expect(call.input.questions[0].options.map((o: Json) => o.label)).toEqual(['Red', 'Blue']);
      const messages = [
        { role: 'user', content: 'Paint it' },
        { role: 'assistant', content: [call] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: 'Answered: Red' }] },
      ];
      const thanks = await json(post('/v1/messages', { model: 'errand-question', tools, messages }));
      expect(thanks.content[0].text).toBe(ANSWERED_TEXT);
      const plain = await json(post('/v1/messages', { model: 'errand-question', messages: [{ role: 'user', content: 'Paint it' }] }));
      expect(plain.content[0].text).toBe(QUESTION_TEXT);
    });

    it('counts tokens, and answers haiku-slot and role "system" turns without advancing the scenario', async () => {
      const count = await json(post('/v1/messages/count_tokens', { model: 'errand-edit', messages: [{ role: 'user', content: 'x'.repeat(400) }] }));
      expect(count.input_tokens).toBeGreaterThan(90);
      const haiku = await json(post('/v1/messages', { model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'quota' }] }));
      expect(haiku.content[0].text).toBe(SIDE_TEXT);
      const messages = [
        { role: 'user', content: 'What is it?' },
        { role: 'system', content: 'Available agent types: ...' },
      ];
      const mid = await json(post('/v1/messages', { model: 'errand-plain', tools: [{ name: 'Bash', input_schema: bashTool }], messages }));
      expect(mid.content[0].text).toBe(PLAIN_TEXT);
      expect(server.requests.at(-1)!.prompt).toBe('What is it?');
    });
  });

  describe('OpenAI Chat Completions', () => {
    it('streams a plain answer in chunks, with usage when asked and [DONE] last', async () => {
      const events = await readSse(await post('/v1/chat/completions', { model: 'errand/errand-plain', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Hi' }] }));
      expect(events.at(-1)!.data).toBe('[DONE]');
      const chunks = events.slice(0, -1).map((e) => e.data);
      expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
      expect(chunks.flatMap((c) => c.choices.map((ch: Json) => ch.delta.content ?? '')).join('')).toBe(PLAIN_TEXT);
      expect(chunks.find((c) => c.choices[0]?.finish_reason)!.choices[0].finish_reason).toBe('stop');
      expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) } });
    });

    it('calls the shell tool through tool_calls deltas, then answers after the tool message', async () => {
      const tools = [
        { type: 'function', function: { name: 'bash', parameters: bashTool } },
        { type: 'function', function: { name: 'write', parameters: writeSchema } },
      ];
      const first = await readSse(await post('/v1/chat/completions', { model: 'errand-permission', stream: true, tools, messages: [{ role: 'user', content: 'touch it' }] }));
      const deltas = first.slice(0, -1).flatMap((e) => e.data.choices[0]?.delta?.tool_calls ?? []);
      expect(deltas[0]).toMatchObject({ index: 0, type: 'function', function: { name: 'bash', arguments: '' } });
      const args = JSON.parse(deltas.map((d: Json) => d.function.arguments ?? '').join(''));
      expect(args.command).toBe(PERMIT_COMMAND);
      expect(typeof args.description).toBe('string'); // required by the schema, so filled in
      expect(first.find((e) => e.data.choices?.[0]?.finish_reason)!.data.choices[0].finish_reason).toBe('tool_calls');
      const messages = [
        { role: 'system', content: 'sys' },
        { role: 'user', content: 'touch it' },
        { role: 'assistant', content: null, tool_calls: [{ id: deltas[0].id, type: 'function', function: { name: 'bash', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: deltas[0].id, content: '(no output)' },
      ];
      const second = await json(post('/v1/chat/completions', { model: 'errand-permission', tools, messages }));
      expect(second.choices[0]).toMatchObject({ message: { role: 'assistant', content: PERMIT_DONE_TEXT }, finish_reason: 'stop' });
    });

    it('returns tool_calls in a non-streaming answer, and says so when no suitable tool is offered', async () => {
      const tools = [{ type: 'function', function: { name: 'write_file', parameters: writeSchema } }];
      const answer = await json(post('/v1/chat/completions', { model: 'errand-edit', tools, messages: [{ role: 'user', content: 'note' }] }));
      const call = answer.choices[0].message.tool_calls[0];
      expect(call.function.name).toBe('write_file');
      expect(JSON.parse(call.function.arguments)).toEqual({ file_path: NOTE_FILE, content: NOTE_CONTENT });
      const readOnly = [{ type: 'function', function: { name: 'read_file', parameters: { type: 'object', properties: { path: { type: 'string' } } } } }];
      const none = await json(post('/v1/chat/completions', { model: 'errand-permission', tools: readOnly, messages: [{ role: 'user', content: 'x' }] }));
      expect(none.choices[0].message.content).toBe(NO_TOOL_TEXT);
    });

    it('treats a title request and a respond_in_schema call as side requests', async () => {
      const titleRequest = { model: 'errand-edit', messages: [{ role: 'system', content: 'You are a title generator. You output ONLY a thread title.' }, { role: 'user', content: 'x' }] };
      const title = await json(post('/v1/chat/completions', titleRequest));
      expect(title.choices[0].message.content).toBe(SIDE_TEXT);
      const schema = { type: 'object', properties: { reasoning: { type: 'string' }, next_speaker: { type: 'string', enum: ['model', 'user'] } }, required: ['reasoning', 'next_speaker'] };
      const tools = [{ type: 'function', function: { name: 'respond_in_schema', parameters: schema } }];
      const check = await json(post('/v1/chat/completions', { model: 'errand-edit', tools, messages: [{ role: 'user', content: 'who speaks next?' }] }));
      expect(JSON.parse(check.choices[0].message.tool_calls[0].function.arguments)).toMatchObject({ next_speaker: 'user' });
      expect(server.requests.slice(-2).map((r) => r.side)).toEqual([true, true]);
    });
  });

  describe('OpenAI Responses', () => {
    it('streams created, output items, text deltas and completed with usage', async () => {
      const events = await readSse(await post('/v1/responses', { model: 'errand-plain', stream: true, input: [{ role: 'user', content: [{ type: 'input_text', text: 'Hi' }] }] }));
      const types = events.map((e) => e.data.type);
      expect(types[0]).toBe('response.created');
      expect(types).toContain('response.output_item.added');
      expect(types).toContain('response.output_item.done');
      expect(types.at(-1)).toBe('response.completed');
      expect(events.every((e) => e.event === e.data.type)).toBe(true);
      expect(events.filter((e) => e.event === 'response.output_text.delta').map((e) => e.data.delta).join('')).toBe(PLAIN_TEXT);
      const completed = events.at(-1)!.data.response;
      expect(completed.status).toBe('completed');
      expect(completed.usage).toMatchObject({ input_tokens: expect.any(Number), output_tokens: expect.any(Number), total_tokens: expect.any(Number) });
      expect(completed.output[0].content[0].text).toBe(PLAIN_TEXT);
    });

    it("calls Codex's exec_command, then answers after the function_call_output", async () => {
      const tools = [
        { type: 'function', name: 'exec_command', parameters: { type: 'object', properties: { cmd: { type: 'string' }, workdir: { type: 'string' } }, required: ['cmd'] } },
        { type: 'function', name: 'write_stdin', parameters: { type: 'object', properties: { session_id: { type: 'number' } }, required: ['session_id'] } },
      ];
      const input = [
        { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'You are Codex.' }] },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: '<environment_context>\n  <cwd>/tmp/codex-work</cwd>\n</environment_context>' }] },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'touch it' }] },
      ];
      const first = await readSse(await post('/v1/responses', { model: 'errand-permission', stream: true, tools, input }));
      const call = first.find((e) => e.event === 'response.output_item.done' && e.data.item.type === 'function_call')!.data.item;
      expect(call.name).toBe('exec_command');
      expect(JSON.parse(call.arguments)).toEqual({ cmd: PERMIT_COMMAND });
      expect(first.some((e) => e.event === 'response.function_call_arguments.done')).toBe(true);
      const next = [...input, call, { type: 'function_call_output', call_id: call.call_id, output: 'Process exited with code 0' }];
      const second = await readSse(await post('/v1/responses', { model: 'errand-permission', stream: true, tools, input: next }));
      expect(second.filter((e) => e.event === 'response.output_text.delta').map((e) => e.data.delta).join('')).toBe(PERMIT_DONE_TEXT);
      expect(server.requests.at(-1)).toMatchObject({ step: 1, hadToolResult: true, cwd: '/tmp/codex-work', prompt: 'touch it' });
    });

    it("uses Codex's freeform apply_patch for an edit, and an argv array for a `shell` tool", async () => {
      const patchTools = [{ type: 'custom', name: 'apply_patch', format: { type: 'grammar', syntax: 'lark', definition: '...' } }];
      const edit = await json(post('/v1/responses', { model: 'errand-edit', tools: patchTools, input: 'note please' }));
      const patch = edit.output.find((i: Json) => i.type === 'custom_tool_call');
      expect(patch.name).toBe('apply_patch');
      expect(patch.input).toBe(`*** Begin Patch\n*** Add File: ${NOTE_FILE}\n+${NOTE_CONTENT.trim()}\n*** End Patch\n`);
      const shellTools = [{ type: 'function', name: 'shell', parameters: { type: 'object', properties: { command: { type: 'array', items: { type: 'string' } } }, required: ['command'] } }];
      const shell = await json(post('/v1/responses', { model: 'errand-permission', tools: shellTools, input: 'touch it' }));
      expect(JSON.parse(shell.output.find((i: Json) => i.type === 'function_call').arguments)).toEqual({ command: PERMIT_ARGV });
    });

    it('falls back to a plain-text question when the question tool is refused', async () => {
      const tools = [{ type: 'function', name: 'request_user_input', parameters: { type: 'object', properties: { questions: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, question: { type: 'string' } }, required: ['id', 'question'] } } }, required: ['questions'] } }];
      const input = [
        { role: 'user', content: 'ask me' },
        { type: 'function_call', call_id: 'c1', name: 'request_user_input', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: 'request_user_input is unavailable in Default mode' },
      ];
      const answer = await json(post('/v1/responses', { model: 'errand-question', tools, input }));
      expect(answer.output[0].content[0].text).toBe(QUESTION_TEXT);
    });
  });

  describe('Gemini API', () => {
    it('streams generateContent chunks with a functionCall, then a final text after the functionResponse', async () => {
      const tools = [{ functionDeclarations: [{ name: 'write_file', parametersJsonSchema: writeSchema }, { name: 'run_shell_command', parametersJsonSchema: bashTool }] }];
      const contents = [{ role: 'user', parts: [{ text: 'Workspace Directories:\n  - /tmp/gemini-work\n' }] }, { role: 'user', parts: [{ text: 'note' }] }];
      const first = await readSse(await post('/v1beta/models/errand-edit:streamGenerateContent?alt=sse', { contents, tools }));
      const last = first.at(-1)!.data;
      expect(last.candidates[0].finishReason).toBe('STOP');
      expect(last.usageMetadata.totalTokenCount).toBeGreaterThan(0);
      expect(last.candidates[0].content.parts[0].functionCall).toEqual({ name: 'write_file', args: { file_path: `/tmp/gemini-work/${NOTE_FILE}`, content: NOTE_CONTENT } });
      const next = [...contents, { role: 'model', parts: [{ functionCall: { name: 'write_file', args: {} } }] }, { role: 'user', parts: [{ functionResponse: { name: 'write_file', response: { output: 'ok' } } }] }];
      const second = await json(post('/v1beta/models/errand-edit:generateContent', { contents: next, tools }));
      expect(second.candidates[0].content.parts[0].text).toBe(EDIT_DONE_TEXT);
      const count = await json(post('/v1beta/models/errand-edit:countTokens', { contents }));
      expect(count.totalTokens).toBeGreaterThan(0);
    });
  });

  describe('scenario selection', () => {
    it('finds the scenario inside a longer model name, and answers unknown models with a short side text', async () => {
      for (const model of ['local/errand-plain', 'errand-plain:latest', 'ollama/errand-plain-v2']) {
        const answer = await json(post('/v1/chat/completions', { model, messages: [{ role: 'user', content: 'x' }] }));
        expect(answer.choices[0].message.content).toBe(PLAIN_TEXT);
      }
      const other = await json(post('/v1/chat/completions', { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }));
      expect(other.choices[0].message.content).toBe(SIDE_TEXT);
    });

    it('fails every request with the status in the name, in each API’s error shape, with a retry-now hint', async () => {
      const anthropic = await post('/v1/messages', { model: 'errand-http500', messages: [{ role: 'user', content: 'x' }] });
      expect(anthropic.status).toBe(500);
      expect(anthropic.headers.get('retry-after-ms')).toBe('0');
      expect(await json(anthropic)).toMatchObject({ type: 'error', error: { type: 'api_error' } });
      const chat = await post('/v1/chat/completions', { model: 'errand-http429', stream: true, messages: [{ role: 'user', content: 'x' }] });
      expect(chat.status).toBe(429);
      expect((await json(chat)).error.type).toBe('rate_limit_exceeded');
      const responses = await post('/v1/responses', { model: 'errand-http503', input: 'x' });
      expect(responses.status).toBe(503);
      const gemini = await post('/v1beta/models/errand-http500:streamGenerateContent?alt=sse', { contents: [] });
      expect((await json(gemini)).error).toMatchObject({ code: 500, status: 'INTERNAL' });
      expect(server.requests.at(-1)).toMatchObject({ status: 500, scenario: 'http' });
    });

    it('spaces the deltas of a slow stream', async () => {
      const started = Date.now();
      const events = await readSse(await post('/v1/chat/completions', { model: 'errand-slow-30ms', stream: true, messages: [{ role: 'user', content: 'x' }] }));
      const deltas = events.slice(0, -1).map((e) => e.data.choices[0]?.delta?.content).filter(Boolean);
      expect(deltas.join('')).toBe(SLOW_TEXT);
      expect(Date.now() - started).toBeGreaterThanOrEqual((deltas.length - 1) * 30);
    });

    it('holds a hanging stream open, recorded before it ends, until the client goes away', async () => {
      const res = await post('/v1/messages', { model: 'errand-hang', stream: true, messages: [{ role: 'user', content: 'wait' }] });
      const recorded = await server.waitForRequest((r) => r.scenario === 'hang');
      expect(recorded.answer?.text).toBe(HANG_TEXT);
      const reader = res.body!.getReader();
      let seen = '';
      while (!seen.includes('text_delta')) seen += new TextDecoder().decode((await reader.read()).value);
      await reader.cancel();
    });
  });

  it('runs standalone with --port and prints its URL', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'test/fixtures/model-server.mjs'), '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
      expect(line).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const answer = await json(fetch(`${line}/v1/messages`, { method: 'POST', body: JSON.stringify({ model: 'errand-plain', messages: [{ role: 'user', content: 'x' }] }) }));
      expect(answer.content[0].text).toBe(PLAIN_TEXT);
    } finally {
      child.kill();
    }
  });

  it('offers a Codex model catalog naming every scenario model', () => {
    const catalog = codexModelCatalog();
    expect(catalog.models.map((m) => m.slug)).toEqual(MODELS);
    expect(catalog.models[0]).toMatchObject({ apply_patch_tool_type: 'freeform', shell_type: 'shell_command' });
  });
});
