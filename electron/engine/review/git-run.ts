// Git questions review work asks; the calls themselves go through worktrees/git.ts.
import { runGit } from '../worktrees/git.js';
import type { GitOptions } from '../worktrees/git.js';

/** Stdout, trimmed. */
export async function gitLine(cwd: string, args: string[], options?: GitOptions): Promise<string> {
  return (await runGit(cwd, args, options)).stdout.trim();
}

export async function isAncestor(cwd: string, ancestor: string, of: string): Promise<boolean> {
  return (await runGit(cwd, ['merge-base', '--is-ancestor', ancestor, of], { okCodes: [1] })).code === 0;
}

const FALLBACK_IDENTITY = { name: 'Errand', email: 'errand@localhost' };

/**
 * The environment a commit Errand makes needs: none when git knows who the person is, else Errand's own name, so an
 * unconfigured machine can still approve (the person's configured identity always wins).
 */
export async function identityEnv(cwd: string): Promise<Record<string, string>> {
  const known = await runGit(cwd, ['var', 'GIT_COMMITTER_IDENT'], { okCodes: [1, 128] });
  const author = await runGit(cwd, ['var', 'GIT_AUTHOR_IDENT'], { okCodes: [1, 128] });
  if (known.code === 0 && author.code === 0) return {};
  const { name, email } = FALLBACK_IDENTITY;
  return { GIT_AUTHOR_NAME: name, GIT_AUTHOR_EMAIL: email, GIT_COMMITTER_NAME: name, GIT_COMMITTER_EMAIL: email };
}
