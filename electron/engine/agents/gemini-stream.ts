// Reads the stream-json events Gemini CLI prints. They are not Claude's shapes:
//   {"type":"init","session_id":…,"model":…}
//   {"type":"message","role":"user"|"assistant","content":"…","delta":true}
//   {"type":"tool_use","tool_name":…,"tool_id":…,"parameters":{…}}
//   {"type":"tool_result","tool_id":…,"status":"success"|"error","error":{"type":…,"message":…}}
//   {"type":"error","severity":"warning"|"error","message":…}
//   {"type":"result","status":"success"|"error","error":{"type":…,"message":"[API Error: …]"},"stats":{…}}
// An API failure ends with a result of status "error" and exit code 1 or the HTTP status's low byte (500 → 244).
import type { RunProgress } from '../../../shared/domain.js';
import type { ExitInfo, Interpreter, Signal, Verdict } from './adapter.js';
import { exitVerdict } from './command-adapter.js';
import { JsonLines } from './json-lines.js';
import { summarize, todoProgress } from './stream-json.js';
import { HEADLESS_REFUSED_HINT, refusedReason } from './verdict-wording.js';

const AGENT = 'Gemini CLI';
/** The final answer is the assistant's text since its last tool call; only this much of it is kept. */
export const MAX_RESULT_CHARS = 4096;
/** Exit codes with a known meaning (Gemini CLI's docs). */
const EXIT_REASONS: Record<number, string> = {
  42: 'Gemini CLI refused its input (exit code 42)',
  53: 'turn limit reached (exit code 53)',
};
/** Tool errors that mean "not allowed", not "went wrong": the person can grant them. */
const REFUSED_TOOL_ERRORS = new Set(['policy_violation', 'permission_denied']);

const tail = (text: string): string => (text.length > MAX_RESULT_CHARS ? text.slice(-MAX_RESULT_CHARS) : text);

export class GeminiStreamInterpreter implements Interpreter {
  readonly quietMs = null;
  readonly screenLines = 0;
  private readonly lines = new JsonLines();
  private sawResult = false;
  /** Assistant text since the last tool call, and before it (the answer when nothing follows the last tool). */
  private text = '';
  private textBeforeTool = '';
  /** Tool calls in flight, by id, to say which one was refused (bounded: a result removes its call). */
  private readonly calls = new Map<string, string>();
  private readonly refused: string[] = [];
  private lastError: string | null = null;

  onOutput(batch: Buffer): Signal[] {
    const signals: Signal[] = [];
    this.lines.push(
      batch,
      (line) => line.startsWith('{"type":"'),
      (event) => this.read(event, signals),
    );
    return signals;
  }

  onQuiet(): Signal | null {
    return null;
  }

  onExit(exit: ExitInfo, done: Verdict | null): Verdict {
    if (done) return done;
    const known = EXIT_REASONS[exit.exitCode];
    if (known) return { status: 'failed', reason: known };
    if (exit.exitCode === 0 && !exit.signal && !this.sawResult) {
      return { status: 'unknown', reason: `${AGENT} exited without reporting a result; check its log` };
    }
    const verdict = exitVerdict(exit);
    if (verdict.status !== 'failed') return verdict;
    return { status: 'failed', reason: this.lastError ? `${AGENT} ${verdict.reason}: ${this.lastError}` : `${AGENT} ${verdict.reason} (crashed?)` };
  }

  private read(event: Record<string, unknown>, out: Signal[]): void {
    switch (event.type) {
      case 'init':
        if (typeof event.session_id === 'string') out.push({ type: 'session', sessionId: event.session_id });
        return;
      case 'message':
        if (event.role === 'assistant' && typeof event.content === 'string') {
          this.text = tail(event.delta === true ? this.text + event.content : event.content);
        }
        return;
      case 'tool_use': {
        const tool = String(event.tool_name ?? 'a tool');
        if (this.text) this.textBeforeTool = this.text;
        this.text = '';
        const progress = tool === 'write_todos' ? todoProgress((event.parameters as { todos?: unknown })?.todos) : null;
        if (progress) out.push({ type: 'progress', progress });
        if (typeof event.tool_id === 'string' && this.calls.size < 1000) this.calls.set(event.tool_id, summarize(tool, event.parameters));
        return;
      }
      case 'tool_result': {
        const id = typeof event.tool_id === 'string' ? event.tool_id : '';
        const call = this.calls.get(id);
        this.calls.delete(id);
        const error = event.error as { type?: unknown; message?: unknown } | undefined;
        if (event.status === 'error' && REFUSED_TOOL_ERRORS.has(String(error?.type)) && this.refused.length < 20) {
          this.refused.push(call ?? String(error?.message ?? 'a tool').slice(0, 200));
        }
        return;
      }
      case 'error':
        if (event.severity === 'error' && typeof event.message === 'string') this.lastError = event.message.slice(0, 500);
        return;
      case 'result':
        this.sawResult = true;
        out.push(...this.result(event));
        return;
    }
  }

  private result(event: Record<string, unknown>): Signal[] {
    const stats = (event.stats ?? {}) as Record<string, unknown>;
    const progress: RunProgress = {
      retrying: 0,
      ...(typeof stats.input_tokens === 'number' ? { inputTokens: stats.input_tokens } : {}),
      ...(typeof stats.output_tokens === 'number' ? { outputTokens: stats.output_tokens } : {}),
    };
    const signals: Signal[] = [{ type: 'progress', progress }];
    const text = this.text || this.textBeforeTool || null;
    if (event.status !== 'success') {
      const error = (event.error ?? {}) as { type?: unknown; message?: unknown };
      const message = typeof error.message === 'string' ? error.message : (this.lastError ?? `the run ended with status ${String(event.status)}`);
      const reason = /API Error/i.test(message)
        ? `API error: ${message.slice(0, 500)}`
        : error.type === 'FatalTurnLimitedError'
          ? `turn limit reached: ${message.slice(0, 400)}`
          : `${AGENT} failed: ${message.slice(0, 500)}`;
      signals.push({ type: 'done', verdict: { status: 'failed', reason }, resultText: text });
      return signals;
    }
    if (this.refused.length > 0) {
      signals.push({
        type: 'done',
        verdict: { status: 'needs_input', reason: refusedReason(AGENT, this.refused, HEADLESS_REFUSED_HINT) },
        resultText: text,
      });
      return signals;
    }
    signals.push({ type: 'done', verdict: { status: 'succeeded', reason: null }, resultText: text });
    return signals;
  }
}
