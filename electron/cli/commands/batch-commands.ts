// errand batch [ls | show | retry | discard-others] | errand after
import { readFileSync } from 'node:fs';
import type { GroupDetail, GroupInfo } from '../../../shared/protocol/methods.js';
import { readStdin } from '../stdin.js';
import type { CliContext } from '../cli-context.js';
import { parse, taskIdArg, UsageError } from '../cli-context.js';
import { groupText, oneLine, statusText, table, taskTable } from '../format.js';
import { parseBatch } from './batch-input.js';
import { confirmDiscardOthers } from './best-of-commands.js';
import { absolutePath } from './task-commands.js';

const CREATE_USAGE =
  'errand batch --repo <path> [--profile <name>] [--priority N] [--file <path>] < tasks.txt\n' +
  '  files one task per line (blank lines skipped), or a JSON array of prompts or of {"prompt", "profile", "priority"}\n' +
  '  objects, as one group, all or nothing';
const LS_USAGE = 'errand batch ls [--limit N]';
const SHOW_USAGE = 'errand batch show <id>';
const RETRY_USAGE = 'errand batch retry <id> --failed   (a new run for each task of the group that failed)';
const DISCARD_OTHERS_USAGE = 'errand batch discard-others <task-id> [--yes]   (discards the other tasks of its best-of group)';
const GROUP_USAGE = [CREATE_USAGE, LS_USAGE, SHOW_USAGE, RETRY_USAGE, DISCARD_OTHERS_USAGE].join('\n');
const AFTER_USAGE = 'errand after <id> <prereq-id> [--merge]   (task <id> waits for <prereq-id> to succeed, or with --merge to be merged)';

function groupId(value: string | undefined, usage: string): number {
  const id = Number(value);
  if (!value || !Number.isSafeInteger(id) || id <= 0) throw new UsageError(`expected a group id (a positive number)\nusage: ${usage}`);
  return id;
}

export function progressLine(g: GroupInfo): string {
  const parts = [`${g.succeeded} of ${g.total} done`];
  if (g.failed) parts.push(`${g.failed} failed`);
  if (g.running) parts.push(`${g.running} running`);
  if (g.queued) parts.push(`${g.queued} queued`);
  return parts.join(', ');
}

function detailText({ group, tasks }: GroupDetail): string {
  const lines = [`${groupText(group)}: ${progressLine(group)}`, '', taskTable(tasks)];
  const failed = tasks.filter((t) => t.status !== 'succeeded' && t.run?.endedAt);
  if (failed.length) {
    lines.push('', 'failures:');
    for (const t of failed) lines.push(`  task ${t.id} ${t.status}${t.run?.reason ? `: ${oneLine(t.run.reason, 120)}` : ''}`);
    if (group.kind === 'batch') lines.push(`errand batch retry ${group.id} --failed   runs them again`);
  }
  return lines.join('\n');
}

async function create(ctx: CliContext, args: string[]): Promise<void> {
  const { values, positionals } = parse(
    args,
    { repo: { type: 'string' }, profile: { type: 'string' }, priority: { type: 'string' }, file: { type: 'string' } },
    GROUP_USAGE,
  );
  if (positionals.length > 0) throw new UsageError(`unknown subcommand "${positionals[0]}"\nusage: ${GROUP_USAGE}`);
  if (!values.repo) throw new UsageError(`--repo is required\nusage: ${CREATE_USAGE}`);
  const priority = values.priority === undefined ? undefined : Number(values.priority);
  if (priority !== undefined && !Number.isInteger(priority)) throw new UsageError(`--priority takes a whole number\nusage: ${CREATE_USAGE}`);
  const file = typeof values.file === 'string' ? values.file : null;
  // At a terminal, reading stdin would sit waiting for a Ctrl-D the person does not know to type.
  if (file === null && process.stdin.isTTY) throw new UsageError(`give the tasks on stdin (errand batch … < tasks.txt) or with --file\nusage: ${CREATE_USAGE}`);
  const tasks = parseBatch(file === null ? await readStdin() : readFileSync(file, 'utf8'));
  const group = await (await ctx.engine()).request('batch.create', {
    repo: absolutePath(values.repo as string),
    tasks,
    ...(typeof values.profile === 'string' ? { profile: values.profile } : {}),
    ...(priority !== undefined ? { priority } : {}),
  });
  ctx.print(group, () => `batch ${group.id}: ${group.total} tasks filed (${group.taskIds[0]}–${group.taskIds.at(-1)}); errand batch show ${group.id}`);
}

export async function batch(ctx: CliContext, args: string[]): Promise<void> {
  const sub = args[0];
  const rest = args.slice(1);
  if (sub === 'ls') {
    const { values } = parse(rest, { limit: { type: 'string' } }, LS_USAGE);
    const limit = values.limit === undefined ? undefined : Number(values.limit);
    if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new UsageError(`--limit takes a positive number\nusage: ${LS_USAGE}`);
    const result = await (await ctx.engine()).request('batch.list', limit ? { limit } : {});
    ctx.print(result, () => {
      if (result.groups.length === 0) return 'no batches or best-of groups yet: errand batch --repo . --profile <name> < tasks.txt';
      const rows = [['GROUP', 'TASKS', 'PROGRESS']];
      for (const g of result.groups) rows.push([groupText(g), `${g.taskIds[0]}–${g.taskIds.at(-1)}`, progressLine(g)]);
      return table(rows);
    });
    return;
  }
  if (sub === 'show') {
    const { positionals } = parse(rest, {}, SHOW_USAGE);
    const detail = await (await ctx.engine()).request('batch.show', { id: groupId(positionals[0], SHOW_USAGE) });
    ctx.print(detail, () => detailText(detail));
    return;
  }
  if (sub === 'retry') {
    const { values, positionals } = parse(rest, { failed: { type: 'boolean' } }, RETRY_USAGE);
    if (values.failed !== true) throw new UsageError(`say which to retry: --failed\nusage: ${RETRY_USAGE}`);
    const result = await (await ctx.engine()).request('batch.retry', { id: groupId(positionals[0], RETRY_USAGE), failed: true });
    ctx.print(result, () => `${groupText(result)}: retrying ${result.retried.map((id) => `task ${id}`).join(', ')}`);
    return;
  }
  if (sub === 'discard-others') {
    const { values, positionals } = parse(rest, { yes: { type: 'boolean' } }, DISCARD_OTHERS_USAGE);
    const id = taskIdArg(positionals[0], DISCARD_OTHERS_USAGE);
    await confirmDiscardOthers(ctx, await ctx.engine(), id, values.yes === true, true);
    return;
  }
  await create(ctx, args);
}

export async function after(ctx: CliContext, args: string[]): Promise<void> {
  const { values, positionals } = parse(args, { merge: { type: 'boolean' } }, AFTER_USAGE);
  if (positionals.length !== 2) throw new UsageError(`give the task and the task it waits for\nusage: ${AFTER_USAGE}`);
  const result = await (await ctx.engine()).request('task.after', {
    id: taskIdArg(positionals[0], AFTER_USAGE),
    prereq: taskIdArg(positionals[1], AFTER_USAGE),
    needs: values.merge === true ? 'merge' : 'success',
  });
  ctx.print(result, () => `task ${result.task.id} ${statusText(result.task)}`);
}
