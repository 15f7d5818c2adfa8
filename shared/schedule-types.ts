// Retries, escalation and recurring tasks: plain data shared by the engine and its clients.
/** Why an attempt was made without the person: a transient model error, the profile's retries, or its ladder. */
export interface RetryNote {
  kind: 'transient' | 'retry' | 'escalation';
  /** "retried after a rate limit (429)", "escalated to deep after: exited with code 1". */
  note: string;
  /** The profile the attempt runs with. */
  profile: string;
}

/** How a profile's failed runs are tried again: on its own profile, then up its ladder. */
export interface RetryPolicy {
  profile: string;
  /** Attempts after the first when the agent itself fails. */
  retries: number;
  /** The wait before a retry; a transient error's retries double it each time. */
  backoffMs: number;
  /** Retries of a transient model error (rate limit, 5xx), besides `retries`. */
  transientRetries: number;
  /** The profile tried next once `retries` are used up. */
  escalateTo: string | null;
}

/** A recurring task: what to run, where, and when, in the person's zone. */
export interface ScheduleInfo {
  id: number;
  /** What the person wrote: "every weekday 9:00", or a cron expression. */
  when: string;
  /** The same as a cron expression (minute hour day month weekday). */
  cron: string;
  prompt: string;
  repoId: number;
  repoPath: string;
  profile: string;
  timeZone: string;
  paused: boolean;
  /** The next occurrence, while it is not paused. */
  nextAt: number | null;
  lastAt: number | null;
  lastTaskId: number | null;
  createdAt: number;
}
