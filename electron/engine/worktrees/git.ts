import { execFile, spawn } from 'node:child_process';
import { ErrandError } from '../../../shared/protocol/errors.js';

const GIT_TIMEOUT_MS = 60_000;
const GIT_MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

export class GitError extends Error {
  constructor(
    readonly args: string[],
    readonly stderr: string,
    readonly exitCode: number | null,
  ) {
    super(`git ${args.join(' ')} failed: ${stderr.trim() || `exit code ${exitCode}`}`);
  }
}

const gitEnv = (): NodeJS.ProcessEnv => ({ ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' });
const gitMissing = () => new ErrandError('not_found', 'not found: git. Install git and make sure it is on PATH.');

/** Runs git with an argv (never a shell) and returns its stdout. */
export function git(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, timeout: GIT_TIMEOUT_MS, maxBuffer: GIT_MAX_OUTPUT_BYTES, env: gitEnv() }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return reject(gitMissing());
      reject(new GitError(args, String(stderr), typeof code === 'number' ? code : null));
    });
  });
}

export async function gitOk(cwd: string, args: string[]): Promise<boolean> {
  try {
    await git(cwd, args);
    return true;
  } catch (error) {
    if (error instanceof GitError) return false;
    throw error;
  }
}

export interface BoundedOutput {
  stdout: string;
  /** Git had more to say than maxBytes; it was stopped and the rest was never read. */
  truncated: boolean;
}

/** Like git(), but reads at most maxBytes of stdout, for listings whose size the worktree's contents decide. */
export function gitBounded(cwd: string, args: string[], maxBytes: number): Promise<BoundedOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd, env: gitEnv(), stdio: ['ignore', 'pipe', 'pipe'], timeout: GIT_TIMEOUT_MS });
    const chunks: Buffer[] = [];
    let bytes = 0;
    let truncated = false;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      if (truncated) return;
      chunks.push(chunk);
      bytes += chunk.length;
      if (bytes > maxBytes) {
        truncated = true;
        child.kill();
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 64 * 1024) stderr += chunk.toString();
    });
    child.on('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ENOENT' ? gitMissing() : error));
    child.on('close', (code) => {
      if (code !== 0 && !truncated) return reject(new GitError(args, stderr, code));
      resolve({ stdout: Buffer.concat(chunks).subarray(0, maxBytes).toString(), truncated });
    });
  });
}
