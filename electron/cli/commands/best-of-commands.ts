// errand add --best-of: one prompt given to several profiles; the comparison in review; discarding the others.
import type { Candidate, Comparison, MethodResults } from '../../../shared/protocol/methods.js';
import type { CliContext } from '../cli-context.js';
import type { EngineClient } from '../engine-client.js';
import { elapsed, groupText, oneLine, statusText, table } from '../format.js';
import { confirmed } from '../confirm.js';

type Discarded = MethodResults['group.discardOthers'];

export async function addBestOf(
  ctx: CliContext,
  params: { prompt: string; repo: string; profiles: string[]; priority?: number; after?: number[]; afterMerge?: number[] },
): Promise<void> {
  const detail = await (await ctx.engine()).request('task.bestOf', params);
  ctx.print(detail, () =>
    [
      `${groupText(detail.group)}: one prompt, ${detail.tasks.length} agents`,
      ...detail.tasks.map((t) => `  task ${t.id} (${t.profile}) ${statusText(t)}`),
      `compare them once they finish: errand review ${detail.tasks[0]!.id}`,
    ].join('\n'),
  );
}

function checkWord(c: Candidate): string {
  if (!c.check) return '-';
  return c.check.passed ? 'passed' : c.check.timedOut ? 'timed out' : 'failed';
}

export function comparisonText(c: Comparison): string {
  const rows = [['TASK', 'PROFILE', 'STATUS', 'CHECK', 'FILES', '+/-', 'COST', 'TIME']];
  for (const x of c.candidates) {
    const changes = x.problem ? '-' : x.noChanges ? 'none' : `+${x.additions} -${x.deletions}`;
    rows.push([
      String(x.task.id),
      x.task.profile,
      x.task.review?.replace('_', ' ') ?? statusText(x.task),
      checkWord(x),
      x.problem ? '-' : String(x.files),
      changes,
      x.costUsd === null ? '-' : `$${x.costUsd.toFixed(2)}`,
      x.durationMs === null ? '-' : elapsed(x.durationMs),
    ]);
  }
  const summaries = c.candidates.map((x) => `  ${x.task.id} ${x.task.profile}: ${x.problem ?? (x.summary ? oneLine(x.summary, 200) : '(no summary)')}`);
  return [
    `${groupText(c.group)}: ${c.candidates.length} agents on one prompt`,
    table(rows),
    '',
    'summaries',
    ...summaries,
    '',
    'errand review <task> shows one in full; approving one offers to discard the others',
  ].join('\n');
}

function planText(plan: Discarded): string {
  return plan.discarded
    .map((d) => `task ${d.taskId}${d.cancelled ? ' (cancelled first: it has not finished)' : ''}${d.worktree ? `: ${d.worktree} (${d.branch})` : ''}`)
    .join('; ');
}

/**
 * After a best-of task is chosen: discards the other candidates, with --yes or once the person says yes at a terminal;
 * otherwise says exactly what would be discarded and how. Returns what was done (or, not confirmed, the plan).
 */
export async function confirmDiscardOthers(ctx: CliContext, engine: EngineClient, id: number, yes: boolean, print: boolean): Promise<{ result: Discarded; text: string }> {
  const plan = await engine.request('group.discardOthers', { id, dryRun: true });
  let outcome: { result: Discarded; text: string };
  if (plan.discarded.length === 0) {
    outcome = { result: plan, text: 'no other candidates are left to discard' };
  } else if (yes || (!ctx.json && process.stdin.isTTY && (await confirmed(`Discard the other candidates, and any work in them: ${planText(plan)}?`)))) {
    const done = await engine.request('group.discardOthers', { id });
    outcome = { result: done, text: `discarded the other candidates: ${done.discarded.map((d) => `task ${d.taskId}`).join(', ')}` };
  } else {
    outcome = { result: plan, text: `the other candidates were kept: ${planText(plan)}. To discard them: errand batch discard-others ${id} --yes` };
  }
  if (print) ctx.print(outcome.result, () => outcome.text);
  return outcome;
}
