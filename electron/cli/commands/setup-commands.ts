// errand daemon | profile | repo | config
import type { MergeStrategy, ProfileInfo, SecretRef } from '../../../shared/domain.js';
import { describeSecretRef, looksSecret, MERGE_STRATEGIES } from '../../../shared/domain.js';
import type { CliContext } from '../cli-context.js';
import { parse, UsageError } from '../cli-context.js';
import { connectIfRunning, readPid } from '../daemon.js';
import { elapsed, table } from '../format.js';
import { CHECK_OPTIONS, checkSettings, checkText } from './check-options.js';
import { absolutePath } from './task-commands.js';

export async function daemon(ctx: CliContext, args: string[]): Promise<void> {
  const usage = 'errand daemon status|start|stop [--force]';
  const { values, positionals } = parse(args, { force: { type: 'boolean' } }, usage);
  const action = positionals[0];
  if (action === 'start' || action === 'status') {
    const engine = action === 'start' ? await ctx.engine() : await connectIfRunning(ctx.layout);
    if (!engine) {
      ctx.print({ up: false, dataDir: ctx.layout.root }, () => `no engine running for ${ctx.layout.root}`);
      return;
    }
    const status = await engine.request('engine.status');
    engine.close();
    ctx.print({ up: true, ...status }, () =>
      `engine pid ${status.pid}, up ${elapsed(Date.now() - status.startedAt)}, ${status.running} running, ` +
      `${status.queued} queued (max ${status.maxRunning}), ${status.clients} client(s)\ndata ${status.dataDir}`,
    );
    return;
  }
  if (action === 'stop') {
    const engine = await connectIfRunning(ctx.layout);
    if (!engine) {
      ctx.print({ stopped: false, up: false }, () => 'no engine running');
      return;
    }
    // The pid to wait for; from the engine's pid file when it cannot answer (its database is damaged).
    const pid = await engine.request('engine.status').then((s) => s.pid, () => readPid(ctx.layout.pidFile));
    const closed = new Promise<void>((resolve) => engine.onClose(() => resolve()));
    await engine.request('engine.stop', { force: values.force === true });
    await closed;
    // Stopped means gone: its database and lock are released only when the process has exited.
    if (pid !== null) await processGone(pid, ENGINE_EXIT_TIMEOUT_MS);
    ctx.print({ stopped: true }, () => 'engine stopped');
    return;
  }
  throw new UsageError(`usage: ${usage}`);
}

const ENGINE_EXIT_TIMEOUT_MS = 10_000;

async function processGone(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    if (Date.now() > deadline) throw new Error(`the engine (pid ${pid}) closed its socket but has not exited after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const PROFILE_ADD_USAGE =
  'errand profile add <name> [ENV…] [--needs-input <regex>] [--quiet-ms N] [--model-url-env VAR] [--replace] -- <command> [args…]\n' +
  '  {prompt} as an argument (or --flag={prompt}) is the prompt, {prompt_file} a file holding it; with neither it goes to stdin\n' +
  'errand profile add <name> --adapter claude|codex|opencode|qwen|gemini|aider [--model M] [--permission-mode P]\n' +
  '                   [--binary /path/to/cli] [--backend NAME] [ENV…] [--replace] [-- extra CLI args…]\n' +
  '  --backend: a model backend (errand models), with --model naming its model\n' +
  '  ENV: --env K=V (stored as is; not for secrets), --env-from K[=VARIABLE] (the engine\'s environment, at each run),\n' +
  '       --env-keychain K=SERVICE/ACCOUNT (the OS keychain, at each run)\n' +
  '  --model-url-env VAR: VAR holds the agent\'s model endpoint; it is watched, so a rate limit or 5xx is retried\n' +
  '  (errand policy set <name> … for retries and escalation)';

/** A profile's environment as it may be shown: references by name, and no secret that an older Errand stored. */
function envText(p: ProfileInfo): string {
  const entries = [
    ...Object.entries(p.env).map(([k, v]) => `${k}=${looksSecret(k) ? '(plain text!)' : v}`),
    ...Object.entries(p.secretEnv ?? {}).map(([k, ref]) => `${k}=${describeSecretRef(ref)}`),
  ];
  return entries.join(' ') || '-';
}

function profileLine(p: ProfileInfo): string[] {
  const on = p.options.backend ? ` (on ${p.options.backend}${p.options.model ? ` / ${p.options.model}` : ''})` : '';
  return [p.name, p.adapter, `${p.command.join(' ')}${on}`, envText(p), p.needsInput ? `/${p.needsInput.pattern}/ after ${p.needsInput.quietMs}ms` : '-'];
}

/** Profiles saved before secrets had to be references still hold them in the database: say how to move them. */
function plainSecretNotes(list: ProfileInfo[]): string[] {
  return list.flatMap((p) =>
    Object.keys(p.env)
      .filter(looksSecret)
      .map((k) => `profile ${p.name} keeps ${k} as plain text in the database: re-add it with errand profile add ${p.name} --replace --env-from ${k}=VARIABLE (or --env-keychain ${k}=SERVICE/ACCOUNT) …`),
  );
}

/** NAME=rest pairs; `optional` lets a bare NAME through, with rest null. */
function pairs(values: unknown, flag: string, form: string, optional = false): [string, string | null][] {
  return ((values as string[] | undefined) ?? []).map((pair) => {
    const eq = pair.indexOf('=');
    if (eq === 0 || (eq === -1 && !optional)) throw new UsageError(`${flag} takes ${form}, not "${pair}"`);
    return eq === -1 ? [pair, null] : [pair.slice(0, eq), pair.slice(eq + 1)];
  });
}

function profileEnv(values: Record<string, unknown>): { env: Record<string, string>; secretEnv: Record<string, SecretRef> } {
  const env: Record<string, string> = {};
  for (const [key, value] of pairs(values.env, '--env', 'NAME=value')) env[key] = value!;
  const secretEnv: Record<string, SecretRef> = {};
  for (const [key, variable] of pairs(values['env-from'], '--env-from', 'NAME or NAME=VARIABLE', true)) {
    secretEnv[key] = { from: 'env', name: variable || key };
  }
  const keychainForm = 'NAME=SERVICE/ACCOUNT';
  for (const [key, where] of pairs(values['env-keychain'], '--env-keychain', keychainForm)) {
    const slash = where!.indexOf('/');
    if (slash <= 0 || slash === where!.length - 1) throw new UsageError(`--env-keychain takes ${keychainForm}, not "${key}=${where}"`);
    secretEnv[key] = { from: 'keychain', service: where!.slice(0, slash), account: where!.slice(slash + 1) };
  }
  return { env, secretEnv };
}

export async function profile(ctx: CliContext, args: string[]): Promise<void> {
  const [action, ...rest] = args;
  if (action === 'add') {
    const { values, positionals } = parse(
      rest,
      {
        env: { type: 'string', multiple: true },
        'env-from': { type: 'string', multiple: true },
        'env-keychain': { type: 'string', multiple: true },
        'needs-input': { type: 'string' },
        'quiet-ms': { type: 'string' },
        lines: { type: 'string' },
        replace: { type: 'boolean' },
        adapter: { type: 'string' },
        model: { type: 'string' },
        'permission-mode': { type: 'string' },
        binary: { type: 'string' },
        backend: { type: 'string' },
        'model-url-env': { type: 'string' },
      },
      PROFILE_ADD_USAGE,
    );
    const [name, ...command] = positionals;
    const adapter = (values.adapter as string | undefined) ?? 'command';
    if (!name || (adapter === 'command' && command.length === 0)) throw new UsageError(`give a name and a command\nusage: ${PROFILE_ADD_USAGE}`);
    const { env, secretEnv } = profileEnv(values);
    const pattern = values['needs-input'] as string | undefined;
    const engine = await ctx.engine();
    const saved = await engine.request('profile.add', {
      name,
      adapter: adapter as ProfileInfo['adapter'],
      command,
      env,
      secretEnv,
      replace: values.replace === true,
      ...(values.model ? { model: values.model as string } : {}),
      ...(values['permission-mode'] ? { permissionMode: values['permission-mode'] as string } : {}),
      ...(values.binary ? { binary: absolutePath(values.binary as string) } : {}),
      ...(values.backend ? { backend: values.backend as string } : {}),
      ...(values['model-url-env'] ? { modelUrlEnv: values['model-url-env'] as string } : {}),
      needsInput: pattern
        ? {
            pattern,
            ...(values['quiet-ms'] ? { quietMs: Number(values['quiet-ms']) } : {}),
            ...(values.lines ? { lines: Number(values.lines) } : {}),
          }
        : null,
    });
    ctx.print(saved, () => `profile ${saved.name} (${saved.adapter}): ${saved.command.join(' ')}${envText(saved) === '-' ? '' : `\nenv ${envText(saved)}`}`);
    return;
  }
  if (action === 'ls' || action === undefined) {
    parse(rest, {}, 'errand profile ls');
    const list = await (await ctx.engine()).request('profile.list');
    ctx.print(list, () =>
      list.length
        ? [table([['NAME', 'ADAPTER', 'COMMAND', 'ENV', 'NEEDS INPUT'], ...list.map(profileLine)]), ...plainSecretNotes(list)].join('\n')
        : 'no profiles yet\nusage: ' + PROFILE_ADD_USAGE,
    );
    return;
  }
  if (action === 'rm') {
    const { positionals } = parse(rest, {}, 'errand profile rm <name>');
    if (!positionals[0]) throw new UsageError('usage: errand profile rm <name>');
    const result = await (await ctx.engine()).request('profile.remove', { name: positionals[0] });
    ctx.print(result, () => `removed profile ${result.removed}`);
    return;
  }
  parse(args, {}, `errand profile add|ls|rm\n${PROFILE_ADD_USAGE}`);
  throw new UsageError(`usage: errand profile add|ls|rm\n${PROFILE_ADD_USAGE}`);
}

const REPO_USAGE =
  'errand repo add <path> [--base <branch>] [--setup "<command>"] [--copy <file>]… [--max-running N]\n' +
  '                [--check "<command>"] [--check-retries N] [--check-timeout 30m] [--merge-strategy squash|rebase|merge]\n' +
  '                [--keep-merged-branches | --delete-merged-branches]\n' +
  '       errand repo ls\n' +
  '  --check runs in the worktree after the agent succeeds (default timeout 30m); a failure fails the run, or with\n' +
  '  --check-retries N first goes back to the agent with its output, up to N times\n' +
  '  --merge-strategy: how errand approve --merge brings a task in (default squash)\n' +
  "  --keep-merged-branches: a merged task's branch stays (its worktree goes); by default it is deleted";
export async function repo(ctx: CliContext, args: string[]): Promise<void> {
  const [action, ...rest] = args;
  if (action === 'add') {
    const { values, positionals } = parse(
      rest,
      {
        base: { type: 'string' },
        setup: { type: 'string' },
        copy: { type: 'string', multiple: true },
        'max-running': { type: 'string' },
        'merge-strategy': { type: 'string' },
        'keep-merged-branches': { type: 'boolean' },
        'delete-merged-branches': { type: 'boolean' },
        ...CHECK_OPTIONS,
      },
      REPO_USAGE,
    );
    if (!positionals[0]) throw new UsageError(`give the repository's path\nusage: ${REPO_USAGE}`);
    const max = values['max-running'];
    if (max !== undefined && !(Number.isInteger(Number(max)) && Number(max) > 0)) throw new UsageError('--max-running takes a positive number');
    const strategy = values['merge-strategy'] as string | undefined;
    if (strategy !== undefined && !(MERGE_STRATEGIES as readonly string[]).includes(strategy)) {
      throw new UsageError(`--merge-strategy takes ${MERGE_STRATEGIES.join(', ')}\nusage: ${REPO_USAGE}`);
    }
    const keep = values['keep-merged-branches'] === true;
    if (keep && values['delete-merged-branches'] === true) throw new UsageError(`choose --keep-merged-branches or --delete-merged-branches\nusage: ${REPO_USAGE}`);
    const branches = keep ? { deleteMergedBranches: false } : values['delete-merged-branches'] === true ? { deleteMergedBranches: true } : {};
    const saved = await (await ctx.engine()).request('repo.add', {
      path: absolutePath(positionals[0]),
      ...(values.base ? { baseBranch: values.base as string } : {}),
      ...(values.setup !== undefined ? { setupCommand: (values.setup as string) || null } : {}),
      ...(values.copy ? { copyFiles: values.copy as string[] } : {}),
      ...(max !== undefined ? { maxRunning: Number(max) } : {}),
      ...(strategy !== undefined ? { mergeStrategy: strategy as MergeStrategy } : {}),
      ...checkSettings(values),
      ...branches,
    });
    ctx.print(saved, () => `repo ${saved.path} (base ${saved.baseBranch}, merges by ${saved.mergeStrategy}${saved.maxRunning ? `, at most ${saved.maxRunning} at once` : ''})`);
    return;
  }
  if (action === 'ls' || action === undefined) {
    parse(rest, {}, 'errand repo ls');
    const list = await (await ctx.engine()).request('repo.list');
    ctx.print(list, () =>
      list.length
        ? table([['PATH', 'BASE', 'MERGE', 'MAX', 'SETUP', 'CHECK', 'COPY'], ...list.map((r) => [r.path, r.baseBranch, r.mergeStrategy, r.maxRunning ? String(r.maxRunning) : '-', r.setupCommand ?? '-', checkText(r), r.copyFiles.join(',') || '-'])])
        : 'no repos yet: they are added on first use, or with errand repo add <path>',
    );
    return;
  }
  parse(args, {}, REPO_USAGE);
  throw new UsageError(`usage: ${REPO_USAGE}`);
}

export async function config(ctx: CliContext, args: string[]): Promise<void> {
  const usage = 'errand config get | errand config set max-running <N>';
  const { positionals } = parse(args, {}, usage);
  const [action, key, value] = positionals;
  const engine = await ctx.engine();
  if (action === 'get' || action === undefined) {
    const c = await engine.request('config.get');
    ctx.print(c, () => `max-running ${c.maxRunning} (default ${c.defaultMaxRunning})`);
    return;
  }
  if (action === 'set' && key === 'max-running' && value !== undefined) {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`max-running takes a positive whole number\nusage: ${usage}`);
    const c = await engine.request('config.set', { key, value: n });
    ctx.print(c, () => `max-running ${c.maxRunning}`);
    return;
  }
  throw new UsageError(`usage: ${usage}`);
}
