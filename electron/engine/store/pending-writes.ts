// Run changes the database could not take yet (its disk full, or busy): the newest fields of each such run, kept in
// memory and written as soon as the disk takes them. Until then every read sees them laid over the stored rows, so what
// the engine tells anyone is the truth, not the row the disk refused to update.
import type { RunInfo, RunStatus } from '../../../shared/domain.js';
import { isFinalStatus } from '../../../shared/domain.js';
import type { RunUpdate } from './runs-store.js';

export const RETRY_FIRST_MS = 1000;
export const RETRY_MAX_MS = 5000;

/** Errors after which the same write can succeed later: the disk has room again, the lock is free. */
const TRANSIENT_ERROR_CODE = /^(SQLITE_FULL|SQLITE_IOERR|SQLITE_BUSY|SQLITE_LOCKED|ENOSPC|EDQUOT)/;

export function isTransientWriteError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && TRANSIENT_ERROR_CODE.test(code);
}

/** Somewhere outside the database that holds the final statuses still unwritten, so a restart knows them. */
export interface UnsavedKeeper {
  /** False when it could not keep them all. */
  save(finals: ReadonlyMap<number, RunUpdate>): boolean;
}

export class PendingRunWrites {
  private readonly held = new Map<number, RunUpdate>();
  private timer: NodeJS.Timeout | null = null;
  private delayMs = RETRY_FIRST_MS;
  private keeper: UnsavedKeeper | null = null;
  private kept = true;
  /** A run's changes began to be held (once per spell). */
  onHeld: (runId: number, error: Error) => void = () => {};
  /** A run's held changes are in the database now. */
  onLanded: (runId: number) => void = () => {};

  /** `write` stores one run's fields, throwing as the database does. */
  constructor(private readonly write: (runId: number, fields: RunUpdate) => void) {}

  get size(): number {
    return this.held.size;
  }

  /** Whether everything held is also in the keeper (or nothing is held). */
  get allKept(): boolean {
    return this.held.size === 0 || (this.keeper !== null && this.kept);
  }

  keepIn(keeper: UnsavedKeeper): void {
    this.keeper = keeper;
  }

  /** The run's held fields with `fields` on top: what a write for it must store. */
  with(runId: number, fields: RunUpdate): RunUpdate {
    const held = this.held.get(runId);
    return held ? merge(held, fields) : fields;
  }

  /** Keeps the run's fields (already merged by `with`) until they can be written. */
  hold(runId: number, fields: RunUpdate, error: Error): void {
    const before = this.held.get(runId);
    this.held.set(runId, fields);
    if (!before) this.onHeld(runId, error);
    // The keeper is written when how the run ended may have changed, not for every progress note.
    if (!before || before.status !== fields.status || before.reason !== fields.reason) this.persist();
    this.schedule();
  }

  /** The run's fields were written. */
  release(runId: number): void {
    if (!this.held.has(runId)) return;
    this.landed(runId);
    this.persist();
  }

  overlay(run: RunInfo): RunInfo {
    const held = this.held.get(run.id);
    return held ? { ...run, ...held } : run;
  }

  /**
   * For a query by status: the held runs whose held status decides their membership, and those of them that match, as
   * JSON arrays of ids (for `json_each`). Null when no status is held, so the plain query serves.
   */
  statusFilter(statuses: readonly RunStatus[]): { held: string; matching: string } | null {
    const held: number[] = [];
    const matching: number[] = [];
    for (const [runId, fields] of this.held) {
      if (fields.status === undefined) continue;
      held.push(runId);
      if (statuses.includes(fields.status)) matching.push(runId);
    }
    return held.length === 0 ? null : { held: JSON.stringify(held), matching: JSON.stringify(matching) };
  }

  /** Tries every held write once; returns how many are still held. */
  retryNow(): number {
    let landed = 0;
    for (const [runId, fields] of [...this.held]) {
      try {
        this.write(runId, fields);
      } catch {
        // The disk is most likely still full for all of them: try again later.
        break;
      }
      this.landed(runId);
      landed++;
    }
    if (landed > 0) this.persist();
    return this.held.size;
  }

  /** Writes the held final statuses to the keeper (an empty set clears it). */
  persist(): void {
    if (!this.keeper) return;
    const finals = new Map<number, RunUpdate>();
    for (const [runId, fields] of this.held) if (fields.status && isFinalStatus(fields.status)) finals.set(runId, fields);
    this.kept = this.keeper.save(finals);
  }

  stop(): void {
    this.cancelRetry();
  }

  private landed(runId: number): void {
    this.held.delete(runId);
    this.onLanded(runId);
    if (this.held.size === 0) this.cancelRetry();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.retryNow() === 0) return;
      this.delayMs = Math.min(this.delayMs * 2, RETRY_MAX_MS);
      this.schedule();
    }, this.delayMs);
    this.timer.unref();
  }

  private cancelRetry(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.delayMs = RETRY_FIRST_MS;
  }
}

function merge(held: RunUpdate, fields: RunUpdate): RunUpdate {
  const merged: Record<string, unknown> = { ...held };
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) merged[key] = value;
  return merged as RunUpdate;
}
