// One run from start to end: worktree, setup command, the agent in its PTY, what it says, and how it ended.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { RunFiles } from '../../../shared/data-dir.js';
import type { ProfileInfo, RepoInfo, RunStatus } from '../../../shared/domain.js';
import { ErrandError } from '../../../shared/protocol/errors.js';
import type { Interpreter } from '../agents/adapter.js';
import { adapterFor } from '../agents/registry.js';
import type { RunUpdate } from '../store/runs-store.js';
import { checkRepo } from '../worktrees/repo-check.js';
import type { WorktreePlace, Worktrees } from '../worktrees/worktrees.js';
import { PtyProcess } from './pty-process.js';
import type { PtyExit } from './pty-process.js';
import { resolveCommand } from './resolve-command.js';
import { RunLog } from './run-log.js';
import { RunOutput } from './run-output.js';
import type { OutputSink } from './run-output.js';
import { runEnv } from './run-env.js';
import { Screen } from './screen.js';

export const DEFAULT_COLS = 120;
export const DEFAULT_ROWS = 32;
/** The fixed script that feeds a prompt file to an agent's stdin; user text only ever arrives as its arguments. */
const STDIN_FROM_FILE_SCRIPT = 'exec "$0" "$@" < "$ERRAND_PROMPT_FILE"';

export interface RunSessionDeps {
  worktrees: Worktrees;
  files: RunFiles;
  /** Persists the change and tells clients. */
  update(fields: RunUpdate): void;
  indexChunk(offset: number, length: number, at: number): void;
  onActivity(logBytes: number): void;
}

export interface RunSessionInput {
  taskId: number;
  runId: number;
  prompt: string;
  repo: RepoInfo;
  profile: ProfileInfo;
  place: WorktreePlace;
}

export class RunSession {
  readonly output: RunOutput;
  readonly screen: Screen;
  readonly done: Promise<void>;
  private proc: PtyProcess | null = null;
  private status: RunStatus = 'starting';
  private cancelReason: string | null = null;
  private writeError: NodeJS.ErrnoException | null = null;
  private interpreter: Interpreter;
  private quietTimer: NodeJS.Timeout | null = null;
  private lastOutputAt = 0;
  private cols = DEFAULT_COLS;
  private rows = DEFAULT_ROWS;

  constructor(
    private readonly input: RunSessionInput,
    private readonly deps: RunSessionDeps,
  ) {
    mkdirSync(deps.files.dir, { recursive: true, mode: 0o700 });
    const log = new RunLog(deps.files.log);
    this.screen = new Screen(log.path, this.cols, this.rows);
    this.interpreter = adapterFor(input.profile.adapter).interpreter(input.profile);
    this.output = new RunOutput(input.taskId, input.runId, log, {
      onChunk: (offset, length, at) => deps.indexChunk(offset, length, at),
      onBatch: (logBytes) => this.onBatch(logBytes),
      onWriteError: (error) => this.onWriteError(error),
      pause: () => this.proc?.pause(),
      resume: () => this.proc?.resume(),
    });
    this.done = this.run().finally(() => log.close());
  }

  get runId(): number {
    return this.input.runId;
  }

  get currentStatus(): RunStatus {
    return this.status;
  }

  get size(): { cols: number; rows: number } {
    return { cols: this.cols, rows: this.rows };
  }

  /** Types into the agent's terminal. A person typing means any question is being answered. */
  write(data: string): number {
    if (!this.proc?.isAlive) {
      throw new ErrandError('not_running', `Run ${this.input.runId} has no live process to type into (it is ${this.status}).`);
    }
    this.proc.write(data);
    if (this.status === 'needs_input') this.setStatus('running', { question: null });
    return Buffer.byteLength(data);
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

  private cancelStatus: 'cancelled' | 'interrupted' = 'cancelled';

  private log(line: string): void {
    this.output.write(`\x1b[2m[errand] ${line}\x1b[0m\r\n`);
  }

  private setStatus(status: RunStatus, fields: RunUpdate = {}): void {
    this.status = status;
    this.deps.update({ status, ...fields });
  }

  private async run(): Promise<void> {
    const { repo, place, profile } = this.input;
    this.setStatus('starting', { startedAt: Date.now(), worktree: place.path, branch: place.branch });
    try {
      await checkRepo(repo.path).catch((error: unknown) => {
        throw error instanceof ErrandError
          ? new ErrandError(error.code, `The repository is gone or broken: ${error.message}`)
          : error;
      });
      for (const note of await this.deps.worktrees.prepare(repo, place)) this.log(note);
      if (this.stopped()) return this.finish(null);
      const promptFile = this.deps.files.prompt;
      writeFileSync(promptFile, this.input.prompt, { mode: 0o600 });
      const spec = adapterFor(profile.adapter).launch(profile, { prompt: this.input.prompt, promptFile, worktree: place.path });
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
      let argv = [file, ...spec.argv.slice(1)];
      if (spec.stdinFile) {
        env.ERRAND_PROMPT_FILE = spec.stdinFile;
        argv = ['/bin/sh', '-c', STDIN_FROM_FILE_SCRIPT, ...argv];
      }
      const exit = await this.spawn(argv[0]!, argv.slice(1), env, spec.argv);
      this.finish(exit);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.log(`failed: ${message}`);
      this.end('failed', { reason: message });
    }
  }

  private async spawn(file: string, args: string[], env: Record<string, string>, shownCommand?: string[]): Promise<PtyExit> {
    const proc = new PtyProcess(
      { file, args, cwd: this.input.place.path, env, cols: this.cols, rows: this.rows },
      (data) => this.output.write(data),
    );
    this.proc = proc;
    if (shownCommand) this.setStatus('running', { pid: proc.pid, command: shownCommand });
    const exit = await proc.exited;
    this.output.flush();
    return exit;
  }

  private stopped(): boolean {
    return this.cancelReason !== null || this.writeError !== null;
  }

  private finish(exit: PtyExit | null): void {
    if (this.writeError) {
      const e = this.writeError;
      return this.end('failed', {
        reason: `could not write the run log (${e.code ?? 'error'}: ${e.message}). Free disk space, then retry the task.`,
        exitCode: exit?.exitCode ?? null,
      });
    }
    if (this.cancelReason !== null) {
      return this.end(this.cancelStatus, { reason: this.cancelReason, exitCode: exit?.exitCode ?? null });
    }
    const verdict = this.interpreter.onExit(exit ?? { exitCode: -1, signal: null });
    this.end(verdict.status, { reason: verdict.reason, exitCode: exit?.exitCode ?? null });
  }

  private end(status: RunStatus, fields: RunUpdate): void {
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.quietTimer = null;
    this.output.finish();
    this.setStatus(status, { ...fields, pid: null, endedAt: Date.now(), logBytes: this.output.logBytes });
  }

  private onBatch(logBytes: number): void {
    this.lastOutputAt = Date.now();
    this.deps.onActivity(logBytes);
    if (this.interpreter.quietMs !== null && !this.quietTimer && this.proc) this.armQuietCheck(this.interpreter.quietMs);
  }

  private armQuietCheck(delayMs: number): void {
    this.quietTimer = setTimeout(() => void this.quietCheck(), delayMs);
  }

  private async quietCheck(): Promise<void> {
    const quietMs = this.interpreter.quietMs!;
    const since = Date.now() - this.lastOutputAt;
    if (since < quietMs) return this.armQuietCheck(quietMs - since);
    this.quietTimer = null;
    if (!this.proc?.isAlive || !['running', 'needs_input'].includes(this.status)) return;
    const lines = await this.screen.lines(this.output.logBytes);
    if (!this.proc.isAlive || Date.now() - this.lastOutputAt < quietMs) return;
    while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
    const signal = this.interpreter.onQuiet(lines.slice(-this.interpreter.screenLines));
    if (!signal || signal.status === this.status) return;
    if (signal.status === 'needs_input') this.setStatus('needs_input', { question: signal.question });
    else this.setStatus('running', { question: null });
  }

  private onWriteError(error: NodeJS.ErrnoException): void {
    this.writeError = error;
    void this.proc?.stop();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
