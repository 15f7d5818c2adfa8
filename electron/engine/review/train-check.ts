// The repo's check, run again on a branch a merge train rebased: the same phase a run's check is (check-phase.ts),
// in the task's worktree under a PTY of its own, its output appended to a log of the train's.
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import type { CheckResult, RepoInfo } from '../../../shared/domain.js';
import { checkPlanFor } from '../check-follow-up.js';
import { ownerOnlyDir } from '../owner-only.js';
import { runCheck } from '../runner/check-phase.js';
import { PtyProcess } from '../runner/pty-process.js';
import { baseRunEnv } from '../runner/run-env.js';
import { DEFAULT_COLS, DEFAULT_ROWS } from '../runner/run-session.js';

export class TrainCheck {
  private current: PtyProcess | null = null;

  constructor(private readonly logDir: string) {}

  /** Null when the repo has no check. */
  async run(repo: RepoInfo, worktree: string, trainId: number, taskId: number): Promise<CheckResult | null> {
    const plan = checkPlanFor(repo);
    if (!plan) return null;
    ownerOnlyDir(this.logDir);
    const log = createWriteStream(join(this.logDir, `train-${trainId}-task-${taskId}.log`), { flags: 'a', mode: 0o600 });
    try {
      return await runCheck(plan, {
        spawn: (file, args, onData) => {
          const env = { ...baseRunEnv(), TERM: 'xterm-256color', ERRAND_TASK_ID: String(taskId) };
          const proc = new PtyProcess({ file, args, cwd: worktree, env, cols: DEFAULT_COLS, rows: DEFAULT_ROWS }, (data) => {
            log.write(data);
            onData(data);
          });
          this.current = proc;
          return proc.exited.finally(() => (this.current = null));
        },
        stop: () => void this.current?.stop(),
        log: (line) => log.write(`\r\n[errand] ${line}\r\n`),
      });
    } finally {
      await new Promise((resolve) => log.end(resolve));
    }
  }

  /** Ends a check under way (the engine is stopping); its train goes on from this step at the next start. */
  async stop(): Promise<void> {
    await this.current?.stop();
  }
}
