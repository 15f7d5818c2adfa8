// errand add | ls | show | search | cancel | retry | clean
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { RUN_STATUSES } from '../../../shared/domain.js';
import type { RunInfo, RunStatus } from '../../../shared/domain.js';
import type { CliContext } from '../cli-context.js';
import { parse, taskIdArg, UsageError } from '../cli-context.js';
import { elapsed, oneLine, statusText, table, taskTable } from '../format.js';
import { bytesText, collisionLines } from './train-commands.js';

export function absolutePath(path: string): string {
  return resolve(path === '~' || path.startsWith('~/') ? homedir() + path.slice(1) : path);
}

const ADD_USAGE = 'errand add "<prompt>" --repo <path> --profile <name> [--priority N]   (prompt "-" reads stdin)';
export async function add(ctx: CliContext, args: string[]): Promise<void> {
  const { values, positionals } = parse(
    args,
    { repo: { type: 'string' }, profile: { type: 'string' }, priority: { type: 'string' }, 'prompt-file': { type: 'string' } },
    ADD_USAGE,
  );
  if (!values.repo || !values.profile) throw new UsageError(`--repo and --profile are required\nusage: ${ADD_USAGE}`);
  let prompt: string;
  if (typeof values['prompt-file'] === 'string') prompt = readFileSync(values['prompt-file'], 'utf8');
  else if (positionals.length === 1 && positionals[0] === '-') prompt = readFileSync(0, 'utf8');
  else if (positionals.length === 1) prompt = positionals[0]!;
  else throw new UsageError(`give the prompt as one quoted argument\nusage: ${ADD_USAGE}`);
  const priority = values.priority === undefined ? undefined : Number(values.priority);
  if (priority !== undefined && !Number.isInteger(priority)) throw new UsageError(`--priority takes a whole number\nusage: ${ADD_USAGE}`);
  const engine = await ctx.engine();
  const task = await engine.request('task.add', {
    prompt,
    repo: absolutePath(values.repo as string),
    profile: values.profile as string,
    ...(priority !== undefined ? { priority } : {}),
  });
  ctx.print(task, () => `task ${task.id} ${statusText(task)}: ${oneLine(task.prompt, 60)}`);
}

const LS_USAGE =
  `errand ls [--status <${RUN_STATUSES.join('|')}>[,…]] [--limit N]\n` +
  '  open tasks whose changes touch the same files are named under the table\n' +
  "       errand ls --disk   the space each repo's worktrees take";
export async function ls(ctx: CliContext, args: string[]): Promise<void> {
  const { values } = parse(args, { status: { type: 'string' }, limit: { type: 'string' }, disk: { type: 'boolean' } }, LS_USAGE);
  if (values.disk === true) return lsDisk(ctx);
  const status = typeof values.status === 'string' ? values.status.split(',').map((s) => s.trim()) : undefined;
  const bad = status?.find((s) => !(RUN_STATUSES as readonly string[]).includes(s));
  if (bad) throw new UsageError(`unknown status "${bad}"\nusage: ${LS_USAGE}`);
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new UsageError(`--limit takes a positive number\nusage: ${LS_USAGE}`);
  const engine = await ctx.engine();
  const listed = await engine.request('task.list', { ...(status ? { status: status as RunStatus[] } : {}), ...(limit ? { limit } : {}) });
  const { collisions } = listed.tasks.length ? await engine.request('review.collisions', { ids: listed.tasks.map((t) => t.id) }) : { collisions: [] };
  const result = { ...listed, collisions: collisions.filter((c) => c.overlaps.length > 0) };
  ctx.print(result, () => {
    if (result.tasks.length === 0) return status ? `no ${status.join(' or ')} tasks` : 'no tasks yet: errand add "<what to do>" --repo . --profile <name>';
    const more = result.total > result.tasks.length ? `\n(${result.tasks.length} of ${result.total}; --limit shows more)` : '';
    const overlaps = collisionLines(result.collisions);
    return taskTable(result.tasks) + more + (overlaps.length ? `\n\n${overlaps.join('\n')}` : '');
  });
}

async function lsDisk(ctx: CliContext): Promise<void> {
  const result = await (await ctx.engine()).request('repo.disk');
  ctx.print(result, () => {
    if (result.repos.length === 0) return 'no repos yet';
    const rows = [['REPO', 'WORKTREES', 'SIZE']];
    for (const r of result.repos) rows.push([r.path, String(r.worktrees), bytesText(r.bytes)]);
    return `${table(rows)}\n(errand gc lists the worktrees of finished tasks that can go)`;
  });
}

export async function search(ctx: CliContext, args: string[]): Promise<void> {
  const usage = 'errand search <words> [--limit N]';
  const { values, positionals } = parse(args, { limit: { type: 'string' } }, usage);
  if (positionals.length === 0) throw new UsageError(`give words to search for\nusage: ${usage}`);
  const engine = await ctx.engine();
  const result = await engine.request('task.search', {
    query: positionals.join(' '),
    ...(values.limit ? { limit: Number(values.limit) } : {}),
  });
  ctx.print(result, () => (result.tasks.length ? taskTable(result.tasks) : 'no task matches'));
}

export async function show(ctx: CliContext, args: string[]): Promise<void> {
  const usage = 'errand show <id>';
  const { positionals } = parse(args, {}, usage);
  const engine = await ctx.engine();
  const id = taskIdArg(positionals[0], usage);
  const [got, { collisions }] = await Promise.all([engine.request('task.get', { id }), engine.request('review.collisions', { ids: [id] })]);
  const detail = { ...got, overlaps: collisions[0]?.overlaps ?? [] };
  ctx.print(detail, () => {
    const { task, runs } = detail;
    const lines = [
      `task ${task.id}  ${statusText(task)}  (profile ${task.profile}, priority ${task.priority})`,
      `repo    ${task.repoPath}`,
      `prompt  ${oneLine(task.prompt, 200)}`,
    ];
    // A question tool waits like a permission request, but is answered in words.
    const permission = task.run?.request && !/question/i.test(task.run.request.tool);
    if (permission) lines.push(`asks    ${task.run!.question}   → errand allow ${task.id} / errand deny ${task.id}`);
    else if (task.run?.question) lines.push(`asks    ${task.run.question}   → errand reply ${task.id} "<answer>"`);
    if (task.run?.resultText) lines.push(`result  ${oneLine(task.run.resultText, 300)}`);
    if (task.run?.reason) lines.push(`reason  ${task.run.reason}`);
    if (task.review) lines.push(`review  ${task.review.replace('_', ' ')}${task.reviewDetail?.message ? `: ${task.reviewDetail.message}` : ''}`);
    if (task.run?.worktree) lines.push(`worktree ${task.run.worktree} (${task.run.branch})`);
    for (const line of collisionLines([{ taskId: task.id, overlaps: detail.overlaps }])) lines.push(`overlap ${line.replace(/^task \d+ /, '')}`);
    const checked = [...runs].reverse().find((r) => r.check);
    if (checked) lines.push(...checkLines(checked));
    const rows = [['RUN', 'STATUS', 'EXIT', 'CHECK', 'TIME', 'OUTPUT']];
    for (const r of runs) {
      const time = r.startedAt ? elapsed((r.endedAt ?? Date.now()) - r.startedAt) : '-';
      const check = r.check ? (r.check.passed ? 'passed' : 'failed') : '-';
      rows.push([`#${r.attempt}`, r.status, r.exitCode === null ? '-' : String(r.exitCode), check, time, `${r.logBytes} bytes`]);
    }
    return `${lines.join('\n')}\n\n${table(rows)}`;
  });
}

/** The latest check's result; a failure with the end of its output. */
function checkLines(run: RunInfo): string[] {
  const check = run.check!;
  const how = check.passed ? 'passed' : `failed (${check.timedOut ? 'timed out' : check.exitCode === null ? 'stopped' : `exit ${check.exitCode}`})`;
  const head = `check   ${how}: ${check.command}, ${elapsed(check.durationMs)}, run #${run.attempt}`;
  if (check.passed || !check.outputTail.trim()) return [head];
  return [head, 'check output (the end):', ...check.outputTail.replace(/\n+$/, '').split('\n').map((l) => `  ${l}`)];
}

export async function cancel(ctx: CliContext, args: string[]): Promise<void> {
  const usage = 'errand cancel <id>';
  const { positionals } = parse(args, {}, usage);
  const engine = await ctx.engine();
  const task = await engine.request('task.cancel', { id: taskIdArg(positionals[0], usage) });
  ctx.print(task, () => `task ${task.id} ${task.status}`);
}

export async function retry(ctx: CliContext, args: string[]): Promise<void> {
  const usage = 'errand retry <id>';
  const { positionals } = parse(args, {}, usage);
  const engine = await ctx.engine();
  const task = await engine.request('task.retry', { id: taskIdArg(positionals[0], usage) });
  ctx.print(task, () => `task ${task.id} ${statusText(task)} (attempt ${task.run?.attempt})`);
}

export async function clean(ctx: CliContext, args: string[]): Promise<void> {
  const usage = 'errand clean <id> [--force]   (removes the task\'s worktree and branch)';
  const { values, positionals } = parse(args, { force: { type: 'boolean' } }, usage);
  const engine = await ctx.engine();
  const result = await engine.request('task.clean', { id: taskIdArg(positionals[0], usage), force: values.force === true });
  ctx.print(result, () => (result.removed.length ? `removed ${result.removed.join(', ')}` : 'nothing to remove'));
}
