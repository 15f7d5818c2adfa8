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

export interface GitOptions {
  /** Added to the environment (a temporary index, an identity). */
  env?: Record<string, string>;
  /** Exit codes besides 0 that are answers rather than failures (merge-tree's 1 means "conflicts"): the call then resolves. */
  okCodes?: readonly number[];
  timeoutMs?: number;
  /** Written to git's stdin (`merge-tree --stdin`); without it, stdin is closed at once. */
  input?: string;
}

export interface GitAnswer {
  stdout: string;
  stderr: string;
  code: number;
}

/** Runs git with an argv (never a shell). */
export function runGit(cwd: string, args: string[], options: GitOptions = {}): Promise<GitAnswer> {
  const env = { ...gitEnv(), ...options.env };
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      args,
      { cwd, env, timeout: options.timeoutMs ?? GIT_TIMEOUT_MS, maxBuffer: GIT_MAX_OUTPUT_BYTES },
      (error, stdout, stderr) => {
        const code = error ? (error as NodeJS.ErrnoException).code : 0;
        if (code === 'ENOENT') return reject(gitMissing());
        if (typeof code === 'number' && (code === 0 || options.okCodes?.includes(code))) {
          return resolve({ stdout: String(stdout), stderr: String(stderr), code });
        }
        reject(new GitError(args, String(stderr), typeof code === 'number' ? code : null));
      },
    );
    child.stdin?.on('error', () => {});
    child.stdin?.end(options.input ?? '');
  });
}

/** Runs git with an argv (never a shell) and returns its stdout. */
export async function git(cwd: string, args: string[]): Promise<string> {
  return (await runGit(cwd, args)).stdout;
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

/** Like git(), but reads at most maxBytes of stdout, for output whose size the worktree's contents decide (a diff). */
export function gitBounded(cwd: string, args: string[], maxBytes: number, env: Record<string, string> = {}): Promise<BoundedOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd, env: { ...gitEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: GIT_TIMEOUT_MS });
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
