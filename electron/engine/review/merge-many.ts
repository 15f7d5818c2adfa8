// Many merge checks in one git process (`git merge-tree --stdin`): each line "<base> <commit>" is merged as objects
// only, as mergeTree() does one. A git too old for --stdin checks them one by one.
import { runGit } from '../worktrees/git.js';
import { mergeTree } from './merge.js';

export type MergeCheck = { clean: true } | { clean: false; files: string[] };

/** Per merge: "status\0tree\0" then the conflicted files, each "\0"-ended, then an empty field. Status 1 is clean. */
function parse(stdout: string, count: number): MergeCheck[] | null {
  const fields = stdout.split('\0');
  const checks: MergeCheck[] = [];
  let i = 0;
  while (checks.length < count) {
    const status = fields[i];
    if (status !== '0' && status !== '1') return null;
    i += 2;
    const files: string[] = [];
    while (i < fields.length && fields[i] !== '') files.push(fields[i++]!);
    i++;
    checks.push(status === '1' ? { clean: true } : { clean: false, files: [...new Set(files)] });
  }
  return checks;
}

export async function mergeChecks(repoPath: string, base: string, commits: readonly string[]): Promise<MergeCheck[]> {
  if (commits.length === 0) return [];
  const input = commits.map((c) => `${base} ${c}\n`).join('');
  // A git before 2.40 may not know --stdin: it refuses the call, and each merge is checked on its own.
  const answer = await runGit(repoPath, ['merge-tree', '--stdin', '--write-tree', '--name-only', '--no-messages', '-z'], { input }).catch(() => null);
  const parsed = answer ? parse(answer.stdout, commits.length) : null;
  if (parsed) return parsed;
  const one: MergeCheck[] = [];
  for (const commit of commits) {
    const merged = await mergeTree(repoPath, base, commit);
    one.push('files' in merged ? { clean: false, files: merged.files } : { clean: true });
  }
  return one;
}

/** Every local branch's tip, in one call. */
export async function branchTips(repoPath: string): Promise<Map<string, string>> {
  const out = (await runGit(repoPath, ['for-each-ref', '--format=%(objectname) %(refname)', 'refs/heads/'])).stdout;
  const tips = new Map<string, string>();
  for (const line of out.split('\n')) {
    const space = line.indexOf(' ');
    if (space > 0) tips.set(line.slice(space + 1).replace(/^refs\/heads\//, ''), line.slice(0, space));
  }
  return tips;
}
