// Qwen Code and Gemini CLI: `-p … --output-format stream-json`, the same message shapes as Claude Code's.
import type { AdapterId, ProfileInfo } from '../../../shared/domain.js';
import type { AgentAdapter, LaunchContext, LaunchSpec } from './adapter.js';
import { expandCommand } from './command-adapter.js';
import { StreamJsonInterpreter } from './stream-json.js';
import type { StreamJsonOptions } from './stream-json.js';

function streamJsonCli(
  id: AdapterId,
  name: string,
  install: string,
  interpretation: StreamJsonOptions,
): AgentAdapter {
  return {
    id,
    binaryNames: [id],
    install,
    defaultOptions: { permissionMode: 'auto_edit' },
    version: (output) => output.match(/(\d+\.\d+\.\d+)/)?.[1] ?? null,

    launch(profile: ProfileInfo, context: LaunchContext): LaunchSpec {
      const { model, permissionMode, args = [] } = profile.options;
      // expandCommand refuses a prompt too long for one argument, with a message that says so.
      const { argv } = expandCommand(
        [
          context.binary ?? name,
          '-p',
          '{prompt}',
          '--output-format',
          'stream-json',
          ...(model ? ['-m', model] : []),
          ...(permissionMode ? ['--approval-mode', permissionMode] : []),
          ...(context.kind === 'start' ? [] : ['--resume', context.sessionId!]),
          ...args,
        ],
        context,
      );
      return { argv, env: profile.env };
    },

    interpreter(): StreamJsonInterpreter {
      return new StreamJsonInterpreter(interpretation);
    },
  };
}

export const qwenAdapter = streamJsonCli('qwen', 'qwen', 'npm install -g @qwen-code/qwen-code', {
  agentName: 'Qwen Code',
  // Qwen reports an API failure as a successful result whose text starts "[API Error".
  resultIsError: (text) => text.trimStart().startsWith('[API Error'),
});

export const geminiAdapter = streamJsonCli('gemini', 'gemini', 'npm install -g @google/gemini-cli, then run `gemini` once to sign in', {
  agentName: 'Gemini CLI',
  exitReasons: { 42: 'Gemini CLI refused its input (exit code 42)', 53: 'turn limit reached (exit code 53)' },
});
