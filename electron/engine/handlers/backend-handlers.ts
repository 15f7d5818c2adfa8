// Requests about model backends: add, list and remove the person's own, and probe them all (errand models).
import type { MethodParams, MethodResults } from '../../../shared/protocol/methods.js';
import type { BackendsService } from '../backends/backends-service.js';

type BackendMethod = 'backend.add' | 'backend.list' | 'backend.remove' | 'models.list';
type BackendHandlers = { [M in BackendMethod]: (params: MethodParams<M>) => MethodResults[M] | Promise<MethodResults[M]> };

export function backendHandlers(backends: BackendsService): BackendHandlers {
  return {
    'backend.add': (p) => backends.add(p),
    'backend.list': () => backends.list(),
    'backend.remove': (p) => backends.remove(p.name),
    'models.list': (p) => backends.report(p?.refresh ?? false),
  };
}
