// `{{previous.file:PATH}}`: a file the previous step left in the worktree, read only when it is inside the worktree
// (no symlink leads out of it) and small enough to go into a prompt.
import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { filePathProblem } from './variables.js';

/** The most of one file a step's prompt takes. */
export const MAX_STEP_FILE_BYTES = 256 * 1024;

export class StepFileError extends Error {}

export async function readStepFile(worktree: string, path: string, maxBytes = MAX_STEP_FILE_BYTES): Promise<string> {
  const problem = filePathProblem(path);
  if (problem) throw new StepFileError(`${path} ${problem}`);
  const root = await realpath(worktree);
  let real: string;
  try {
    real = await realpath(join(root, path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new StepFileError(`${path} is not in the worktree (the step before was to write it)`);
    throw new StepFileError(`${path} could not be read: ${(error as Error).message}`);
  }
  if (!real.startsWith(root + sep)) throw new StepFileError(`${path} leads outside the worktree (a symbolic link), so it is not read`);
  // The resolved path has no links left; O_NOFOLLOW refuses one put in its place since.
  const handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch((error: NodeJS.ErrnoException) => {
    throw new StepFileError(`${path} could not be read: ${error.code === 'ELOOP' ? 'it became a symbolic link' : error.message}`);
  });
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new StepFileError(`${path} is not a regular file`);
    if (stat.size > maxBytes) throw new StepFileError(`${path} is ${stat.size} bytes; a step takes at most ${maxBytes} bytes of a file`);
    const buffer = Buffer.alloc(maxBytes + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > maxBytes) throw new StepFileError(`${path} grew past ${maxBytes} bytes while it was read`);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}
