// errand backend add|ls|rm | errand models
import type { BackendInfo, BackendKind, BackendStatus, SecretRef } from '../../../shared/domain.js';
import { BACKEND_KINDS, describeSecretRef } from '../../../shared/domain.js';
import type { ModelsReport } from '../../../shared/protocol/methods.js';
import type { CliContext } from '../cli-context.js';
import { parse, UsageError } from '../cli-context.js';
import { table } from '../format.js';

const KIND_NAME: Record<BackendKind, string> = {
  ollama: 'Ollama',
  lmstudio: 'LM Studio',
  'llama-server': 'llama-server',
  openai: 'OpenAI-compatible',
  anthropic: 'Anthropic-compatible',
};

const BACKEND_ADD_USAGE =
  `errand backend add <name> <url> --kind ${BACKEND_KINDS.join('|')} [--key-env NAME | --key-keychain SERVICE/ACCOUNT]\n` +
  '                   [--capacity N] [--replace]\n' +
  '  the key is read at each use from the engine\'s environment or the OS keychain, never stored;\n' +
  '  --capacity: requests it serves at once (default: Ollama 1, LM Studio 4, llama-server its slots, cloud no limit)';
const BACKEND_USAGE = `errand backend add|ls|rm\n${BACKEND_ADD_USAGE}\nerrand backend rm <name>`;

function keyRef(values: Record<string, unknown>): SecretRef | null {
  const env = values['key-env'] as string | undefined;
  const keychain = values['key-keychain'] as string | undefined;
  if (env !== undefined && keychain !== undefined) throw new UsageError('give the key one way: --key-env or --key-keychain');
  if (env !== undefined) return { from: 'env', name: env };
  if (keychain === undefined) return null;
  const slash = keychain.indexOf('/');
  if (slash <= 0 || slash === keychain.length - 1) throw new UsageError(`--key-keychain takes SERVICE/ACCOUNT, not "${keychain}"`);
  return { from: 'keychain', service: keychain.slice(0, slash), account: keychain.slice(slash + 1) };
}

function backendRow(b: BackendInfo): string[] {
  return [b.name, b.kind, b.url, b.key ? describeSecretRef(b.key) : '-', b.capacity === null ? 'default' : String(b.capacity)];
}

export async function backend(ctx: CliContext, args: string[]): Promise<void> {
  const [action, ...rest] = args;
  if (action === 'add') {
    const { values, positionals } = parse(
      rest,
      { kind: { type: 'string' }, 'key-env': { type: 'string' }, 'key-keychain': { type: 'string' }, capacity: { type: 'string' }, replace: { type: 'boolean' } },
      BACKEND_ADD_USAGE,
    );
    const [name, url, ...extra] = positionals;
    if (!name || !url || extra.length > 0) throw new UsageError(`give a name and a URL\nusage: ${BACKEND_ADD_USAGE}`);
    const kind = values.kind as string | undefined;
    if (!kind || !(BACKEND_KINDS as readonly string[]).includes(kind)) throw new UsageError(`--kind takes ${BACKEND_KINDS.join(', ')}\nusage: ${BACKEND_ADD_USAGE}`);
    const capacity = values.capacity === undefined ? null : Number(values.capacity);
    if (capacity !== null && !(Number.isInteger(capacity) && capacity > 0)) throw new UsageError('--capacity takes a positive whole number');
    const saved = await (await ctx.engine()).request('backend.add', {
      name,
      url,
      kind: kind as BackendKind,
      key: keyRef(values),
      capacity,
      replace: values.replace === true,
    });
    ctx.print(saved, () => `backend ${saved.name}: ${KIND_NAME[saved.kind]} at ${saved.url}${saved.key ? `, key from ${describeSecretRef(saved.key)}` : ''}${saved.capacity ? `, capacity ${saved.capacity}` : ''}`);
    return;
  }
  if (action === 'ls' || action === undefined) {
    parse(rest, {}, 'errand backend ls');
    const list = await (await ctx.engine()).request('backend.list');
    ctx.print(list, () =>
      list.length
        ? table([['NAME', 'KIND', 'URL', 'KEY', 'CAPACITY'], ...list.map(backendRow)])
        : 'no backends added: errand models shows the local servers found; add another with\n' + BACKEND_ADD_USAGE,
    );
    return;
  }
  if (action === 'rm') {
    const { positionals } = parse(rest, {}, 'errand backend rm <name>');
    if (!positionals[0]) throw new UsageError('usage: errand backend rm <name>');
    const result = await (await ctx.engine()).request('backend.remove', { name: positionals[0] });
    ctx.print(result, () => `removed backend ${result.removed}`);
    return;
  }
  parse(args, {}, BACKEND_USAGE);
  throw new UsageError(`usage: ${BACKEND_USAGE}`);
}

export async function models(ctx: CliContext, args: string[]): Promise<void> {
  const { values } = parse(args, { refresh: { type: 'boolean' } }, 'errand models [--refresh]   (backends found and added, what runs on them)');
  const report = await (await ctx.engine()).request('models.list', { refresh: values.refresh === true });
  ctx.print(report, () => modelsText(report));
}

const where = (url: string) => url.replace(/^http:\/\//, '');

/** "Ollama 0.14.2 at 127.0.0.1:11434 (ok, 3 models, qwen3-coder loaded, ctx 65536, capacity 1, 1 busy)" */
export function backendLine(b: BackendStatus): string {
  const name = `${KIND_NAME[b.kind]}${b.version ? ` ${b.version}` : ''} at ${where(b.url)}`;
  if (b.health !== 'ok') return `${name} (${b.health}${b.problem ? `: ${b.problem}` : ''})`;
  const loaded = b.models.filter((m) => m.loaded).map((m) => m.name);
  const parts = [
    'ok',
    `${b.models.length} model${b.models.length === 1 ? '' : 's'}`,
    ...(loaded.length ? [`${loaded.join(', ')} loaded`] : []),
    ...(b.contextLength ? [`ctx ${b.contextLength}`] : []),
    b.capacity === null ? 'no capacity limit' : `capacity ${b.capacity}`,
    ...(b.busy ? [`${b.busy} busy`] : []),
  ];
  return `${name} (${parts.join(', ')})`;
}

export function modelsText(report: ModelsReport): string {
  if (report.backends.length === 0 && report.profiles.length === 0) {
    return 'no backends: no Ollama (11434), LM Studio (1234) or llama-server (8080, 9931) answers on 127.0.0.1, and none was added\n' +
      `add one with ${BACKEND_ADD_USAGE}`;
  }
  const lines: string[] = [];
  for (const b of report.backends) {
    lines.push(`${b.name}: ${backendLine(b)}${b.source === 'detected' ? ' · found on this machine' : ''}`);
    for (const w of b.warnings) lines.push(`  ! ${w}`);
    if (b.health === 'ok') {
      const combos = report.combos.filter((c) => c.backend === b.name);
      const ok = combos.filter((c) => c.ok).map((c) => c.adapter);
      lines.push(`  agents: ${ok.length ? ok.join(', ') : 'none'}${combos.some((c) => !c.ok) ? ` · not ${combos.filter((c) => !c.ok).map((c) => c.adapter).join(', ')}` : ''}`);
    }
  }
  if (report.profiles.length > 0) {
    lines.push('', 'profiles on a backend:');
    for (const p of report.profiles) {
      const head = `  ${p.profile} (${p.adapter} → ${p.backend}${p.model ? ` / ${p.model}` : ''}):`;
      lines.push(p.ok ? `${head} ok` : `${head} ${p.problems.join('; ')}`);
      for (const w of p.warnings) lines.push(`    ! ${w}`);
    }
  }
  return lines.join('\n');
}

/** For `errand agents`: which backends each agent CLI can run on, and why not. */
export function agentBackendLines(report: ModelsReport, adapters: string[]): string[] {
  const healthy = new Set(report.backends.filter((b) => b.health === 'ok').map((b) => b.name));
  if (healthy.size === 0) return ['model backends: none found or added (errand models)'];
  const lines = ['model backends (errand models):'];
  for (const adapter of adapters) {
    const combos = report.combos.filter((c) => c.adapter === adapter && healthy.has(c.backend));
    const ok = combos.filter((c) => c.ok).map((c) => c.backend);
    const not = combos.filter((c) => !c.ok);
    const why = [...new Set(not.map((c) => c.why!.replace(/^\S+ /, '')))];
    lines.push(`  ${adapter}: ${ok.length ? `runs on ${ok.join(', ')}` : 'runs on none'}${not.length ? `; not ${not.map((c) => c.backend).join(', ')} (${why.join('; ')})` : ''}`);
  }
  for (const p of report.profiles) lines.push(`  profile ${p.profile} (${p.adapter} → ${p.backend}): ${p.ok ? 'ok' : p.problems.join('; ')}`);
  return lines;
}
