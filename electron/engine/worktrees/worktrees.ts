// Each task works in its own git worktree, outside the repo, on its own branch (named in worktree-names.ts).
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RepoInfo, RunInfo } from '../../../shared/domain.js';
import { ErrandError } from '../../../shared/protocol/errors.js';
import { git, gitOk } from './git.js';
import { branchExists } from './repo-check.js';
import { leftovers, nameSome } from './unsaved-work.js';
import type { WorktreePlace } from './worktree-names.js';
import { placeFor, safeRelative } from './worktree-names.js';

/** Agent configuration a repo may keep untracked (MCP servers, per-project CLI settings): always offered to worktrees. */
export const AGENT_CONFIG_FILES = ['.mcp.json', 'opencode.json', '.claude/settings.local.json', '.gemini/settings.json', '.qwen/settings.json'];

export class Worktrees {
  private id: string | null = null;

  constructor(
    private readonly root: string,
    private readonly makeDataDirId: () => string,
  ) {}

  placeFor(repo: RepoInfo, task: { id: number; prompt: string }, runs: readonly RunInfo[]): WorktreePlace {
    this.id ??= this.makeDataDirId();
    return placeFor(this.root, repo.path, task, runs, this.id);
  }

  /**
   * Creates the worktree from the base branch, or reuses the task's own for a retry, and copies the repo's listed
   * ignored files in. `claim` records the place as this task's, once it is known to be free or already the task's.
   */
  async prepare(repo: RepoInfo, place: WorktreePlace, claim: () => void): Promise<string[]> {
    const notes: string[] = [];
    if (place.claimed && existsSync(join(place.path, '.git'))) {
      claim();
      notes.push(`reusing worktree ${place.path} (branch ${place.branch})`);
      return notes;
    }
    await git(repo.path, ['worktree', 'prune']);
    if (!place.claimed) await this.refuseTaken(repo, place);
    const keepBranch = place.claimed && (await branchExists(repo.path, place.branch));
    if (!keepBranch && !(await branchExists(repo.path, repo.baseBranch))) {
      throw new ErrandError(
        'repo_invalid',
        `The base branch "${repo.baseBranch}" is not in ${repo.path} any more. ` +
          `\`errand repo add ${repo.path} --base <branch>\` sets another.`,
      );
    }
    claim();
    mkdirSync(dirname(place.path), { recursive: true, mode: 0o700 });
    if (keepBranch) {
      await git(repo.path, ['worktree', 'add', '--', place.path, place.branch]);
      notes.push(`worktree ${place.path} on branch ${place.branch}, kept from an earlier run of this task`);
    } else {
      await git(repo.path, ['worktree', 'add', '-b', place.branch, '--', place.path, `refs/heads/${repo.baseBranch}`]);
      notes.push(`worktree ${place.path} on branch ${place.branch} from ${repo.baseBranch}`);
    }
    notes.push(...this.copyIn(repo, place));
    return notes;
  }

  /** A branch or folder of that name that no run of this task made is someone else's: never started from. */
  private async refuseTaken(repo: RepoInfo, place: WorktreePlace): Promise<void> {
    if (existsSync(place.path)) {
      throw new ErrandError('conflict', `${place.path} already exists, and no run of this task made it. Move it away, then retry the task.`);
    }
    if (await branchExists(repo.path, place.branch)) {
      const at = (await git(repo.path, ['rev-parse', '--short', `refs/heads/${place.branch}`])).trim();
      throw new ErrandError(
        'conflict',
        `Branch ${place.branch} already exists in ${repo.path} (at ${at}), and no run of this task made it, ` +
          `so Errand will not start from it. Rename or delete that branch, then retry the task.`,
      );
    }
  }

  private copyIn(repo: RepoInfo, place: WorktreePlace): string[] {
    const notes: string[] = [];
    const listed = new Set(repo.copyFiles.map(safeRelative));
    for (const rel of new Set([...listed, ...AGENT_CONFIG_FILES])) {
      const from = join(repo.path, rel);
      if (!existsSync(from) || (!listed.has(rel) && existsSync(join(place.path, rel)))) {
        if (listed.has(rel)) notes.push(`not copied: ${rel} (absent from ${repo.path})`);
        continue;
      }
      mkdirSync(dirname(join(place.path, rel)), { recursive: true });
      cpSync(from, join(place.path, rel), { recursive: true, errorOnExist: false, force: true });
      notes.push(`copied ${rel}`);
    }
    return notes;
  }

  /** Why removing the worktree would lose work: changes (ignored files included), or commits not on the base branch. */
  async unsavedWork(repo: RepoInfo, place: WorktreePlace): Promise<string[]> {
    const problems: string[] = [];
    if (existsSync(place.path)) {
      const copied = [...new Set([...repo.copyFiles.map(safeRelative), ...AGENT_CONFIG_FILES])];
      const { uncommitted, ignored, truncated } = await leftovers(place.path, repo.path, copied);
      const more = truncated ? '+' : '';
      if (uncommitted.length > 0) {
        problems.push(`${uncommitted.length}${more} uncommitted change(s) in ${place.path} (${nameSome(uncommitted, truncated)})`);
      }
      if (ignored.length > 0) {
        problems.push(`${ignored.length}${more} file(s) git ignores, new or changed from the repo's copy (${nameSome(ignored, truncated)})`);
      }
      if (truncated && uncommitted.length + ignored.length === 0) problems.push(`more files in ${place.path} than Errand can check`);
    }
    if (await branchExists(repo.path, place.branch)) {
      if (!(await branchExists(repo.path, repo.baseBranch))) {
        problems.push(`the base branch ${repo.baseBranch} is gone, so Errand cannot tell whether ${place.branch} is merged`);
      } else {
        const range = `refs/heads/${repo.baseBranch}..refs/heads/${place.branch}`;
        const ahead = Number((await git(repo.path, ['rev-list', '--count', range])).trim());
        if (ahead > 0) problems.push(`${ahead} commit(s) on ${place.branch} not merged into ${repo.baseBranch}`);
      }
    }
    return problems;
  }

  /** Removes the worktree and its branch; refuses when that would lose work, unless forced. */
  async remove(repo: RepoInfo, place: WorktreePlace, force: boolean): Promise<string[]> {
    if (!force) {
      const problems = await this.unsavedWork(repo, place);
      if (problems.length > 0) {
        throw new ErrandError('unsafe', `Not removed: ${problems.join('; ')}. Merge or save that work, or pass --force to discard it.`);
      }
    }
    const removed: string[] = [];
    if (existsSync(place.path)) {
      if (existsSync(repo.path)) await gitOk(repo.path, ['worktree', 'remove', '--force', '--', place.path]);
      rmSync(place.path, { recursive: true, force: true });
      removed.push(place.path);
    }
    if (existsSync(repo.path)) {
      await gitOk(repo.path, ['worktree', 'prune']);
      if (await gitOk(repo.path, ['branch', '-D', '--', place.branch])) removed.push(place.branch);
    }
    return removed;
  }
}
