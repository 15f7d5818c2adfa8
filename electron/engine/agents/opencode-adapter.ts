// OpenCode, through Errand's driver (opencode-driver/), which runs `opencode serve` for the turn: the same JSON events
// as `opencode run --format json`, plus the permission and question requests that `run` would auto-reject. Those make
// the run `needs_input`; `errand allow|deny|reply` answers them over the driver's stdin and the agent goes on.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { PermissionRequest, ProfileInfo, RunProgress } from '../../../shared/domain.js';
import { ErrandError } from '../../../shared/protocol/errors.js';
import type { AgentAdapter, Decision, ExitInfo, Interpreter, LaunchContext, LaunchSpec, Signal, Verdict } from './adapter.js';
import { exitVerdict } from './command-adapter.js';
import { JsonLines } from './json-lines.js';
import type { AnswerLine } from './opencode-driver/main.js';

/** Built next to the engine by build/bundle.mjs; from the sources (in tests), that bundle in dist/. */
const BUNDLED_DRIVER = join(__dirname, 'opencode-driver.cjs');
export const DRIVER_PATH = existsSync(BUNDLED_DRIVER) ? BUNDLED_DRIVER : join(__dirname, '../../../dist/opencode-driver.cjs');
export const QUESTION_TOOL = 'question';
const TODO_TOOLS = new Set(['todowrite', 'todo_write']);
/** Profile arguments the driver takes itself; the rest go to `opencode serve`. */
const DRIVER_OPTIONS = new Set(['--agent', '--variant']);

interface AskedQuestion {
  question?: unknown;
  options?: { label?: unknown }[];
}

function questionText(questions: AskedQuestion[]): string {
  return questions
    .map((q) => {
      const options = (q.options ?? []).map((o) => String(o.label ?? '')).filter(Boolean);
      return options.length > 0 ? `${String(q.question)} (${options.join(' / ')})` : String(q.question);
    })
    .join(' ');
}

/** A permission or question request, as the person sees it and as `answer` needs it back. */
function pendingRequest(kind: string, request: Record<string, unknown>): { question: string; request: PermissionRequest } | null {
  if (typeof request.id !== 'string') return null;
  if (kind === 'question_asked') {
    const questions = Array.isArray(request.questions) ? (request.questions as AskedQuestion[]) : [];
    const text = questionText(questions);
    return { question: text, request: { id: request.id, tool: QUESTION_TOOL, input: { questions }, summary: text } };
  }
  const permission = String(request.permission ?? 'a tool');
  const patterns = Array.isArray(request.patterns) ? request.patterns.map(String) : [];
  const summary = patterns.length > 0 ? `${permission}: ${patterns.join(', ')}` : permission;
  const question = permission === 'bash' && patterns.length > 0 ? `OpenCode wants to run: ${patterns.join(', ')}` : `OpenCode asks for ${summary}`;
  return { question, request: { id: request.id, tool: permission, input: { patterns, metadata: request.metadata ?? {} }, summary } };
}

export class OpenCodeInterpreter implements Interpreter {
  readonly quietMs = null;
  readonly screenLines = 0;
  private readonly lines = new JsonLines();
  private sessionId: string | null = null;
  private lastText: string | null = null;
  private error: string | null = null;
  private finished = false;
  private progress: RunProgress = {};

  onOutput(batch: Buffer): Signal[] {
    const out: Signal[] = [];
    this.lines.pushText(batch, (line) => {
      const start = line.indexOf('{');
      if (start === -1) return;
      try {
        const event = JSON.parse(line.slice(start)) as Record<string, unknown>;
        if (event && typeof event === 'object' && typeof event.type === 'string') this.read(event, out);
      } catch {
        // A plain line (opencode serve's own log).
      }
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
    const verdict = exitVerdict(exit);
    if (verdict.status === 'succeeded' && !this.finished) {
      return { status: 'unknown', reason: 'OpenCode exited without finishing a step; check its log' };
    }
    return verdict;
  }

  private read(event: Record<string, unknown>, out: Signal[]): void {
    const part = (event.part ?? {}) as Record<string, unknown>;
    if (typeof event.sessionID === 'string' && event.sessionID !== this.sessionId) {
      this.sessionId = event.sessionID;
      out.push({ type: 'session', sessionId: event.sessionID });
    }
    switch (event.type) {
      case 'text':
        if (typeof part.text === 'string') this.lastText = part.text;
        return;
      case 'permission_asked':
      case 'question_asked': {
        const pending = pendingRequest(event.type, (event.request ?? {}) as Record<string, unknown>);
        if (pending) out.push({ type: 'needs_input', ...pending });
        return;
      }
      case 'answered':
        out.push({ type: 'running' });
        return;
      case 'tool_use': {
        const state = (part.state ?? {}) as Record<string, unknown>;
        const input = (state.input ?? {}) as { todos?: { status?: string }[] };
        if (TODO_TOOLS.has(String(part.tool)) && Array.isArray(input.todos)) {
          const todos = input.todos;
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
        const message = String(data.message ?? error.message ?? error.name ?? 'OpenCode reported an error');
        this.error = typeof data.statusCode === 'number' ? `HTTP ${data.statusCode}: ${message}` : message;
        return;
      }
    }
  }
}

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
  if (decision.behavior === 'allow') return { type: 'permission_reply', requestID, reply: 'once' };
  const message = decision.behavior === 'answer' ? `The person answered instead: ${decision.message}` : decision.message;
  return { type: 'permission_reply', requestID, reply: 'reject', ...(message ? { message } : {}) };
}

export const opencodeAdapter: AgentAdapter = {
  id: 'opencode',
  binaryNames: ['opencode'],
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
