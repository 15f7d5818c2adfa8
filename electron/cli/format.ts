import { isFinalStatus } from '../../shared/domain.js';
import type { RunProgress, TaskGroupRef, TaskInfo, WaitReason } from '../../shared/domain.js';

export function elapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d${Math.floor((s % 86400) / 3600)}h`;
}

/** How long the task has been in its current state of life: waiting, running, or (once ended) how long it ran. */
export function taskElapsed(task: TaskInfo, now = Date.now()): string {
  const run = task.run;
  if (!run || run.startedAt === null) return elapsed(now - (run?.createdAt ?? task.createdAt));
  return elapsed((run.endedAt ?? now) - run.startedAt);
}

const WAIT_TEXT: Record<WaitReason, string> = {
  global_cap: 'waiting: global cap',
  repo_cap: 'waiting: repo cap',
  dependency: 'waiting: another task',
  chain: 'waiting: its chain',
  start_at: 'waiting: its start time',
  retry_backoff: 'waiting to retry',
};

function tokens(n: number): string {
  return n >= 1_000_000 ? `${(n / 1_000_000).toFixed(1)}M` : n >= 1000 ? `${Math.round(n / 1000)}k` : String(n);
}

/** "3/7 todos · 2 files changed · $0.04 · 12k tokens", from what the agent reported. */
export function progressText(p: RunProgress | undefined): string {
  if (!p) return '';
  const parts: string[] = [];
  if (p.phase === 'checking') parts.push('checking');
  if (p.retrying) parts.push(`retrying the model (attempt ${p.retrying})`);
  if (p.todosTotal) parts.push(`${p.todosDone ?? 0}/${p.todosTotal} todos`);
  if (p.filesChanged !== undefined) parts.push(`${p.filesChanged} file${p.filesChanged === 1 ? '' : 's'} changed`);
  if (p.costUsd !== undefined) parts.push(`$${p.costUsd.toFixed(2)}`);
  const total = (p.inputTokens ?? 0) + (p.outputTokens ?? 0);
  if (total > 0) parts.push(`${tokens(total)} tokens`);
  return parts.join(' · ');
}

/** "step 2/3 critique", and "chain halted" or "chain done" once it is. */
export function chainText(task: TaskInfo): string {
  const c = task.chain;
  if (!c) return '';
  const state = c.state === 'halted' ? ' (chain halted)' : c.state === 'done' ? ' (chain done)' : '';
  return `step ${c.step}/${c.of} ${c.name}${state}`;
}

/** The check phase words a passed check after the agent's reason ("…; check passed"), or alone ("check passed: cmd"). */
const CHECK_PASSED_AFTER = '; check passed';
const CHECK_PASSED_ALONE = 'check passed: ';

/** What a succeeded run's reason says about the agent's turn (what was denied, no changes), without the check's words. */
export function agentPart(reason: string | null, checked: boolean): string | null {
  if (!reason || !checked) return reason;
  if (reason.startsWith(CHECK_PASSED_ALONE)) return null;
  return reason.endsWith(CHECK_PASSED_AFTER) ? reason.slice(0, -CHECK_PASSED_AFTER.length) : reason;
}

export function statusText(task: TaskInfo): string {
  const chain = chainText(task);
  const own = statusOnly(task);
  return chain ? `${chain} · ${own}` : own;
}

function statusOnly(task: TaskInfo): string {
  if (task.status === 'queued' && task.waitReason) return `queued (${task.waitDetail ? `waiting: ${task.waitDetail}` : WAIT_TEXT[task.waitReason]})`;
  const check = task.run?.check ? `check ${task.run.check.passed ? 'passed' : 'failed'}` : '';
  // A success's reason is what the person should know about it ("succeeded · you denied: npm publish"); with a check,
  // "check passed" says that part, so only the agent's own part is repeated.
  // An ending other than success says why ("failed · exited with code 3"), unless the failed check says it already.
  const reason =
    task.status === 'succeeded'
      ? agentPart(task.run?.reason ?? null, Boolean(check))
      : isFinalStatus(task.status) && !(task.run?.check && !task.run.check.passed)
        ? (task.run?.reason ?? null)
        : null;
  // A reason that starts with the status ("cancelled by you", "interrupted: the engine stopped") says both.
  const head = !reason ? task.status : reason.startsWith(task.status) ? oneLine(reason, 80) : `${task.status} · ${oneLine(reason, 80)}`;
  const progress = [check, progressText(task.run?.progress)].filter(Boolean).join(' · ');
  return progress ? `${head}: ${progress}` : head;
}

export function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}

/** "batch 3", "best-of 4". */
export function groupText(group: TaskGroupRef): string {
  return `${group.kind === 'best_of' ? 'best-of' : 'batch'} ${group.id}`;
}

export function taskTable(tasks: TaskInfo[]): string {
  // The GROUP column is there when a listed task belongs to a batch or best-of group.
  const grouped = tasks.some((t) => t.group);
  const rows = [['ID', 'STATUS', 'TIME', 'PROFILE', 'REPO', 'REVIEW', ...(grouped ? ['GROUP'] : []), 'PROMPT']];
  for (const t of tasks) {
    const review = t.review?.replace('_', ' ') ?? '-';
    const group = grouped ? [t.group ? groupText(t.group) : '-'] : [];
    rows.push([String(t.id), statusText(t), taskElapsed(t), t.profile, t.repoPath.split('/').pop() ?? '', review, ...group, oneLine(t.prompt, 60)]);
  }
  return table(rows);
}

/** This machine's zone: sent with every request that carries a time the person typed. */
export const TIME_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** "Thu 3 Dec 09:00", in this machine's zone. */
export function clockTime(at: number): string {
  return new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .format(new Date(at))
    .replace(',', '');
}
