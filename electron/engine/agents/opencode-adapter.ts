// OpenCode, through Errand's driver (opencode-driver/), which runs `opencode serve` for the turn: the same JSON events
// as `opencode run --format json`, plus the permission and question requests that `run` would auto-reject. Those make
// the run `needs_input`; `errand allow|deny|reply` answers them over the driver's stdin and the agent goes on.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { PermissionRequest, ProfileInfo } from '../../../shared/domain.js';
import { ErrandError } from '../../../shared/protocol/errors.js';
import type { AgentAdapter, Decision, Interpreter, LaunchContext, LaunchSpec } from './adapter.js';
import { opencodeBackend } from './backend-wiring.js';
import type { AnswerLine } from './opencode-driver/main.js';
import { OpenCodeInterpreter, QUESTION_TOOL } from './opencode-interpreter.js';
import type { AskedQuestion } from './opencode-interpreter.js';

/** Built next to the engine by build/bundle.mjs; from the sources (in tests), that bundle in dist/. */
const BUNDLED_DRIVER = join(__dirname, 'opencode-driver.cjs');
export const DRIVER_PATH = existsSync(BUNDLED_DRIVER) ? BUNDLED_DRIVER : join(__dirname, '../../../dist/opencode-driver.cjs');
/** Profile arguments the driver takes itself; the rest go to `opencode serve`. */
const DRIVER_OPTIONS = new Set(['--agent', '--variant']);

/** Splits a profile's extra arguments into the driver's own options and those for `opencode serve`. */
function splitArgs(args: string[]): { driver: string[]; serve: string[] } {
  const driver: string[] = [];
  const serve: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const name = arg.split('=', 1)[0]!;
    if (!DRIVER_OPTIONS.has(name)) serve.push(arg);
    else if (arg.includes('=')) driver.push(arg);
    else driver.push(arg, args[++i] ?? '');
  }
  return { driver, serve };
}

function answerLine(request: PermissionRequest, decision: Decision): AnswerLine | null {
  const requestID = request.id;
  if (request.tool === QUESTION_TOOL) {
    const questions = ((request.input as { questions?: AskedQuestion[] } | null)?.questions ?? []) as AskedQuestion[];
    if (decision.behavior === 'deny') return { type: 'question_reject', requestID };
    if (decision.behavior === 'answer') return { type: 'question_reply', requestID, answers: questions.map(() => [decision.message]) };
    // "Allow" a question: take each question's first offered answer; with none offered, there is nothing to allow.
    const first = questions.map((q) => q.options?.[0]?.label);
    return first.every((label) => typeof label === 'string') ? { type: 'question_reply', requestID, answers: first.map((l) => [l as string]) } : null;
  }
  if (decision.behavior === 'allow') return { type: 'permission_reply', requestID, reply: decision.always ? 'always' : 'once' };
  const message = decision.behavior === 'answer' ? `The person answered instead: ${decision.message}` : decision.message;
  return { type: 'permission_reply', requestID, reply: 'reject', ...(message ? { message } : {}) };
}

export const opencodeAdapter: AgentAdapter = {
  id: 'opencode',
  binaryNames: ['opencode'],
  backend: opencodeBackend,
  install: 'npm install -g opencode-ai, then run `opencode auth login`',
  version: (output) => output.match(/(\d+\.\d+\.\d+)/)?.[1] ?? null,

  launch(profile: ProfileInfo, context: LaunchContext): LaunchSpec {
    if (!existsSync(DRIVER_PATH)) {
      throw new ErrandError('internal', `Errand's OpenCode driver is missing (${DRIVER_PATH}); run npm run build, then retry the task.`);
    }
    const { model, args = [] } = profile.options;
    const { driver, serve } = splitArgs(args);
    const argv = [
      process.execPath,
      DRIVER_PATH,
      '--opencode',
      context.binary ?? 'opencode',
      '--prompt-file',
      context.promptFile,
      ...(model ? ['--model', model] : []),
      ...(context.kind === 'start' ? [] : ['--session', context.sessionId!]),
      ...driver,
      ...(serve.length > 0 ? ['--', ...serve] : []),
    ];
    // Packaged, the engine is Electron's binary run as Node; the driver needs the same.
    const env = process.versions.electron ? { ...profile.env, ELECTRON_RUN_AS_NODE: '1' } : profile.env;
    return { argv, env, inputPipe: true };
  },

  interpreter(): Interpreter {
    return new OpenCodeInterpreter();
  },

  answer(request: PermissionRequest, decision: Decision): string | null {
    const line = answerLine(request, decision);
    return line ? `${JSON.stringify(line)}\n` : null;
  },
};
