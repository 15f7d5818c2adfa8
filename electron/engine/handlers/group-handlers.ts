// Requests about batches, best-of groups and dependencies.
import type { Method, MethodParams, MethodResults } from '../../../shared/protocol/methods.js';
import type { Dependencies } from '../dependencies/dependencies.js';
import { discardOthers } from '../groups/best-of-pick.js';
import type { GroupsService } from '../groups/groups-service.js';
import { compareBestOf } from '../review/compare.js';
import type { ReviewService } from '../review/review-service.js';
import type { Store } from '../store/store.js';
import type { TasksService } from '../tasks-service.js';

type GroupMethod = 'batch.create' | 'batch.list' | 'batch.show' | 'batch.retry' | 'task.bestOf' | 'group.compare' | 'group.discardOthers' | 'task.after';

export interface GroupHandlerDeps {
  store: Store;
  tasks: TasksService;
  review: ReviewService;
  groups: GroupsService;
  dependencies: Dependencies;
}

export function groupHandlers(deps: GroupHandlerDeps): {
  [M in GroupMethod & Method]: (params: MethodParams<M>) => MethodResults[M] | Promise<MethodResults[M]>;
} {
  const { groups, dependencies } = deps;
  return {
    'batch.create': (p) => groups.createBatch(p),
    'batch.list': (p) => ({ groups: groups.list(p?.limit) }),
    'batch.show': (p) => groups.show(p.id),
    'batch.retry': (p) => groups.retryFailed(p.id),
    'task.bestOf': (p) => groups.bestOf(p),
    'group.compare': (p) => compareBestOf(p.id, deps),
    'group.discardOthers': (p) => discardOthers(p.id, p.dryRun ?? false, deps),
    'task.after': (p) => dependencies.addTo(p.id, p.prereq, p.needs ?? 'success'),
  };
}
