// `errand approve`: commit the worktree's work on the task's branch, then merge it into the base (only when that is
// safe), keep the branch, or push it and open a pull request. Whatever can refuse does so before anything changes.
import { rm } from 'node:fs/promises';
import type { TaskInfo } from '../../../shared/domain.js';
import { ErrandError } from '../../../shared/protocol/errors.js';
import type { ApproveAction } from '../../../shared/protocol/methods.js';
import { leftovers, nameSome } from '../worktrees/unsaved-work.js';
import type { Worktrees } from '../worktrees/worktrees.js';
import { advanceBase, checkoutOf, requireClean } from './base-branch.js';
import { runGit } from '../worktrees/git.js';
import { gitLine, isAncestor } from './git-run.js';
import { computeMerge } from './merge.js';
import { findGh, openPullRequest, pushBranch, remoteFor } from './pull-request.js';
import type { ReviewService, ReviewTarget } from './review-service.js';
import { copiedFiles } from './review-service.js';
import { commitMessage, commitWork } from './snapshot.js';

const ACTION_TEXT: Record<ApproveAction, string> = { merge: 'merging', pr: 'opening a pull request', keep: 'keeping the branch' };
/** The prompt goes into a pull request's body up to this long (one program argument carries at most 128 KiB). */
const PR_BODY_MAX_CHARS = 16_000;
const short = (commit: string) => commit.slice(0, 12);

export class Approval {
  private readonly busy = new Set<number>();
  /** Merges into one repo's base go one at a time. */
  private readonly repoQueues = new Map<number, Promise<unknown>>();

  constructor(
    private readonly review: ReviewService,
    private readonly worktrees: Worktrees,
    private readonly tmpDir: string,
  ) {}

  /** An approval of this task is under way: nothing else may change its worktree or branch meanwhile. */
  isBusy(id: number): boolean {
    return this.busy.has(id);
  }

  async approve(id: number, action: ApproveAction): Promise<TaskInfo> {
    if (this.busy.has(id)) throw new ErrandError('conflict', `Task ${id} is being approved already; wait for that to finish.`);
    this.busy.add(id);
    try {
      return await this.approveOnce(id, action);
    } finally {
      this.busy.delete(id);
    }
  }

  private async approveOnce(id: number, action: ApproveAction): Promise<TaskInfo> {
    const task = this.review.task(id);
    this.review.refuseLive(task, 'approve it');
    refuseState(task, action);
    const target = await this.review.target(id);
    const { repo, place } = target;
    if (target.hasWorktree) await requireOnBranch(place.path, place.branch);
    let pr: { gh: string; remote: string } | null = null;
    if (action === 'merge') {
      const checkout = await checkoutOf(repo.path, repo.baseBranch);
      if (checkout) await requireClean(checkout, repo.baseBranch);
    } else if (action === 'pr') {
      pr = { gh: await findGh(), remote: await remoteFor(repo.path, place.branch) };
    }
    const message = commitMessage(id, task.prompt);
    this.review.setReview(task, 'approved', { message: ACTION_TEXT[action] });
    try {
      const tip = target.hasWorktree
        ? await commitWork(place.path, repo.path, copiedFiles(repo), this.tmpDir, message)
        : await gitLine(repo.path, ['rev-parse', '--verify', `refs/heads/${place.branch}^{commit}`]);
      if (action === 'merge') return await this.inRepoQueue(repo.id, () => this.merge(target, tip, message));
      if (action === 'keep') return await this.keep(target, tip);
      return await this.pullRequest(target, tip, pr!, message);
    } catch (error) {
      // Refused or failed part-way: the task is back where it was (its work, if it was committed, stays committed).
      const now = this.review.task(id);
      if (now.review === 'approved') this.review.setReview(now, task.review ?? 'unreviewed', task.reviewDetail);
      throw error;
    }
  }

  private async merge(target: ReviewTarget, tip: string, message: { subject: string; body: string }): Promise<TaskInfo> {
    const { task, repo, place } = target;
    const base = repo.baseBranch;
    const old = await gitLine(repo.path, ['rev-parse', '--verify', `refs/heads/${base}^{commit}`]);
    const forkPoint = await gitLine(repo.path, ['merge-base', old, tip]);
    if ((await isAncestor(repo.path, tip, old)) || (await treeOf(repo.path, forkPoint)) === (await treeOf(repo.path, tip))) {
      throw new ErrandError(
        'conflict',
        `Task ${task.id} has no changes that ${base} does not have already, so there is nothing to merge. \`errand discard ${task.id}\` removes it.`,
      );
    }
    const outcome = await computeMerge({ repoPath: repo.path, strategy: repo.mergeStrategy, base: old, tip, branch: place.branch, message, tmpDir: this.tmpDir });
    if (!outcome.clean) {
      const files = nameSome(outcome.files, false);
      const next = `errand reject ${task.id} "Rebase onto ${base} and resolve the conflicts in ${files}"`;
      this.review.setReview(task, 'conflict', { conflictFiles: outcome.files, message: `conflicts with ${base} in ${files}; to send it back: ${next}` });
      throw new ErrandError(
        'conflict',
        `Task ${task.id} does not merge cleanly into ${base} (conflicts in ${files}), so nothing was changed. ` +
          `To send it back to its agent: ${next}`,
      );
    }
    await advanceBase(repo.path, base, old, outcome.commit);
    // The branch goes only once the base is known to hold its work (a squash leaves the branch "unmerged" to git).
    if (!(await isAncestor(repo.path, outcome.commit, `refs/heads/${base}`))) {
      throw new ErrandError('internal', `${base} does not hold the merge ${short(outcome.commit)} after moving it; the branch ${place.branch} was kept.`);
    }
    const kept = await this.cleanUp(target, repo.deleteMergedBranches);
    const branchKept = repo.deleteMergedBranches ? '' : `; branch ${place.branch} kept (the repo keeps merged branches)`;
    return this.review.setReview(task, 'merged', { commit: outcome.commit, message: `merged into ${base} as ${short(outcome.commit)} (${repo.mergeStrategy})${kept}${branchKept}` });
  }

  private async keep(target: ReviewTarget, tip: string): Promise<TaskInfo> {
    const kept = await this.cleanUp(target, false);
    return this.review.setReview(target.task, 'kept', { commit: tip, message: `branch ${target.place.branch} kept at ${short(tip)}${kept}` });
  }

  private async pullRequest(target: ReviewTarget, tip: string, pr: { gh: string; remote: string }, message: { subject: string; body: string }): Promise<TaskInfo> {
    const { task, repo, place } = target;
    await pushBranch(repo.path, pr.remote, place.branch);
    const prompt = task.prompt.length > PR_BODY_MAX_CHARS ? `${task.prompt.slice(0, PR_BODY_MAX_CHARS)}…` : task.prompt;
    const url = await openPullRequest({
      gh: pr.gh,
      cwd: target.hasWorktree ? place.path : repo.path,
      branch: place.branch,
      base: repo.baseBranch,
      title: message.subject,
      body: `${prompt}\n\n${message.body}`,
    });
    return this.review.setReview(task, 'pr_opened', { prUrl: url, commit: tip, message: `pull request ${url} (branch ${place.branch} pushed to ${pr.remote})` });
  }

  /**
   * Removes the worktree (and, when its work is in the base, the branch). A worktree that still holds files that
   * exist nowhere else (an edited ignored .env) is kept, and the returned note says so.
   */
  private async cleanUp(target: ReviewTarget, deleteBranch: boolean): Promise<string> {
    const { task, repo, place } = target;
    if (target.hasWorktree) {
      const left = await leftovers(place.path, repo.path, copiedFiles(repo));
      const files = [...left.uncommitted, ...left.ignored];
      if (files.length > 0 || left.truncated) {
        return `; worktree ${place.path} kept: it holds files that exist nowhere else (${nameSome(files, left.truncated)}); \`errand clean ${task.id} --force\` removes it`;
      }
    }
    if (deleteBranch) {
      await this.worktrees.remove(repo, place, true);
    } else if (target.hasWorktree) {
      await runGit(repo.path, ['worktree', 'remove', '--force', '--', place.path], { okCodes: [128] });
      await rm(place.path, { recursive: true, force: true });
      await runGit(repo.path, ['worktree', 'prune']);
    }
    return '';
  }

  private inRepoQueue<T>(repoId: number, work: () => Promise<T>): Promise<T> {
    const turn = (this.repoQueues.get(repoId) ?? Promise.resolve()).then(work, work);
    const settled = turn.catch(() => {});
    this.repoQueues.set(repoId, settled);
    void settled.then(() => {
      if (this.repoQueues.get(repoId) === settled) this.repoQueues.delete(repoId);
    });
    return turn;
  }
}

/** The agent may have switched its worktree to another branch: then what it holds is not the task's branch. */
async function requireOnBranch(worktree: string, branch: string): Promise<void> {
  const head = (await runGit(worktree, ['symbolic-ref', '-q', 'HEAD'], { okCodes: [1] })).stdout.trim();
  if (head !== `refs/heads/${branch}`) {
    throw new ErrandError(
      'conflict',
      `The worktree ${worktree} is on ${head ? head.replace('refs/heads/', '') : 'a detached HEAD'}, not on the task's branch ${branch}, ` +
        `so nothing was committed or merged. Check it out there again (git -C ${worktree} switch ${branch}), then approve.`,
    );
  }
}

function treeOf(cwd: string, commit: string): Promise<string> {
  return gitLine(cwd, ['rev-parse', `${commit}^{tree}`]);
}

/** Approving twice, or a task with no result (yet), is refused with what is the case. */
export function refuseState(task: TaskInfo, action: ApproveAction): void {
  const id = task.id;
  const detail = task.reviewDetail;
  switch (task.review) {
    case 'merged':
      throw new ErrandError('conflict', `Task ${id} is already merged${detail?.commit ? ` (as ${short(detail.commit)})` : ''}; nothing was done.`);
    case 'discarded':
      throw new ErrandError('conflict', `Task ${id} was discarded; there is nothing to approve. \`errand retry ${id}\` runs it again.`);
    case 'changes_requested':
      throw new ErrandError('conflict', `Task ${id} was sent back with feedback and that run is ${task.status}; approve it once a run succeeds.`);
    case null:
      throw new ErrandError('conflict', `Task ${id} is ${task.status}: only a task whose run succeeded can be approved.`);
    case 'pr_opened':
      if (action === 'pr') throw new ErrandError('conflict', `Task ${id} already has a pull request: ${detail?.prUrl ?? '(its URL was not recorded)'}.`);
      return;
    case 'kept':
      if (action === 'keep') throw new ErrandError('conflict', `Task ${id}'s branch is kept already; nothing was done.`);
      return;
    default:
      return;
  }
}
