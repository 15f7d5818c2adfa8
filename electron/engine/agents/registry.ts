import type { AdapterId } from '../../../shared/domain.js';
import { ErrandError } from '../../../shared/protocol/errors.js';
import type { AgentAdapter } from './adapter.js';
import { aiderAdapter } from './aider-adapter.js';
import { claudeAdapter } from './claude-adapter.js';
import { codexAdapter } from './codex-adapter.js';
import { commandAdapter } from './command-adapter.js';
import { geminiAdapter, qwenAdapter } from './qwen-gemini-adapters.js';

const ADAPTERS: Partial<Record<AdapterId, AgentAdapter>> = {
  command: commandAdapter,
  claude: claudeAdapter,
  codex: codexAdapter,
  qwen: qwenAdapter,
  gemini: geminiAdapter,
  aider: aiderAdapter,
};

export function adapterFor(id: AdapterId): AgentAdapter {
  const adapter = ADAPTERS[id];
  if (!adapter) throw new ErrandError('not_found', `Errand has no adapter for ${id} yet.`);
  return adapter;
}

export function allAdapters(): AgentAdapter[] {
  return Object.values(ADAPTERS);
}
