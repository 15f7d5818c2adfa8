// errand inbox | seen | dismiss | snooze | wake | digest
import type { InboxCount, InboxItem } from '../../../shared/domain.js';
import type { CliContext } from '../cli-context.js';
import { parse, UsageError } from '../cli-context.js';
import { elapsed, oneLine, table } from '../format.js';
import { absolutePath } from './task-commands.js';

const ID_HELP = 'an id is i<N> for one inbox item, or a task number for all of that task\'s items';
const INBOX_USAGE =
  'errand inbox [--kind question,tool_request,result,failure,…] [--repo <path|name>] [--limit N] [--peek]\n' +
  '             [--snoozed] [--all]\n' +
  '  what needs you: most work blocked first, then oldest first (questions, tool requests, results, failures, woken\n' +
  '  snoozes). What it shows is marked seen; --peek leaves it unseen. --snoozed: what is snoozed; --all: the history';
const SEEN_USAGE = `errand seen <id>… | --all\n  marks items seen (they stay in the inbox until dealt with); ${ID_HELP}`;
const DISMISS_USAGE = `errand dismiss <id>…\n  takes items out of the inbox without acting on their task (a failure you will not retry); ${ID_HELP}`;
const SNOOZE_USAGE =
  'errand snooze <task-or-item> <when>\n' +
  '  out of the inbox until then ("2h", "tomorrow 9am", "monday", "2026-12-01 14:00", in your time zone), then back,\n' +
  '  marked "snooze ended". A snoozed task keeps running; its attention waits with it, a failure excepted.\n' +
  `  ${ID_HELP}`;
const WAKE_USAGE = `errand wake <task-or-item>\n  ends a snooze now; ${ID_HELP}`;
const DIGEST_USAGE =
  'errand digest [<times> | off]\n' +
  '  times of day ("9:00,13:00,17:00", your time zone) when what does not block other work is delivered at once;\n' +
  '  what blocks work, and a waiting agent, may interrupt at any time. Without a digest everything may interrupt';

const timeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** A target of snooze and wake, seen and dismiss: `i12` is item 12, `9` is task 9. */
export function targetArg(value: string | undefined, usage: string): { itemId: number } | { taskId: number } {
  const m = value ? /^(i?)([1-9]\d{0,15})$/i.exec(value) : null;
  const n = m ? Number(m[2]) : NaN;
  if (!m || !Number.isSafeInteger(n)) throw new UsageError(`expected a task number or an item id such as i12\nusage: ${usage}`);
  return m[1] ? { itemId: n } : { taskId: n };
}

function targetsArg(values: string[], usage: string): { itemIds: number[]; taskIds: number[] } {
  const itemIds: number[] = [];
  const taskIds: number[] = [];
  for (const value of values) {
    const target = targetArg(value, usage);
    if ('itemId' in target) itemIds.push(target.itemId);
    else taskIds.push(target.taskId);
  }
  return { itemIds, taskIds };
}

const when = (at: number) =>
  new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .format(new Date(at))
    .replace(',', '');

/** What to type to deal with it. */
function nextStep(item: InboxItem): string {
  const t = item.taskId;
  switch (item.kind) {
    case 'question':
      return `errand reply ${t} "…"`;
    case 'tool_request':
      return `errand allow ${t} | deny ${t}`;
    case 'result':
      return `errand review ${t}`;
    case 'interrupted':
      return `errand resume ${t}`;
    default:
      return `errand show ${t}`;
  }
}

export function countText(c: InboxCount): string {
  return `${c.open} in the inbox (${c.unseen} unseen)${c.snoozed ? `, ${c.snoozed} snoozed` : ''}`;
}

function itemsTable(items: InboxItem[], now: number): string {
  const rows = [['ID', 'NEW', 'KIND', 'TASK', 'WAITED', 'BLOCKS', 'REPO', 'WHAT']];
  for (const i of items) {
    const state = i.resolvedAt !== null ? `(${i.resolution}) ` : i.snoozedUntil !== null ? `(snoozed until ${when(i.snoozedUntil)}) ` : '';
    const woke = i.snoozeEnded && i.resolvedAt === null ? '(snooze ended) ' : '';
    const what = `${state}${woke}${oneLine(i.message, 80)} · ${oneLine(i.prompt, 50)}${i.resolvedAt === null ? `  → ${nextStep(i)}` : ''}`;
    const fresh = i.seenAt === null && i.resolvedAt === null ? 'new' : '';
    rows.push([`i${i.id}`, fresh, i.kind.replace(/_/g, ' '), String(i.taskId), elapsed(now - i.createdAt), i.blocked ? String(i.blocked) : '-', i.repoName, what]);
  }
  return table(rows);
}

export async function inbox(ctx: CliContext, args: string[]): Promise<void> {
  const { values } = parse(
    args,
    { kind: { type: 'string' }, repo: { type: 'string' }, limit: { type: 'string' }, peek: { type: 'boolean' }, snoozed: { type: 'boolean' }, all: { type: 'boolean' } },
    INBOX_USAGE,
  );
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new UsageError(`--limit takes a positive number\nusage: ${INBOX_USAGE}`);
  const kinds = typeof values.kind === 'string' ? values.kind.split(',').map((k) => k.trim().replace(/-/g, '_')).filter(Boolean) : undefined;
  const repo = typeof values.repo === 'string' ? (/^[/.~]/.test(values.repo) ? absolutePath(values.repo) : values.repo) : undefined;
  const result = await (await ctx.engine()).request('inbox.list', {
    ...(kinds ? { kinds } : {}),
    ...(repo ? { repo } : {}),
    ...(limit ? { limit } : {}),
    ...(values.all ? { all: true } : {}),
    ...(values.snoozed ? { snoozed: true } : {}),
    markSeen: values.peek !== true,
  });
  ctx.print(result, () => {
    const lines: string[] = [];
    if (result.items.length > 0) lines.push(itemsTable(result.items, Date.now()));
    else lines.push(values.all ? 'nothing has needed you yet' : values.snoozed ? 'nothing is snoozed' : 'nothing needs you');
    if (result.total > result.items.length) lines.push(`(${result.items.length} of ${result.total}; --limit shows more)`);
    if (values.snoozed) for (const s of result.snoozedTasks) lines.push(`task ${s.taskId} snoozed until ${when(s.until)}`);
    const digest = result.nextDigestAt === null ? '' : ` · next digest ${when(result.nextDigestAt)}`;
    lines.push(`${countText(result.inbox)}${digest}`);
    return lines.join('\n');
  });
}

export async function seen(ctx: CliContext, args: string[]): Promise<void> {
  const { values, positionals } = parse(args, { all: { type: 'boolean' } }, SEEN_USAGE);
  if (values.all !== true && positionals.length === 0) throw new UsageError(`name what you have seen, or pass --all\nusage: ${SEEN_USAGE}`);
  const result = await (await ctx.engine()).request('inbox.seen', values.all === true ? { all: true } : targetsArg(positionals, SEEN_USAGE));
  ctx.print(result, () => `marked ${result.itemIds.length} item(s) seen; ${countText(result.inbox)}`);
}

export async function dismiss(ctx: CliContext, args: string[]): Promise<void> {
  const { positionals } = parse(args, {}, DISMISS_USAGE);
  if (positionals.length === 0) throw new UsageError(`name the items or tasks to dismiss\nusage: ${DISMISS_USAGE}`);
  const result = await (await ctx.engine()).request('inbox.dismiss', targetsArg(positionals, DISMISS_USAGE));
  ctx.print(result, () => `dismissed ${result.itemIds.map((id) => `i${id}`).join(', ')}; ${countText(result.inbox)}`);
}

export async function snooze(ctx: CliContext, args: string[]): Promise<void> {
  const { positionals } = parse(args, {}, SNOOZE_USAGE);
  if (positionals.length < 2) throw new UsageError(`say what to snooze and until when\nusage: ${SNOOZE_USAGE}`);
  const target = targetArg(positionals[0], SNOOZE_USAGE);
  const result = await (await ctx.engine()).request('inbox.snooze', { ...target, when: positionals.slice(1).join(' '), timeZone: timeZone() });
  ctx.print(result, () => {
    const what = result.taskId !== null ? `task ${result.taskId} (${result.itemIds.length} item(s) now; what it raises meanwhile waits too)` : `item i${result.itemIds[0]}`;
    return `snoozed ${what} until ${result.untilText}; ${countText(result.inbox)}`;
  });
}

export async function wake(ctx: CliContext, args: string[]): Promise<void> {
  const { positionals } = parse(args, {}, WAKE_USAGE);
  const target = targetArg(positionals[0], WAKE_USAGE);
  const result = await (await ctx.engine()).request('inbox.wake', target);
  ctx.print(result, () => `${'taskId' in target ? `task ${target.taskId}` : `item i${target.itemId}`} is awake: ${result.itemIds.length} item(s) back; ${countText(result.inbox)}`);
}

export async function digest(ctx: CliContext, args: string[]): Promise<void> {
  const { positionals } = parse(args, {}, DIGEST_USAGE);
  if (positionals.length > 1) throw new UsageError(`give the times as one argument, e.g. "9:00,13:00,17:00"\nusage: ${DIGEST_USAGE}`);
  const given = positionals[0];
  if (given !== undefined && !given.trim()) throw new UsageError(`give the times, e.g. "9:00,13:00,17:00", or off\nusage: ${DIGEST_USAGE}`);
  const times = given === undefined ? undefined : given.trim() === 'off' ? [] : given.split(',').map((t) => t.trim()).filter(Boolean);
  const result = await (await ctx.engine()).request('inbox.digest', times === undefined ? {} : { times, timeZone: timeZone() });
  ctx.print(result, () =>
    result.times.length === 0
      ? 'no digest: everything may interrupt as it comes'
      : `digest at ${result.times.join(', ')} (${result.timeZone}); next ${result.nextText}`,
  );
}
