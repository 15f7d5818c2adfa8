// A profile bound to a backend, against what the backend's probe found.
import { describe, expect, it } from 'vitest';
import type { BackendStatus, ProfileInfo } from '../../../../shared/domain.js';
import { checkProfile, combosFor, statusWarnings } from '../../../../electron/engine/backends/compatibility.js';

const status = (extra: Partial<BackendStatus> = {}): BackendStatus => ({
  name: 'ollama',
  kind: 'ollama',
  url: 'http://127.0.0.1:11434',
  source: 'detected',
  health: 'ok',
  problem: null,
  version: '0.14.2',
  models: [
    { name: 'qwen3-coder:latest', loaded: true, contextLength: 8192 },
    { name: 'llama3', loaded: false, contextLength: null },
  ],
  contextLength: 8192,
  apis: ['chat', 'responses', 'messages'],
  capacity: 1,
  capacitySource: 'default',
  busy: null,
  key: null,
  warnings: [],
  checkedAt: 0,
  ...extra,
});

const profile = (adapter: ProfileInfo['adapter'], model?: string): ProfileInfo => ({
  id: 1, name: 'p', adapter, command: [adapter], env: {}, secretEnv: {}, needsInput: null, options: { backend: 'ollama', ...(model ? { model } : {}) }, builtin: false, createdAt: 0,
});

describe('backend compatibility', () => {
  it('a model named without :latest is the same model, and a short loaded context is a warning', () => {
    expect(checkProfile(profile('opencode', 'qwen3-coder'), status())).toEqual({
      profile: 'p', adapter: 'opencode', backend: 'ollama', model: 'qwen3-coder', ok: true, problems: [],
      warnings: [expect.stringMatching(/^qwen3-coder:latest is loaded with a 8192-token context on ollama; coding agents need 65536 or more/)],
    });
  });

  it('a model the backend does not have, a backend that is down, and no backend at all are problems', () => {
    expect(checkProfile(profile('qwen', 'mistral'), status()).problems).toEqual(['ollama has no model "mistral" (it has qwen3-coder:latest, llama3)']);
    expect(checkProfile(profile('qwen', 'mistral'), status({ health: 'down', problem: 'nothing listens there', models: [] })).problems).toEqual(['ollama is down: nothing listens there']);
    expect(checkProfile(profile('qwen', 'x'), null).problems).toEqual(['there is no backend "ollama": add it with errand backend add ollama <url> --kind …']);
  });

  it('an Anthropic-only backend serves Claude alone; warnings name the CLIs it cannot serve', () => {
    const anthropic = status({ name: 'cloud', kind: 'anthropic', version: null, apis: ['messages'], models: [] });
    const combos = combosFor(anthropic);
    expect(combos.filter((c) => c.ok).map((c) => c.adapter)).toEqual(['claude']);
    expect(statusWarnings(anthropic, combos)).toEqual([
      'codex needs the OpenAI Responses API, which an Anthropic-compatible backend does not serve',
      'opencode needs the OpenAI Chat Completions API, which an Anthropic-compatible backend does not serve',
      'qwen needs the OpenAI Chat Completions API, which an Anthropic-compatible backend does not serve',
      'aider needs the OpenAI Chat Completions API, which an Anthropic-compatible backend does not serve',
    ]);
  });
});
