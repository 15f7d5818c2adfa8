// Collisions: open tasks of one repo whose changes touch the same files are flagged, and after every merge the repo's
// other open branches are tested against the new base with `git merge-tree` (objects only: no checkout is touched).
// A branch that would conflict is marked `conflict`, and `errand rebase` sends it back to its agent.
import type { ReviewState, TaskInfo, TaskOverlap } from '../../../shared/domain.js';
import type { EngineEvent } from '../../../shared/protocol/events.js';
import { ErrandError } from '../../../shared/protocol/errors.js';
import type { EventHub } from '../event-hub.js';
import type { Store } from '../store/store.js';
import { nameSome } from '../worktrees/unsaved-work.js';
import { gitLine } from './git-run.js';
import { branchTips, mergeChecks } from './merge-many.js';
import { eachBounded, openTaskIds } from './open-tasks.js';
import type { ReviewService, ReviewTarget } from './review-service.js';
import type { WorkTip } from './work-tip.js';
import { workTip } from './work-tip.js';

/** Git processes a merge check runs at once: enough to finish 20 branches quickly, few enough to leave cores free. */
const MERGE_CHECK_PARALLEL = 3;
/** Shared files named per overlap; the rest are counted by the client from its own review. */
const MAX_OVERLAP_FILES = 20;

const isOpen = (review: ReviewState | null) => review === 'unreviewed' || review === 'conflict';

/** What the agent is told when its branch no longer merges into its base. */
export function rebaseFeedback(base: string, files: readonly string[]): string {
  return (
    `The base branch ${base} has moved since you started (other work was merged), and your branch no longer merges ` +
    `cleanly into it: the conflicts are in ${nameSome(files, false)}. Commit your work, rebase it onto ${base} ` +
    '(git rebase ' + base + '), resolve those conflicts keeping both sides\' intent, and finish the task.'
  );
}

export class Collisions {
  private readonly touched = new Map<number, { repoId: number; files: string[] }>();
  private readonly announced = new Map<number, { repoId: number; key: string }>();
  private readonly checks = new Map<number, { again: boolean; done: Promise<void> }>();
  /** Each open task's work as a commit, for the run that made it and the HEAD it was read at. */
  private readonly tips = new Map<number, { runId: number | null; head: string; tip: WorkTip }>();
  /** Tasks another part is working on (a merge train's): the merge check leaves their review state alone. */
  busy: (taskId: number) => boolean = () => false;

  constructor(
    private readonly store: Store,
    private readonly hub: EventHub,
    private readonly review: ReviewService,
    private readonly tmpDir: string,
  ) {
    hub.listen((event) => this.follow(event));
    review.overlapsOf = (id) => this.overlapsOf(id);
  }

  /** Reads what every open task touches, in the background. */
  start(): void {
    const ids = openTaskIds(this.store);
    void eachBounded(ids, MERGE_CHECK_PARALLEL, (id) => this.refresh(id, false)).then(() => {
      for (const repoId of new Set(ids.map((id) => this.touched.get(id)?.repoId))) if (repoId !== undefined) this.announceRepo(repoId);
    });
  }

  overlapsOf(taskId: number): TaskOverlap[] {
    const mine = this.touched.get(taskId);
    if (!mine) return [];
    const files = new Set(mine.files);
    const overlaps: TaskOverlap[] = [];
    for (const [other, theirs] of this.touched) {
      if (other === taskId || theirs.repoId !== mine.repoId) continue;
      const shared = theirs.files.filter((f) => files.has(f));
      if (shared.length > 0) overlaps.push({ taskId: other, files: shared.slice(0, MAX_OVERLAP_FILES) });
    }
    return overlaps;
  }

  list(ids?: readonly number[]): { taskId: number; overlaps: TaskOverlap[] }[] {
    const which = ids ?? [...this.touched.keys()].sort((a, b) => a - b);
    return which.map((taskId) => ({ taskId, overlaps: this.overlapsOf(taskId) })).filter((c) => ids || c.overlaps.length > 0);
  }

  /** The files each of these tasks touches now (read afresh), for ordering a merge train. */
  async filesOf(ids: readonly number[]): Promise<Map<number, string[]>> {
    await eachBounded(ids, MERGE_CHECK_PARALLEL, (id) => this.refresh(id, false));
    return new Map(ids.map((id) => [id, this.touched.get(id)?.files ?? []]));
  }

  /** `errand rebase`: a task whose branch conflicts with its base goes back to its agent to rebase and resolve. */
  rebase(id: number): TaskInfo {
    const task = this.review.task(id);
    if (task.review !== 'conflict') {
      throw new ErrandError(
        'conflict',
        `Task ${id} is ${task.review ?? task.status}, not in conflict with its base, so there is nothing to rebase. ` +
          `\`errand reject ${id} "…"\` sends other feedback.`,
      );
    }
    const repo = this.store.repos.byId(task.repoId)!;
    return this.review.reject(id, rebaseFeedback(repo.baseBranch, task.reviewDetail?.conflictFiles ?? []));
  }

  /** Resolves once the merge checks under way for the repo are done. */
  async settled(repoId: number): Promise<void> {
    await this.checks.get(repoId)?.done;
  }

  private follow(event: EngineEvent): void {
    if (event.type !== 'task.review') return;
    if (isOpen(event.review)) {
      // A conflict the merge check found has just had its files read.
      if (!(event.review === 'conflict' && event.detail?.baseMoved && this.touched.has(event.taskId))) void this.refresh(event.taskId, true);
    } else {
      const gone = this.touched.get(event.taskId);
      this.tips.delete(event.taskId);
      if (gone && this.touched.delete(event.taskId)) this.announceRepo(gone.repoId);
    }
    if (event.review === 'merged') {
      const repoId = this.store.tasks.byId(event.taskId)?.repoId;
      if (repoId !== undefined) this.afterMerge(repoId);
    }
  }

  private async refresh(taskId: number, announce: boolean): Promise<void> {
    try {
      const target = await this.review.target(taskId);
      if (!isOpen(target.task.review)) return;
      const { files } = await this.tipOf(target, null);
      if (!isOpen(this.review.task(taskId).review)) return;
      this.touched.set(taskId, { repoId: target.repo.id, files });
      if (announce) this.announceRepo(target.repo.id);
    } catch {
      // Its worktree and branch are gone, or git cannot read them: it touches nothing review could show.
      this.touched.delete(taskId);
    }
  }

  /**
   * The task's work as a commit. Once its run has ended, the work changes only if someone edits the worktree by hand,
   * so a merge check (which passes the branch tip it listed) reuses what was read for the same run and branch tip;
   * approving reads the worktree afresh whatever this says. Without a tip, it is read afresh.
   */
  private async tipOf(target: ReviewTarget, branchTip: string | null): Promise<WorkTip> {
    const { task, place, repo } = target;
    const head = branchTip ?? (await gitLine(repo.path, ['rev-parse', '--verify', `refs/heads/${place.branch}^{commit}`]));
    const known = this.tips.get(task.id);
    if (branchTip && known && known.runId === (task.run?.id ?? null) && known.head === head) return known.tip;
    const tip = await workTip(target, this.tmpDir);
    this.tips.set(task.id, { runId: task.run?.id ?? null, head, tip });
    return tip;
  }

  /** Tells clients about each task of the repo whose overlaps changed. */
  private announceRepo(repoId: number): void {
    const ids = new Set<number>();
    for (const [id, t] of this.touched) if (t.repoId === repoId) ids.add(id);
    for (const [id, a] of this.announced) if (a.repoId === repoId) ids.add(id);
    for (const taskId of ids) {
      const overlaps = this.overlapsOf(taskId);
      const key = JSON.stringify(overlaps);
      const before = this.announced.get(taskId)?.key;
      if (key === before || (before === undefined && overlaps.length === 0)) continue;
      if (overlaps.length === 0) this.announced.delete(taskId);
      else this.announced.set(taskId, { repoId, key });
      this.hub.emit({ type: 'task.collisions', taskId, overlaps, at: Date.now() });
    }
  }

  /** One merge check per repo at a time; merges meanwhile make one more check after it, against the newest base. */
  private afterMerge(repoId: number): void {
    const under = this.checks.get(repoId);
    if (under) {
      under.again = true;
      return;
    }
    const state = { again: true, done: Promise.resolve() };
    this.checks.set(repoId, state);
    state.done = (async () => {
      while (state.again) {
        state.again = false;
        await this.checkRepo(repoId).catch((error: unknown) => console.error(`[engine] merge check of repo ${repoId} failed: ${(error as Error).message}`));
      }
      this.checks.delete(repoId);
    })();
  }

  private async checkRepo(repoId: number): Promise<void> {
    const started = performance.now();
    const repo = this.store.repos.byId(repoId);
    if (!repo) return;
    const base = await gitLine(repo.path, ['rev-parse', '--verify', `refs/heads/${repo.baseBranch}^{commit}`]);
    const ids = openTaskIds(this.store, repoId);
    const heads = await branchTips(repo.path);
    const work: { target: ReviewTarget; commit: string }[] = [];
    await eachBounded(ids, MERGE_CHECK_PARALLEL, async (id) => {
      if (this.busy(id)) return;
      const target = await this.review.target(id).catch(() => null);
      const tip = target && (await this.tipOf(target, heads.get(target.place.branch) ?? null).catch(() => null));
      if (!target || !tip) return;
      this.touched.set(id, { repoId, files: tip.files });
      work.push({ target, commit: tip.commit });
    });
    const merged = await mergeChecks(repo.path, base, work.map((w) => w.commit));
    const conflicts: number[] = [];
    work.forEach(({ target }, n) => {
      const check = merged[n]!;
      // Read again: the person (or a train) may have acted on it while git worked.
      const now = this.review.task(target.task.id);
      if (!isOpen(now.review) || now.run?.id !== target.task.run?.id || this.busy(now.id)) return;
      if (!check.clean) {
        conflicts.push(now.id);
        if (now.review === 'conflict' && JSON.stringify(now.reviewDetail?.conflictFiles) === JSON.stringify(check.files)) return;
        const message = `${repo.baseBranch} moved (${base.slice(0, 12)}) and this branch no longer merges into it: conflicts in ${nameSome(check.files, false)}; to send it back: errand rebase ${now.id}`;
        this.review.setReview(now, 'conflict', { conflictFiles: check.files, baseMoved: true, message });
        if (now.run) this.hub.emit({ type: 'attention', taskId: now.id, runId: now.run.id, kind: 'conflict', message: `task ${now.id}: ${message}`, at: Date.now() });
      } else if (now.review === 'conflict' && now.reviewDetail?.baseMoved) {
        this.review.setReview(now, 'unreviewed', null);
      }
    });
    this.announceRepo(repoId);
    conflicts.sort((a, b) => a - b);
    this.hub.emit({ type: 'review.mergeCheck', repoId, base, checked: ids.length, conflicts, durationMs: Math.round(performance.now() - started), at: Date.now() });
  }
}
