// errand chain add | ls | show | rm | continue | skip | edit
import { readFileSync } from 'node:fs';
import type { ChainTemplate, TaskChain } from '../../../shared/domain.js';
import type { CliContext } from '../cli-context.js';
import { parse, taskIdArg, UsageError } from '../cli-context.js';
import { oneLine, table } from '../format.js';
import { CHAIN_FILE_HELP, parseChainFile } from './chain-file.js';

const ADD_USAGE = `errand chain add <name> --file <steps.txt | -> [--description "<text>"] [--replace]\n  ${CHAIN_FILE_HELP}`;
const LS_USAGE = 'errand chain ls   (built-in and saved chains)';
const SHOW_USAGE = "errand chain show <name | task id>   (a chain's steps, or where a task's chain stands)";
const RM_USAGE = 'errand chain rm <name>';
const CONTINUE_USAGE = 'errand chain continue <id>   (starts the step a gate holds, or runs the step the chain halted at again)';
const SKIP_USAGE = 'errand chain skip <id> [--step <name>]   (the step the chain waits or halted at, or one still to come)';
const EDIT_USAGE =
  'errand chain edit <id> --step <name> [--prompt "<template>" | --prompt-file <path>] [--profile <name> | --task-profile] [--gate | --no-gate]\n' +
  '  changes a step still to come, or the one the chain waits or halted at; then errand chain continue <id>';
const USAGE = [ADD_USAGE, LS_USAGE, SHOW_USAGE, RM_USAGE, CONTINUE_USAGE, SKIP_USAGE, EDIT_USAGE].map((u) => u.split('\n')[0]).join('\n       ');

function templateText(t: ChainTemplate): string {
  const head = `chain ${t.name}${t.builtin ? ' (built-in)' : ''}${t.description ? `: ${t.description}` : ''}`;
  const steps = t.steps.map((s, i) => {
    const options = [s.profile ? `profile ${s.profile}` : "the task's profile", ...(s.gate ? ['gate: waits for your approval'] : [])];
    return `\n${i + 1}. ${s.name} (${options.join(', ')})\n${s.prompt.replace(/^/gm, '   ')}`;
  });
  return head + steps.join('\n');
}

export function taskChainText(c: TaskChain): string {
  const where = { running: 'at', waiting: 'waiting at', halted: 'halted at', done: 'done after' }[c.state];
  const rows = [['STEP', 'NAME', 'STATUS', 'PROFILE', 'RUN', 'PROMPT']];
  c.steps.forEach((s, i) => {
    const status = s.status + (s.gate && s.status === 'pending' ? ' (gate)' : '');
    rows.push([`${i + 1}/${c.steps.length}`, s.name, status, s.profile ?? "task's", s.runId === null ? '-' : String(s.runId), oneLine(s.prompt, 50)]);
  });
  const next =
    c.state === 'waiting' ? `\nerrand chain continue ${c.taskId} starts it; errand chain skip ${c.taskId} skips it`
    : c.state === 'halted' ? `\nerrand chain continue ${c.taskId} runs it again; errand chain skip ${c.taskId} skips it; errand chain edit ${c.taskId} --step … changes it`
    : '';
  return `task ${c.taskId}  chain ${c.template}  ${where} step ${c.position + 1}/${c.steps.length} ${c.steps[c.position]?.name ?? ''}\n\n${table(rows)}${next}`;
}

export async function chain(ctx: CliContext, args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === 'add') {
    const { values, positionals } = parse(rest, { file: { type: 'string' }, description: { type: 'string' }, replace: { type: 'boolean' } }, ADD_USAGE);
    if (positionals.length !== 1 || typeof values.file !== 'string') throw new UsageError(`give a name and --file\nusage: ${ADD_USAGE}`);
    const steps = parseChainFile(readFileSync(values.file === '-' ? 0 : values.file, 'utf8'));
    const saved = await (await ctx.engine()).request('chain.add', {
      name: positionals[0]!,
      steps,
      ...(typeof values.description === 'string' ? { description: values.description } : {}),
      replace: values.replace === true,
    });
    return ctx.print(saved, () => `saved chain ${saved.name}: ${saved.steps.map((s) => s.name).join(' → ')}`);
  }
  if (sub === 'ls') {
    parse(rest, {}, LS_USAGE);
    const list = await (await ctx.engine()).request('chain.list', {});
    return ctx.print(list, () =>
      table([['NAME', 'STEPS', 'DESCRIPTION'], ...list.map((t) => [t.name + (t.builtin ? ' (built-in)' : ''), t.steps.map((s) => s.name + (s.gate ? ' (gate)' : '')).join(' → '), t.description])]),
    );
  }
  if (sub === 'show') {
    const { positionals } = parse(rest, {}, SHOW_USAGE);
    const what = positionals[0];
    if (!what) throw new UsageError(`give a chain's name or a task id\nusage: ${SHOW_USAGE}`);
    const engine = await ctx.engine();
    if (/^\d+$/.test(what)) {
      const c = await engine.request('chain.status', { id: taskIdArg(what, SHOW_USAGE) });
      return ctx.print(c, () => taskChainText(c));
    }
    const t = await engine.request('chain.get', { name: what });
    return ctx.print(t, () => templateText(t));
  }
  if (sub === 'rm') {
    const { positionals } = parse(rest, {}, RM_USAGE);
    if (!positionals[0]) throw new UsageError(`give the chain's name\nusage: ${RM_USAGE}`);
    const result = await (await ctx.engine()).request('chain.remove', { name: positionals[0] });
    return ctx.print(result, () => `removed chain ${result.removed}`);
  }
  if (sub === 'continue') {
    const { positionals } = parse(rest, {}, CONTINUE_USAGE);
    const c = await (await ctx.engine()).request('chain.continue', { id: taskIdArg(positionals[0], CONTINUE_USAGE) });
    return ctx.print(c, () => taskChainText(c));
  }
  if (sub === 'skip') {
    const { values, positionals } = parse(rest, { step: { type: 'string' } }, SKIP_USAGE);
    const id = taskIdArg(positionals[0], SKIP_USAGE);
    const c = await (await ctx.engine()).request('chain.skip', { id, ...(typeof values.step === 'string' ? { step: values.step } : {}) });
    return ctx.print(c, () => taskChainText(c));
  }
  if (sub === 'edit') return edit(ctx, rest);
  parse(args, {}, USAGE);
  throw new UsageError(`expected add, ls, show, rm, continue, skip or edit\nusage: ${USAGE}`);
}

async function edit(ctx: CliContext, args: string[]): Promise<void> {
  const { values, positionals } = parse(
    args,
    {
      step: { type: 'string' },
      prompt: { type: 'string' },
      'prompt-file': { type: 'string' },
      profile: { type: 'string' },
      'task-profile': { type: 'boolean' },
      gate: { type: 'boolean' },
      'no-gate': { type: 'boolean' },
    },
    EDIT_USAGE,
  );
  const id = taskIdArg(positionals[0], EDIT_USAGE);
  if (typeof values.step !== 'string') throw new UsageError(`say which step: --step <name>\nusage: ${EDIT_USAGE}`);
  if (values.prompt !== undefined && values['prompt-file'] !== undefined) throw new UsageError(`give --prompt or --prompt-file, not both\nusage: ${EDIT_USAGE}`);
  if (values.profile !== undefined && values['task-profile']) throw new UsageError(`give --profile or --task-profile, not both\nusage: ${EDIT_USAGE}`);
  if (values.gate && values['no-gate']) throw new UsageError(`give --gate or --no-gate, not both\nusage: ${EDIT_USAGE}`);
  const prompt = typeof values['prompt-file'] === 'string' ? readFileSync(values['prompt-file'], 'utf8') : (values.prompt as string | undefined);
  const profile = values['task-profile'] ? null : (values.profile as string | undefined);
  const gate = values.gate ? true : values['no-gate'] ? false : undefined;
  if (prompt === undefined && profile === undefined && gate === undefined) {
    throw new UsageError(`say what to change: --prompt, --profile, --task-profile, --gate or --no-gate\nusage: ${EDIT_USAGE}`);
  }
  const c = await (await ctx.engine()).request('chain.edit', {
    id,
    step: values.step,
    ...(prompt !== undefined ? { prompt } : {}),
    ...(profile !== undefined ? { profile } : {}),
    ...(gate !== undefined ? { gate } : {}),
  });
  ctx.print(c, () => taskChainText(c));
}
