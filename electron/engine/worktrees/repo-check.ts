import { statSync } from 'node:fs';
import { ErrandError } from '../../../shared/protocol/errors.js';
import { git, gitOk } from './git.js';

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
  if (!(await gitOk(path, ['rev-parse', '--is-inside-work-tree']))) {
    throw new ErrandError('repo_invalid', `${path} is not a git repository. Run \`git init\` there, or give another path.`);
  }
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
