// Git for review work: like worktrees/git.ts, with extra environment (a temporary index, an identity) and exit codes
// that are answers rather than failures (merge-tree's 1 means "conflicts").
import { execFile, spawn } from 'node:child_process';
import { ErrandError } from '../../../shared/protocol/errors.js';
import { GitError } from '../worktrees/git.js';

const GIT_TIMEOUT_MS = 60_000;
const GIT_MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

export interface GitOptions {
  env?: Record<string, string>;
  /** Exit codes besides 0 that are answers: the call then resolves with the code. */
  okCodes?: readonly number[];
  timeoutMs?: number;
}

export interface GitAnswer {
  stdout: string;
  stderr: string;
  code: number;
}

export function runGit(cwd: string, args: string[], options: GitOptions = {}): Promise<GitAnswer> {
  const env = { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...options.env };
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      { cwd, env, timeout: options.timeoutMs ?? GIT_TIMEOUT_MS, maxBuffer: GIT_MAX_OUTPUT_BYTES },
      (error, stdout, stderr) => {
        const code = error ? (error as NodeJS.ErrnoException).code : 0;
        if (code === 'ENOENT') return reject(new ErrandError('not_found', 'not found: git. Install git and make sure it is on PATH.'));
        if (typeof code === 'number' && (code === 0 || options.okCodes?.includes(code))) {
          return resolve({ stdout: String(stdout), stderr: String(stderr), code });
        }
        reject(new GitError(args, String(stderr), typeof code === 'number' ? code : null));
      },
    );
  });
}

/** Stdout, trimmed. */
export async function gitLine(cwd: string, args: string[], options?: GitOptions): Promise<string> {
  return (await runGit(cwd, args, options)).stdout.trim();
}

export async function isAncestor(cwd: string, ancestor: string, of: string): Promise<boolean> {
  return (await runGit(cwd, ['merge-base', '--is-ancestor', ancestor, of], { okCodes: [1] })).code === 0;
}

const FALLBACK_IDENTITY = { name: 'Errand', email: 'errand@localhost' };

/**
 * The environment a commit Errand makes needs: none when git knows who the person is, else Errand's own name, so an
 * unconfigured machine can still approve (the person's configured identity always wins).
 */
export async function identityEnv(cwd: string): Promise<Record<string, string>> {
  const known = await runGit(cwd, ['var', 'GIT_COMMITTER_IDENT'], { okCodes: [1, 128] });
  const author = await runGit(cwd, ['var', 'GIT_AUTHOR_IDENT'], { okCodes: [1, 128] });
  if (known.code === 0 && author.code === 0) return {};
  const { name, email } = FALLBACK_IDENTITY;
  return { GIT_AUTHOR_NAME: name, GIT_AUTHOR_EMAIL: email, GIT_COMMITTER_NAME: name, GIT_COMMITTER_EMAIL: email };
}

export interface Bounded {
  stdout: string;
  /** Git had more to say than maxBytes; it was stopped and the rest was never read. */
  truncated: boolean;
}

/** Reads at most maxBytes of git's stdout (a diff's size is the agent's doing), with extra environment. */
export function boundedGit(cwd: string, args: string[], maxBytes: number, env: Record<string, string> = {}): Promise<Bounded> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd,
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: GIT_TIMEOUT_MS,
    });
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
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new ErrandError('not_found', 'not found: git. Install git and make sure it is on PATH.') : error),
    );
    child.on('close', (code) => {
      if (code !== 0 && !truncated) return reject(new GitError(args, stderr, code));
      resolve({ stdout: Buffer.concat(chunks).subarray(0, maxBytes).toString(), truncated });
    });
  });
}
