// Decides what a live run is doing from its adapter's interpreter: structured output first, the screen as a last resort.
import type { PermissionRequest, RunProgress, RunStatus } from '../../../shared/domain.js';
import type { Decision, ExitInfo, Interpreter, Signal, Verdict } from '../agents/adapter.js';
import { QUESTION_TOOLS, requestLabel, retryingNote, successReason } from '../agents/verdict-wording.js';
import type { RunUpdate } from '../store/runs-store.js';

/** Past this much output since an answer, the answered question has left the screen. */
const SINCE_ANSWER_MAX_CHARS = 64 * 1024;
// CSI and OSC sequences and two-byte escapes: what stands between printed words in a raw log.
const ANSI_ESCAPE = /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])/g;

export interface JudgeDeps {
  interpreter: Interpreter;
  update(fields: RunUpdate): void;
  /** The last lines of the current screen, trailing blank lines removed. */
  screenLines(): Promise<string[]>;
  isAlive(): boolean;
  /** The agent has finished its turn: end its process. */
  endProcess(): void;
  /** A check follows the agent's success: the run stays running until it has passed, so success is not announced. */
  holdsSuccess?: boolean;
  /** Whether the worktree is as the run found it (no changed files, no new commits); null when git cannot tell. */
  worktreeUnchanged(): Promise<boolean | null>;
  /** Answers a permission request by a remembered rule; true when it did, so the person is not asked. */
  autoAllow?(request: PermissionRequest): boolean;
}

export class RunJudge {
  status: RunStatus = 'starting';
  request: PermissionRequest | null = null;
  /** The verdict the agent's own output gave, which outranks its exit code. */
  verdict: Verdict | null = null;
  private verdictFromOutside = false;
  private progress: RunProgress = {};
  private quietTimer: NodeJS.Timeout | null = null;
  private lastOutputAt = 0;
  /** Output since the person last answered: a question printed before that may still be on screen, but is answered. */
  private sinceAnswer: string | null = null;
  /** What the person denied during the run, for the verdict. */
  private readonly denied: string[] = [];
  private stopped = false;

  constructor(private readonly deps: JudgeDeps) {}

  setStatus(status: RunStatus, fields: RunUpdate = {}): void {
    this.status = status;
    this.deps.update({ status, ...fields });
  }

  /** Called for every batch of output (as the PTY's pieces): the hot path. */
  onBatch(parts: Buffer[]): void {
    this.lastOutputAt = Date.now();
    const { interpreter } = this.deps;
    if (this.sinceAnswer === null && !interpreter.onOutput) {
      this.armQuietCheckIfWanted();
      return;
    }
    for (const part of parts) {
      if (this.sinceAnswer !== null) {
        this.sinceAnswer = this.sinceAnswer.length > SINCE_ANSWER_MAX_CHARS ? null : this.sinceAnswer + part.toString('utf8');
      }
      if (interpreter.onOutput) {
        const signals = interpreter.onOutput(part);
        if (signals.length > 0) this.apply(signals);
      }
    }
    this.armQuietCheckIfWanted();
  }

  private armQuietCheckIfWanted(): void {
    const { interpreter } = this.deps;
    if (interpreter.quietMs !== null && !this.quietTimer && this.deps.isAlive()) this.armQuietCheck(interpreter.quietMs);
  }

  /** The person typed or answered: whatever was asked is being dealt with. */
  answered(): void {
    this.request = null;
    this.sinceAnswer = '';
    if (this.status === 'needs_input') this.setStatus('running', { question: null, request: null });
  }

  /** The person answered the request the agent waits on (`errand allow|deny`, or words for it). */
  decided(request: PermissionRequest, decision: Decision): void {
    // Words for a tool's request (not a question's) deny the tool: the agent goes on without it.
    const refused = decision.behavior === 'deny' || (decision.behavior === 'answer' && !QUESTION_TOOLS.has(request.tool));
    if (refused) this.denied.push(requestLabel(request));
    this.answered();
  }

  /**
   * How the run ended, by the interpreter: its earlier verdict from the output, else the exit. `unchanged` is the
   * final look at the worktree, for a success that changed nothing.
   */
  interpreterVerdict(exit: ExitInfo, unchanged: boolean | null = null): Verdict {
    if (this.verdictFromOutside) return this.verdict!;
    return this.described(this.deps.interpreter.onExit(exit, this.verdict), unchanged);
  }

  /**
   * A verdict from outside the agent's output (its model endpoint is down): kept, and the process ended, as a `done`
   * would be. Ignored when the output has given its verdict already; false then.
   */
  conclude(verdict: Verdict): boolean {
    if (this.verdict) return false;
    this.apply([{ type: 'done', verdict, resultText: null }]);
    this.verdictFromOutside = true;
    return true;
  }

  noteProgress(progress: RunProgress): void {
    this.apply([{ type: 'progress', progress }]);
  }

  stop(): void {
    this.stopped = true;
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.quietTimer = null;
  }

  private apply(signals: Signal[]): void {
    for (const signal of signals) {
      switch (signal.type) {
        case 'session':
          this.deps.update({ sessionId: signal.sessionId });
          break;
        case 'progress': {
          const wasRetrying = this.progress.retrying ?? 0;
          this.progress = { ...this.progress, ...signal.progress };
          const retrying = this.progress.retrying ?? 0;
          // While the agent retries a failing model, that is the running run's reason, shown and announced.
          if (retrying !== wasRetrying && this.status === 'running' && !this.verdict) {
            this.setStatus('running', { progress: this.progress, reason: retrying > 0 ? retryingNote(retrying) : null });
          } else this.deps.update({ progress: this.progress });
          break;
        }
        case 'needs_input':
          if (signal.request && this.deps.autoAllow?.(signal.request)) break;
          this.request = signal.request ?? null;
          this.setStatus('needs_input', { question: signal.question, request: this.request });
          break;
        case 'running':
          if (this.status === 'needs_input') this.answered();
          break;
        case 'done': {
          if (this.verdictFromOutside) break;
          this.verdict = signal.verdict;
          this.request = null;
          if (signal.verdict.status === 'succeeded' && this.deps.holdsSuccess) {
            this.deps.update({ reason: signal.verdict.reason, resultText: signal.resultText, request: null });
            this.deps.endProcess();
            break;
          }
          if (signal.verdict.status !== 'succeeded') {
            this.announce(signal.verdict, signal.resultText);
            this.deps.endProcess();
            break;
          }
          // A success says whether it changed anything: one look at the worktree first (the final verdict looks again).
          // The agent's final message is kept now: the process may be gone, and the run ended, before the look answers.
          this.deps.update({ resultText: signal.resultText });
          this.deps.endProcess();
          const { verdict, resultText } = signal;
          void this.deps.worktreeUnchanged().then(
            (unchanged) => this.announce(this.described(verdict, unchanged), resultText),
            () => this.announce(this.described(verdict, null), resultText),
          );
          break;
        }
      }
    }
  }

  /** Announces the verdict now, not when the process has gone: the person hears of it at once. */
  private announce(verdict: Verdict, resultText: string | null): void {
    if (this.stopped) return;
    const { status, reason, replyGrant } = verdict;
    const question = status === 'needs_input' ? reason : null;
    this.setStatus(status, { reason, resultText, request: null, question, replyGrant: replyGrant ?? null });
  }

  /** A succeeded verdict, with what the person denied on the way and whether the run changed nothing. */
  private described(verdict: Verdict, unchanged: boolean | null): Verdict {
    if (verdict.status !== 'succeeded') return verdict;
    return { ...verdict, reason: successReason(verdict.reason, this.denied, unchanged) };
  }

  private armQuietCheck(delayMs: number): void {
    this.quietTimer = setTimeout(() => void this.quietCheck(), delayMs);
  }

  private async quietCheck(): Promise<void> {
    const quietMs = this.deps.interpreter.quietMs!;
    const since = Date.now() - this.lastOutputAt;
    if (since < quietMs) return this.armQuietCheck(quietMs - since);
    this.quietTimer = null;
    if (!this.deps.isAlive() || !['running', 'needs_input'].includes(this.status)) return;
    const lines = await this.deps.screenLines();
    if (!this.deps.isAlive() || Date.now() - this.lastOutputAt < quietMs) return;
    const signal = this.deps.interpreter.onQuiet(lines.slice(-this.deps.interpreter.screenLines));
    if (!signal) return;
    if (signal.type === 'needs_input' && this.status !== 'needs_input' && this.askedSinceAnswer()) {
      this.sinceAnswer = null;
      this.apply([signal]);
    }
    if (signal.type === 'running' && this.status === 'needs_input') this.answered();
  }

  /** Whether the screen's question was printed after the last answer, rather than being the question answered. */
  private askedSinceAnswer(): boolean {
    if (this.sinceAnswer === null) return true;
    const printed = this.sinceAnswer.replace(ANSI_ESCAPE, '').split(/\r\n|\r|\n/);
    return this.deps.interpreter.onQuiet(printed)?.type === 'needs_input';
  }
}
