// Reads the JSON lines Errand's OpenCode driver prints (those of `opencode run --format json`, plus permission and
// question requests and their answers, and OpenCode's retries) into the run's status, progress and verdict.
import type { PermissionRequest, RunProgress } from '../../../shared/domain.js';
import { FailureStreak } from '../backends/failure-streak.js';
import type { ExitInfo, Interpreter, Signal, Verdict } from './adapter.js';
import { exitVerdict } from './command-adapter.js';
import { JsonLines } from './json-lines.js';
import { summarize } from './stream-json.js';
import { deniedNote, refusedReason, requestLabel } from './verdict-wording.js';

export const QUESTION_TOOL = 'question';
const TODO_TOOLS = new Set(['todowrite', 'todo_write']);

/** A tool call OpenCode did not run because permission was refused: by the person, or by a rule of its config. */
const TOOL_REJECTED = /^The user (rejected permission|has specified a rule which prevents you)/;
/** OpenCode's retry lines carry the error's message, not its status: a rate limit is waited out, as it asks. */
const RATE_LIMITED = /rate.?limit|too many requests|\b429\b/i;
/** Bounds on what is remembered of the requests put to the person: a run asks far fewer. */
const MAX_REMEMBERED = 1000;

export interface AskedQuestion {
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
  const always = Array.isArray(request.always) ? request.always.map(String) : [];
  const input = { patterns, metadata: request.metadata ?? {} };
  return { question, request: { id: request.id, tool: permission, input, summary, ...(always.length > 0 ? { always } : {}) } };
}

export interface OpenCodeInterpreterOptions {
  /** For tests: the clock that times a run of failed model calls (FailureStreak). */
  retryClock?: { windowMs: number; now: () => number };
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
  /**
   * OpenCode retries a failing model call with a growing backoff for over a minute (its retry lines). Like the model
   * endpoint watchdog, the run fails once the failures have gone on for FailureStreak's window.
   */
  private readonly failing: FailureStreak;
  private retrying = false;
  /** Permission requests put to the person (what they asked for, by id), and the tool calls they were for. */
  private readonly asked = new Map<string, string>();
  private readonly askedCalls = new Set<string>();
  /** What the person rejected, and what OpenCode refused without asking (a rule of its config). */
  private readonly denied: string[] = [];
  private readonly refused: string[] = [];

  constructor(options: OpenCodeInterpreterOptions = {}) {
    this.failing = new FailureStreak(options.retryClock?.windowMs, options.retryClock?.now);
  }

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

  onExit(exit: ExitInfo, done: Verdict | null = null): Verdict {
    return done ?? { ...this.judge(exit), resultText: this.lastText };
  }

  private judge(exit: ExitInfo): Verdict {
    if (this.error) return { status: 'failed', reason: `API error: ${this.error.slice(0, 500)}` };
    const verdict = exitVerdict(exit);
    if (verdict.status !== 'succeeded') return verdict;
    if (this.refused.length > 0) {
      return { status: 'needs_input', reason: refusedReason('OpenCode', this.refused, "Allow it in OpenCode's permission config, then errand reply.") };
    }
    // A rejection without a message ends OpenCode's turn there: the task is not done, and the person says what next.
    if (!this.finished && this.denied.length > 0) {
      return { status: 'needs_input', reason: `${deniedNote(this.denied)}; OpenCode stopped there. errand reply tells it what to do instead.` };
    }
    if (!this.finished) return { status: 'unknown', reason: 'OpenCode exited without finishing a step; check its log' };
    return verdict;
  }

  private read(event: Record<string, unknown>, out: Signal[]): void {
    const part = (event.part ?? {}) as Record<string, unknown>;
    if (typeof event.sessionID === 'string' && event.sessionID !== this.sessionId) {
      this.sessionId = event.sessionID;
      out.push({ type: 'session', sessionId: event.sessionID });
    }
    if (event.type === 'retry') return this.retry((event.status ?? {}) as Record<string, unknown>, event.timestamp, out);
    if (this.retrying) this.recovered(out);
    switch (event.type) {
      case 'text':
        if (typeof part.text === 'string') this.lastText = part.text;
        return;
      case 'permission_asked':
      case 'question_asked': {
        const request = (event.request ?? {}) as Record<string, unknown>;
        const pending = pendingRequest(event.type, request);
        if (!pending) return;
        if (this.asked.size < MAX_REMEMBERED) {
          this.asked.set(pending.request.id, requestLabel(pending.request));
          const callID = (request.tool as { callID?: unknown } | undefined)?.callID;
          if (typeof callID === 'string') this.askedCalls.add(callID);
        }
        out.push({ type: 'needs_input', ...pending });
        return;
      }
      case 'answered': {
        const label = typeof event.requestID === 'string' ? this.asked.get(event.requestID) : undefined;
        if (label && event.reply === 'reject' && this.denied.length < MAX_REMEMBERED) this.denied.push(label);
        out.push({ type: 'running' });
        return;
      }
      case 'tool_use': {
        const state = (part.state ?? {}) as Record<string, unknown>;
        const input = (state.input ?? {}) as { todos?: { status?: string }[] };
        const unasked = typeof part.callID !== 'string' || !this.askedCalls.has(part.callID);
        if (state.status === 'error' && TOOL_REJECTED.test(String(state.error ?? '')) && unasked && this.refused.length < MAX_REMEMBERED) {
          this.refused.push(summarize(String(part.tool ?? 'a tool'), state.input));
        }
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

  private retry(status: Record<string, unknown>, timestamp: unknown, out: Signal[]): void {
    const attempt = Number(status.attempt) || 1;
    const message = typeof status.message === 'string' ? status.message : 'the model call failed';
    // When OpenCode will try again, on its clock: `next` and the line's timestamp (the driver's) are both wall time.
    const nextAttemptInMs = typeof status.next === 'number' && typeof timestamp === 'number' ? status.next - timestamp : 0;
    this.retrying = true;
    out.push({ type: 'progress', progress: { retrying: attempt } });
    if (RATE_LIMITED.test(message)) return this.failing.succeeded();
    if (!this.failing.failed(nextAttemptInMs)) return;
    const reason = `API error: ${message.slice(0, 500)}; OpenCode was still retrying after ${attempt} attempts`;
    out.push({ type: 'done', verdict: { status: 'failed', reason }, resultText: null });
  }

  private recovered(out: Signal[]): void {
    this.retrying = false;
    this.failing.succeeded();
    out.push({ type: 'progress', progress: { retrying: 0 } });
  }
}
