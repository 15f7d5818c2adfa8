// Qwen Code and Gemini CLI: `-p … --output-format stream-json`. Qwen prints Claude's message shapes; Gemini prints
// its own (gemini-stream.ts).
import type { AdapterId, ProfileInfo } from '../../../shared/domain.js';
import type { AgentAdapter, Interpreter, LaunchContext, LaunchSpec } from './adapter.js';
import { expandCommand } from './command-adapter.js';
import { GeminiStreamInterpreter } from './gemini-stream.js';
import { StreamJsonInterpreter } from './stream-json.js';
import { HEADLESS_REFUSED_HINT } from './verdict-wording.js';
import type { BackendWiring } from './backend-wiring.js';
import { qwenBackend } from './backend-wiring.js';

/** Both CLIs' shell tool: their built-in profiles allow it, so a task can run the repo's commands. */
const SHELL_TOOL = 'run_shell_command';

interface HeadlessCli {
  id: AdapterId;
  install: string;
  defaultMode: string;
  modelUrlEnv?: string;
  backend?: BackendWiring;
  /** The CLI's spelling of an approval mode (Qwen says `auto-edit`, Gemini `auto_edit`; a profile may say either). */
  approvalMode(mode: string): string;
  /** Arguments the profile implies beyond model and mode. */
  extraArgs?(profile: ProfileInfo): string[];
  interpreter(): Interpreter;
}

function headlessCli(cli: HeadlessCli): AgentAdapter {
  return {
    id: cli.id,
    binaryNames: [cli.id],
    install: cli.install,
    ...(cli.modelUrlEnv ? { modelUrlEnv: cli.modelUrlEnv } : {}),
    ...(cli.backend ? { backend: cli.backend } : {}),
    // Headless, these CLIs never ask: auto-edit approves edits, and the shell tool, which auto-edit leaves out of
    // what it offers the model, is allowed too. Anything else (web fetch, MCP tools) is refused and reported.
    defaultOptions: { permissionMode: cli.defaultMode, args: ['--allowed-tools', SHELL_TOOL] },
    version: (output) => output.match(/(\d+\.\d+\.\d+)/)?.[1] ?? null,

    launch(profile: ProfileInfo, context: LaunchContext): LaunchSpec {
      const { model, permissionMode, args = [] } = profile.options;
      // expandCommand refuses a prompt too long for one argument, with a message that says so.
      const { argv } = expandCommand(
        [
          context.binary ?? cli.id,
          '-p',
          '{prompt}',
          '--output-format',
          'stream-json',
          ...(model ? ['-m', model] : []),
          ...(permissionMode ? ['--approval-mode', cli.approvalMode(permissionMode)] : []),
          ...(cli.extraArgs?.(profile) ?? []),
          ...(context.kind === 'start' ? [] : ['--resume', context.sessionId!]),
          ...args,
        ],
        context,
      );
      return { argv, env: profile.env };
    },

    interpreter(): Interpreter {
      return cli.interpreter();
    },
  };
}

/** `auto_edit` and `auto-edit` are the same mode; each CLI accepts only its own spelling. */
const spelled = (separator: '-' | '_') => (mode: string) => (/^auto[-_]edit$/i.test(mode) ? `auto${separator}edit` : mode);

export const qwenAdapter = headlessCli({
  id: 'qwen',
  install: 'npm install -g @qwen-code/qwen-code',
  defaultMode: 'auto-edit',
  approvalMode: spelled('-'),
  modelUrlEnv: 'OPENAI_BASE_URL',
  backend: qwenBackend,
  // A profile that names an OpenAI-compatible endpoint (a local model, a cloud key) needs Qwen's OpenAI auth; without
  // the flag Qwen uses whatever its settings chose (Qwen OAuth by default) and ignores OPENAI_BASE_URL.
  extraArgs: (profile) => {
    const own = profile.options.args ?? [];
    if (own.some((a) => a === '--auth-type' || a.startsWith('--auth-type='))) return [];
    return profile.env.OPENAI_BASE_URL || profile.env.OPENAI_API_KEY ? ['--auth-type', 'openai'] : [];
  },
  interpreter: () =>
    new StreamJsonInterpreter({
      agentName: 'Qwen Code',
      // Qwen reports an API failure as a successful result whose text starts "[API Error".
      resultIsError: (text) => text.trimStart().startsWith('[API Error'),
      // Headless Qwen never asks: what its approval mode and --allowed-tools don't allow, it refuses.
      refusedHint: HEADLESS_REFUSED_HINT,
    }),
});

export const geminiAdapter = headlessCli({
  id: 'gemini',
  install: 'npm install -g @google/gemini-cli, then run `gemini` once to sign in',
  defaultMode: 'auto_edit',
  approvalMode: spelled('_'),
  interpreter: () => new GeminiStreamInterpreter(),
});
