// Model backends through the real CLI and engine: detection of scripted Ollama, LM Studio and llama-server on
// loopback, `errand models` (health, models, context, APIs, capacity, warnings), `errand backend add|ls|rm` with
// keys kept as references, and profiles bound to a backend.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { BackendInfo, BackendStatus, TaskInfo } from '../../../shared/domain.js';
import type { ModelsReport } from '../../../shared/protocol/methods.js';
import { waitUntil } from '../../support/processes.js';
import { startLocalModelServer } from '../../fixtures/local-model-server.mjs';
import type { LocalModelServer } from '../../fixtures/local-model-server.mjs';
import { PLAIN_TEXT, startModelServer } from '../../fixtures/model-server.mjs';
import type { ModelServer } from '../../fixtures/model-server.mjs';
import { EventWatcher } from '../../support/event-watcher.js';
import { ROOT, Sandbox } from '../../support/sandbox.js';

const BACKEND_AGENT = `${ROOT}/test/fixtures/backend-agent.mjs`;
const KEY = 'sk-errand-backend-test-0123456789';

let cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const clean of cleanups.reverse()) await clean();
  cleanups = [];
});

async function local(options: Parameters<typeof startLocalModelServer>[0]): Promise<LocalModelServer> {
  const server = await startLocalModelServer(options);
  cleanups.push(() => server.close());
  return server;
}

/** A port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A sandbox whose engine looks for local servers on these ports only. */
function sandbox(ports: string, env: Record<string, string> = {}): Sandbox {
  const sb = new Sandbox();
  Object.assign(sb.env, { ERRAND_LOCAL_PORTS: ports, ...env });
  cleanups.push(() => sb.cleanup());
  return sb;
}

const byName = (report: ModelsReport, name: string): BackendStatus => report.backends.find((b) => b.name === name)!;

describe('model backends', () => {
  it('detects Ollama, LM Studio and llama-server on loopback, and says what each has', async () => {
    const ollama = await local({
      kind: 'ollama',
      models: [{ name: 'qwen3-coder', loaded: true, contextLength: 4096 }, { name: 'errand-plain' }, { name: 'errand-edit' }],
    });
    const lmstudio = await local({ kind: 'lmstudio', models: [{ name: 'qwen3-coder', loaded: true }, { name: 'other' }] });
    const llama = await local({ kind: 'llama-server', capacity: 2, models: [{ name: 'errand-hang', loaded: true }] });
    const nothing = await closedPort();
    const sb = sandbox(`ollama=${ollama.port},lmstudio=${lmstudio.port},llama-server=${llama.port},llama-server=${nothing}`);
    // One slot of llama-server busy: a request that holds its answer open.
    const busy = new AbortController();
    const held = fetch(`${llama.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'errand-hang', stream: true, messages: [{ role: 'user', content: 'hold' }] }),
      signal: busy.signal,
    }).then((r) => r.body?.getReader().read(), () => undefined);
    cleanups.push(() => busy.abort());
    await llama.waitForRequest((r) => r.model === 'errand-hang');

    const report = await sb.json<ModelsReport>(['models']);
    expect(report.backends.map((b) => [b.name, b.kind, b.source, b.health])).toEqual([
      ['ollama', 'ollama', 'detected', 'ok'],
      ['lmstudio', 'lmstudio', 'detected', 'ok'],
      ['llama-server', 'llama-server', 'detected', 'ok'],
    ]);
    expect(byName(report, 'ollama')).toMatchObject({
      url: ollama.url,
      version: '0.14.2',
      models: [
        { name: 'qwen3-coder', loaded: true, contextLength: 4096 },
        { name: 'errand-plain', loaded: false },
        { name: 'errand-edit', loaded: false },
      ],
      contextLength: 4096,
      apis: ['chat', 'responses', 'messages'],
      capacity: 1,
      capacitySource: 'default',
    });
    expect(byName(report, 'ollama').warnings).toEqual([expect.stringMatching(/^qwen3-coder is loaded with a 4096-token context on ollama; coding agents need 65536 or more: start Ollama with OLLAMA_CONTEXT_LENGTH=65536/)]);
    expect(byName(report, 'lmstudio')).toMatchObject({ capacity: 4, capacitySource: 'default', contextLength: 65536, warnings: [] });
    expect(byName(report, 'llama-server')).toMatchObject({ capacity: 2, capacitySource: 'slots', busy: 1, contextLength: 65536, models: [{ name: 'errand-hang', loaded: true }] });
    // Every CLI with local-model support can use all three; Gemini CLI none.
    const ok = report.combos.filter((c) => c.backend === 'ollama').map((c) => [c.adapter, c.ok]);
    expect(ok).toEqual([['claude', true], ['codex', true], ['opencode', true], ['qwen', true], ['gemini', false], ['aider', true]]);

    const human = await sb.errand(['models']);
    expect(human.stdout).toContain(`ollama: Ollama 0.14.2 at 127.0.0.1:${ollama.port} (ok, 3 models, qwen3-coder loaded, ctx 4096, capacity 1)`);
    expect(human.stdout).toContain(`llama-server: llama-server b6500 at 127.0.0.1:${llama.port} (ok, 1 model, errand-hang loaded, ctx 65536, capacity 2, 1 busy)`);
    expect(human.stdout).toContain('  ! qwen3-coder is loaded with a 4096-token context');
    busy.abort();
    await held;
  });

  it('an Ollama without /v1/responses cannot serve Codex, and says which version can', async () => {
    const ollama = await local({ kind: 'ollama', version: '0.12.0', apis: ['chat'] });
    const sb = sandbox(`ollama=${ollama.port}`);
    const report = await sb.json<ModelsReport>(['models']);
    expect(byName(report, 'ollama').apis).toEqual(['chat']);
    const codex = report.combos.find((c) => c.backend === 'ollama' && c.adapter === 'codex');
    expect(codex).toEqual({
      adapter: 'codex',
      backend: 'ollama',
      ok: false,
      why: 'codex needs the OpenAI Responses API, which Ollama 0.12.0 does not serve (Ollama 0.13.3 and later do)',
    });
    expect(byName(report, 'ollama').warnings).toContain(codex!.why);
    // A profile can still name it (Ollama may be upgraded), and errand models says what stands in its way.
    await sb.json(['profile', 'add', 'local-codex', '--adapter', 'codex', '--backend', 'ollama', '--model', 'errand-plain']);
    const again = await sb.json<ModelsReport>(['models', '--refresh']);
    expect(again.profiles).toEqual([
      { profile: 'local-codex', adapter: 'codex', backend: 'ollama', model: 'errand-plain', ok: false, problems: [codex!.why], warnings: [] },
    ]);
    expect((await sb.errand(['profile', 'ls'])).stdout).toMatch(/local-codex +codex +codex \(on ollama \/ errand-plain\)/);
    // errand agents says the same, beside the CLIs it found.
    const agents = await sb.json<{ backends: ModelsReport }>(['agents']);
    expect(agents.backends.combos).toContainEqual(codex);
    expect((await sb.errand(['agents'])).stdout).toContain(`  profile local-codex (codex → ollama): ${codex!.why}`);
  }, 120_000);

  it('adds, lists and removes backends, keeping a key only as where to find it', async () => {
    const cloud = await startModelServer();
    cleanups.push(() => cloud.close());
    const sb = sandbox('', { LAB_KEY: KEY });
    const added = await sb.json<BackendInfo>(['backend', 'add', 'lab', `${cloud.url}/v1/`, '--kind', 'openai', '--key-env', 'LAB_KEY', '--capacity', '3']);
    expect(added).toMatchObject({ name: 'lab', kind: 'openai', url: cloud.url, key: { from: 'env', name: 'LAB_KEY' }, capacity: 3 });
    await sb.json(['backend', 'add', 'vault', 'https://api.example.invalid', '--kind', 'anthropic', '--key-keychain', 'errand/anthropic']);
    expect((await sb.errand(['backend', 'ls'])).stdout).toMatch(/lab +openai +http:\/\/127\.0\.0\.1:\d+ +env:LAB_KEY +3/);

    const report = await sb.json<ModelsReport>(['models']);
    expect(byName(report, 'lab')).toMatchObject({ source: 'configured', health: 'ok', capacity: 3, capacitySource: 'configured', key: 'env:LAB_KEY', apis: ['chat', 'responses'] });
    expect(byName(report, 'lab').models.map((m) => m.name)).toContain('errand-plain');
    // The probe sent the key (recorded only as "present"); the database holds the reference, not the key.
    expect(cloud.requests.find((r) => r.path === '/v1/models')?.headers.authorization).toBe('present');
    expect(byName(report, 'vault').health).toBe('error');
    const db = readFileSync(`${sb.dataDir}/errand.db`).toString('latin1') + readFileSync(`${sb.dataDir}/errand.db-wal`).toString('latin1');
    expect(db).toContain('LAB_KEY');
    expect(db).not.toContain(KEY);

    const watch = await EventWatcher.start(sb);
    cleanups.push(() => watch.stop());
    const removed = await sb.json(['backend', 'rm', 'vault']);
    expect(removed).toEqual({ removed: 'vault' });
    await watch.waitFor((e) => e.type === 'backend.changed' && e.name === 'vault' && e.backend === null, 'the removal announced');
    expect((await sb.json<BackendInfo[]>(['backend', 'ls'])).map((b) => b.name)).toEqual(['lab']);
  });

  it('refuses bad backends and bindings, and leaves what is stored as it was', async () => {
    const sb = sandbox('');
    await sb.json(['backend', 'add', 'lab', 'http://127.0.0.1:9', '--kind', 'llama-server']);
    const refused = async (args: string[], code: number, message: RegExp) => {
      const result = await sb.errand(args);
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code, stderr: expect.stringMatching(message) });
    };
    await refused(['backend', 'add', 'lab', 'http://127.0.0.1:8', '--kind', 'ollama'], 1, /A backend named "lab" exists\. Pass --replace/);
    await refused(['backend', 'add', 'x', 'http://user:secret@127.0.0.1:8', '--kind', 'openai'], 1, /may not carry a user or password.*--key-env/);
    await refused(['backend', 'add', 'x', 'ftp://127.0.0.1', '--kind', 'openai'], 1, /starts with http:\/\/ or https:\/\//);
    await refused(['backend', 'add', 'x', 'http://127.0.0.1:8', '--kind', 'vllm'], 2, /--kind takes ollama, lmstudio, llama-server, openai, anthropic/);
    await refused(['backend', 'add', 'x', 'http://127.0.0.1:8', '--kind', 'openai', '--capacity', '0'], 2, /--capacity takes a positive whole number/);
    await refused(['backend', 'add', 'x', 'http://127.0.0.1:8', '--kind', 'openai', '--key-env', 'A', '--key-keychain', 's/a'], 2, /give the key one way/);
    await refused(['profile', 'add', 'p', '--adapter', 'opencode', '--backend', 'nowhere', '--model', 'm'], 1, /There is no backend "nowhere"\. Add it with errand backend add nowhere <url> --kind/);
    await refused(['profile', 'add', 'p', '--adapter', 'gemini', '--backend', 'lab', '--model', 'm'], 1, /The gemini adapter cannot use a model backend/);
    await refused(['profile', 'add', 'p', '--adapter', 'opencode', '--backend', 'lab'], 1, /needs a model: pass --model/);
    await sb.json(['backend', 'add', 'claude-only', 'http://127.0.0.1:9', '--kind', 'anthropic']);
    await refused(['profile', 'add', 'p', '--adapter', 'opencode', '--backend', 'claude-only', '--model', 'm'], 1, /opencode cannot use claude-only: it needs the OpenAI Chat Completions API, which Anthropic-compatible backends do not serve/);
    await sb.json(['profile', 'add', 'on-lab', '--adapter', 'opencode', '--backend', 'lab', '--model', 'm']);
    await refused(['backend', 'rm', 'lab'], 1, /used by profile\(s\) on-lab; remove them first/);
    await refused(['backend', 'rm', 'ghost'], 1, /There is no backend "ghost"/);
    expect((await sb.json<BackendInfo[]>(['backend', 'ls'])).map((b) => [b.name, b.kind, b.url])).toEqual([
      ['claude-only', 'anthropic', 'http://127.0.0.1:9'],
      ['lab', 'llama-server', 'http://127.0.0.1:9'],
    ]);
    expect((await sb.json<{ name: string }[]>(['profile', 'ls'])).map((p) => p.name)).toEqual(['on-lab']);
  });

  it('a backend that never answers costs errand models its probe timeout, and holds up no other request', async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => (sockets.forEach((s) => s.destroy()), silent.close(resolve))));
    const sb = sandbox(`ollama=${(silent.address() as AddressInfo).port}`);
    await sb.json(['backend', 'add', 'stuck', `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, '--kind', 'llama-server']);
    const order: string[] = [];
    const started = Date.now();
    const models = sb.json<ModelsReport>(['models']).then((r) => (order.push('models'), r));
    // Asked while the probe hangs on the silent server.
    await waitUntil(() => sockets.size > 0, 'the probe to reach the silent backend');
    await sb.json(['ls']).then(() => order.push('ls'));
    const report = await models;
    expect(order).toEqual(['ls', 'models']);
    expect(Date.now() - started).toBeLessThan(10_000);
    // The stuck server on Ollama's port is not reported as found; the one added is, with why it is not ok.
    expect(report.backends.map((b) => [b.name, b.health, b.problem])).toEqual([['stuck', 'down', 'GET /health: no answer within 1500 ms']]);
  });

  it('caches a report briefly: again at once is the same probe, --refresh and a change probe again', async () => {
    const ollama = await local({ kind: 'ollama' });
    const sb = sandbox(`ollama=${ollama.port}`);
    const first = await sb.json<ModelsReport>(['models']);
    const probes = ollama.probes.length;
    expect(probes).toBeGreaterThan(0);
    const second = await sb.json<ModelsReport>(['models']);
    expect(second.backends[0]!.checkedAt).toBe(first.backends[0]!.checkedAt);
    expect(ollama.probes.length).toBe(probes);
    const refreshed = await sb.json<ModelsReport>(['models', '--refresh']);
    expect(refreshed.backends[0]!.checkedAt).toBeGreaterThan(first.backends[0]!.checkedAt);
    expect(ollama.probes.length).toBe(2 * probes);
    // Adding a backend changes the report: it is probed again at once.
    await sb.json(['backend', 'add', 'lab', 'http://127.0.0.1:9', '--kind', 'openai']);
    const changed = await sb.json<ModelsReport>(['models']);
    expect(changed.backends.map((b) => [b.name, b.health])).toEqual([['lab', 'down'], ['ollama', 'ok']]);
    expect(ollama.probes.length).toBe(3 * probes);
  });

  it('a profile on a backend is pointed at it: a command profile gets its URL, model and key, and the backend sees its requests', async () => {
    const ollama = await local({ kind: 'ollama' });
    const cloud = await startModelServer();
    cleanups.push(() => cloud.close());
    const sb = sandbox(`ollama=${ollama.port}`, { LAB_KEY: KEY });
    const repo = sb.repo();
    await sb.json(['backend', 'add', 'lab', cloud.url, '--kind', 'openai', '--key-env', 'LAB_KEY']);
    await sb.json(['profile', 'add', 'on-ollama', '--backend', 'ollama', '--model', 'errand-plain', '--', process.execPath, BACKEND_AGENT, '--requests', '2']);
    await sb.json(['profile', 'add', 'on-lab', '--backend', 'lab', '--model', 'errand-plain', '--', process.execPath, BACKEND_AGENT]);
    const watch = await EventWatcher.start(sb);
    cleanups.push(() => watch.stop());
    const local1 = await sb.json<TaskInfo>(['add', 'ask the local model', '--repo', repo, '--profile', 'on-ollama']);
    const cloud1 = await sb.json<TaskInfo>(['add', 'ask the cloud model', '--repo', repo, '--profile', 'on-lab']);
    await watch.waitFor((e) => e.type === 'run.status' && e.taskId === local1.id && e.status === 'succeeded' && e.ended, 'the local task');
    await watch.waitFor((e) => e.type === 'run.status' && e.taskId === cloud1.id && e.status === 'succeeded' && e.ended, 'the cloud task');
    expect(ollama.generations().map((r) => [r.api, r.model, r.answer?.text])).toEqual([
      ['openai-chat', 'errand-plain', PLAIN_TEXT],
      ['openai-chat', 'errand-plain', PLAIN_TEXT],
    ]);
    const sent = (cloud as ModelServer).requests.filter((r) => r.api === 'openai-chat');
    expect(sent.map((r) => r.headers.authorization)).toEqual(['present']);
    // The key reached the agent's environment only: not its recorded command, not the log of what Errand said.
    const { runs } = await sb.json<{ runs: { command: string[] }[] }>(['show', String(cloud1.id)]);
    expect(runs[0]!.command.join(' ')).not.toContain(KEY);
    const log = (await sb.errand(['logs', String(local1.id)])).stdout;
    expect(log).toContain(`request 2: ${PLAIN_TEXT}`);
  });
});
