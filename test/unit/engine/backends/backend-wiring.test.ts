// How each adapter is pointed at a backend: its environment, flags and model name; a key only ever in the environment.
import { describe, expect, it } from 'vitest';
import type { AdapterId, ProfileInfo } from '../../../../shared/domain.js';
import { wiredProfile } from '../../../../electron/engine/agents/backend-wiring.js';
import type { BackendTarget } from '../../../../electron/engine/agents/backend-wiring.js';
import { adapterFor } from '../../../../electron/engine/agents/registry.js';

const KEY = 'sk-unit-test-key-0123456789';

function profile(adapter: AdapterId, extra: Partial<ProfileInfo> = {}): ProfileInfo {
  return { id: 1, name: 'p', adapter, command: [adapter], env: {}, secretEnv: {}, needsInput: null, options: { model: 'qwen3-coder', backend: 'b' }, builtin: false, createdAt: 0, ...extra };
}

const target = (extra: Partial<BackendTarget> = {}): BackendTarget => ({ name: 'b', kind: 'ollama', url: 'http://127.0.0.1:11434', apiKey: null, model: 'qwen3-coder', contextLength: 32768, ...extra });

function launched(adapter: AdapterId, t: BackendTarget, base = profile(adapter)) {
  const wired = wiredProfile(base, adapterFor(adapter).backend!, t);
  const spec = adapterFor(adapter).launch(wired, { kind: 'start', prompt: 'hi', promptFile: '/tmp/p', worktree: '/tmp/w', sessionId: null, binary: `/bin/${adapter}` });
  return { wired, spec };
}

describe('backend wiring', () => {
  it('Claude: the Anthropic base URL, a placeholder token, the model in every slot, and no key from elsewhere', () => {
    const { spec } = launched('claude', target());
    expect(spec.env).toMatchObject({
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:11434',
      ANTHROPIC_AUTH_TOKEN: 'ollama',
      ANTHROPIC_API_KEY: '',
      ANTHROPIC_DEFAULT_HAIKU_MODEL: 'qwen3-coder',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    });
    expect(spec.argv).toEqual(expect.arrayContaining(['--model', 'qwen3-coder']));
    const cloud = launched('claude', target({ kind: 'anthropic', apiKey: KEY })).spec;
    expect(cloud.env).toMatchObject({ ANTHROPIC_API_KEY: KEY, ANTHROPIC_AUTH_TOKEN: '' });
    expect(cloud.argv.join(' ')).not.toContain(KEY);
  });

  it('Codex: a Responses provider as -c overrides (no config.toml), and its key by variable name only', () => {
    const { spec } = launched('codex', target({ kind: 'lmstudio', url: 'http://127.0.0.1:1234', apiKey: KEY }));
    const overrides = spec.argv.flatMap((a, i) => (spec.argv[i - 1] === '-c' ? [a] : []));
    expect(overrides).toEqual([
      'model_provider="errand_backend"',
      'model_providers.errand_backend.name="b"',
      'model_providers.errand_backend.base_url="http://127.0.0.1:1234/v1"',
      'model_providers.errand_backend.wire_api="responses"',
      'model_providers.errand_backend.env_key="ERRAND_BACKEND_API_KEY"',
    ]);
    expect(spec.argv).toEqual(expect.arrayContaining(['-m', 'qwen3-coder']));
    expect(spec.env.ERRAND_BACKEND_API_KEY).toBe(KEY);
    expect(spec.argv.join(' ')).not.toContain(KEY);
    // Without a key, no env_key: a local server needs none.
    expect(launched('codex', target()).spec.argv.join(' ')).not.toContain('env_key');
  });

  it("OpenCode: a provider added to the profile's own OPENCODE_CONFIG_CONTENT, with the model's context, and provider/model", () => {
    const own = profile('opencode', { env: { OPENCODE_CONFIG_CONTENT: JSON.stringify({ permission: { bash: 'ask' }, provider: { mine: { npm: 'x' } } }) } });
    const { spec, wired } = launched('opencode', target(), own);
    const config = JSON.parse(spec.env.OPENCODE_CONFIG_CONTENT!) as Record<string, any>;
    expect(config.permission).toEqual({ bash: 'ask' });
    expect(Object.keys(config.provider)).toEqual(['mine', 'errand_backend']);
    expect(config.provider.errand_backend).toEqual({
      npm: '@ai-sdk/openai-compatible',
      name: 'b (Errand)',
      options: { baseURL: 'http://127.0.0.1:11434/v1', apiKey: 'ollama' },
      models: { 'qwen3-coder': { limit: { context: 32768, output: 8192 } } },
    });
    expect(wired.options.model).toBe('errand_backend/qwen3-coder');
    expect(spec.argv).toEqual(expect.arrayContaining(['--model', 'errand_backend/qwen3-coder']));
  });

  it("Qwen: OpenAI auth through its variables (the adapter adds --auth-type openai)", () => {
    const { spec } = launched('qwen', target({ kind: 'llama-server', url: 'http://127.0.0.1:8080' }));
    expect(spec.env).toMatchObject({ OPENAI_BASE_URL: 'http://127.0.0.1:8080/v1', OPENAI_API_KEY: 'llama-server', OPENAI_MODEL: 'qwen3-coder' });
    expect(spec.argv.join(' ')).toContain('--auth-type openai');
  });

  it('Aider: ollama_chat/ on Ollama, openai/ with OPENAI_API_BASE elsewhere', () => {
    const onOllama = launched('aider', target());
    expect(onOllama.spec.env).toMatchObject({ OLLAMA_API_BASE: 'http://127.0.0.1:11434' });
    expect(onOllama.spec.argv).toEqual(expect.arrayContaining(['--model', 'ollama_chat/qwen3-coder']));
    const onLab = launched('aider', target({ kind: 'openai', url: 'https://lab.example', apiKey: KEY }));
    expect(onLab.spec.env).toMatchObject({ OPENAI_API_BASE: 'https://lab.example/v1', OPENAI_API_KEY: KEY });
    expect(onLab.spec.argv).toEqual(expect.arrayContaining(['--model', 'openai/qwen3-coder']));
    expect(onLab.spec.argv.join(' ')).not.toContain(KEY);
  });

  it('a command profile is told the URL, model, kind and key; Gemini CLI has no wiring', () => {
    const base = profile('command', { command: ['my-agent', '{prompt}'] });
    const { spec } = launched('command', target({ apiKey: KEY }), base);
    expect(spec.env).toMatchObject({ ERRAND_MODEL_URL: 'http://127.0.0.1:11434', ERRAND_MODEL: 'qwen3-coder', ERRAND_MODEL_KIND: 'ollama', ERRAND_MODEL_API_KEY: KEY });
    expect(adapterFor('gemini').backend).toBeUndefined();
  });

  it('each CLI names the API it needs', () => {
    const needs = (['claude', 'codex', 'opencode', 'qwen', 'aider', 'command'] as const).map((id) => [id, adapterFor(id).backend?.needs]);
    expect(needs).toEqual([['claude', 'messages'], ['codex', 'responses'], ['opencode', 'chat'], ['qwen', 'chat'], ['aider', 'chat'], ['command', null]]);
  });
});
