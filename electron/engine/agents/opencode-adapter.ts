// OpenCode: `opencode run --format json`, one JSON event per line. In `run`, a permission request is auto-rejected
// with a plain line on stderr and the exit is still 0: that is reported as needing the person, not as done.
import type { ProfileInfo, RunProgress } from '../../../shared/domain.js';
import type { AgentAdapter, ExitInfo, Interpreter, LaunchContext, LaunchSpec, Signal, Verdict } from './adapter.js';
import { exitVerdict, expandCommand } from './command-adapter.js';
import { JsonLines } from './json-lines.js';

const AUTO_REJECTED = /permission requested: (.*?);? auto-rejecting/;
const TODO_TOOLS = new Set(['todowrite', 'todo_write']);

export class OpenCodeInterpreter implements Interpreter {
  readonly quietMs = null;
  readonly screenLines = 0;
  private readonly lines = new JsonLines();
  private lastText: string | null = null;
  private error: string | null = null;
  private finished = false;
  private readonly refused: string[] = [];
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
      const refused = AUTO_REJECTED.exec(line);
      if (refused) this.refused.push(refused[1]!.trim());
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
    if (this.refused.length > 0) {
      return { status: 'needs_input', reason: `OpenCode was refused: ${this.refused.join('; ')}. errand reply re-runs it with permission.` };
    }
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
        const todos = (state.input as { todos?: { status?: string }[] } | undefined)?.todos;
        if (TODO_TOOLS.has(String(part.tool)) && Array.isArray(todos)) {
          out.push({ type: 'progress', progress: { todosDone: todos.filter((t) => t.status === 'completed').length, todosTotal: todos.length } });
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
        this.error = String(data.message ?? error.message ?? error.name ?? 'OpenCode reported an error');
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
    return { argv, env: profile.env };
  },

  interpreter(): Interpreter {
    return new OpenCodeInterpreter();
  },
};
