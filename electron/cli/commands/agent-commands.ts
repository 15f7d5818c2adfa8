// errand agents | allow | deny | reply | resume
import { RULE_SCOPES } from '../../../shared/domain.js';
import type { RuleScope } from '../../../shared/domain.js';
import type { CliContext } from '../cli-context.js';
import { parse, taskIdArg, UsageError } from '../cli-context.js';
import { statusText, table } from '../format.js';
import { agentBackendLines } from './backend-commands.js';

export async function agents(ctx: CliContext, args: string[]): Promise<void> {
  parse(args, {}, 'errand agents');
  const engine = await ctx.engine();
  const [result, backends] = await Promise.all([engine.request('agents.list', { refresh: true }), engine.request('models.list')]);
  ctx.print({ ...result, backends }, () => {
    const rows = [['AGENT', 'STATUS', 'VERSION', 'PATH']];
    for (const a of result.agents) rows.push([a.adapter, a.usable ? 'usable' : a.found ? 'broken' : 'not found', a.version ?? '-', a.binary ?? '-']);
    const problems = result.agents.filter((a) => a.problem).map((a) => `  ${a.adapter}: ${a.problem}`);
    const builtin = result.profiles.filter((p) => p.builtin).map((p) => p.name);
    return [
      table(rows),
      ...(problems.length ? ['', ...problems] : []),
      '',
      builtin.length ? `built-in profiles: ${builtin.join(', ')}   (errand add "…" --repo . --profile ${builtin[0]})` : 'no built-in profiles: no agent CLI was found',
      '',
      ...agentBackendLines(backends, result.agents.filter((a) => a.usable).map((a) => a.adapter)),
    ].join('\n');
  });
}

const ALLOW_USAGE = 'errand allow <id> [--always task|repo|profile]   (--always: allow this tool from now on, there)';

async function decide(ctx: CliContext, args: string[], allow: boolean): Promise<void> {
  const usage = allow ? ALLOW_USAGE : 'errand deny <id> [--message "<why, or what to do instead>"]';
  const { values, positionals } = parse(args, allow ? { always: { type: 'string' } } : { message: { type: 'string' } }, usage);
  const always = values.always as string | undefined;
  if (always !== undefined && !(RULE_SCOPES as readonly string[]).includes(always)) {
    throw new UsageError(`--always takes ${RULE_SCOPES.join(', ')}: where the tool is allowed from now on\nusage: ${usage}`);
  }
  const task = await (await ctx.engine()).request('task.decide', {
    id: taskIdArg(positionals[0], usage),
    allow,
    ...(typeof values.message === 'string' ? { message: values.message } : {}),
    ...(always ? { always: always as RuleScope } : {}),
  });
  const remembered = always ? ` (and from now on for this ${always}: errand rules ls)` : '';
  ctx.print(task, () => `task ${task.id}: ${allow ? 'allowed' : 'denied'}${remembered}; now ${statusText(task)}`);
}

export const allow = (ctx: CliContext, args: string[]) => decide(ctx, args, true);
export const deny = (ctx: CliContext, args: string[]) => decide(ctx, args, false);

export async function reply(ctx: CliContext, args: string[]): Promise<void> {
  const usage = 'errand reply <id> "<message>"   (answers a question, or continues a finished task\'s agent session)';
  const { positionals } = parse(args, {}, usage);
  if (positionals.length !== 2) throw new UsageError(`give the message as one quoted argument\nusage: ${usage}`);
  const task = await (await ctx.engine()).request('task.reply', { id: taskIdArg(positionals[0], usage), message: positionals[1]! });
  ctx.print(task, () => `task ${task.id} ${statusText(task)}${task.run && task.run.kind !== 'start' ? ` (run ${task.run.attempt} continues the agent session)` : ''}`);
}

export async function resume(ctx: CliContext, args: string[]): Promise<void> {
  const usage = 'errand resume <id>   (continues an interrupted run\'s agent session)';
  const { positionals } = parse(args, {}, usage);
  const task = await (await ctx.engine()).request('task.resume', { id: taskIdArg(positionals[0], usage) });
  ctx.print(task, () => `task ${task.id} ${statusText(task)} (run ${task.run?.attempt} resumes the agent session)`);
}
