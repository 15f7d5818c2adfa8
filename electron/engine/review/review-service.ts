// Review: what a finished task changed, and the person's verdict on it (approve is in approval.ts).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckResult, RepoInfo, ReviewDetail, ReviewState, TaskInfo, TaskOverlap } from '../../../shared/domain.js';
import { dataDirLayout, runFiles } from '../../../shared/data-dir.js';
import { isFinalStatus } from '../../../shared/domain.js';
import type { EngineEvent } from '../../../shared/protocol/events.js';
import { ErrandError } from '../../../shared/protocol/errors.js';
import type { ApproveAction, TaskReview } from '../../../shared/protocol/methods.js';
import { adapterFor } from '../agents/registry.js';
import type { EventHub } from '../event-hub.js';
import type { RunManager } from '../run-manager.js';
import type { Scheduler } from '../scheduler.js';
import type { Store } from '../store/store.js';
import type { TasksService } from '../tasks-service.js';
import { branchExists } from '../worktrees/repo-check.js';
import type { WorktreePlace } from '../worktrees/worktree-names.js';
import { recordedPlace, safeRelative } from '../worktrees/worktree-names.js';
import type { Worktrees } from '../worktrees/worktrees.js';
import { AGENT_CONFIG_FILES } from '../worktrees/worktrees.js';
import { Approval } from './approval.js';
import { changesBetween } from './diff.js';
import { gitLine } from './git-run.js';
import { withWorkIndex } from './snapshot.js';
import { logTail } from './summary.js';

export interface ReviewDeps {
  store: Store;
  hub: EventHub;
  runs: RunManager;
  scheduler: Scheduler;
  tasks: TasksService;
  worktrees: Worktrees;
  dataDir: string;
}

/** What a task has to review: its repo, and the worktree and branch its runs claimed. */
export interface ReviewTarget {
  task: TaskInfo;
  repo: RepoInfo;
  place: WorktreePlace;
  /** The worktree is there (else only the branch is: kept, or removed by hand). */
  hasWorktree: boolean;
}

/** Files copied into every worktree from the repo's checkout: the person's, never the agent's work. */
export function copiedFiles(repo: RepoInfo): string[] {
  return [...new Set([...repo.copyFiles.map(safeRelative), ...AGENT_CONFIG_FILES])];
}

export class ReviewService {
  private readonly approval: Approval;
  /** What each task's review state was last announced as, so each change is pushed once. */
  private readonly announced = new Map<number, string>();
  readonly tmpDir: string;
  /** The open tasks touching the same files (collisions.ts sets it). */
  overlapsOf: (taskId: number) => TaskOverlap[] = () => [];

  constructor(private readonly deps: ReviewDeps) {
    this.tmpDir = join(deps.dataDir, 'tmp');
    this.approval = new Approval(this, deps.worktrees, this.tmpDir);
    deps.hub.listen((event) => this.follow(event));
  }

  async review(id: number): Promise<TaskReview> {
    const target = await this.target(id);
    const { task, repo, place } = target;
    const base = `refs/heads/${repo.baseBranch}`;
    const cwd = target.hasWorktree ? place.path : repo.path;
    const tip = target.hasWorktree ? 'HEAD' : `refs/heads/${place.branch}`;
    const forkPoint = gitLine(cwd, ['merge-base', base, tip]).catch(() => null);
    const compare = async (to: string | null, env?: Record<string, string>) => {
      const from = await forkPoint;
      return from === null ? null : { from, changes: await changesBetween(cwd, from, to, env) };
    };
    const [compared, { summary, check }] = await Promise.all([
      // The worktree's work is compared as its snapshot index holds it; a branch alone, as its last commit.
      target.hasWorktree ? withWorkIndex(place.path, repo.path, copiedFiles(repo), this.tmpDir, (env) => compare(null, env)) : compare(tip),
      this.result(task),
    ]);
    if (compared === null) {
      // Only when there is no merge base: whether the base is there says why (one git process fewer on the way).
      const baseThere = await branchExists(repo.path, repo.baseBranch);
      const why = baseThere ? `${place.branch} has no history in common with it` : `it is not in ${repo.path} any more`;
      throw new ErrandError('repo_invalid', `Task ${id} cannot be compared with its base ${repo.baseBranch}: ${why}.`);
    }
    const { from: mergeBase, changes } = compared;
    return {
      task,
      summary,
      check,
      baseBranch: repo.baseBranch,
      branch: place.branch,
      mergeBase,
      source: target.hasWorktree ? 'worktree' : 'branch',
      ...changes,
      noChanges: changes.files.length === 0,
      overlaps: this.overlapsOf(id),
    };
  }

  approve(id: number, action: ApproveAction): Promise<TaskInfo> {
    return this.approval.approve(id, action);
  }

  /**
   * Sends the person's feedback to the agent as a follow-up run in the same worktree (and session, where it has one):
   * on a result, or on a run that ended otherwise (a failed check, say).
   */
  reject(id: number, feedback: string): TaskInfo {
    const task = this.task(id);
    this.refuseBusy(task, 'send it back');
    if (task.review === 'merged' || task.review === 'discarded') {
      throw new ErrandError('conflict', `Task ${id} was ${task.review}; there is nothing to send back. File a new task with errand add.`);
    }
    if (!recordedPlace(this.deps.store.runs.forTask(id))) {
      throw new ErrandError('conflict', `Task ${id} has no worktree or branch to work on again. \`errand retry ${id}\` starts it over.`);
    }
    this.setReview(task, 'changes_requested', { message: `sent back: ${feedback.trim().split('\n')[0]}` });
    const adapter = adapterFor(this.deps.store.profiles.byId(this.deps.store.tasks.profileId(id)!)!.adapter);
    const sessionId = this.deps.store.runs.forTask(id).findLast((r) => r.sessionId)?.sessionId ?? null;
    if (adapter.id !== 'command' && (sessionId || adapter.continuesWithoutSession)) {
      return this.deps.tasks.continueSession(this.task(id), 'reply', feedback);
    }
    // No session to continue: the task runs again in its worktree, its prompt followed by the feedback.
    const run = this.deps.store.runs.create(id, 'start', feedback);
    this.deps.hub.emit({ type: 'run.created', run });
    this.deps.scheduler.pass();
    return this.deps.scheduler.withWaitReason(this.task(id));
  }

  /** Removes the task's worktree and branch; never work that exists nowhere else unless forced. */
  async discard(id: number, force: boolean): Promise<{ task: TaskInfo; removed: string[] }> {
    const task = this.task(id);
    this.refuseBusy(task, 'discard it');
    if (task.review === 'merged') throw new ErrandError('conflict', `Task ${id} is merged: its work is in the base branch, and nothing is left to discard.`);
    const place = recordedPlace(this.deps.store.runs.forTask(id));
    const repo = this.deps.store.repos.byId(task.repoId)!;
    const removed = place ? await this.deps.worktrees.remove(repo, place, force) : [];
    this.setReview(task, 'discarded', { message: removed.length ? `removed ${removed.join(', ')}` : 'nothing was left to remove' });
    return { task: this.task(id), removed };
  }

  /** Stores a review action's outcome for the task's current run, and tells clients. */
  setReview(task: TaskInfo, state: ReviewState, detail: ReviewDetail | null): TaskInfo {
    this.deps.store.tasks.setReview(task.id, state, task.run?.id ?? null, detail);
    this.announce(task.id);
    return this.task(task.id);
  }

  task(id: number): TaskInfo {
    const task = this.deps.store.tasks.byId(id);
    if (!task) throw new ErrandError('not_found', `There is no task ${id}. \`errand ls\` lists them.`);
    return this.deps.scheduler.withWaitReason(task);
  }

  refuseLive(task: TaskInfo, doing: string): void {
    if (this.deps.runs.isLive(task.run) || task.status === 'queued') {
      throw new ErrandError('conflict', `Task ${task.id} is ${task.status}; wait for it to finish (or cancel it) before you ${doing}.`);
    }
  }

  /** Reject and discard also wait for an approval under way: it is using the worktree and branch. */
  private refuseBusy(task: TaskInfo, doing: string): void {
    if (this.approval.isBusy(task.id)) {
      throw new ErrandError('conflict', `Task ${task.id} is being approved; wait for that to finish before you ${doing}.`);
    }
    this.refuseLive(task, doing);
  }

  async target(id: number): Promise<ReviewTarget> {
    const task = this.task(id);
    const repo = this.deps.store.repos.byId(task.repoId)!;
    const place = recordedPlace(this.deps.store.runs.forTask(id));
    if (!place) throw new ErrandError('conflict', `Task ${id} is ${task.status} and has no worktree yet: there is nothing to review.`);
    const hasWorktree = existsSync(join(place.path, '.git'));
    if (!hasWorktree && !(await branchExists(repo.path, place.branch))) {
      const merged = task.reviewDetail?.commit ? ` (merged as ${task.reviewDetail.commit.slice(0, 12)}: git show ${task.reviewDetail.commit.slice(0, 12)})` : '';
      throw new ErrandError('not_found', `Task ${id}'s worktree and branch are gone${merged}, so there is no diff to show.`);
    }
    return { task, repo, place, hasWorktree };
  }

  /** The result under review: the latest run that ended (one still working has none yet), its summary and check. */
  private async result(task: TaskInfo): Promise<{ summary: string | null; check: CheckResult | null }> {
    const run = this.deps.store.runs.forTask(task.id).findLast((r) => isFinalStatus(r.status));
    if (!run) return { summary: null, check: null };
    if (run.resultText) return { summary: run.resultText, check: run.check };
    const adapter = adapterFor(this.deps.store.profiles.byId(this.deps.store.tasks.profileId(task.id)!)!.adapter);
    const summary = adapter.id === 'command' ? await logTail(runFiles(dataDirLayout(this.deps.dataDir), run.id).log) : null;
    return { summary, check: run.check };
  }

  /** A run that succeeds makes its task unreviewed; a new run leaves the state its result had. */
  private follow(event: EngineEvent): void {
    if (event.type === 'run.created') this.announce(event.run.taskId);
    else if (event.type === 'run.status' && event.status !== event.previous) this.announce(event.taskId);
  }

  private announce(taskId: number): void {
    const task = this.deps.store.tasks.byId(taskId);
    if (!task) return;
    const key = JSON.stringify([task.review, task.reviewDetail]);
    const before = this.announced.get(taskId);
    if (key === before || (before === undefined && task.review === null)) return;
    this.announced.set(taskId, key);
    this.deps.hub.emit({ type: 'task.review', taskId, review: task.review, detail: task.reviewDetail, at: Date.now() });
  }
}
