// Final run statuses the database could not take, in a file made at a fixed size when the engine starts and from then
// on only overwritten in place: a full disk still takes that (it needs no new blocks), so after a restart those runs
// read as they ended, not as interrupted. A best effort: a copy-on-write filesystem may refuse even that.
import { closeSync, fstatSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import type { RunStatus } from '../../../shared/domain.js';
import { isFinalStatus, RUN_STATUSES } from '../../../shared/domain.js';
import type { UnsavedKeeper } from './pending-writes.js';
import type { RunUpdate } from './runs-store.js';

export const UNSAVED_RUNS_FILE_BYTES = 128 * 1024;
/** Longer texts (an agent's result) are cut short here; the database gets them whole once it takes them. */
const TEXT_MAX_CHARS = 500;

type Kept = Pick<RunUpdate, 'status' | 'reason' | 'exitCode' | 'question' | 'resultText' | 'sessionId' | 'endedAt'>;
const TEXT_FIELDS = ['reason', 'question', 'resultText', 'sessionId'] as const;
const NUMBER_FIELDS = ['exitCode', 'endedAt'] as const;
const EMPTY = '{"runs":[]}';

export class UnsavedRunsFile implements UnsavedKeeper {
  private constructor(
    private fd: number | null,
    /** What the file held at open: final statuses an earlier engine could not write. */
    readonly found: ReadonlyMap<number, RunUpdate>,
    /** Why nothing can be kept in it, if so. */
    readonly problem: string | null,
  ) {}

  /** Reads what an earlier engine left, and makes sure the file has its full size now, while there may be room. */
  static open(path: string): UnsavedRunsFile {
    let fd: number | null = null;
    try {
      fd = openOrCreate(path);
      const found = parse(readAll(fd));
      if (fstatSync(fd).size !== UNSAVED_RUNS_FILE_BYTES) {
        writeSync(fd, Buffer.alloc(UNSAVED_RUNS_FILE_BYTES, ' '), 0, UNSAVED_RUNS_FILE_BYTES, 0);
      }
      return new UnsavedRunsFile(fd, found, null);
    } catch (error) {
      if (fd !== null) closeSync(fd);
      return new UnsavedRunsFile(null, new Map(), `could not prepare ${path}: ${(error as Error).message}`);
    }
  }

  save(finals: ReadonlyMap<number, RunUpdate>): boolean {
    if (this.fd === null) return false;
    // Newest runs first, so those are the ones kept if they do not all fit.
    const entries = [...finals].sort((a, b) => b[0] - a[0]);
    const parts: string[] = [];
    let bytes = EMPTY.length;
    for (const [runId, fields] of entries) {
      const part = JSON.stringify([runId, kept(fields)]);
      const size = Buffer.byteLength(part) + (parts.length > 0 ? 1 : 0);
      if (bytes + size > UNSAVED_RUNS_FILE_BYTES) break;
      parts.push(part);
      bytes += size;
    }
    const text = `{"runs":[${parts.join(',')}]}`;
    const buffer = Buffer.alloc(UNSAVED_RUNS_FILE_BYTES, ' ');
    buffer.write(text);
    try {
      writeSync(this.fd, buffer, 0, buffer.length, 0);
      fsyncSync(this.fd);
    } catch {
      return false;
    }
    return parts.length === finals.size;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

function openOrCreate(path: string): number {
  try {
    return openSync(path, 'r+');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return openSync(path, 'wx+', 0o600);
  }
}

function readAll(fd: number): string {
  const buffer = Buffer.alloc(Math.min(fstatSync(fd).size, UNSAVED_RUNS_FILE_BYTES));
  const n = readSync(fd, buffer, 0, buffer.length, 0);
  return buffer.subarray(0, n).toString('utf8');
}

function kept(fields: RunUpdate): Kept {
  const out: Record<string, unknown> = { status: fields.status };
  for (const key of TEXT_FIELDS) {
    const value = fields[key];
    if (value !== undefined) out[key] = value === null ? null : value.slice(0, TEXT_MAX_CHARS);
  }
  for (const key of NUMBER_FIELDS) if (fields[key] !== undefined) out[key] = fields[key];
  return out as Kept;
}

/** Only well-formed final statuses are taken: a torn or foreign file is as good as an empty one. */
function parse(text: string): Map<number, RunUpdate> {
  const found = new Map<number, RunUpdate>();
  let value: unknown;
  try {
    value = JSON.parse(text.trim() || '{}');
  } catch {
    return found;
  }
  const runs = (value as { runs?: unknown } | null)?.runs;
  if (!Array.isArray(runs)) return found;
  for (const entry of runs) {
    if (!Array.isArray(entry) || !Number.isInteger(entry[0]) || typeof entry[1] !== 'object' || entry[1] === null) continue;
    const raw = entry[1] as Record<string, unknown>;
    const status = raw.status as RunStatus;
    if (!RUN_STATUSES.includes(status) || !isFinalStatus(status)) continue;
    const fields: Record<string, unknown> = { status };
    for (const key of TEXT_FIELDS) if (typeof raw[key] === 'string' || raw[key] === null) fields[key] = raw[key];
    if (typeof raw.exitCode === 'number' || raw.exitCode === null) fields.exitCode = raw.exitCode;
    if (typeof raw.endedAt === 'number') fields.endedAt = raw.endedAt;
    found.set(entry[0] as number, fields as Kept);
  }
  return found;
}
