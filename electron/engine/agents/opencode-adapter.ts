// OpenCode: `opencode run --format json`, one JSON event per line. In `run`, a permission request is auto-rejected
// (a line `! permission requested: bash (sh -c '…'); auto-rejecting` on stderr, the tool_use ends in error) and the exit
// is still 0: that is reported as needing the person, not as done. `errand reply` then continues the session with
// exactly what was refused allowed, for that run only (OPENCODE_CONFIG_CONTENT with `permission.<name>.<pattern>`).
import type { ProfileInfo, RunProgress } from '../../../shared/domain.js';
import type { AgentAdapter, ExitInfo, Interpreter, LaunchContext, LaunchSpec, Signal, Verdict } from './adapter.js';
import { exitVerdict, expandCommand } from './command-adapter.js';
import { JsonLines } from './json-lines.js';

// CSI and OSC sequences: stderr is a terminal under the PTY, so the warning comes coloured.
const ANSI_ESCAPE = /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\))/g;
const AUTO_REJECTED = /permission requested: ([\w-]+)(?: \((.*)\))?;? auto-rejecting/;
const REJECTED_TOOL = /rejected permission/i;
const TODO_TOOLS = new Set(['todowrite', 'todo_write']);
const REFUSED_PREFIX = 'OpenCode was refused: ';
const REPLY_SUFFIX = '. errand reply re-runs it with that allowed.';

/** One refused permission: its name (bash, edit, external_directory, …) and the pattern asked for, if any. */
export interface Refusal {
  permission: string;
  pattern: string | null;
}

function formatRefusals(refusals: Refusal[]): string {
  return refusals.map((r) => (r.pattern === null ? r.permission : `${r.permission} ${JSON.stringify(r.pattern)}`)).join('; ');
}

/** The refusals a reason written by this adapter lists (the person's reply grants them). */
export function parseRefusals(reason: string | null): Refusal[] {
  if (!reason?.startsWith(REFUSED_PREFIX)) return [];
  const item = /([\w-]+)(?: ("(?:[^"\\]|\\.)*"))?(; |\. )/y;
  item.lastIndex = REFUSED_PREFIX.length;
  const out: Refusal[] = [];
  let m: RegExpExecArray | null;
  while ((m = item.exec(reason))) {
    out.push({ permission: m[1]!, pattern: m[2] ? (JSON.parse(m[2]) as string) : null });
    if (m[3] === '. ') break;
  }
  return out;
}

/** OpenCode's config with each refusal allowed, after (so over) whatever rule the profile had for it. */
export function allowRefusals(configJson: string | undefined, refusals: Refusal[]): string {
  let config: Record<string, unknown> = {};
  try {
    const parsed: unknown = configJson ? JSON.parse(configJson) : {};
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) config = parsed as Record<string, unknown>;
  } catch {
    // Not JSON: OpenCode would reject it anyway; start from nothing.
  }
  const current = config.permission;
  const permission: Record<string, unknown> =
    typeof current === 'string' ? { '*': current } : current && typeof current === 'object' ? { ...(current as Record<string, unknown>) } : {};
  for (const { permission: name, pattern } of refusals) {
    if (pattern === null) {
      permission[name] = 'allow';
      continue;
    }
    const rule = permission[name];
    // Anything not granted is still asked (so refused again), whatever a config file elsewhere says.
    const rules: Record<string, unknown> =
      rule && typeof rule === 'object' ? { ...(rule as Record<string, unknown>) } : { '*': typeof rule === 'string' ? rule : 'ask' };
    delete rules[pattern];
    rules[pattern] = 'allow';
    permission[name] = rules;
  }
  return JSON.stringify({ ...config, permission });
}

export class OpenCodeInterpreter implements Interpreter {
  readonly quietMs = null;
  readonly screenLines = 0;
  private readonly lines = new JsonLines();
  private lastText: string | null = null;
  private error: string | null = null;
  private finished = false;
  /** From OpenCode's warning line: the permission and its patterns, as it asked for them. */
  private readonly refused: Refusal[] = [];
  /** From the JSON: tool calls that ended "rejected permission", in case the warning line was lost. */
  private readonly rejectedTools: Refusal[] = [];
  private progress: RunProgress = {};

  onOutput(batch: Buffer): Signal[] {
    const out: Signal[] = [];
    this.lines.pushText(batch, (line) => {
      const start = line.indexOf('{');
      if (start !== -1) {
        try {
          const event = JSON.parse(line.slice(start)) as Record<string, unknown>;
          if (event && typeof event === 'object' && typeof event.type === 'string') return this.read(event, out);
        } catch {
          // A plain line.
        }
      }
      if (!line.includes('auto-rejecting')) return;
      const refused = AUTO_REJECTED.exec(line.replace(ANSI_ESCAPE, ''));
      if (!refused) return;
      const patterns = refused[2] ? refused[2].split(', ') : [];
      if (patterns.length === 0) this.refused.push({ permission: refused[1]!, pattern: null });
      for (const pattern of patterns) this.refused.push({ permission: refused[1]!, pattern });
    });
    return out;
  }

  onQuiet(): Signal | null {
    return null;
  }

  onExit(exit: ExitInfo): Verdict {
    return { ...this.judge(exit), resultText: this.lastText };
  }

  private judge(exit: ExitInfo): Verdict {
    if (this.error) return { status: 'failed', reason: `API error: ${this.error.slice(0, 500)}` };
    const refused = this.refused.length > 0 ? this.refused : this.rejectedTools;
    if (refused.length > 0) return { status: 'needs_input', reason: `${REFUSED_PREFIX}${formatRefusals(refused)}${REPLY_SUFFIX}` };
    const verdict = exitVerdict(exit);
    if (verdict.status === 'succeeded' && !this.finished) {
      return { status: 'unknown', reason: 'OpenCode exited without finishing a step; check its log' };
    }
    return verdict;
  }

  private read(event: Record<string, unknown>, out: Signal[]): void {
    const part = (event.part ?? {}) as Record<string, unknown>;
    if (typeof event.sessionID === 'string') out.push({ type: 'session', sessionId: event.sessionID });
    switch (event.type) {
      case 'text':
        if (typeof part.text === 'string') this.lastText = part.text;
        return;
      case 'tool_use': {
        const state = (part.state ?? {}) as Record<string, unknown>;
        const input = (state.input ?? {}) as { todos?: { status?: string }[]; command?: unknown; filePath?: unknown };
        if (TODO_TOOLS.has(String(part.tool)) && Array.isArray(input.todos)) {
          const todos = input.todos;
          out.push({ type: 'progress', progress: { todosDone: todos.filter((t) => t.status === 'completed').length, todosTotal: todos.length } });
        }
        if (state.status === 'error' && REJECTED_TOOL.test(String(state.error ?? ''))) {
          const pattern = [input.command, input.filePath].find((v) => typeof v === 'string') as string | undefined;
          this.rejectedTools.push({ permission: String(part.tool ?? 'a tool'), pattern: pattern ?? null });
        }
        return;
      }
      case 'step_finish': {
        const tokens = (part.tokens ?? {}) as Record<string, unknown>;
        this.progress = {
          inputTokens: (this.progress.inputTokens ?? 0) + (Number(tokens.input) || 0),
          outputTokens: (this.progress.outputTokens ?? 0) + (Number(tokens.output) || 0),
          ...(typeof part.cost === 'number' ? { costUsd: (this.progress.costUsd ?? 0) + part.cost } : {}),
        };
        out.push({ type: 'progress', progress: this.progress });
        if (part.reason === 'stop') this.finished = true;
        return;
      }
      case 'error': {
        const error = (event.error ?? {}) as Record<string, unknown>;
        const data = (error.data ?? {}) as Record<string, unknown>;
        const message = String(data.message ?? error.message ?? error.name ?? 'OpenCode reported an error');
        this.error = typeof data.statusCode === 'number' ? `HTTP ${data.statusCode}: ${message}` : message;
        return;
      }
    }
  }
}

export const opencodeAdapter: AgentAdapter = {
  id: 'opencode',
  binaryNames: ['opencode'],
  install: 'npm install -g opencode-ai, then run `opencode auth login`',
  version: (output) => output.match(/(\d+\.\d+\.\d+)/)?.[1] ?? null,

  launch(profile: ProfileInfo, context: LaunchContext): LaunchSpec {
    const { model, args = [] } = profile.options;
    const { argv } = expandCommand(
      [
        context.binary ?? 'opencode',
        'run',
        '--format',
        'json',
        ...(model ? ['-m', model] : []),
        ...(context.kind === 'start' ? [] : ['-s', context.sessionId!]),
        ...args,
        '{prompt}',
      ],
      context,
    );
    // A reply to a refusal is the person's yes: that run may do exactly what was refused.
    const granted = context.kind === 'reply' && context.previous?.status === 'needs_input' ? parseRefusals(context.previous.reason) : [];
    if (granted.length === 0) return { argv, env: profile.env };
    const config = allowRefusals(profile.env.OPENCODE_CONFIG_CONTENT ?? process.env.OPENCODE_CONFIG_CONTENT, granted);
    return { argv, env: { ...profile.env, OPENCODE_CONFIG_CONTENT: config } };
  },

  interpreter(): Interpreter {
    return new OpenCodeInterpreter();
  },
};
