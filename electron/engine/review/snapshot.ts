// The worktree's work as git sees it, read without touching the worktree's index or files: a copy of its index in a
// temporary file takes every change (untracked files included, ignored ones aside).
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { repoHoldsSame } from '../worktrees/unsaved-work.js';
import { runGit } from '../worktrees/git.js';
import { gitLine, identityEnv } from './git-run.js';

export interface Snapshot {
  head: string;
  /** The tree of HEAD with every uncommitted and untracked change applied. */
  tree: string;
  /** The worktree holds work its last commit does not. */
  changed: boolean;
}

/**
 * Files Errand copied in from the repo's checkout (agent configuration, listed ignored files) that no commit has and
 * that are unchanged: they are the person's, not the agent's work, and stay out of the diff and the commit.
 */
async function untouchedCopies(worktree: string, repoPath: string, copied: readonly string[]): Promise<string[]> {
  const present = copied.filter((rel) => existsSync(join(worktree, rel)));
  if (present.length === 0) return [];
  const tracked = new Set(
    (await runGit(worktree, ['--literal-pathspecs', 'ls-tree', '-r', '--name-only', '-z', 'HEAD', '--', ...present])).stdout
      .split('\0')
      .filter(Boolean),
  );
  const untouched: string[] = [];
  for (const rel of present) {
    if (!tracked.has(rel) && (await repoHoldsSame(worktree, repoPath, rel))) untouched.push(rel);
  }
  return untouched;
}

/** The worktree's index file: its `.git` is a file naming its git dir (or, in a plain checkout, that dir). */
async function indexOf(worktree: string): Promise<string> {
  const dotGit = join(worktree, '.git');
  if ((await stat(dotGit)).isDirectory()) return join(dotGit, 'index');
  const gitDir = (await readFile(dotGit, 'utf8')).match(/^gitdir: (.+)$/m)?.[1]?.trim();
  if (!gitDir) return gitLine(worktree, ['rev-parse', '--path-format=absolute', '--git-path', 'index']);
  return join(isAbsolute(gitDir) ? gitDir : resolve(worktree, gitDir), 'index');
}

/**
 * Runs `use` with the environment of a temporary index that holds the worktree's work (everything `git add -A`
 * takes, less untouched copies), then deletes it.
 */
export async function withWorkIndex<T>(
  worktree: string,
  repoPath: string,
  copied: readonly string[],
  tmpDir: string,
  use: (env: Record<string, string>) => Promise<T>,
): Promise<T> {
  const source = indexOf(worktree).catch(() => null);
  await mkdir(tmpDir, { recursive: true, mode: 0o700 });
  const index = join(tmpDir, `review-index-${randomUUID()}`);
  const env = { GIT_INDEX_FILE: index };
  try {
    // A copy keeps the index's file stamps, so git rehashes only what changed; without an index, start from HEAD.
    const from = await source;
    const haveIndex = from !== null && (await copyFile(from, index).then(() => true, () => false));
    if (!haveIndex) await runGit(worktree, ['read-tree', 'HEAD'], { env });
    await runGit(worktree, ['add', '-A'], { env });
    const leaveOut = await untouchedCopies(worktree, repoPath, copied);
    if (leaveOut.length > 0) await runGit(worktree, ['update-index', '--force-remove', '--', ...leaveOut], { env });
    return await use(env);
  } finally {
    // The copy is this call's alone: the answer need not wait for its removal (on a loaded machine, tens of ms).
    void Promise.all([rm(index, { force: true }), rm(`${index}.lock`, { force: true })]).catch(() => {});
  }
}

export function snapshot(worktree: string, repoPath: string, copied: readonly string[], tmpDir: string): Promise<Snapshot> {
  return withWorkIndex(worktree, repoPath, copied, tmpDir, async (env) => {
    const [tree, revs] = await Promise.all([gitLine(worktree, ['write-tree'], { env }), gitLine(worktree, ['rev-parse', 'HEAD^{commit}', 'HEAD^{tree}'])]);
    const [head, headTree] = revs.split('\n') as [string, string];
    return { head, tree, changed: tree !== headTree };
  });
}

/** "fix the parser" / "Errand task 7": the prompt's first line as the subject, at most this long. */
const SUBJECT_MAX_CHARS = 72;

export function commitMessage(taskId: number, prompt: string): { subject: string; body: string } {
  const first = prompt.trim().split('\n')[0]!.trim();
  const subject = first.length > SUBJECT_MAX_CHARS ? `${first.slice(0, SUBJECT_MAX_CHARS - 1)}…` : first;
  return { subject: subject || `Errand task ${taskId}`, body: `Errand task ${taskId}` };
}

/**
 * Commits the worktree's uncommitted and untracked work on its branch (what review showed), then lines the
 * worktree's index up with the new commit. The files in the worktree are not touched. Returns the branch's tip.
 */
export async function commitWork(
  worktree: string,
  repoPath: string,
  copied: readonly string[],
  tmpDir: string,
  message: { subject: string; body: string },
): Promise<string> {
  const work = await snapshot(worktree, repoPath, copied, tmpDir);
  if (!work.changed) return work.head;
  const env = await identityEnv(worktree);
  const commit = await gitLine(worktree, ['commit-tree', work.tree, '-p', work.head, '-m', message.subject, '-m', message.body], { env });
  await runGit(worktree, ['update-ref', '-m', "errand: approve (commit the task's work)", 'HEAD', commit, work.head]);
  await runGit(worktree, ['reset', '-q']);
  return commit;
}
