// One run from start to end: worktree, setup command, the agent in its PTY, and how it ended.
import { mkdirSync, writeFileSync } from 'node:fs';
import type { RunFiles } from '../../../shared/data-dir.js';
import type { CheckResult, DecisionRule, PermissionRequest, ProfileInfo, RepoInfo, RunKind, RunStatus } from '../../../shared/domain.js';
import { ErrandError } from '../../../shared/protocol/errors.js';
import type { AgentAdapter, Decision, LaunchContext, Verdict } from '../agents/adapter.js';
import { adapterFor } from '../agents/registry.js';
import type { ModelFailure, ModelProxy } from '../backends/model-proxy.js';
import { watchModel } from '../backends/watch-model.js';
import type { RunUpdate } from '../store/runs-store.js';
import { checkRepo } from '../worktrees/repo-check.js';
import type { WorktreePlace } from '../worktrees/worktree-names.js';
import type { Worktrees } from '../worktrees/worktrees.js';
import { ChangeCounter } from './change-counter.js';
import { failureReason, withModelFailure } from './failure-reason.js';
import { freePort } from './free-port.js';
import type { CheckPlan, SendBack } from './check-phase.js';
import { checkedVerdict, runCheck } from './check-phase.js';
import { InputPipe } from './input-pipe.js';
import { PtyProcess } from './pty-process.js';
import type { PtyExit } from './pty-process.js';
import { resolveCommand } from './resolve-command.js';
import { RunJudge } from './run-judge.js';
import { RunLog } from './run-log.js';
import { RunOutput } from './run-output.js';
import type { OutputSink } from './run-output.js';
import { runEnv } from './run-env.js';
import { withSecrets } from './secret-env.js';
import { Screen } from './screen.js';

export const DEFAULT_COLS = 120;
export const DEFAULT_ROWS = 32;
/** Fixed scripts run by /bin/sh in front of an agent; user text only ever arrives as their arguments. */
const STDIN_FROM_FILE_SCRIPT = 'exec "$0" "$@" < "$ERRAND_PROMPT_FILE"';
const STDIN_FROM_PIPE_SCRIPT = 'exec "$0" "$@" < "$ERRAND_INPUT_PIPE"';

export interface RunSessionDeps {
  worktrees: Worktrees;
  files: RunFiles;
  /** Persists the change and tells clients. */
  update(fields: RunUpdate): void;
  indexChunk(offset: number, length: number, at: number): void;
  onActivity(logBytes: number): void;
  /** The agent's binary as detection finds it (used unless the profile names one). */
  detectedBinary(): Promise<string | null>;
  /** The profile pointed at its model backend (a profile's --backend), with the backend's key. */
  wireBackend?(profile: ProfileInfo): Promise<ProfileInfo>;
  /** The repo's check started (`result` null) or ended. */
  onCheck?(command: string, result: CheckResult | null): void;
  /** Whether a failed check goes back to the agent (which time of how many), rather than to the person. */
  sendBack?(): SendBack | null;
  /** The remembered rule that allows this request, if one does (it is then noted and announced). */
  allowedByRule?(request: PermissionRequest): DecisionRule | null;
}

export interface RunSessionInput {
  taskId: number;
  runId: number;
  kind: RunKind;
  /** The task's prompt for a first run; the person's message for a reply or resume. */
  prompt: string;
  sessionId: string | null;
  /** How the task's previous run ended (see LaunchContext.previous). */
  previous?: LaunchContext['previous'];
  repo: RepoInfo;
  profile: ProfileInfo;
  place: WorktreePlace;
  /** The repo's check, run on the agent's success. */
  check?: CheckPlan | null;
}

export class RunSession {
  readonly output: RunOutput;
  readonly screen: Screen;
  readonly done: Promise<void>;
  private readonly adapter: AgentAdapter;
  private readonly judge: RunJudge;
  private proc: PtyProcess | null = null;
  private cancelReason: string | null = null;
  private cancelStatus: 'cancelled' | 'interrupted' = 'cancelled';
  private writeError: NodeJS.ErrnoException | null = null;
  private cols = DEFAULT_COLS;
  private rows = DEFAULT_ROWS;
  private readonly changes: ChangeCounter;
  private pipe: InputPipe | null = null;
  private modelProxy: ModelProxy | null = null;
  /** The repo's check is running: its output is not the agent's, so the agent's interpreter does not see it. */
  private checkRunning = false;
  private tap: ((data: Buffer) => void) | null = null;

  constructor(
    private readonly input: RunSessionInput,
    private readonly deps: RunSessionDeps,
  ) {
    mkdirSync(deps.files.dir, { recursive: true, mode: 0o700 });
    const log = new RunLog(deps.files.log);
    this.screen = new Screen(log.path, this.cols, this.rows);
    this.adapter = adapterFor(input.profile.adapter);
    this.judge = new RunJudge({
      interpreter: this.adapter.interpreter(input.profile),
      update: deps.update,
      screenLines: async () => {
        const lines = await this.screen.lines(this.output.logBytes);
        while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
        return lines;
      },
      isAlive: () => this.proc?.isAlive === true,
      endProcess: () => void this.proc?.stop(),
      holdsSuccess: Boolean(input.check),
      worktreeUnchanged: () => this.changes.unchanged(),
      autoAllow: (request) => this.autoAllow(request),
    });
    this.changes = new ChangeCounter(input.place.path, input.repo.baseBranch, (filesChanged) => this.judge.noteProgress({ filesChanged }));
    this.output = new RunOutput(input.taskId, input.runId, log, {
      onChunk: (offset, length, at) => deps.indexChunk(offset, length, at),
      onBatch: (logBytes, parts) => {
        deps.onActivity(logBytes);
        if (!this.proc || this.checkRunning) return;
        this.judge.onBatch(parts);
        this.changes.noteOutput();
      },
      onWriteError: (error) => this.onWriteError(error),
      pause: () => this.proc?.pause(),
      resume: () => this.proc?.resume(),
    });
    this.done = this.run().finally(async () => {
      await this.modelProxy?.close();
      log.close();
    });
  }

  get runId(): number {
    return this.input.runId;
  }

  get currentStatus(): RunStatus {
    return this.judge.status;
  }

  /** The agent's output gave its verdict (its turn is over) and its process is being ended. */
  get ending(): boolean {
    return this.judge.verdict !== null;
  }

  /** The agent's turn is over and the repo's check is running on its result. */
  get checking(): boolean {
    return this.checkRunning;
  }

  get size(): { cols: number; rows: number } {
    return { cols: this.cols, rows: this.rows };
  }

  /** Types into the agent's terminal. A person typing means any question is being answered. */
  write(data: string): number {
    this.liveProcess().write(data);
    this.judge.answered();
    return Buffer.byteLength(data);
  }

  /** The permission request the agent is waiting on, if any. */
  get pendingRequest(): PermissionRequest | null {
    return this.judge.request;
  }

  /** Allows a request a remembered rule covers, and says so in the run's log. */
  private autoAllow(request: PermissionRequest): boolean {
    if (!this.proc?.isAlive || !this.deps.allowedByRule) return false;
    const bytes = this.adapter.answer?.(request, { behavior: 'allow' });
    if (!bytes) return false;
    const rule = this.deps.allowedByRule(request);
    if (!rule) return false;
    this.sendInput(bytes);
    this.log(`allowed ${request.summary}: rule ${rule.id} (${rule.label}, ${rule.scopeName}); errand rules rm ${rule.id} revokes it`);
    return true;
  }

  /** Answers the permission request the agent is waiting on. */
  decide(decision: Decision): void {
    const request = this.judge.request;
    const bytes = request ? this.adapter.answer?.(request, decision) : null;
    if (!request || !bytes) {
      throw new ErrandError('conflict', `Run ${this.input.runId} is not waiting for a permission decision (it is ${this.judge.status}).`);
    }
    this.liveProcess();
    this.sendInput(bytes);
    this.judge.decided(request, decision);
  }

  /** Sends a message into the live agent session, if its CLI takes one; false when a resumed run is needed. */
  followUp(message: string): boolean {
    const bytes = this.proc?.isAlive && !this.checkRunning ? this.adapter.followUp?.(message) : null;
    if (!bytes) return false;
    this.sendInput(bytes);
    this.judge.answered();
    return true;
  }

  resize(cols: number, rows: number): void {
    this.cols = cols;
    this.rows = rows;
    this.proc?.resize(cols, rows);
    this.screen.resize(cols, rows);
  }

  subscribe(sink: OutputSink): number {
    return this.output.subscribe(sink);
  }

  /** Stops the run; `reason` is kept as the run's reason. */
  async cancel(reason: string, finalStatus: 'cancelled' | 'interrupted' = 'cancelled'): Promise<void> {
    if (this.cancelReason === null) {
      this.cancelReason = reason;
      this.cancelStatus = finalStatus;
    }
    await this.proc?.stop();
    await this.done;
  }

  /** To the agent's stdin: its input pipe when it has one, else its terminal. */
  private sendInput(bytes: string): void {
    if (this.pipe) this.pipe.write(bytes);
    else this.proc?.write(bytes);
  }

  private liveProcess(): PtyProcess {
    if (!this.proc?.isAlive) {
      throw new ErrandError('not_running', `Run ${this.input.runId} has no live process to type into (it is ${this.judge.status}).`);
    }
    return this.proc;
  }

  private log(line: string): void {
    this.output.write(`\x1b[2m[errand] ${line}\x1b[0m\r\n`);
  }

  private async run(): Promise<void> {
    const { repo, place, profile } = this.input;
    this.judge.setStatus('starting', { startedAt: Date.now() });
    try {
      await checkRepo(repo.path).catch((error: unknown) => {
        throw error instanceof ErrandError ? new ErrandError(error.code, `The repository is gone or broken: ${error.message}`) : error;
      });
      // The place is recorded only once it is known to be this task's: a later run may then reuse what is there.
      const claim = () => this.deps.update({ worktree: place.path, branch: place.branch });
      for (const note of await this.deps.worktrees.prepare(repo, place, claim)) this.log(note);
      if (this.stopped()) return this.finish(null);
      writeFileSync(this.deps.files.prompt, this.input.prompt, { mode: 0o600 });
      const withKeys = await withSecrets(profile);
      const spec = this.adapter.launch((await this.deps.wireBackend?.(withKeys)) ?? withKeys, {
        kind: this.input.kind,
        prompt: this.input.prompt,
        promptFile: this.deps.files.prompt,
        worktree: place.path,
        sessionId: this.input.sessionId,
        previous: this.input.previous ?? null,
        binary: profile.options.binary ?? (await this.deps.detectedBinary()),
      });
      if (spec.sessionId) this.deps.update({ sessionId: spec.sessionId });
      const env = runEnv(spec.env, { taskId: this.input.taskId, runId: this.input.runId, port: await freePort() });
      const file = resolveCommand(spec.argv[0]!, place.path, env.PATH);
      if (repo.setupCommand) {
        this.log(`setup: ${repo.setupCommand}`);
        const setup = await this.spawn('/bin/sh', ['-c', repo.setupCommand], env);
        if (this.stopped()) return this.finish(setup);
        if (setup.exitCode !== 0 || setup.signal) {
          return this.end('failed', { reason: `the repo's setup command failed (exit code ${setup.exitCode}); see the log` });
        }
      }
      // Only the agent's env points at the watchdog: the setup command, the recorded command and the store do not.
      const urlVar = this.input.profile.options.modelUrlEnv ?? this.adapter.modelUrlEnv;
      const watched = await watchModel(urlVar, env, (failure) => this.modelGaveUp(failure));
      this.modelProxy = watched.proxy;
      if (watched.note) this.log(watched.note);
      const agentEnv = watched.env;
      let argv = [file, ...spec.argv.slice(1)];
      if (spec.stdinFile) {
        agentEnv.ERRAND_PROMPT_FILE = spec.stdinFile;
        argv = ['/bin/sh', '-c', STDIN_FROM_FILE_SCRIPT, ...argv];
      } else if (spec.inputPipe) {
        this.pipe = await InputPipe.create(this.deps.files.inputPipe);
        agentEnv.ERRAND_INPUT_PIPE = this.pipe.path;
        argv = ['/bin/sh', '-c', STDIN_FROM_PIPE_SCRIPT, ...argv];
      }
      const exit = await this.spawn(argv[0]!, argv.slice(1), agentEnv, spec.argv, spec.input);
      await this.pipe?.close();
      await this.finishChecked(exit, env, await this.changes.final());
    } catch (error) {
      const message = failureReason(error);
      this.log(`failed: ${message}`);
      this.end('failed', { reason: message });
    }
  }

  private async spawn(
    file: string,
    args: string[],
    env: Record<string, string>,
    shownCommand?: string[],
    input?: string,
  ): Promise<PtyExit> {
    const tap = this.tap;
    const proc = new PtyProcess({ file, args, cwd: this.input.place.path, env, cols: this.cols, rows: this.rows }, (data) => {
      this.output.write(data);
      tap?.(data);
    });
    this.proc = proc;
    // Every process of the run is recorded, so that recovery can end what a dead engine left of it.
    if (shownCommand) this.judge.setStatus('running', { pid: proc.pid, command: shownCommand });
    else this.deps.update({ pid: proc.pid });
    if (input) this.sendInput(input);
    const exit = await proc.exited;
    this.output.flush();
    return exit;
  }

  /** The model endpoint has kept failing: the agent would only go on retrying it, so the run fails now. */
  private modelGaveUp({ status, message }: ModelFailure): void {
    if (!this.proc?.isAlive || this.stopped()) return;
    if (this.judge.conclude({ status: 'failed', reason: `API error: HTTP ${status}: ${message}` })) {
      this.log(`the model endpoint kept failing (HTTP ${status}); the agent was stopped`);
    }
  }

  private stopped(): boolean {
    return this.cancelReason !== null || this.writeError !== null;
  }

  /** The agent's success is a claim: with a check, the check's exit code decides how the run ends. */
  private async finishChecked(exit: PtyExit, env: Record<string, string>, unchanged: boolean | null): Promise<void> {
    const verdict = this.judge.interpreterVerdict(exit, unchanged);
    const plan = this.input.check;
    if (!plan || this.stopped() || verdict.status !== 'succeeded') return this.finish(exit, verdict);
    this.judge.stop();
    this.checkRunning = true;
    this.judge.noteProgress({ phase: 'checking' });
    this.deps.onCheck?.(plan.command, null);
    let result: CheckResult;
    try {
      result = await runCheck(plan, {
        spawn: (file, args, onData) => {
          this.tap = onData;
          return this.spawn(file, args, env).finally(() => (this.tap = null));
        },
        stop: () => void this.proc?.stop(),
        log: (line) => this.log(line),
      });
    } finally {
      this.judge.noteProgress({ phase: undefined });
    }
    if (this.stopped()) return this.finish(exit);
    const sendBack = result.passed ? null : (this.deps.sendBack?.() ?? null);
    const check = { ...result, sentBack: sendBack !== null };
    this.deps.onCheck?.(plan.command, check);
    this.finish(exit, checkedVerdict(verdict, check, sendBack), check);
  }

  private finish(exit: PtyExit | null, judged?: Verdict, check?: CheckResult): void {
    const exitCode = exit?.exitCode ?? null;
    if (this.writeError) return this.end('failed', { reason: failureReason(this.writeError, 'could not write the run log'), exitCode });
    if (this.cancelReason !== null) return this.end(this.cancelStatus, { reason: this.cancelReason, exitCode });
    const verdict = withModelFailure(judged ?? this.judge.interpreterVerdict(exit ?? { exitCode: -1, signal: null }), this.modelProxy);
    this.end(verdict.status, {
      ...(check ? { check } : {}),
      reason: verdict.reason,
      exitCode,
      question: verdict.status === 'needs_input' ? verdict.reason : null,
      replyGrant: verdict.replyGrant ?? null,
      ...(verdict.resultText !== undefined ? { resultText: verdict.resultText } : {}),
    });
  }

  private end(status: RunStatus, fields: RunUpdate): void {
    this.judge.stop();
    this.output.finish();
    this.judge.setStatus(status, { request: null, ...fields, pid: null, endedAt: Date.now(), logBytes: this.output.logBytes });
  }

  private onWriteError(error: NodeJS.ErrnoException): void {
    this.writeError = error;
    void this.proc?.stop();
  }
}
