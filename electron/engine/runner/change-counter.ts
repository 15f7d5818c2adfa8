// Counts the files a run has changed in its worktree: once its output pauses (agents edit between bursts), at most
// every so often, and once at the end. It also tells whether the run has left the worktree as it found it.
import { countChangedFiles } from '../worktrees/changed-files.js';
import { git } from '../worktrees/git.js';

export const CHANGES_QUIET_MS = 1000;
export const CHANGED_FILES_INTERVAL_MS = 10_000;

/** How many commits the worktree's HEAD has that `base` has not; null when git cannot tell (the base is gone). */
async function commitsAhead(worktree: string, base: string): Promise<number | null> {
  try {
    const count = Number((await git(worktree, ['rev-list', '--count', '--end-of-options', `${base}..HEAD`])).trim());
    return Number.isInteger(count) ? count : null;
  } catch {
    return null;
  }
}

export class ChangeCounter {
  private timer: NodeJS.Timeout | null = null;
  private lastOutputAt = 0;
  private lastCountAt = 0;

  constructor(
    private readonly worktree: string,
    /** The branch the worktree started from: commits beyond it are the run's too. */
    private readonly base: string,
    private readonly onCount: (filesChanged: number) => void,
  ) {}

  /** The agent printed something: count once it has been quiet a moment. */
  noteOutput(): void {
    this.lastOutputAt = Date.now();
    if (this.timer) return;
    const wait = Math.max(CHANGES_QUIET_MS, this.lastCountAt + CHANGED_FILES_INTERVAL_MS - Date.now());
    this.timer = setTimeout(() => this.onTimer(), wait);
  }

  /** The last count, when the agent has gone; whether the worktree is unchanged, as `unchanged` says. */
  async final(): Promise<boolean | null> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    return this.unchanged();
  }

  /** Counts now. True when no file differs and HEAD has no commit beyond the base; null when git cannot tell. */
  async unchanged(): Promise<boolean | null> {
    const filesChanged = await this.count();
    if (filesChanged === null) return null;
    if (filesChanged > 0) return false;
    const ahead = await commitsAhead(this.worktree, this.base);
    return ahead === null ? null : ahead === 0;
  }

  private onTimer(): void {
    const quietFor = Date.now() - this.lastOutputAt;
    if (quietFor < CHANGES_QUIET_MS) {
      this.timer = setTimeout(() => this.onTimer(), CHANGES_QUIET_MS - quietFor);
      return;
    }
    this.timer = null;
    void this.count();
  }

  private async count(): Promise<number | null> {
    this.lastCountAt = Date.now();
    const filesChanged = await countChangedFiles(this.worktree);
    if (filesChanged !== null) this.onCount(filesChanged);
    return filesChanged;
  }
}
