// A task's summary for review: the agent's final message, or for a program that gives none (a command profile) the
// last lines it printed.
import { open } from 'node:fs/promises';

const TAIL_BYTES = 16 * 1024;
const TAIL_LINES = 10;
const TERMINAL_CODES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]|[\x00-\x08\x0b-\x1f\x7f]/g;

export async function logTail(logPath: string): Promise<string | null> {
  let handle;
  try {
    handle = await open(logPath, 'r');
  } catch {
    return null;
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    const lines = buffer
      .toString('utf8')
      .split(/\r?\n|\r/)
      .map((line) => line.replace(TERMINAL_CODES, '').trimEnd())
      .filter((line) => line.trim() !== '' && !line.startsWith('[errand]'));
    if (size > length) lines.shift(); // the first line read may be cut
    return lines.length > 0 ? lines.slice(-TAIL_LINES).join('\n') : null;
  } finally {
    await handle.close();
  }
}
