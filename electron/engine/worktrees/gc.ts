// `errand gc`: the worktrees of finished tasks, and what reclaiming each would lose. Only one that holds nothing
// the repo lacks goes: no uncommitted or untracked work, no ignored file changed from the repo's copy, and no commit
// the base does not have (a kept branch, or one with an open pull request, stays; only its worktree goes).
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { GcEntry, RepoDisk, RepoInfo, TaskInfo } from '../../../shared/domain.js';
import { FINAL_RUN_STATUSES } from '../../../shared/domain.js';
import { prepared } from '../store/database.js';
import type { Store } from '../store/store.js';
import { diskUsage } from './disk-usage.js';
import { gitOk } from './git.js';
import { leftovers, nameSome } from './unsaved-work.js';
import type { WorktreePlace } from './worktree-names.js';
import { recordedPlace, safeRelative } from './worktree-names.js';
import type { Worktrees } from './worktrees.js';
import { AGENT_CONFIG_FILES } from './worktrees.js';

/** Results still waiting for the person, or being acted on: not finished, whatever their worktree holds. */
const AWAITING = new Set(['unreviewed', 'conflict', 'approved']);
const KEEPS_BRANCH = new Set(['kept', 'pr_opened']);

interface Candidate {
  task: TaskInfo;
  repo: RepoInfo;
  place: WorktreePlace;
}

export class WorktreeGc {
  constructor(
    private readonly store: Store,
    private readonly worktrees: Worktrees,
    /** A task a merge train is working on is not finished either. */
    private readonly busy: (taskId: number) => boolean,
  ) {}

  async run(reclaim: boolean): Promise<GcEntry[]> {
    const entries: GcEntry[] = [];
    for (const c of this.candidates()) entries.push(await this.judge(c, reclaim));
    return entries;
  }

  /** Space per repo: the folders its tasks' worktrees are in. */
  async disk(): Promise<RepoDisk[]> {
    const byRepo = new Map<number, string[]>();
    for (const { taskId, worktree } of this.places()) {
      const repoId = this.store.tasks.byId(taskId)!.repoId;
      byRepo.set(repoId, [...(byRepo.get(repoId) ?? []), worktree]);
    }
    return Promise.all(
      this.store.repos.list().map(async (repo) => {
        const paths = (byRepo.get(repo.id) ?? []).filter((p) => existsSync(p));
        const folders = [...new Set(paths.map((p) => dirname(p)))];
        return { repoId: repo.id, path: repo.path, worktrees: paths.length, bytes: folders.length ? await diskUsage(folders) : 0 };
      }),
    );
  }

  /** Every task's latest recorded worktree. */
  private places(): { taskId: number; worktree: string }[] {
    return prepared(
      this.store.db,
      `SELECT r.task_id AS taskId, r.worktree AS worktree FROM runs r
        WHERE r.worktree IS NOT NULL AND r.id = (SELECT max(id) FROM runs WHERE task_id = r.task_id AND worktree IS NOT NULL)`,
    ).all() as { taskId: number; worktree: string }[];
  }

  private candidates(): Candidate[] {
    const found: Candidate[] = [];
    for (const { taskId, worktree } of this.places()) {
      if (!existsSync(worktree)) continue;
      const task = this.store.tasks.byId(taskId)!;
      if (!FINAL_RUN_STATUSES.includes(task.status) || (task.review && AWAITING.has(task.review)) || this.busy(taskId)) continue;
      const place = recordedPlace(this.store.runs.forTask(taskId))!;
      found.push({ task, repo: this.store.repos.byId(task.repoId)!, place });
    }
    return found;
  }

  private async judge({ task, repo, place }: Candidate, reclaim: boolean): Promise<GcEntry> {
    const keepBranch = task.review !== null && KEEPS_BRANCH.has(task.review);
    const entry: GcEntry = {
      taskId: task.id,
      repoPath: repo.path,
      worktree: place.path,
      branch: keepBranch ? null : place.branch,
      bytes: await diskUsage([place.path]),
      keptBecause: null,
      reclaimed: false,
    };
    const problems = keepBranch ? await this.worktreeProblems(repo, place) : await this.worktrees.unsavedWork(repo, place);
    if (problems.length > 0) return { ...entry, keptBecause: problems.join('; ') };
    if (!reclaim) return entry;
    if (keepBranch) {
      await gitOk(repo.path, ['worktree', 'remove', '--force', '--', place.path]);
      await rm(place.path, { recursive: true, force: true });
      await gitOk(repo.path, ['worktree', 'prune']);
    } else {
      await this.worktrees.remove(repo, place, false);
    }
    return { ...entry, reclaimed: true };
  }

  private async worktreeProblems(repo: RepoInfo, place: WorktreePlace): Promise<string[]> {
    const copied = [...new Set([...repo.copyFiles.map(safeRelative), ...AGENT_CONFIG_FILES])];
    const left = await leftovers(place.path, repo.path, copied);
    const files = [...left.uncommitted, ...left.ignored];
    return files.length > 0 || left.truncated ? [`files in ${place.path} that exist nowhere else (${nameSome(files, left.truncated)})`] : [];
  }
}
