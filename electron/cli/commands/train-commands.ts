// errand approve ID ID… --merge (a merge train) | train [ID] | rebase ID | gc [--yes]
import type { GcEntry, TaskOverlap, TrainInfo, TrainItem } from '../../../shared/domain.js';
import type { CliContext } from '../cli-context.js';
import { AnsweredFailure, parse, taskIdArg, UsageError } from '../cli-context.js';
import type { EngineClient } from '../engine-client.js';
import { table } from '../format.js';

const TRAIN_USAGE = 'errand train [<train id>] [--json]\n  the recent merge trains, or one train: each task, in merge order, and where it stands';
const REBASE_USAGE =
  'errand rebase <id>\n  sends a task whose branch conflicts with its moved base back to its agent: a follow-up run that rebases and resolves the named files';
const GC_USAGE =
  'errand gc [--yes]\n' +
  '  lists the worktrees of finished tasks (merged, discarded, kept, failed…) and what each takes; a dry run unless --yes.\n' +
  '  --yes reclaims those that hold nothing the repo lacks; one with uncommitted, untracked or unmerged work is always kept, and says why';

const itemLine = (i: TrainItem) => `task ${i.taskId}  ${i.state.replace('_', ' ')}${i.message ? `: ${i.message}` : ''}`;

export function trainText(train: TrainInfo): string {
  const merged = train.items.filter((i) => i.state === 'merged').length;
  const head = `merge train ${train.id}: ${train.status === 'done' ? 'done' : 'running'}, ${merged} of ${train.items.length} merged`;
  return [head, ...train.items.map((i) => `  ${itemLine(i)}`)].join('\n');
}

/** `errand approve 7 8 9 --merge`: starts the train, prints each step as it happens, and the outcome. */
export async function approveTrain(ctx: CliContext, ids: number[]): Promise<void> {
  const engine = await ctx.engine();
  await engine.request('events.subscribe');
  const ended = followTrain(ctx, engine);
  const train = await engine.request('train.start', { ids });
  if (!ctx.json) process.stdout.write(`merge train ${train.id}, in this order: ${train.items.map((i) => i.taskId).join(', ')}\n`);
  const final = await ended(train.id);
  ctx.print(final, () => trainText(final));
  const left = final.items.filter((i) => i.state !== 'merged');
  if (left.length > 0) throw new AnsweredFailure(`${left.length} of ${final.items.length} task(s) were not merged: ${left.map((i) => i.taskId).join(', ')}`);
}

function followTrain(ctx: CliContext, engine: EngineClient): (trainId: number) => Promise<TrainInfo> {
  let trainId: number | null = null;
  let resolveEnd: (train: TrainInfo) => void = () => {};
  let rejectEnd: (error: Error) => void = () => {};
  const early: TrainInfo[] = [];
  const end = new Promise<TrainInfo>((resolve, reject) => ((resolveEnd = resolve), (rejectEnd = reject)));
  // Refused before it started, the train is never waited for; the connection then closes with nobody listening.
  end.catch(() => {});
  engine.onEvent((event) => {
    if (event.type === 'train.ended') {
      if (trainId === null) early.push(event.train);
      else if (event.train.id === trainId) resolveEnd(event.train);
    } else if (event.type === 'train.step' && event.train.id === trainId && !ctx.json) {
      const item = event.train.items.find((i) => i.taskId === event.taskId);
      if (item) process.stdout.write(`  ${itemLine(item)}\n`);
    }
  });
  engine.onClose((reason) =>
    rejectEnd(new Error(`${reason}; the train goes on when the engine starts again: errand train ${trainId ?? ''} shows where it stands`.replace('  ', ' '))),
  );
  return (id) => {
    trainId = id;
    const already = early.find((t) => t.id === id);
    if (already) resolveEnd(already);
    return end;
  };
}

export async function train(ctx: CliContext, args: string[]): Promise<void> {
  const { positionals } = parse(args, {}, TRAIN_USAGE);
  const engine = await ctx.engine();
  if (positionals[0] !== undefined) {
    const one = await engine.request('train.get', { id: taskIdArg(positionals[0], TRAIN_USAGE) });
    ctx.print(one, () => trainText(one));
    return;
  }
  const trains = await engine.request('train.list');
  ctx.print(trains, () => (trains.length ? trains.map(trainText).join('\n\n') : 'no merge trains yet: errand approve ID ID… --merge'));
}

export async function rebase(ctx: CliContext, args: string[]): Promise<void> {
  const { positionals } = parse(args, {}, REBASE_USAGE);
  const task = await (await ctx.engine()).request('task.rebase', { id: taskIdArg(positionals[0], REBASE_USAGE) });
  ctx.print(task, () => `task ${task.id} sent back to rebase: run ${task.run?.attempt} is ${task.status}`);
}

export function bytesText(bytes: number | null): string {
  if (bytes === null) return '?';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let n = bytes;
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return `${u === 0 ? n : n.toFixed(1)} ${units[u]}`;
}

function gcText(entries: GcEntry[], reclaim: boolean): string {
  if (entries.length === 0) return 'no worktrees of finished tasks: nothing to reclaim';
  const rows = [['TASK', 'SIZE', reclaim ? 'RECLAIMED' : 'RECLAIMABLE', 'WORKTREE']];
  for (const e of entries) rows.push([String(e.taskId), bytesText(e.bytes), e.keptBecause ? `no: ${e.keptBecause}` : 'yes', e.worktree]);
  const free = entries.filter((e) => !e.keptBecause);
  const total = free.reduce((n, e) => n + (e.bytes ?? 0), 0);
  const tail = reclaim ? `reclaimed ${free.length} worktree(s), ${bytesText(total)}` : `${free.length} worktree(s), ${bytesText(total)}, can go: errand gc --yes`;
  return `${table(rows)}\n${tail}`;
}

export async function gc(ctx: CliContext, args: string[]): Promise<void> {
  const { values, positionals } = parse(args, { yes: { type: 'boolean' } }, GC_USAGE);
  if (positionals.length > 0) throw new UsageError(`gc takes no arguments\nusage: ${GC_USAGE}`);
  const reclaim = values.yes === true;
  const result = await (await ctx.engine()).request('gc.run', { reclaim });
  ctx.print(result, () => gcText(result.entries, reclaim));
}

/** "task 7 touches a.txt, b.txt like task 9": each pair once. */
export function collisionLines(collisions: { taskId: number; overlaps: TaskOverlap[] }[]): string[] {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const { taskId, overlaps } of collisions) {
    for (const o of overlaps) {
      const key = [taskId, o.taskId].sort((a, b) => a - b).join('-');
      if (seen.has(key)) continue;
      seen.add(key);
      lines.push(`task ${taskId} touches ${o.files.join(', ')} like task ${o.taskId}`);
    }
  }
  return lines;
}
