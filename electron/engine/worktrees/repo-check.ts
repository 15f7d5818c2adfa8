import { statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { ErrandError } from '../../../shared/protocol/errors.js';
import { git, GitError, gitOk } from './git.js';

export interface CheckedRepo {
  /** The repository's top-level directory. */
  root: string;
  currentBranch: string | null;
}

/** Confirms that `path` is (inside) a git work tree with at least one commit. */
export async function checkRepo(path: string): Promise<CheckedRepo> {
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new ErrandError('repo_invalid', `${path} does not exist. Check the path, or clone the repository first.`);
  }
  if (!isDir) throw new ErrandError('repo_invalid', `${path} is not a directory. Give the repository's folder.`);
  const inside = await gitAnswer(path, ['rev-parse', '--is-inside-work-tree']);
  if (inside === null) {
    throw new ErrandError('repo_invalid', `${path} is not a git repository. Run \`git init\` there, or give another path.`);
  }
  // A bare repository, or a path inside a .git folder, is a repository git answers for, but has no files to work on.
  if (inside !== 'true') throw new ErrandError('repo_invalid', await whyNoWorkTree(path));
  const root = (await git(path, ['rev-parse', '--show-toplevel'])).trim();
  if (!(await gitOk(root, ['rev-parse', '--verify', '--quiet', 'HEAD']))) {
    throw new ErrandError(
      'repo_invalid',
      `${root} has no commits yet, so there is nothing to branch from. Make a first commit, then try again.`,
    );
  }
  const branch = (await git(root, ['rev-parse', '--abbrev-ref', 'HEAD'])).trim();
  return { root, currentBranch: branch === 'HEAD' ? null : branch };
}

async function whyNoWorkTree(path: string): Promise<string> {
  if ((await gitAnswer(path, ['rev-parse', '--is-bare-repository'])) === 'true') {
    return (
      `${path} is a bare repository: it holds history but no files to work on. ` +
      `Clone it (\`git clone ${path} <folder>\`) and give the clone's folder, or give a checkout of it.`
    );
  }
  const gitDir = await gitAnswer(path, ['rev-parse', '--absolute-git-dir']);
  if ((await gitAnswer(path, ['rev-parse', '--is-inside-git-dir'])) === 'true') {
    const workTree = gitDir && basename(gitDir) === '.git' ? `: ${dirname(gitDir)}` : '';
    return `${path} is inside a repository's .git folder, not its files. Give the repository's own folder${workTree}.`;
  }
  return `${path} is in a git repository that has no work tree. Give the folder of a checkout of it.`;
}

/** What git printed, trimmed; null when git says this is no repository at all. */
async function gitAnswer(cwd: string, args: string[]): Promise<string | null> {
  try {
    return (await git(cwd, args)).trim();
  } catch (error) {
    if (error instanceof GitError) return null;
    throw error;
  }
}

/** Confirms that `name` is an existing local branch of the repo at `root`: never an option, a range or `@{-1}`. */
export async function checkBaseBranch(root: string, name: string): Promise<void> {
  // --branch takes the very next argument as the name, so a name like --detach is judged, never obeyed.
  const normalized = await gitAnswer(root, ['check-ref-format', '--branch', name]);
  if (normalized !== name) {
    throw new ErrandError(
      'invalid_params',
      `"${name}" is not a branch name git accepts. Pass the name of a branch in ${root} (\`git branch\` lists them), like main.`,
    );
  }
  if (!(await branchExists(root, name))) {
    throw new ErrandError(
      'repo_invalid',
      `There is no branch "${name}" in ${root}. \`git branch\` lists them; ` +
        `to start from a remote branch, make a local one first (\`git branch ${name} origin/${name}\`).`,
    );
  }
}

/** A name that starts refs/heads/ can never be taken for an option. */
export function branchExists(root: string, branch: string): Promise<boolean> {
  return gitOk(root, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`]);
}
