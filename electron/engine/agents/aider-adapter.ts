// Aider has no JSON output and exits 0 even when the model call failed, so its plain output is read line by line.
import type { ProfileInfo, RunProgress } from '../../../shared/domain.js';
import type { AgentAdapter, ExitInfo, Interpreter, LaunchContext, LaunchSpec, Signal, Verdict } from './adapter.js';
import { aiderBackend } from './backend-wiring.js';
import { exitVerdict } from './command-adapter.js';
import { JsonLines } from './json-lines.js';

const TOKENS = /^Tokens: ([\d.]+)(k?) sent,(?: [\d.]+k? cache \w+,)* ([\d.]+)(k?) received\.(?: Cost: \$([\d.]+) message, \$([\d.]+) session\.)?/;
const MODEL_ERROR = /^(litellm\.\w*(Error|Exception)\b.*|.*\b(APIError|APIConnectionError|AuthenticationError|RateLimitError|BadRequestError|NotFoundError)\b.*)$/;
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]/g;

function count(value: string, k: string): number {
  return Math.round(Number(value) * (k ? 1000 : 1));
}

export class AiderInterpreter implements Interpreter {
  readonly quietMs = null;
  readonly screenLines = 0;
  private readonly lines = new JsonLines();
  private modelError: string | null = null;
  private progress: RunProgress = {};

  onOutput(batch: Buffer): Signal[] {
    const out: Signal[] = [];
    this.lines.pushText(batch, (raw) => {
      const line = raw.replace(ANSI, '').trim();
      const tokens = TOKENS.exec(line);
      if (tokens) {
        this.progress = {
          inputTokens: (this.progress.inputTokens ?? 0) + count(tokens[1]!, tokens[2]!),
          outputTokens: (this.progress.outputTokens ?? 0) + count(tokens[3]!, tokens[4]!),
          ...(tokens[6] ? { costUsd: Number(tokens[6]) } : {}),
        };
        out.push({ type: 'progress', progress: this.progress });
      } else if (MODEL_ERROR.test(line)) {
        this.modelError ??= line.slice(0, 500);
      }
    });
    return out;
  }

  onQuiet(): Signal | null {
    return null;
  }

  onExit(exit: ExitInfo): Verdict {
    if (this.modelError) return { status: 'failed', reason: `API error: ${this.modelError}` };
    return exitVerdict(exit);
  }
}

export const aiderAdapter: AgentAdapter = {
  id: 'aider',
  binaryNames: ['aider'],
  backend: aiderBackend,
  continuesWithoutSession: true,
  install: 'python -m pip install aider-install && aider-install (Aider is not on npm)',
  version: (output) => output.match(/aider (\d+\.\d+\.\d+)/)?.[1] ?? output.match(/(\d+\.\d+\.\d+)/)?.[1] ?? null,

  launch(profile: ProfileInfo, context: LaunchContext): LaunchSpec {
    const { model, args = [] } = profile.options;
    const argv = [
      context.binary ?? 'aider',
      '--message-file',
      context.promptFile,
      '--yes-always',
      '--no-pretty',
      '--no-check-update',
      '--no-show-release-notes',
      ...(model ? ['--model', model] : []),
      // Aider has no session ids: a reply continues from the chat history it keeps in the worktree.
      ...(context.kind === 'start' ? [] : ['--restore-chat-history']),
      ...args,
    ];
    return { argv, env: profile.env };
  },

  interpreter(): Interpreter {
    return new AiderInterpreter();
  },
};
