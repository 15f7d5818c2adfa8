// --after and --after-merge: a task waits (a start gate) until the tasks it names have succeeded or been merged.
import type { DependencyNeed, RunStatus, TaskInfo, TaskWait } from '../../../shared/domain.js';
import type { EngineEvent } from '../../../shared/protocol/events.js';
import { ErrandError } from '../../../shared/protocol/errors.js';
import type { MethodResults } from '../../../shared/protocol/methods.js';
import type { EventHub } from '../event-hub.js';
import type { Scheduler } from '../scheduler.js';
import type { Store } from '../store/store.js';
import type { Dependency } from './dependencies-store.js';
import { DependenciesStore } from './dependencies-store.js';

const ENDED_BADLY: Partial<Record<RunStatus, string>> = {
  failed: 'failed',
  cancelled: 'was cancelled',
  interrupted: 'was interrupted',
  unknown: 'ended in an unknown state',
};
const NEEDS_TEXT: Record<DependencyNeed, string> = { success: 'to succeed', merge: 'to be merged' };
/** How far a cycle search walks before it gives up looking: no real plan of tasks is this deep. */
const MAX_CYCLE_SEARCH_TASKS = 100_000;

/** Not met: `words` say what it waits for ("task 12 to succeed") or, when blocked, why and what to do. */
type Verdict = { met: true } | { met: false; blocked: boolean; words: string };

/** Whether a prerequisite is met, and if not, what the dependent waits for or why it is stuck. */
function judge(prereqId: number, prereq: TaskInfo | null, needs: DependencyNeed): Verdict {
  if (!prereq) return { met: false, blocked: true, words: `task ${prereqId} is gone: cancel this one` };
  if (needs === 'success' ? prereq.status === 'succeeded' : prereq.review === 'merged') return { met: true };
  const ended = prereq.review === 'discarded' ? 'was discarded' : ENDED_BADLY[prereq.status];
  if (ended) return { met: false, blocked: true, words: `task ${prereqId} ${ended}: retry it or cancel this one` };
  return { met: false, blocked: false, words: `task ${prereqId} ${NEEDS_TEXT[needs]}` };
}

export class Dependencies {
  private readonly rows: DependenciesStore;

  constructor(
    private readonly store: Store,
    private readonly hub: EventHub,
    private readonly scheduler: Scheduler,
  ) {
    this.rows = new DependenciesStore(store.db);
    scheduler.addGate((task) => this.gate(task));
    hub.listen((event) => this.follow(event));
  }

  /** Records what a new task waits for; runs in the transaction that files it, so a refusal files nothing. */
  record(taskId: number, after: readonly number[] = [], afterMerge: readonly number[] = []): void {
    for (const [ids, needs] of [[after, 'success'], [afterMerge, 'merge']] as const) {
      for (const prereqId of ids) {
        this.requireTask(prereqId);
        this.rows.add(taskId, prereqId, needs);
      }
    }
  }

  /** `errand after <id> <prereq>`: a task that has not started yet waits for one more. */
  addTo(taskId: number, prereqId: number, needs: DependencyNeed): MethodResults['task.after'] {
    const task = this.store.tasks.byId(taskId);
    if (!task) throw new ErrandError('not_found', `There is no task ${taskId}. \`errand ls\` lists them.`);
    if (task.status !== 'queued') {
      throw new ErrandError('conflict', `Task ${taskId} is ${task.status}: only a task that has not started can be made to wait for another.`);
    }
    if (prereqId === taskId) throw new ErrandError('conflict', `Task ${taskId} cannot wait for itself; nothing was changed.`);
    this.requireTask(prereqId);
    const path = this.waitPath(prereqId, taskId);
    if (path) {
      throw new ErrandError(
        'conflict',
        `Task ${taskId} cannot wait for task ${prereqId}: task ${prereqId} already waits for task ${taskId} (${path.join(' → ')}), ` +
          'so neither would ever start. Nothing was changed.',
      );
    }
    this.rows.add(taskId, prereqId, needs);
    this.scheduler.pass();
    return { task: this.scheduler.withWaitReason(this.store.tasks.byId(taskId)!), dependencies: this.rows.of(taskId) };
  }

  of(taskId: number): Dependency[] {
    return this.rows.of(taskId);
  }

  /** How many queued tasks wait on this one: how much work it holds up. */
  blockedBy(taskId: number): number {
    return this.rows.waitingOn(taskId);
  }

  private requireTask(id: number): void {
    if (!this.store.tasks.byId(id)) {
      throw new ErrandError('not_found', `There is no task ${id} to wait for; nothing was filed or changed. \`errand ls\` lists the tasks.`);
    }
  }

  /** The chain of waits from `from` to `to` ([from, …, to]) when there is one: adding to → from would close it. */
  private waitPath(from: number, to: number): number[] | null {
    const cameFrom = new Map<number, number>([[from, from]]);
    const queue = [from];
    while (queue.length > 0 && cameFrom.size < MAX_CYCLE_SEARCH_TASKS) {
      const at = queue.shift()!;
      for (const next of this.rows.prereqsOf(at)) {
        if (cameFrom.has(next)) continue;
        cameFrom.set(next, at);
        if (next === to) {
          const path = [to];
          while (path[0] !== from) path.unshift(cameFrom.get(path[0]!)!);
          return path;
        }
        queue.push(next);
      }
    }
    return null;
  }

  private gate(task: TaskInfo): TaskWait | null {
    const open = this.rows.of(task.id).filter((d) => d.satisfiedAt === null);
    if (open.length === 0) return null;
    const verdicts = open.map((dep) => ({ dep, verdict: judge(dep.prereqId, this.store.tasks.byId(dep.prereqId), dep.needs) }));
    const unmet = verdicts.flatMap(({ verdict }) => (verdict.met ? [] : [verdict]));
    const now = Date.now();
    for (const { dep, verdict } of verdicts) {
      if (verdict.met) this.satisfied(task.id, dep, unmet.length, now);
      else this.noteBlocked(task.id, dep, verdict.blocked ? verdict.words : null, now);
    }
    if (unmet.length === 0) return null;
    // What the person must act on comes first.
    const words = [...unmet.filter((v) => v.blocked), ...unmet.filter((v) => !v.blocked)].map((v) => v.words);
    return { reason: 'dependency', detail: words.join('; ') };
  }

  private satisfied(taskId: number, dep: Dependency, remaining: number, at: number): void {
    this.rows.markSatisfied(taskId, dep.prereqId, at);
    this.hub.emit({ type: 'dependency.satisfied', taskId, prereqId: dep.prereqId, needs: dep.needs, remaining, at });
  }

  private noteBlocked(taskId: number, dep: Dependency, reason: string | null, at: number): void {
    if (reason === dep.blockedReason) return;
    this.rows.setBlocked(taskId, dep.prereqId, reason);
    if (reason) this.hub.emit({ type: 'dependency.blocked', taskId, prereqId: dep.prereqId, needs: dep.needs, reason, at });
  }

  /** A task others wait on changed: look again at what waits on it. */
  private follow(event: EngineEvent): void {
    const changed =
      event.type === 'run.status' ? (event.status !== event.previous ? event.taskId : null) : event.type === 'task.review' ? event.taskId : null;
    if (changed !== null && this.rows.hasWaitingDependents(changed)) this.scheduler.poke();
  }
}
