// When what an item asked for has been dealt with: read off the engine's events, so every way of dealing with it
// (the CLI, a UI, a chain or a retry policy acting for the person) counts the same.
import type { ReviewState } from '../../../shared/domain.js';
import type { EngineEvent } from '../../../shared/protocol/events.js';
import { WAITING_KINDS } from './inbox-kinds.js';
import type { StoredItem } from './items-store.js';

export interface Resolution {
  taskId: number;
  /** Which of the task's open items this deals with. */
  covers: (item: StoredItem) => boolean;
  resolution: string;
}

/** Review states that finish with a task: nothing about it is left to ask the person. */
const DONE_WITH: Partial<Record<ReviewState, string>> = { merged: 'merged', pr_opened: 'pr opened', kept: 'kept', discarded: 'discarded' };
const LEAVES_REVIEW: Partial<Record<ReviewState, string>> = { approved: 'approved', changes_requested: 'sent back', conflict: 'conflict' };

export function resolutionFor(event: EngineEvent): Resolution | null {
  switch (event.type) {
    case 'run.created': {
      // A new run of the task (retry, reply, resume, feedback) acts on whatever its last one raised.
      const { kind, message, taskId } = event.run;
      const resolution = kind === 'reply' ? 'replied' : kind === 'resume' ? 'resumed' : message ? 'sent back' : 'retried';
      return { taskId, covers: () => true, resolution };
    }
    case 'run.status': {
      if (event.previous !== 'needs_input' || event.status === 'needs_input') return null;
      const resolution = event.status === 'running' ? 'answered' : event.status === 'cancelled' ? 'cancelled' : `run ${event.status}`;
      return { taskId: event.taskId, covers: (item) => item.runId === event.runId && WAITING_KINDS.has(item.kind), resolution };
    }
    case 'task.review': {
      // No review state means a new run, which its run.created deals with (and words better).
      if (event.review === 'unreviewed' || event.review === null) return null;
      const done = DONE_WITH[event.review];
      if (done) return { taskId: event.taskId, covers: () => true, resolution: done };
      const resolution = LEAVES_REVIEW[event.review] ?? event.review.replace(/_/g, ' ');
      return { taskId: event.taskId, covers: (item) => item.kind === 'result', resolution };
    }
    default:
      return null;
  }
}
