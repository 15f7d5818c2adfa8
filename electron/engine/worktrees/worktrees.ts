// Each task works in its own git worktree, outside the repo, on a branch errand/<slug>.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, normalize, sep } from 'node:path';
import type { RepoInfo } from '../../../shared/domain.js';
import { ErrandError } from '../../../shared/protocol/errors.js';
import { git, gitOk } from './git.js';
import { branchExists } from './repo-check.js';

/** Agent configuration a repo may keep untracked (MCP servers, per-project CLI settings): always offered to worktrees. */
export const AGENT_CONFIG_FILES = ['.mcp.json', 'opencode.json', '.claude/settings.local.json', '.gemini/settings.json', '.qwen/settings.json'];

export interface WorktreePlace {
  path: string;
  branch: string;
}

export function slugFor(taskId: number, prompt: string): string {
  const words = prompt
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+[^-]*$/, (tail) => (tail.length > 12 ? '' : tail))
    .replace(/-+$/, '');
  return words ? `${taskId}-${words}` : `${taskId}-task`;
}

function repoFolder(repoPath: string): string {
  const name = basename(repoPath).replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 40) || 'repo';
  return `${name}-${createHash('sha1').update(repoPath).digest('hex').slice(0, 8)}`;
}

/** A relative path that stays inside the repository, or an error naming the bad entry. */
export function safeRelative(entry: string): string {
  const clean = normalize(entry);
  if (isAbsolute(clean) || clean === '..' || clean.startsWith(`..${sep}`) || clean === '.' || clean.includes('\0')) {
    throw new ErrandError('invalid_params', `"${entry}" must be a path inside the repository, like .env or config/local.json.`);
  }
  return clean;
}

export class Worktrees {
  constructor(private readonly root: string) {}

  placeFor(repo: RepoInfo, taskId: number, prompt: string): WorktreePlace {
    const slug = slugFor(taskId, prompt);
    return { path: join(this.root, repoFolder(repo.path), slug), branch: `errand/${slug}` };
  }

  /** Creates the worktree (or reuses it for a retry) and copies the repo's listed ignored files in. */
  async prepare(repo: RepoInfo, place: WorktreePlace): Promise<string[]> {
    const notes: string[] = [];
    if (existsSync(join(place.path, '.git'))) {
      notes.push(`reusing worktree ${place.path} (branch ${place.branch})`);
      return notes;
    }
    mkdirSync(dirname(place.path), { recursive: true, mode: 0o700 });
    await git(repo.path, ['worktree', 'prune']);
    const keepBranch = await branchExists(repo.path, place.branch);
    if (!keepBranch && !(await branchExists(repo.path, repo.baseBranch))) {
      throw new ErrandError(
        'repo_invalid',
        `The base branch "${repo.baseBranch}" is not in ${repo.path} any more. ` +
          `\`errand repo add ${repo.path} --base <branch>\` sets another.`,
      );
    }
    const args = keepBranch
      ? ['worktree', 'add', '--', place.path, place.branch]
      : ['worktree', 'add', '-b', place.branch, '--', place.path, `refs/heads/${repo.baseBranch}`];
    await git(repo.path, args);
    notes.push(`worktree ${place.path} on branch ${place.branch} from ${repo.baseBranch}`);
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

  /** Why removing the worktree would lose work: uncommitted changes, or commits not on the base branch. */
  async unsavedWork(repo: RepoInfo, place: WorktreePlace): Promise<string[]> {
    const problems: string[] = [];
    if (existsSync(place.path)) {
      const status = (await git(place.path, ['status', '--porcelain', '--untracked-files=normal'])).trim();
      if (status) problems.push(`${status.split('\n').length} uncommitted change(s) in ${place.path}`);
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
