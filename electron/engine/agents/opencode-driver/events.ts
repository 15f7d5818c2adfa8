// What the driver prints for each server event: the same JSON lines as `opencode run --format json` (step_start,
// text, tool_use, step_finish, error), plus what `run` never shows: permission and question requests, and answers.
import type { ServerEvent } from './server.js';

export type DriverLine = Record<string, unknown> & { type: string };

export class EventTranslator {
  /** The run's session and the sub-agent sessions it starts: their requests are the run's too. */
  private readonly sessions: Set<string>;
  private busy = false;
  /** The turn has ended: the session went idle after working. */
  idle = false;
  /** Errors the session reported, joined: the run failed. */
  error: string | null = null;

  constructor(readonly sessionId: string) {
    this.sessions = new Set([sessionId]);
  }

  translate({ type, properties: p }: ServerEvent): DriverLine[] {
    const line = (kind: string, fields: Record<string, unknown>): DriverLine[] => [
      { type: kind, timestamp: Date.now(), sessionID: this.sessionId, ...fields },
    ];
    switch (type) {
      case 'session.created': {
        const info = (p.info ?? {}) as { id?: unknown; parentID?: unknown };
        if (typeof info.id === 'string' && typeof info.parentID === 'string' && this.sessions.has(info.parentID)) this.sessions.add(info.id);
        return [];
      }
      case 'message.part.updated':
        return this.part((p.part ?? {}) as Record<string, unknown>, line);
      case 'session.error': {
        if (p.sessionID !== this.sessionId || !p.error) return [];
        const error = p.error as { name?: unknown; data?: { message?: unknown } };
        const message = String(error.data?.message ?? error.name);
        this.error = this.error ? `${this.error}\n${message}` : message;
        return line('error', { error: p.error });
      }
      case 'session.status': {
        if (p.sessionID !== this.sessionId) return [];
        const status = (p.status ?? {}) as { type?: unknown };
        if (status.type === 'busy' || status.type === 'retry') this.busy = true;
        if (status.type === 'idle' && this.busy) this.idle = true;
        return status.type === 'retry' ? line('retry', { status: p.status }) : [];
      }
      case 'permission.asked':
      case 'question.asked':
        if (!this.sessions.has(String(p.sessionID))) return [];
        return line(type === 'permission.asked' ? 'permission_asked' : 'question_asked', { request: p });
      case 'permission.replied':
      case 'question.replied':
      case 'question.rejected':
        if (!this.sessions.has(String(p.sessionID))) return [];
        return line('answered', { requestID: p.requestID, reply: p.reply ?? (type === 'question.rejected' ? 'reject' : 'answer') });
      default:
        return [];
    }
  }

  private part(part: Record<string, unknown>, line: (kind: string, fields: Record<string, unknown>) => DriverLine[]): DriverLine[] {
    if (part.sessionID !== this.sessionId) return [];
    const state = (part.state ?? {}) as { status?: unknown };
    const time = (part.time ?? {}) as { end?: unknown };
    switch (part.type) {
      case 'tool':
        return state.status === 'completed' || state.status === 'error' ? line('tool_use', { part }) : [];
      case 'step-start':
        return line('step_start', { part });
      case 'step-finish':
        return line('step_finish', { part });
      case 'text':
        return time.end ? line('text', { part }) : [];
      default:
        return [];
    }
  }
}
