// Codex: `codex exec --json`, whose JSONL events say when a turn completes or fails.
import type { ProfileInfo, RunProgress } from '../../../shared/domain.js';
import type { AgentAdapter, ExitInfo, Interpreter, LaunchContext, LaunchSpec, Signal, Verdict } from './adapter.js';
import { exitVerdict } from './command-adapter.js';
import { JsonLines } from './json-lines.js';

const INTERESTING = /^\{"type":"(thread\.started|turn\.|item\.completed|item\.updated|item\.started|error)/;

class CodexInterpreter implements Interpreter {
  readonly quietMs = null;
  readonly screenLines = 0;
  private readonly lines = new JsonLines();
  private lastMessage: string | null = null;
  private lastError: string | null = null;

  onOutput(batch: Buffer): Signal[] {
    const out: Signal[] = [];
    this.lines.push(batch, (line) => INTERESTING.test(line), (event) => this.read(event, out));
    return out;
  }

  onQuiet(): Signal | null {
    return null;
  }

  onExit(exit: ExitInfo, done: Verdict | null): Verdict {
    if (done) return done;
    if (exit.exitCode === 0 && !exit.signal) return { status: 'unknown', reason: 'Codex exited without completing a turn; check its log' };
    const verdict = exitVerdict(exit);
    return { status: 'failed', reason: this.lastError ? `Codex failed: ${this.lastError}` : `Codex ${verdict.reason}` };
  }

  private read(event: Record<string, unknown>, out: Signal[]): void {
    const item = (event.item ?? {}) as Record<string, unknown>;
    switch (event.type) {
      case 'thread.started':
        if (typeof event.thread_id === 'string') out.push({ type: 'session', sessionId: event.thread_id });
        return;
      case 'item.started':
      case 'item.updated':
      case 'item.completed':
        if (item.type === 'todo_list' && Array.isArray(item.items)) {
          const items = item.items as { completed?: boolean }[];
          out.push({ type: 'progress', progress: { todosDone: items.filter((i) => i.completed).length, todosTotal: items.length } });
        }
        if (event.type !== 'item.completed') return;
        if (item.type === 'agent_message' && typeof item.text === 'string') this.lastMessage = item.text;
        if (item.type === 'error' && typeof item.message === 'string') this.lastError = item.message;
        if (item.type === 'request_user_input') {
          const question = [item.question, item.prompt, item.text, item.message].find((q) => typeof q === 'string') as string | undefined;
          out.push({ type: 'needs_input', question: `Codex asks: ${question ?? 'a question (see its log)'}` });
        }
        return;
      case 'error':
        if (typeof event.message === 'string') this.lastError = event.message;
        return;
      case 'turn.completed': {
        const usage = (event.usage ?? {}) as Record<string, number>;
        const progress: RunProgress = { inputTokens: usage.input_tokens ?? 0, outputTokens: usage.output_tokens ?? 0 };
        out.push({ type: 'progress', progress });
        out.push({ type: 'done', verdict: { status: 'succeeded', reason: null }, resultText: this.lastMessage });
        return;
      }
      case 'turn.failed': {
        const message = String((event.error as { message?: string } | undefined)?.message ?? this.lastError ?? 'the turn failed');
        out.push({ type: 'done', verdict: { status: 'failed', reason: `API error: ${message.slice(0, 500)}` }, resultText: this.lastMessage });
        return;
      }
    }
  }
}

export const codexAdapter: AgentAdapter = {
  id: 'codex',
  binaryNames: ['codex'],
  install: 'npm install -g @openai/codex, then run `codex login` or set OPENAI_API_KEY',
  defaultOptions: { permissionMode: 'workspace-write' },
  version: (output) => output.match(/codex-cli (\d+\.\d+\.\d+)/)?.[1] ?? output.match(/(\d+\.\d+\.\d+)/)?.[1] ?? null,

  launch(profile: ProfileInfo, context: LaunchContext): LaunchSpec {
    const { model, permissionMode, args = [] } = profile.options;
    const flags = [
      '--json',
      '--skip-git-repo-check',
      ...(model ? ['-m', model] : []),
      ...(permissionMode ? ['-s', permissionMode] : []),
      ...args,
    ];
    const resume = context.kind === 'start' ? [] : ['resume', context.sessionId!];
    // The prompt arrives on stdin ("-"), so no prompt is too long for an argument.
    return { argv: [context.binary ?? 'codex', 'exec', ...flags, ...resume, '-'], env: profile.env, stdinFile: context.promptFile };
  },

  interpreter(): Interpreter {
    return new CodexInterpreter();
  },
};
