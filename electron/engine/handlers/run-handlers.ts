// Requests about one run's terminal: type into it, resize it, read its screen and log, follow its output.
import { dataDirLayout, runFiles } from '../../../shared/data-dir.js';
import { ErrandError } from '../../../shared/protocol/errors.js';
import type { MethodParams, MethodResults } from '../../../shared/protocol/methods.js';
import type { RunManager } from '../run-manager.js';
import type { Connection } from '../rpc/connection.js';
import { AckedSink } from '../runner/acked-sink.js';
import { logSize, readLog } from '../runner/run-log.js';
import type { Store } from '../store/store.js';

export class RunHandlers {
  /** Which runs each connection follows, so a vanished client is unsubscribed everywhere. */
  private readonly following = new Map<number, Map<number, number>>();
  /** The followers that acknowledge what they render, by connection and task. */
  private readonly acking = new Map<number, Map<number, AckedSink>>();

  constructor(
    private readonly store: Store,
    private readonly runs: RunManager,
    private readonly dataDir: string,
  ) {}

  input(p: MethodParams<'run.input'>): MethodResults['run.input'] {
    return { written: this.runs.session(p.taskId).write(p.data) };
  }

  resize(p: MethodParams<'run.resize'>): MethodResults['run.resize'] {
    this.runs.session(p.taskId).resize(p.cols, p.rows);
    return { cols: p.cols, rows: p.rows };
  }

  async screen(p: MethodParams<'run.screen'>): Promise<MethodResults['run.screen']> {
    const session = this.runs.session(p.taskId);
    const lines = await session.screen.lines(session.output.logBytes);
    return { runId: session.runId, ...session.size, lines };
  }

  readLog(p: MethodParams<'run.readLog'>): MethodResults['run.readLog'] {
    const runId = this.runIdFor(p.taskId, p.runId);
    this.runs.flushIfLive(runId);
    const path = this.logPath(runId);
    const data = readLog(path, p.offset, p.length);
    return { runId, offset: p.offset, data: data.toString('base64'), size: logSize(path) };
  }

  async subscribe(p: MethodParams<'run.subscribe'>, connection: Connection): Promise<MethodResults['run.subscribe']> {
    const task = this.store.tasks.byId(p.taskId);
    if (!task?.run) throw new ErrandError('not_found', `There is no task ${p.taskId}. \`errand ls\` lists them.`);
    const session = this.runs.liveSession(task.run.id);
    if (!session) {
      return { runId: task.run.id, status: task.run.status, offset: logSize(this.logPath(task.run.id)) };
    }
    if (p.attach) session.resize(p.attach.cols, p.attach.rows);
    const acked = p.ack ? new AckedSink(connection) : null;
    const offset = session.subscribe(acked ?? connection);
    acked?.startAt(offset);
    mapOf(this.following, connection.id).set(p.taskId, session.runId);
    if (acked) mapOf(this.acking, connection.id).set(p.taskId, acked);
    else this.acking.get(connection.id)?.delete(p.taskId);
    const screen = p.attach ? await session.screen.serialize(offset) : undefined;
    return { runId: session.runId, status: session.currentStatus, offset, ...(screen !== undefined ? { screen } : {}) };
  }

  unsubscribe(p: MethodParams<'run.unsubscribe'>, connection: Connection): MethodResults['run.unsubscribe'] {
    const runId = this.following.get(connection.id)?.get(p.taskId);
    if (runId === undefined) return { unsubscribed: false };
    this.following.get(connection.id)!.delete(p.taskId);
    this.acking.get(connection.id)?.delete(p.taskId);
    this.runs.liveSession(runId)?.output.unsubscribe(connection.id);
    return { unsubscribed: true };
  }

  ack(p: MethodParams<'run.ack'>, connection: Connection): MethodResults['run.ack'] {
    const sink = this.acking.get(connection.id)?.get(p.taskId);
    if (!sink) {
      throw new ErrandError('conflict', `This connection does not follow task ${p.taskId} with acknowledgements: subscribe with ack first.`);
    }
    return { unacked: sink.ack(p.offset) };
  }

  disconnected(connection: Connection): void {
    for (const runId of this.following.get(connection.id)?.values() ?? []) {
      this.runs.liveSession(runId)?.output.unsubscribe(connection.id);
    }
    this.following.delete(connection.id);
    this.acking.delete(connection.id);
  }

  private runIdFor(taskId: number, runId: number | undefined): number {
    const task = this.store.tasks.byId(taskId);
    if (!task?.run) throw new ErrandError('not_found', `There is no task ${taskId}. \`errand ls\` lists them.`);
    if (runId === undefined) return task.run.startedAt !== null ? task.run.id : this.lastStarted(taskId) ?? task.run.id;
    const run = this.store.runs.byId(runId);
    if (!run || run.taskId !== taskId) throw new ErrandError('not_found', `Task ${taskId} has no run ${runId}.`);
    return runId;
  }

  /** A queued run has no log yet (a retry waiting for its backoff): the one before it that ran is what to read. */
  private lastStarted(taskId: number): number | undefined {
    return this.store.runs.forTask(taskId).filter((r) => r.startedAt !== null).at(-1)?.id;
  }

  private logPath(runId: number): string {
    return runFiles(dataDirLayout(this.dataDir), runId).log;
  }
}

function mapOf<K, V>(maps: Map<number, Map<K, V>>, key: number): Map<K, V> {
  let map = maps.get(key);
  if (!map) maps.set(key, (map = new Map()));
  return map;
}
