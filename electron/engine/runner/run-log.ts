import { closeSync, fstatSync, openSync, readSync, statSync, writeSync } from 'node:fs';

/** The append-only log of one run's terminal output. Writes are synchronous so a crash loses at most the batch in hand. */
export class RunLog {
  private readonly fd: number;
  private bytes: number;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'a', 0o600);
    this.bytes = fstatSync(this.fd).size;
  }

  get size(): number {
    return this.bytes;
  }

  /** Appends the whole buffer, returning the offset it starts at; throws (e.g. ENOSPC) if it cannot. */
  append(data: Buffer): number {
    const offset = this.bytes;
    let written = 0;
    while (written < data.length) {
      written += writeSync(this.fd, data, written, data.length - written);
    }
    this.bytes += data.length;
    return offset;
  }

  close(): void {
    closeSync(this.fd);
  }
}

export function logSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Reads up to `length` bytes at `offset`; an absent log reads as empty. */
export function readLog(path: string, offset: number, length: number): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return Buffer.alloc(0);
  }
  try {
    const buffer = Buffer.alloc(length);
    const n = readSync(fd, buffer, 0, length, offset);
    return buffer.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}
