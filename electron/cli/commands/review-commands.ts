// errand review | approve | reject | discard
import type { TaskInfo } from '../../../shared/domain.js';
import type { TaskReview } from '../../../shared/protocol/methods.js';
import type { CliContext } from '../cli-context.js';
import { parse, taskIdArg, UsageError } from '../cli-context.js';
import { confirmed } from '../confirm.js';
import { agentPart, oneLine, table } from '../format.js';
import { comparisonText, confirmDiscardOthers } from './best-of-commands.js';
import { approveTrain, collisionLines } from './train-commands.js';

const REVIEW_USAGE =
  'errand review <id> [--compare] [--json]\n' +
  "  the task's summary, the files it changed with +/-, and the diff against its base (uncommitted and untracked work included);\n" +
  '  for a --best-of task, its group side by side first (--compare: only that)';
const APPROVE_USAGE =
  'errand approve <id> --merge | --pr | --keep-branch [--yes]\n' +
  '       errand approve <id> <id>… --merge   (a merge train: fewest overlaps first, each rebased and re-checked; exit 1 unless all merged)\n' +
  "  commits the worktree's work on the task's branch, then:\n" +
  "  --merge        merges it into the base (the repo's --merge-strategy: squash, rebase or merge) when that is safe\n" +
  '  --pr           pushes the branch and opens a pull request with gh\n' +
  '  --keep-branch  removes the worktree and keeps the branch\n' +
  "  --yes          for a --best-of task: discard the other candidates' worktrees without asking";
const REJECT_USAGE = 'errand reject <id> "<feedback>"\n  sends the feedback to the agent: a follow-up run in the same worktree (and session)';
const DISCARD_USAGE =
  'errand discard <id> [--force] [--yes]\n' +
  '  removes the worktree and branch; asks first (--yes when not at a terminal); --force also drops uncommitted or unmerged work';

function reviewText(r: TaskReview): string {
  const lines = [`task ${r.task.id}  ${r.task.review ?? r.task.status}  ${r.branch} → ${r.baseBranch}`, `prompt   ${oneLine(r.task.prompt, 200)}`];
  if (r.task.reviewDetail?.message) lines.push(`review   ${r.task.reviewDetail.message}`);
  // No silent "done": what the agent was denied on the way, or that it changed nothing, is said before its summary.
  const said = r.task.status === 'succeeded' ? agentPart(r.task.run?.reason ?? null, Boolean(r.task.run?.check)) : null;
  if (said) lines.push(`agent    ${said}`);
  for (const line of collisionLines([{ taskId: r.task.id, overlaps: r.overlaps }])) lines.push(`overlap  ${line.replace(/^task \d+ /, '')}`);
  if (r.check) {
    const verdict = r.check.passed ? 'passed' : r.check.timedOut ? 'timed out' : `failed (exit ${r.check.exitCode})`;
    lines.push(`check    ${verdict}: ${r.check.command}`);
    if (!r.check.passed && r.check.outputTail) lines.push(r.check.outputTail.trimEnd().replace(/^/gm, '  '));
  }
  lines.push('', 'summary', r.summary ? r.summary.replace(/^/gm, '  ') : '  (none: the agent gave no final message)', '');
  if (r.noChanges) {
    lines.push(`no changes: the branch changes nothing against ${r.baseBranch}`);
    return lines.join('\n');
  }
  const rows = [['STATUS', '+', '-', 'FILE']];
  for (const f of r.files) {
    const name = f.oldPath ? `${f.oldPath} → ${f.path}` : f.path;
    rows.push([f.status, f.binary ? 'bin' : `+${f.additions}`, f.binary ? '' : `-${f.deletions}`, name]);
  }
  lines.push(table(rows));
  lines.push(`${r.files.length}${r.filesTruncated ? '+' : ''} file(s), +${r.additions} -${r.deletions}${r.source === 'branch' ? ' (from the branch; the worktree is gone)' : ''}`);
  lines.push('', r.diff.trimEnd());
  if (r.diffTruncated) lines.push('', `(the diff was cut here; see the rest with git diff ${r.mergeBase.slice(0, 12)} in the worktree)`);
  return lines.join('\n');
}

export async function review(ctx: CliContext, args: string[]): Promise<void> {
  const { values, positionals } = parse(args, { compare: { type: 'boolean' } }, REVIEW_USAGE);
  const id = taskIdArg(positionals[0], REVIEW_USAGE);
  if (values.compare === true) {
    const comparison = await (await ctx.engine()).request('group.compare', { id });
    ctx.print(comparison, () => comparisonText(comparison));
    return;
  }
  const result = await (await ctx.engine()).request('task.review', { id });
  const comparison = !ctx.json && result.task.group?.kind === 'best_of' ? await (await ctx.engine()).request('group.compare', { id }) : null;
  ctx.print(result, () => (comparison ? `${comparisonText(comparison)}\n\n` : '') + reviewText(result));
}

const reviewLine = (task: TaskInfo) => `task ${task.id} ${task.review ?? task.status}${task.reviewDetail?.message ? `: ${task.reviewDetail.message}` : ''}`;

export async function approve(ctx: CliContext, args: string[]): Promise<void> {
  const { values, positionals } = parse(
    args,
    { merge: { type: 'boolean' }, pr: { type: 'boolean' }, 'keep-branch': { type: 'boolean' }, yes: { type: 'boolean' } },
    APPROVE_USAGE,
  );
  const chosen = (['merge', 'pr', 'keep-branch'] as const).filter((flag) => values[flag] === true);
  if (chosen.length !== 1) throw new UsageError(`choose one of --merge, --pr or --keep-branch\nusage: ${APPROVE_USAGE}`);
  const action = chosen[0] === 'keep-branch' ? 'keep' : chosen[0]!;
  if (positionals.length > 1) {
    if (action !== 'merge') throw new UsageError(`several tasks are approved together only with --merge (a merge train)\nusage: ${APPROVE_USAGE}`);
    return approveTrain(ctx, positionals.map((p) => taskIdArg(p, APPROVE_USAGE)));
  }
  const engine = await ctx.engine();
  const task = await engine.request('task.approve', { id: taskIdArg(positionals[0], APPROVE_USAGE), action });
  const others = task.group?.kind === 'best_of' ? await confirmDiscardOthers(ctx, engine, task.id, values.yes === true, false) : null;
  ctx.print(others ? { ...task, otherCandidates: others.result } : task, () => reviewLine(task) + (others ? `\n${others.text}` : ''));
}

export async function reject(ctx: CliContext, args: string[]): Promise<void> {
  const { positionals } = parse(args, {}, REJECT_USAGE);
  if (positionals.length !== 2) throw new UsageError(`give the feedback as one quoted argument\nusage: ${REJECT_USAGE}`);
  const task = await (await ctx.engine()).request('task.reject', { id: taskIdArg(positionals[0], REJECT_USAGE), feedback: positionals[1]! });
  ctx.print(task, () => `task ${task.id} ${task.review}: run ${task.run?.attempt} is ${task.status} with your feedback`);
}

export async function discard(ctx: CliContext, args: string[]): Promise<void> {
  const { values, positionals } = parse(args, { force: { type: 'boolean' }, yes: { type: 'boolean' } }, DISCARD_USAGE);
  const id = taskIdArg(positionals[0], DISCARD_USAGE);
  if (values.yes !== true) {
    if (!process.stdin.isTTY) throw new UsageError(`not at a terminal, so discard cannot ask: pass --yes to confirm\nusage: ${DISCARD_USAGE}`);
    if (!(await confirmed(`Discard task ${id}: remove its worktree and branch${values.force ? ', and any work in them' : ''}?`))) {
      ctx.print({ discarded: false }, () => 'nothing was discarded');
      return;
    }
  }
  const result = await (await ctx.engine()).request('task.discard', { id, force: values.force === true });
  ctx.print(result, () => reviewLine(result.task));
}
