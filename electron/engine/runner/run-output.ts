// Where a run's output goes: ~5 ms batches, appended to the log, indexed, and pushed to subscribers with flow control.
import type { EngineEvent } from '../../../shared/protocol/events.js';
import type { RunLog } from './run-log.js';

export const BATCH_INTERVAL_MS = 5;
/** A batch is flushed early once it holds this much, so memory per run stays bounded. */
export const BATCH_MAX_BYTES = 256 * 1024;
/** The PTY pauses while any subscriber has more than this waiting to be read. */
export const SUBSCRIBER_HIGH_WATER_BYTES = 1024 * 1024;
/** A subscriber that keeps the PTY paused this long is dropped (it can catch up from the log). */
export const SUBSCRIBER_MAX_STALL_MS = 10_000;
/** One chunk-index row per this many bytes or this long, whichever comes first. */
export const CHUNK_INDEX_BYTES = 1024 * 1024;
export const CHUNK_INDEX_INTERVAL_MS = 1000;

/** A client that receives a run's output. */
export interface OutputSink {
  readonly id: number;
  send(event: EngineEvent): void;
  bufferedBytes(): number;
  onceDrained(callback: () => void): void;
}

export interface RunOutputHooks {
  /** A stretch of the log is complete: index it (and persist the log size). */
  onChunk(offset: number, length: number, at: number): void;
  /** Output was written (the batch as the pieces the PTY gave); called for every batch, so keep it cheap. */
  onBatch(logBytes: number, parts: Buffer[]): void;
  /** The log could not be written: the run cannot go on. */
  onWriteError(error: NodeJS.ErrnoException): void;
  pause(): void;
  resume(): void;
}

export class RunOutput {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly sinks = new Map<number, OutputSink>();
  private paused = false;
  private stallTimer: NodeJS.Timeout | null = null;
  private chunkStart: number;
  private chunkAt = Date.now();
  private failed = false;
  private readonly recheckFlow = (): void => this.checkFlow();

  constructor(
    private readonly taskId: number,
    private readonly runId: number,
    private readonly log: RunLog,
    private readonly hooks: RunOutputHooks,
  ) {
    this.chunkStart = log.size;
  }

  get logBytes(): number {
    return this.log.size + this.pendingBytes;
  }

  get logPath(): string {
    return this.log.path;
  }

  /** Takes bytes from the PTY. The hot path: no parsing, no copying beyond the batch. */
  write(data: Buffer | string): void {
    if (this.failed) return;
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    this.pending.push(buf);
    this.pendingBytes += buf.length;
    if (this.pendingBytes >= BATCH_MAX_BYTES) this.flush();
    else if (!this.timer) this.timer = setTimeout(() => this.flush(), BATCH_INTERVAL_MS);
  }

  /** Writes the batch in hand to the log and to subscribers. */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.pendingBytes === 0 || this.failed) return;
    const parts = this.pending;
    const total = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    let offset: number;
    try {
      offset = this.log.append(parts, total);
    } catch (error) {
      this.failed = true;
      this.hooks.onWriteError(error as NodeJS.ErrnoException);
      return;
    }
    const now = Date.now();
    if (this.log.size - this.chunkStart >= CHUNK_INDEX_BYTES || now - this.chunkAt >= CHUNK_INDEX_INTERVAL_MS) {
      this.closeChunk(now);
    }
    this.hooks.onBatch(this.log.size, parts);
    if (this.sinks.size > 0) this.publish(offset, parts.length === 1 ? parts[0]! : Buffer.concat(parts, total));
  }

  /** Flushes and indexes everything written so far (on exit). */
  finish(): void {
    this.flush();
    if (!this.failed) this.closeChunk(Date.now());
    this.resumeIfPaused();
  }

  /** Adds a subscriber; returns the log offset from which it will receive live output. */
  subscribe(sink: OutputSink): number {
    this.flush();
    this.sinks.set(sink.id, sink);
    return this.log.size;
  }

  unsubscribe(sinkId: number): void {
    this.sinks.delete(sinkId);
    this.checkFlow();
  }

  private closeChunk(now: number): void {
    const length = this.log.size - this.chunkStart;
    if (length > 0) this.hooks.onChunk(this.chunkStart, length, this.chunkAt);
    this.chunkStart = this.log.size;
    this.chunkAt = now;
  }

  private publish(offset: number, batch: Buffer): void {
    const event: EngineEvent = {
      type: 'run.output',
      taskId: this.taskId,
      runId: this.runId,
      offset,
      data: batch.toString('base64'),
    };
    for (const sink of this.sinks.values()) sink.send(event);
    this.checkFlow();
  }

  private laggingSinks(): OutputSink[] {
    return [...this.sinks.values()].filter((s) => s.bufferedBytes() > SUBSCRIBER_HIGH_WATER_BYTES);
  }

  private checkFlow(): void {
    const lagging = this.laggingSinks();
    if (lagging.length === 0) {
      this.resumeIfPaused();
      return;
    }
    if (!this.paused) {
      this.paused = true;
      this.hooks.pause();
      this.stallTimer = setTimeout(() => this.dropLagging(), SUBSCRIBER_MAX_STALL_MS);
    }
    for (const sink of lagging) sink.onceDrained(this.recheckFlow);
  }

  private resumeIfPaused(): void {
    if (!this.paused) return;
    this.paused = false;
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = null;
    this.hooks.resume();
  }

  private dropLagging(): void {
    this.stallTimer = null;
    for (const sink of this.laggingSinks()) {
      this.sinks.delete(sink.id);
      sink.send({
        type: 'run.dropped',
        taskId: this.taskId,
        runId: this.runId,
        offset: this.log.size,
        reason: `live output stopped: this client fell more than ${SUBSCRIBER_HIGH_WATER_BYTES} bytes behind for ${SUBSCRIBER_MAX_STALL_MS / 1000} s`,
      });
    }
    this.resumeIfPaused();
  }
}
