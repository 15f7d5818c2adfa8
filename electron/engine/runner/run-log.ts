import { closeSync, fstatSync, openSync, readSync, statSync, writeSync, writevSync } from 'node:fs';

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

  /** Appends the buffers in order, in one system call when it can; returns the offset they start at, or throws (ENOSPC). */
  append(parts: Buffer[], total: number): number {
    const offset = this.bytes;
    let written = writevSync(this.fd, parts);
    if (written < total) {
      const rest = Buffer.concat(parts, total).subarray(written);
      for (let at = 0; at < rest.length; ) at += writeSync(this.fd, rest, at, rest.length - at);
      written = total;
    }
    this.bytes += total;
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
