// Where a task works: a folder under the data dir and a branch errand/<id>-<words>-<data dir id>.
import { createHash } from 'node:crypto';
import { basename, isAbsolute, join, normalize, sep } from 'node:path';
import type { RunInfo } from '../../../shared/domain.js';
import { ErrandError } from '../../../shared/protocol/errors.js';

export interface WorktreePlace {
  path: string;
  branch: string;
  /** An earlier run of this task claimed this place, so a retry, reply or resume may reuse what is there. */
  claimed: boolean;
}

/**
 * The task's id and the start of its prompt, for people to read, then the data dir's id: task ids restart in every
 * data dir (a second ERRAND_HOME, or one deleted and made again), and two of them may share a repository.
 */
export function slugFor(taskId: number, prompt: string, dataDirId: string): string {
  const words = prompt
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+[^-]*$/, (tail) => (tail.length > 12 ? '' : tail))
    .replace(/-+$/, '');
  return `${taskId}-${words || 'task'}-${dataDirId}`;
}

function repoFolder(repoPath: string): string {
  const name = basename(repoPath).replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 40) || 'repo';
  return `${name}-${createHash('sha1').update(repoPath).digest('hex').slice(0, 8)}`;
}

/** The place the task's runs recorded (its latest); null when none got as far as claiming one. */
export function recordedPlace(runs: readonly RunInfo[]): WorktreePlace | null {
  const run = runs.findLast((r) => r.worktree && r.branch);
  return run ? { path: run.worktree!, branch: run.branch!, claimed: true } : null;
}

/** The task's place: the one its runs recorded (tasks made before data dir ids keep theirs), else a new one. */
export function placeFor(
  worktreesRoot: string,
  repoPath: string,
  task: { id: number; prompt: string },
  runs: readonly RunInfo[],
  dataDirId: string,
): WorktreePlace {
  const recorded = recordedPlace(runs);
  if (recorded) return recorded;
  const slug = slugFor(task.id, task.prompt, dataDirId);
  return { path: join(worktreesRoot, repoFolder(repoPath), slug), branch: `errand/${slug}`, claimed: false };
}

/** A relative path that stays inside the repository, or an error naming the bad entry. */
export function safeRelative(entry: string): string {
  const clean = normalize(entry);
  if (isAbsolute(clean) || clean === '..' || clean.startsWith(`..${sep}`) || clean === '.' || clean.includes('\0')) {
    throw new ErrandError('invalid_params', `"${entry}" must be a path inside the repository, like .env or config/local.json.`);
  }
  return clean;
}
