// Reads the stream-json events that Claude Code prints (Qwen Code prints the same shapes; Gemini CLI its own, gemini-stream.ts).
import type { PermissionRequest, RunProgress } from '../../../shared/domain.js';
import { FailureStreak } from '../backends/failure-streak.js';
import { fromClaudeRule } from '../decisions/matcher.js';
import type { ExitInfo, Interpreter, Signal, Verdict } from './adapter.js';
import { exitVerdict } from './command-adapter.js';
import { JsonLines } from './json-lines.js';
import { refusedReason } from './verdict-wording.js';

const TYPE_PREFIX = '{"type":"';
const TYPE_LETTER_AT = TYPE_PREFIX.length;
/** The first letters of the event types worth parsing: system, result, control_request; and assistant, sometimes. */
const [SYSTEM, RESULT, CONTROL, ASSISTANT] = ['s', 'r', 'c', 'a'].map((c) => c.charCodeAt(0));
/**
 * An assistant message is parsed only when its content starts with a tool call (a todo list is one; each message line
 * carries one content block): text messages, nearly all the bytes, are never decoded.
 */
const CONTENT_START = Buffer.from('"content":[{"type":"');
const CONTENT_WITHIN_BYTES = 1024;
const [T, O] = ['t', 'o'].map((c) => c.charCodeAt(0));
/** A bound on the requests remembered as asked: a run puts far fewer to a person. */
const MAX_ASKED = 1000;

/** The next CONTENT_START at or after a position, remembered, so lines without one cost no search of the whole batch each. */
class NextMatch {
  private bytes: Buffer | null = null;
  private at = -1;

  constructor(private readonly needle: Buffer) {}

  find(bytes: Buffer, from: number): number {
    if (bytes !== this.bytes || (this.at !== -1 && this.at < from) || (this.at === -1 && from < this.searchedFrom)) {
      this.bytes = bytes;
      this.searchedFrom = from;
      this.at = bytes.indexOf(this.needle, from);
    }
    return this.at;
  }

  private searchedFrom = 0;
}

const contentStart = new NextMatch(CONTENT_START);

function startsWithTypePrefix(bytes: Buffer, start: number): boolean {
  for (let i = 0; i < TYPE_PREFIX.length; i++) if (bytes[start + i] !== TYPE_PREFIX.charCodeAt(i)) return false;
  return true;
}

/**
 * Whether a line (bytes start..end, starting at its `{`) is an event this interpreter acts on, decided from bytes. For
 * the start of a line that goes on (`whole` false), null when what is there is too short to tell.
 */
function wanted(bytes: Buffer, start: number, end: number, whole = true): boolean | null {
  if (end - start <= TYPE_LETTER_AT) return whole ? false : null;
  if (!startsWithTypePrefix(bytes, start)) return false;
  const letter = bytes[start + TYPE_LETTER_AT];
  if (letter === SYSTEM || letter === RESULT || letter === CONTROL) return true;
  if (letter !== ASSISTANT) return false;
  // The content array opens near the start of the line: its first block's type is "text" or "tool_use".
  const within = start + CONTENT_WITHIN_BYTES;
  const at = contentStart.find(bytes, start);
  const type = at + CONTENT_START.length;
  if (at !== -1 && at < Math.min(end, within)) {
    if (type + 2 <= end) return bytes[type] === T && bytes[type + 1] === O;
    return whole ? false : null;
  }
  return whole || end >= within ? false : null;
}

/** The start of a line that goes on in a later batch, and is already known not to be wanted (most lines: text). */
function unwantedStart(bytes: Buffer, start: number, end: number): boolean {
  const brace = bytes[start] === 0x7b ? start : bytes.indexOf(0x7b, start);
  return brace !== -1 && brace < end && wanted(bytes, brace, end, false) === false;
}

export interface StreamJsonOptions {
  /** The CLI's name for messages: "Claude wants to run: …". */
  agentName: string;
  /** A result that says it succeeded may still be an API error (Qwen prints "[API Error …" and exits 0). */
  resultIsError?: (text: string) => boolean;
  /** Exit codes with a known meaning. */
  exitReasons?: Record<number, string>;
  /** What the person can do about a tool refused without asking them, after "<agent> was refused: <tool>." */
  refusedHint?: string;
  /** For tests: the clock that times a run of failed model calls (FailureStreak). */
  retryClock?: { windowMs: number; now: () => number };
}

export function summarize(tool: string, input: unknown): string {
  const i = (input ?? {}) as Record<string, unknown>;
  const detail = i.command ?? i.file_path ?? i.path ?? i.url ?? i.pattern ?? i.description;
  const text = typeof detail === 'string' ? detail : Array.isArray(detail) ? detail.join(' ') : JSON.stringify(input ?? {});
  const flat = text.replace(/\s+/g, ' ').trim();
  return `${tool}: ${flat.length > 200 ? `${flat.slice(0, 199)}…` : flat}`;
}

/** "Claude wants to run: npm publish" for a shell command; "Claude wants to use Edit: src/a.ts" for another tool. */
function permissionQuestion(agentName: string, request: PermissionRequest): string {
  const command = (request.input as { command?: unknown } | null)?.command;
  const colon = request.summary.indexOf(': ');
  if (typeof command === 'string' && colon !== -1) return `${agentName} wants to run: ${request.summary.slice(colon + 2)}`;
  return `${agentName} wants to use ${request.summary}`;
}

/** Claude's tool for asking the person; in stdio mode it arrives as a permission request, answered with `answers`. */
export const QUESTION_TOOL = 'AskUserQuestion';

const optionLabel = (o: unknown): string => (typeof o === 'string' ? o : typeof (o as { label?: unknown })?.label === 'string' ? (o as { label: string }).label : '');

/** The questions an AskUserQuestion call asks: `{ questions: [{ question, options: [{ label }] }] }`. */
export function questionsOf(input: unknown): { question: string; options: string[] }[] {
  const list = (input as { questions?: unknown } | null)?.questions;
  if (!Array.isArray(list)) return [];
  return list.flatMap((q: { question?: unknown; options?: unknown }) =>
    typeof q?.question === 'string'
      ? [{ question: q.question, options: Array.isArray(q.options) ? q.options.map(optionLabel).filter(Boolean) : [] }]
      : [],
  );
}

function askText(agentName: string, input: unknown): string | null {
  const questions = questionsOf(input);
  if (questions.length === 0) return null;
  const text = questions.map((q) => (q.options.length > 0 ? `${q.question} (${q.options.join(' / ')})` : q.question)).join(' ');
  return `${agentName} asks: ${text.length > 1000 ? `${text.slice(0, 999)}…` : text}`;
}

/** Claude's permission suggestions that allow rules for this tool (`addRules`), as Errand patterns. */
function suggestedPatterns(tool: string, suggestions: unknown): string[] {
  if (!Array.isArray(suggestions)) return [];
  return suggestions.flatMap((s: { type?: unknown; behavior?: unknown; rules?: unknown }) =>
    s?.type === 'addRules' && s.behavior === 'allow' && Array.isArray(s.rules)
      ? s.rules.filter((r: { toolName?: unknown }) => r?.toolName === tool).map((r: { ruleContent?: unknown }) => fromClaudeRule(r.ruleContent))
      : [],
  );
}

export function todoProgress(todos: unknown): RunProgress | null {
  if (!Array.isArray(todos)) return null;
  const done = todos.filter((t) => (t as { status?: string })?.status === 'completed').length;
  return { todosDone: done, todosTotal: todos.length };
}

export class StreamJsonInterpreter implements Interpreter {
  readonly quietMs = null;
  readonly screenLines = 0;
  private readonly lines = new JsonLines();
  private sawResult = false;
  /**
   * Claude retries a failing model call for about 3 minutes (system/api_retry lines). Like the model endpoint watchdog,
   * the run fails once 5xx answers have gone on that long; any other line means a call got through.
   */
  private readonly failing: FailureStreak;
  private retrying = false;
  /** Tool calls put to the person (their tool_use ids and summaries): a denial among them is the person's decision. */
  private readonly asked = new Set<string>();

  constructor(private readonly options: StreamJsonOptions) {
    this.failing = new FailureStreak(options.retryClock?.windowMs, options.retryClock?.now);
  }

  onOutput(batch: Buffer): Signal[] {
    const signals: Signal[] = [];
    this.lines.scan(
      batch,
      (bytes, start, end) => {
        const brace = bytes[start] === 0x7b ? start : bytes.indexOf(0x7b, start);
        if (brace === -1 || brace >= end || !wanted(bytes, brace, end)) {
          if (this.retrying) this.recovered(signals);
          return;
        }
        try {
          const event: unknown = JSON.parse(bytes.toString('utf8', brace, end));
          if (event && typeof event === 'object') this.read(event as Record<string, unknown>, signals);
        } catch {
          // Not JSON after all (a stray log line): ignore it.
        }
      },
      (bytes, start, end) => {
        const skip = unwantedStart(bytes, start, end);
        if (skip && this.retrying) this.recovered(signals);
        return skip;
      },
    );
    return signals;
  }

  onQuiet(): Signal | null {
    return null;
  }

  onExit(exit: ExitInfo, done: Verdict | null): Verdict {
    if (done) return done;
    const known = this.options.exitReasons?.[exit.exitCode];
    if (known) return { status: 'failed', reason: known };
    if (exit.exitCode === 0 && !exit.signal && !this.sawResult) {
      return { status: 'unknown', reason: `${this.options.agentName} exited without reporting a result; check its log` };
    }
    const verdict = exitVerdict(exit);
    return verdict.status === 'failed' ? { status: 'failed', reason: `${this.options.agentName} ${verdict.reason} (crashed?)` } : verdict;
  }

  private read(event: Record<string, unknown>, out: Signal[]): void {
    if (event.subtype === 'api_retry') return this.retry(event, out);
    if (this.retrying) this.recovered(out);
    switch (event.type) {
      case 'system':
        if (event.subtype === 'init' && typeof event.session_id === 'string') out.push({ type: 'session', sessionId: event.session_id });
        return;
      case 'assistant': {
        const content = ((event.message as { content?: unknown[] })?.content ?? []) as Record<string, unknown>[];
        for (const block of content) {
          if (block.type !== 'tool_use') continue;
          const progress = todoProgress((block.input as { todos?: unknown })?.todos);
          if (progress) out.push({ type: 'progress', progress });
        }
        return;
      }
      case 'control_request': {
        const request = event.request as Record<string, unknown> | undefined;
        if (request?.subtype !== 'can_use_tool' || typeof event.request_id !== 'string') return;
        const tool = String(request.tool_name ?? 'a tool');
        const always = suggestedPatterns(tool, request.permission_suggestions);
        const pending: PermissionRequest = {
          id: event.request_id,
          tool,
          input: request.input,
          summary: summarize(tool, request.input),
          ...(always.length > 0 ? { always } : {}),
        };
        if (this.asked.size < MAX_ASKED) {
          this.asked.add(pending.summary);
          if (typeof request.tool_use_id === 'string') this.asked.add(request.tool_use_id);
        }
        const asks = tool === QUESTION_TOOL ? askText(this.options.agentName, request.input) : null;
        out.push({ type: 'needs_input', question: asks ?? permissionQuestion(this.options.agentName, pending), request: pending });
        return;
      }
      case 'result':
        this.sawResult = true;
        out.push(...this.result(event));
        return;
    }
  }

  private retry(event: Record<string, unknown>, out: Signal[]): void {
    const attempt = Number(event.attempt) || 1;
    this.retrying = true;
    out.push({ type: 'progress', progress: { retrying: attempt } });
    const status = typeof event.error_status === 'number' ? event.error_status : null;
    // A rate limit is waited out: that is what it asks for.
    if (status !== null && status < 500) return this.failing.succeeded();
    if (!this.failing.failed(Number(event.retry_delay_ms) || 0)) return;
    const what = `${status === null ? 'no answer' : `HTTP ${status}`}${typeof event.error === 'string' ? ` (${event.error})` : ''}`;
    const reason = `API error: ${what}; ${this.options.agentName} was still retrying after ${attempt} attempts`;
    out.push({ type: 'done', verdict: { status: 'failed', reason }, resultText: null });
  }

  private recovered(out: Signal[]): void {
    this.retrying = false;
    this.failing.succeeded();
    out.push({ type: 'progress', progress: { retrying: 0 } });
  }

  private result(event: Record<string, unknown>): Signal[] {
    const text = typeof event.result === 'string' ? event.result : null;
    const usage = (event.usage ?? {}) as Record<string, number>;
    const progress: RunProgress = {
      retrying: 0,
      ...(typeof event.total_cost_usd === 'number' ? { costUsd: event.total_cost_usd } : {}),
      ...(usage.input_tokens !== undefined
        ? { inputTokens: (usage.input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0) }
        : {}),
      ...(usage.output_tokens !== undefined ? { outputTokens: usage.output_tokens } : {}),
    };
    const signals: Signal[] = [{ type: 'progress', progress }];
    if (typeof event.session_id === 'string') signals.push({ type: 'session', sessionId: event.session_id });
    const isError = event.is_error === true || (text !== null && this.options.resultIsError?.(text) === true);
    if (isError) {
      const reason =
        event.subtype === 'error_max_turns'
          ? `turn limit reached after ${event.num_turns ?? '?'} turns`
          : `API error: ${(text ?? String(event.subtype ?? 'unknown')).slice(0, 500)}`;
      signals.push({ type: 'done', verdict: { status: 'failed', reason }, resultText: text });
      return signals;
    }
    // A denial the person made (`errand deny`) is their decision, told with the verdict (RunJudge); the rest were
    // refused by the CLI's mode or rules without asking anyone.
    const denials = Array.isArray(event.permission_denials) ? (event.permission_denials as Record<string, unknown>[]) : [];
    const refused = denials
      .map((d) => ({ id: d.tool_use_id, summary: summarize(String(d.tool_name ?? 'a tool'), d.tool_input) }))
      .filter((d) => !(typeof d.id === 'string' && this.asked.has(d.id)) && !this.asked.has(d.summary))
      .map((d) => d.summary);
    if (refused.length > 0) {
      const reason = refusedReason(this.options.agentName, refused, this.options.refusedHint ?? '');
      signals.push({ type: 'done', verdict: { status: 'needs_input', reason }, resultText: text });
      return signals;
    }
    signals.push({ type: 'done', verdict: { status: 'succeeded', reason: null }, resultText: text });
    return signals;
  }
}
