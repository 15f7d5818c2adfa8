// errand add | ls | show | search | cancel | retry | clean
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { RUN_STATUSES } from '../../../shared/domain.js';
import type { RunInfo, RunStatus } from '../../../shared/domain.js';
import { readStdin } from '../stdin.js';
import type { CliContext } from '../cli-context.js';
import { parse, taskIdArg, UsageError } from '../cli-context.js';
import { chainText, elapsed, groupText, oneLine, statusText, table, taskTable, TIME_ZONE } from '../format.js';
import { addBestOf } from './best-of-commands.js';
import { bytesText, collisionLines } from './train-commands.js';

export function absolutePath(path: string): string {
  return resolve(path === '~' || path.startsWith('~/') ? homedir() + path.slice(1) : path);
}

const ADD_USAGE =
  'errand add "<prompt>" --repo <path> --profile <name> [--priority N] [--at "<when>"] [--chain <name>] [--after <id>]…\n' +
  '    [--after-merge <id>]…   (prompt "-" reads stdin)\n' +
  '  --at "<when>"     start it later: "tonight 2am", "monday", "2h", "2026-12-01 14:00" (in your time zone)\n' +
  '  --chain <name>    run the steps of a chain one after another in the task\'s worktree (errand chain ls); --profile\n' +
  '                    may be left out when every step names its own\n' +
  '  --best-of a,b,c   instead of --profile: the prompt goes to each of these profiles, compared in errand review\n' +
  '  --after <id>      wait until that task succeeds; --after-merge <id>: until it is merged (repeatable, any repo)';
export async function add(ctx: CliContext, args: string[]): Promise<void> {
  const { values, positionals } = parse(
    args,
    {
      repo: { type: 'string' },
      profile: { type: 'string' },
      priority: { type: 'string' },
      'prompt-file': { type: 'string' },
      at: { type: 'string' },
      chain: { type: 'string' },
      'best-of': { type: 'string' },
      after: { type: 'string', multiple: true },
      'after-merge': { type: 'string', multiple: true },
    },
    ADD_USAGE,
  );
  const bestOf = typeof values['best-of'] === 'string' ? values['best-of'].split(',').map((p) => p.trim()).filter(Boolean) : undefined;
  if (!values.repo || (!values.profile && !bestOf && !values.chain)) {
    throw new UsageError(`--repo and --profile (or --best-of, or --chain) are required\nusage: ${ADD_USAGE}`);
  }
  if (values.profile && bestOf) throw new UsageError(`give --profile or --best-of, not both\nusage: ${ADD_USAGE}`);
  if (values.chain && bestOf) throw new UsageError(`give --chain or --best-of, not both\nusage: ${ADD_USAGE}`);
  let prompt: string;
  if (typeof values['prompt-file'] === 'string') prompt = readFileSync(values['prompt-file'], 'utf8');
  else if (positionals.length === 1 && positionals[0] === '-') prompt = await readStdin();
  else if (positionals.length === 1) prompt = positionals[0]!;
  else throw new UsageError(`give the prompt as one quoted argument\nusage: ${ADD_USAGE}`);
  const priority = values.priority === undefined ? undefined : Number(values.priority);
  if (priority !== undefined && !Number.isInteger(priority)) throw new UsageError(`--priority takes a whole number\nusage: ${ADD_USAGE}`);
  const ids = (list: unknown) => (list as string[] | undefined)?.map((v) => taskIdArg(v, ADD_USAGE));
  const after = ids(values.after);
  const afterMerge = ids(values['after-merge']);
  const common = {
    prompt,
    repo: absolutePath(values.repo as string),
    ...(priority !== undefined ? { priority } : {}),
    ...(after ? { after } : {}),
    ...(afterMerge ? { afterMerge } : {}),
    ...(typeof values.at === 'string' ? { at: values.at, timeZone: TIME_ZONE } : {}),
  };
  if (bestOf) return addBestOf(ctx, { ...common, profiles: bestOf });
  const engine = await ctx.engine();
  const task = await engine.request('task.add', {
    ...common,
    ...(typeof values.profile === 'string' ? { profile: values.profile } : {}),
    ...(typeof values.chain === 'string' ? { chain: values.chain } : {}),
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
    if (task.group) lines.push(`group   ${groupText(task.group)} (errand batch show ${task.group.id})`);
    if (task.review) lines.push(`review  ${task.review.replace('_', ' ')}${task.reviewDetail?.message ? `: ${task.reviewDetail.message}` : ''}`);
    if (task.chain) lines.push(`chain   ${task.chain.template}: ${chainText(task)} (errand chain show ${task.id})`);
    if (task.run?.worktree) lines.push(`worktree ${task.run.worktree} (${task.run.branch})`);
    const retried = runs.filter((r) => r.retry).map((r) => `attempt ${r.attempt}: ${r.retry!.note}`);
    if (retried.length > 0) lines.push(`retries ${retried.join(' · ')}`);
    if (task.scheduleId !== null) lines.push(`schedule ${task.scheduleId}${task.review === 'nothing_found' ? ' · nothing found' : ''}`);
    for (const line of collisionLines([{ taskId: task.id, overlaps: detail.overlaps }])) lines.push(`overlap ${line.replace(/^task \d+ /, '')}`);
    const checked = [...runs].reverse().find((r) => r.check);
    if (checked) lines.push(...checkLines(checked));
    const rows = [['RUN', 'STEP', 'STATUS', 'EXIT', 'CHECK', 'TIME', 'OUTPUT']];
    for (const r of runs) {
      const time = r.startedAt ? elapsed((r.endedAt ?? Date.now()) - r.startedAt) : '-';
      const check = r.check ? (r.check.passed ? 'passed' : 'failed') : '-';
      rows.push([`#${r.attempt}`, r.step === null ? '-' : String(r.step + 1), r.status, r.exitCode === null ? '-' : String(r.exitCode), check, time, `${r.logBytes} bytes`]);
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
