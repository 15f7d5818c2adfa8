// `errand approve --pr`: push the task's branch to the repo's remote, then open a pull request with GitHub's CLI.
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { ErrandError } from '../../../shared/protocol/errors.js';
import { GitError, runGit } from '../worktrees/git.js';
import { gitLine } from './git-run.js';

const PUSH_TIMEOUT_MS = 120_000;
const GH_TIMEOUT_MS = 120_000;
const OTHER_WAYS = 'or approve with --merge or --keep-branch instead';

/** `gh` on the engine's PATH, or a clear error: without it no pull request can be opened. */
export async function findGh(): Promise<string> {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'gh');
    if (await access(candidate, constants.X_OK).then(() => true, () => false)) return candidate;
  }
  throw new ErrandError(
    'not_found',
    `not found: gh (GitHub's CLI) is not on the engine's PATH, so no pull request can be opened. Install it ` +
      `(https://cli.github.com), run \`gh auth login\` and \`errand daemon stop\` so the engine starts again with it, ${OTHER_WAYS}.`,
  );
}

/** The branch's upstream remote, else `origin`; a clear error when the repo has neither. */
export async function remoteFor(repoPath: string, branch: string): Promise<string> {
  const upstream = await runGit(repoPath, ['config', '--get', `branch.${branch}.remote`], { okCodes: [1] });
  const remotes = (await gitLine(repoPath, ['remote'])).split('\n').filter(Boolean);
  const named = upstream.stdout.trim();
  if (named && remotes.includes(named)) return named;
  if (remotes.includes('origin')) return 'origin';
  throw new ErrandError(
    'repo_invalid',
    `${repoPath} has no remote to push to${remotes.length ? ` named origin (it has ${remotes.join(', ')})` : ''}, so no pull request ` +
      `can be opened. Add one (\`git remote add origin <url>\`), ${OTHER_WAYS}.`,
  );
}

export async function pushBranch(repoPath: string, remote: string, branch: string): Promise<void> {
  try {
    await runGit(repoPath, ['push', '--', remote, `refs/heads/${branch}:refs/heads/${branch}`], { timeoutMs: PUSH_TIMEOUT_MS });
  } catch (error) {
    if (!(error instanceof GitError)) throw error;
    throw new ErrandError('conflict', `Pushing ${branch} to ${remote} failed: ${error.stderr.trim() || error.message}. Nothing else was done.`);
  }
}

export interface PullRequest {
  gh: string;
  cwd: string;
  branch: string;
  base: string;
  title: string;
  body: string;
}

/** Runs `gh pr create` (argv, no shell) and returns the URL it prints. */
export function openPullRequest(pr: PullRequest): Promise<string> {
  const args = ['pr', 'create', '--head', pr.branch, '--base', pr.base, '--title', pr.title, '--body', pr.body];
  return new Promise((resolve, reject) => {
    execFile(pr.gh, args, { cwd: pr.cwd, timeout: GH_TIMEOUT_MS, maxBuffer: 1024 * 1024, env: { ...process.env, GH_PROMPT_DISABLED: '1' } }, (error, stdout, stderr) => {
      const url = String(stdout).match(/https?:\/\/\S+/g)?.at(-1);
      if (!error && url) return resolve(url);
      const said = String(stderr).trim().split('\n').at(-1) || (error ? error.message : 'it printed no URL');
      reject(new ErrandError('conflict', `gh pr create failed: ${said}. The branch ${pr.branch} was pushed; open the pull request by hand, or try again.`));
    });
  });
}
