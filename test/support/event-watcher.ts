// `errand watch --json` in the background, so tests wait for events instead of sleeping.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { EngineEvent } from '../../shared/protocol/events.js';
import { ERRAND_BIN, Sandbox } from './sandbox.js';

type Seen = EngineEvent | { type: 'snapshot'; tasks: unknown[] };

export class EventWatcher {
  readonly events: Seen[] = [];
  private waiters: { test: (e: Seen) => boolean; resolve: (e: Seen) => void }[] = [];
  private buffer = '';

  private constructor(private readonly child: ChildProcess) {
    child.stdout!.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString();
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) !== -1) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        if (!line.trim()) continue;
        const event = JSON.parse(line) as Seen;
        this.events.push(event);
        this.waiters = this.waiters.filter((w) => (w.test(event) ? (w.resolve(event), false) : true));
      }
    });
  }

  static async start(sandbox: Sandbox): Promise<EventWatcher> {
    const child = spawn(process.execPath, [ERRAND_BIN, 'watch', '--json'], { env: sandbox.env, stdio: ['ignore', 'pipe', 'inherit'] });
    const watcher = new EventWatcher(child);
    await watcher.waitFor((e) => e.type === 'snapshot', 'the snapshot');
    return watcher;
  }

  /** Resolves with the first event (already seen or to come) that passes the test. */
  waitFor<T extends Seen = Seen>(test: (e: Seen) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
    const seen = this.events.find(test);
    if (seen) return Promise.resolve(seen as T);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
      this.waiters.push({
        test,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e as T);
        },
      });
    });
  }

  status(taskId: number, status: string, timeoutMs?: number): Promise<Extract<EngineEvent, { type: 'run.status' }>> {
    return this.waitFor((e) => e.type === 'run.status' && e.taskId === taskId && e.status === status, `task ${taskId} ${status}`, timeoutMs);
  }

  /** The run.status event that announces the run's end: its process gone, its files counted. */
  ended(runId: number, timeoutMs?: number): Promise<Extract<EngineEvent, { type: 'run.status' }>> {
    return this.waitFor((e) => e.type === 'run.status' && e.runId === runId && e.ended, `run ${runId} to end`, timeoutMs);
  }

  stop(): void {
    this.child.kill();
  }
}

/** A fresh sandbox with its engine started and a watcher on its events: the usual start of an engine test. */
export async function startWatchedEngine(): Promise<{ sb: Sandbox; watch: EventWatcher }> {
  const sb = new Sandbox();
  await sb.errand(['daemon', 'start']);
  return { sb, watch: await EventWatcher.start(sb) };
}

export async function stopWatchedEngine({ sb, watch }: { sb: Sandbox; watch: EventWatcher }): Promise<void> {
  watch.stop();
  await sb.cleanup();
}
