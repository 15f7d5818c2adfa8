// Requests about collisions, merge trains and worktree hygiene.
import type { Method, MethodParams, MethodResults } from '../../../shared/protocol/methods.js';
import type { Collisions } from '../review/collisions.js';
import type { MergeTrains } from '../review/merge-train.js';
import type { WorktreeGc } from '../worktrees/gc.js';

export interface TrainParts {
  collisions: Collisions;
  trains: MergeTrains;
  gc: WorktreeGc;
}

type Mine = 'review.collisions' | 'task.rebase' | 'train.start' | 'train.get' | 'train.list' | 'gc.run' | 'repo.disk';
type Handlers = { [M in Mine & Method]: (params: MethodParams<M>) => MethodResults[M] | Promise<MethodResults[M]> };

export function trainHandlers({ collisions, trains, gc }: TrainParts): Handlers {
  return {
    'review.collisions': (p) => ({ collisions: collisions.list(p?.ids) }),
    'task.rebase': (p) => collisions.rebase(p.id),
    'train.start': (p) => trains.start(p.ids),
    'train.get': (p) => trains.get(p.id),
    'train.list': () => trains.trains.recent(),
    'gc.run': async (p) => ({ entries: await gc.run(p.reclaim) }),
    'repo.disk': async () => ({ repos: await gc.disk() }),
  };
}
