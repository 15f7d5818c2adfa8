// Requests about remembered decisions (`errand rules`); `errand allow --always` comes as task.decide.
import type { DecisionsService } from '../decisions/decisions-service.js';
import type { MethodParams, MethodResults } from '../../../shared/protocol/methods.js';

export function decisionHandlers(decisions: DecisionsService) {
  return {
    'rules.list': (p: MethodParams<'rules.list'>): MethodResults['rules.list'] => decisions.list(p),
    'rules.remove': (p: MethodParams<'rules.remove'>): MethodResults['rules.remove'] => decisions.remove(p.id),
  };
}
