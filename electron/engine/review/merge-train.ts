// `errand approve 7 8 9 --merge`: a merge train. Its tasks merge one at a time, in an order drawn from their overlap.
// Before each merge, a branch the base has moved past is rebased in its own worktree and the repo's check runs on it
// again; one that no longer applies, or whose check fails, goes back to its agent with the reason, and the train goes
// on without it. The person's checkout is touched only by the merges themselves (approval.ts). The train is stored
// after every step: a restarted engine takes it up again at the step it was on.
import type { TaskInfo, TrainInfo, TrainItem, TrainItemState } from '../../../shared/domain.js';
import { ErrandError } from '../../../shared/protocol/errors.js';
import { howItFailed, sendBackMessage } from '../runner/check-phase.js';
import type { EventHub } from '../event-hub.js';
import type { Store } from '../store/store.js';
import { nameSome } from '../worktrees/unsaved-work.js';
import { refuseState } from './approval.js';
import { checkoutOf, requireClean } from './base-branch.js';
import type { Collisions } from './collisions.js';
import { rebaseFeedback } from './collisions.js';
import { gitLine } from './git-run.js';
import { mergeTree } from './merge.js';
import type { ReviewService, ReviewTarget } from './review-service.js';
import { copiedFiles } from './review-service.js';
import { commitWork, commitMessage } from './snapshot.js';
import type { TrainCheck } from './train-check.js';
import { TrainStore } from './train-store.js';
import { abortLeftRebase, rebaseWorktree, trainOrder } from './train-steps.js';

const FINISHED: readonly TrainItemState[] = ['merged', 'sent_back', 'skipped'];

export class MergeTrains {
  readonly trains: TrainStore;
  private readonly rolling = new Map<number, Promise<void>>();
  private stopping = false;

  constructor(
    private readonly store: Store,
    private readonly hub: EventHub,
    private readonly review: ReviewService,
    private readonly collisions: Collisions,
    private readonly check: TrainCheck,
  ) {
    this.trains = new TrainStore(store.db);
    collisions.busy = (taskId) => this.isBusy(taskId);
  }

  /** A task waiting in, or going through, a running train: nothing else marks or merges it meanwhile. */
  isBusy(taskId: number): boolean {
    return this.trains.running().some((t) => t.items.some((i) => i.taskId === taskId && !FINISHED.includes(i.state)));
  }

  get(id: number): TrainInfo {
    const train = this.trains.byId(id);
    if (!train) throw new ErrandError('not_found', `There is no merge train ${id}. \`errand train\` lists the recent ones.`);
    return train;
  }

  /** Checks every task first: a train that would refuse one starts nothing. */
  async start(ids: readonly number[]): Promise<TrainInfo> {
    const unique = [...new Set(ids)];
    if (unique.length < 2) throw new ErrandError('invalid_params', 'A merge train needs at least two different tasks; approve one with errand approve ID --merge.');
    const tasks = unique.map((id) => this.review.task(id));
    const repoId = tasks[0]!.repoId;
    const elsewhere = tasks.find((t) => t.repoId !== repoId);
    if (elsewhere) {
      throw new ErrandError('invalid_params', `Tasks ${tasks[0]!.id} and ${elsewhere.id} are in different repos; a train merges into one base. Approve each repo's tasks in a train of its own.`);
    }
    for (const task of tasks) {
      this.review.refuseLive(task, 'approve it');
      refuseState(task, 'merge');
      if (task.review === 'approved') throw new ErrandError('conflict', `Task ${task.id} is being approved already; wait for that to finish.`);
      if (this.isBusy(task.id)) throw new ErrandError('conflict', `Task ${task.id} is in a merge train already (errand train).`);
      await this.review.target(task.id);
    }
    const busy = this.trains.running().find((t) => t.repoId === repoId);
    if (busy) throw new ErrandError('conflict', `Merge train ${busy.id} is merging into this repo now; wait for it to end (errand train ${busy.id}).`);
    const repo = this.store.repos.byId(repoId)!;
    const checkout = await checkoutOf(repo.path, repo.baseBranch);
    if (checkout) await requireClean(checkout, repo.baseBranch);
    const order = trainOrder(await this.collisions.filesOf(unique));
    const train = this.trains.create(repoId, order);
    this.hub.emit({ type: 'train.started', train, at: Date.now() });
    this.roll(train.id);
    return train;
  }

  /** Takes up the trains an earlier engine left running. */
  resume(): void {
    for (const train of this.trains.running()) this.roll(train.id);
  }

  /** Lets the step under way end (a check is stopped); the trains go on at the next start. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.check.stop();
    await Promise.all(this.rolling.values());
  }

  private roll(trainId: number): void {
    if (this.rolling.has(trainId)) return;
    const done = this.run(trainId)
      .catch((error: unknown) => console.error(`[engine] merge train ${trainId} stopped: ${(error as Error).message}`))
      .finally(() => this.rolling.delete(trainId));
    this.rolling.set(trainId, done);
  }

  private async run(trainId: number): Promise<void> {
    for (;;) {
      if (this.stopping) return;
      const train = this.get(trainId);
      const item = train.items.find((i) => !FINISHED.includes(i.state));
      if (!item) break;
      await this.step(train, item);
    }
    const train = this.get(trainId);
    this.trains.save({ ...train, status: 'done', endedAt: Date.now() });
    this.hub.emit({ type: 'train.ended', train: this.get(trainId), at: Date.now() });
  }

  private update(train: TrainInfo, item: TrainItem, change: Partial<TrainItem>): void {
    Object.assign(item, change);
    this.trains.save(train);
    this.hub.emit({ type: 'train.step', taskId: item.taskId, train: this.get(train.id), at: Date.now() });
  }

  private async step(train: TrainInfo, item: TrainItem): Promise<void> {
    const id = item.taskId;
    const task = this.store.tasks.byId(id);
    if (!task) return this.update(train, item, { state: 'skipped', message: 'the task is gone' });
    const standing = this.whyNot(task);
    if (standing) return this.update(train, item, standing);
    let target: ReviewTarget;
    try {
      target = await this.review.target(id);
    } catch (error) {
      return this.update(train, item, { state: 'skipped', message: (error as Error).message });
    }
    if (target.hasWorktree && !(await this.rebased(train, item, target))) return;
    if (this.stopping) return;
    if (item.needsCheck && !(await this.checked(train, item, target))) return;
    if (this.stopping) return;
    this.update(train, item, { state: 'merging', message: null });
    try {
      const merged = await this.review.approve(id, 'merge');
      this.update(train, item, { state: 'merged', message: merged.reviewDetail?.message ?? 'merged' });
    } catch (error) {
      const now = this.review.task(id);
      if (now.review === 'conflict') return this.sendBack(train, item, `conflicts in ${nameSome(now.reviewDetail?.conflictFiles ?? [], false)}`, rebaseFeedback(target.repo.baseBranch, now.reviewDetail?.conflictFiles ?? []));
      this.update(train, item, { state: 'skipped', message: (error as Error).message });
    }
  }

  /** A task already merged counts as merged; one the person has acted on meanwhile leaves the train. */
  private whyNot(task: TaskInfo): Partial<TrainItem> | null {
    if (task.review === 'merged') return { state: 'merged', message: task.reviewDetail?.message ?? 'merged' };
    if (task.status !== 'succeeded' || (task.review !== 'unreviewed' && task.review !== 'conflict')) {
      return { state: 'skipped', message: `it is ${task.review ?? task.status} now, so the train left it` };
    }
    return null;
  }

  /** Brings the branch onto the base as it is now; false when it went back to its agent (or the engine stops). */
  private async rebased(train: TrainInfo, item: TrainItem, target: ReviewTarget): Promise<boolean> {
    const { task, repo, place } = target;
    await abortLeftRebase(place.path);
    const tip = await commitWork(place.path, repo.path, copiedFiles(repo), this.review.tmpDir, commitMessage(task.id, task.prompt));
    const base = await gitLine(repo.path, ['rev-parse', '--verify', `refs/heads/${repo.baseBranch}^{commit}`]);
    if ((await gitLine(repo.path, ['merge-base', base, tip])) === base) return true;
    // Marked before the rebase: an engine that dies during it must not merge the result unchecked at its next start.
    this.update(train, item, { state: 'rebasing', needsCheck: repo.checkCommand !== null, message: `onto ${repo.baseBranch} at ${base.slice(0, 12)}` });
    const merged = await mergeTree(repo.path, base, tip);
    const outcome = 'files' in merged ? { clean: false as const, files: merged.files, why: 'conflicts' } : await rebaseWorktree(place.path, base);
    if (!outcome.clean) {
      const what = outcome.files.length > 0 ? `conflicts in ${nameSome(outcome.files, false)}` : `git could not rebase it (${outcome.why})`;
      await this.sendBack(train, item, `it no longer applies onto ${repo.baseBranch}: ${what}`, rebaseFeedback(repo.baseBranch, outcome.files));
      return false;
    }
    return true;
  }

  private async checked(train: TrainInfo, item: TrainItem, target: ReviewTarget): Promise<boolean> {
    this.update(train, item, { state: 'checking', message: target.repo.checkCommand });
    const result = await this.check.run(target.repo, target.place.path, train.id, item.taskId);
    if (this.stopping) return false;
    if (!result || result.passed) {
      this.update(train, item, { needsCheck: false, check: result });
      return true;
    }
    item.check = result;
    const feedback = `Your branch was rebased onto ${target.repo.baseBranch}, which has moved since you started. ${sendBackMessage(result)}`;
    await this.sendBack(train, item, `the check failed after the rebase: ${result.command} (${howItFailed(result)})`, feedback);
    return false;
  }

  private async sendBack(train: TrainInfo, item: TrainItem, why: string, feedback: string): Promise<void> {
    try {
      this.review.reject(item.taskId, feedback);
      this.update(train, item, { state: 'sent_back', needsCheck: false, message: `${why}; sent back to its agent` });
    } catch (error) {
      this.update(train, item, { state: 'skipped', needsCheck: false, message: `${why}; it could not be sent back: ${(error as Error).message}` });
    }
  }
}
