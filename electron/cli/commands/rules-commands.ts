// errand rules ls [--task <id>] | rm <id>: the remembered "allow always" decisions.
import type { DecisionRule } from '../../../shared/domain.js';
import type { CliContext } from '../cli-context.js';
import { parse, taskIdArg, UsageError } from '../cli-context.js';
import { elapsed, table } from '../format.js';

const USAGE = 'errand rules ls [--task <id>] | errand rules rm <id>';

function used(rule: DecisionRule, now: number): string {
  if (rule.appliedCount === 0) return 'never';
  return `${rule.appliedCount}×, last ${elapsed(now - rule.lastAppliedAt!)} ago`;
}

function rulesTable(rules: DecisionRule[]): string {
  if (rules.length === 0) return 'no remembered decisions: errand allow <id> --always task|repo|profile makes one';
  const now = Date.now();
  return table([
    ['ID', 'ALLOWS', 'WHERE', 'AGENT', 'FROM', 'USED'],
    ...rules.map((r) => [String(r.id), r.label, r.scopeName, r.adapter, r.fromTaskId ? `task ${r.fromTaskId}` : '-', used(r, now)]),
  ]);
}

export async function rules(ctx: CliContext, args: string[]): Promise<void> {
  const [action, ...rest] = args;
  if (action === 'ls' || action === undefined) {
    const usage = 'errand rules ls [--task <id>]   (with --task: the rules that apply to that task)';
    const { values } = parse(rest, { task: { type: 'string' } }, usage);
    const taskId = values.task !== undefined ? taskIdArg(values.task as string, usage) : undefined;
    const result = await (await ctx.engine()).request('rules.list', taskId ? { taskId } : {});
    ctx.print(result, () => rulesTable(result.rules));
    return;
  }
  if (action === 'rm') {
    const usage = 'errand rules rm <id>   (revokes a remembered decision: its tool is asked about again)';
    const { positionals } = parse(rest, {}, usage);
    const id = Number(positionals[0]);
    if (!positionals[0] || !Number.isSafeInteger(id) || id <= 0) throw new UsageError(`expected a rule id (errand rules ls lists them)\nusage: ${usage}`);
    const { removed } = await (await ctx.engine()).request('rules.remove', { id });
    ctx.print({ removed }, () => `removed rule ${removed.id}: ${removed.label} no longer allowed for ${removed.scopeName}`);
    return;
  }
  parse(args, {}, USAGE);
  throw new UsageError(`usage: ${USAGE}`);
}
