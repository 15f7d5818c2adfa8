import type { AdapterId } from '../../../shared/domain.js';
import type { AgentAdapter } from './adapter.js';
import { commandAdapter } from './command-adapter.js';

const ADAPTERS: Record<AdapterId, AgentAdapter> = {
  command: commandAdapter,
};

export function adapterFor(id: AdapterId): AgentAdapter {
  return ADAPTERS[id];
}
