// Counts the files a run has changed in its worktree: once its output pauses (agents edit between bursts), at most
// every so often, and once at the end.
import { countChangedFiles } from '../worktrees/changed-files.js';

export const CHANGES_QUIET_MS = 1000;
export const CHANGED_FILES_INTERVAL_MS = 10_000;

export class ChangeCounter {
  private timer: NodeJS.Timeout | null = null;
  private lastOutputAt = 0;
  private lastCountAt = 0;

  constructor(
    private readonly worktree: string,
    private readonly onCount: (filesChanged: number) => void,
  ) {}

  /** The agent printed something: count once it has been quiet a moment. */
  noteOutput(): void {
    this.lastOutputAt = Date.now();
    if (this.timer) return;
    const wait = Math.max(CHANGES_QUIET_MS, this.lastCountAt + CHANGED_FILES_INTERVAL_MS - Date.now());
    this.timer = setTimeout(() => this.onTimer(), wait);
  }

  /** The last count, when the agent has gone. */
  async final(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    await this.count();
  }

  private onTimer(): void {
    const quietFor = Date.now() - this.lastOutputAt;
    if (quietFor < CHANGES_QUIET_MS) {
      this.timer = setTimeout(() => this.onTimer(), CHANGES_QUIET_MS - quietFor);
      return;
    }
    void this.count();
  }

  private async count(): Promise<void> {
    this.lastCountAt = Date.now();
    const filesChanged = await countChangedFiles(this.worktree);
    this.timer = null;
    if (filesChanged !== null) this.onCount(filesChanged);
  }
}
