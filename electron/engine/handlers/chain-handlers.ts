// Requests about chains: templates (built-in and saved), and one task's chain.
import type { MethodParams, MethodResults } from '../../../shared/protocol/methods.js';
import { ChainActions } from '../chains/chain-actions.js';
import type { ChainService } from '../chains/chain-service.js';

type ChainMethod = 'chain.add' | 'chain.list' | 'chain.get' | 'chain.remove' | 'chain.status' | 'chain.continue' | 'chain.skip' | 'chain.edit';

export function chainHandlers(chains: ChainService): { [M in ChainMethod]: (p: MethodParams<M>) => MethodResults[M] } {
  const actions = new ChainActions(chains);
  return {
    'chain.add': (p) => chains.templates.add(p.name, p.description ?? '', p.steps, p.replace ?? false),
    'chain.list': () => chains.templates.list(),
    'chain.get': (p) => chains.templates.get(p.name),
    'chain.remove': (p) => ({ removed: chains.templates.remove(p.name) }),
    'chain.status': (p) => actions.get(p.id),
    'chain.continue': (p) => actions.continue(p.id),
    'chain.skip': (p) => actions.skip(p.id, p.step),
    'chain.edit': (p) => actions.edit(p.id, p.step, { prompt: p.prompt, profile: p.profile, gate: p.gate }),
  };
}
