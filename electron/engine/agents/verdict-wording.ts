// How a verdict is worded where every adapter's runs are shown alike.

/** A succeeded run that left its worktree as it found it: no changed files and no commits beyond the base. */
export const NO_CHANGES = 'no changes in the worktree';

/** The reason a succeeded run carries: that it changed nothing, after the agent's own reason if it gave one. */
export function successReason(reason: string | null, unchanged: boolean | null): string | null {
  const parts = [reason, unchanged === true ? NO_CHANGES : null].filter(Boolean);
  return parts.length > 0 ? parts.join(' · ') : null;
}

/** A live run's reason while its agent retries a failing model call. */
export function retryingNote(attempt: number): string {
  return `retrying the model (attempt ${attempt})`;
}
