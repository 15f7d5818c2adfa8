import type { EngineEvent } from '../../../shared/protocol/events.js';
import type { Db } from './database.js';
import { prepared } from './database.js';

/** The durable history of what happened to tasks and runs (output bytes excepted: those live in run logs). */
export class EventsStore {
  constructor(private readonly db: Db) {}

  append(event: EngineEvent): void {
    const taskId =
      'taskId' in event ? event.taskId : event.type === 'task.created' ? event.task.id : event.type === 'run.created' ? event.run.taskId : null;
    const runId = 'runId' in event ? event.runId : event.type === 'run.created' ? event.run.id : null;
    prepared(this.db, 'INSERT INTO events (at, type, task_id, run_id, data) VALUES (?, ?, ?, ?, ?)')
      .run(Date.now(), event.type, taskId, runId, JSON.stringify(event));
  }
}
