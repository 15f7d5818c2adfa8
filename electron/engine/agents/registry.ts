import type { AdapterId } from '../../../shared/domain.js';
import type { AgentAdapter } from './adapter.js';
import { aiderAdapter } from './aider-adapter.js';
import { claudeAdapter } from './claude-adapter.js';
import { codexAdapter } from './codex-adapter.js';
import { commandAdapter } from './command-adapter.js';
import { opencodeAdapter } from './opencode-adapter.js';
import { geminiAdapter, qwenAdapter } from './qwen-gemini-adapters.js';

const ADAPTERS: Record<AdapterId, AgentAdapter> = {
  command: commandAdapter,
  claude: claudeAdapter,
  codex: codexAdapter,
  opencode: opencodeAdapter,
  qwen: qwenAdapter,
  gemini: geminiAdapter,
  aider: aiderAdapter,
};

export function adapterFor(id: AdapterId): AgentAdapter {
  return ADAPTERS[id];
}

export function allAdapters(): AgentAdapter[] {
  return Object.values(ADAPTERS);
}
