// A throwaway world for one test: its own ERRAND_HOME, HOME, git repositories, and the real CLI and engine.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const ERRAND_BIN = join(ROOT, 'bin/errand.cjs');
export const FAKE_AGENT = join(ROOT, 'test/fixtures/fake-agent.mjs');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class Sandbox {
  readonly root: string;
  readonly dataDir: string;
  readonly home: string;
  readonly env: NodeJS.ProcessEnv;

  constructor() {
    this.root = realpathSync(mkdtempSync(join(tmpdir(), 'errand-test-')));
    this.dataDir = join(this.root, 'data');
    this.home = join(this.root, 'home');
    mkdirSync(this.home);
    this.env = { ...process.env, ERRAND_HOME: this.dataDir, HOME: this.home };
    delete this.env.NODE_OPTIONS;
  }

  /** A git repository with one commit (and the given files) under this sandbox. */
  repo(name = 'repo', files: Record<string, string> = { 'README.md': '# test repo\n' }): string {
    const dir = join(this.root, name);
    mkdirSync(dir, { recursive: true });
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env: this.gitEnv(), stdio: 'pipe' });
    git('init', '-q', '-b', 'main');
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    git('add', '-A');
    git('commit', '-q', '-m', 'initial');
    return dir;
  }

  git(cwd: string, ...args: string[]): string {
    return execFileSync('git', args, { cwd, env: this.gitEnv(), encoding: 'utf8' });
  }

  private gitEnv(): NodeJS.ProcessEnv {
    return { ...this.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
  }

  /** Runs the real `errand` command. */
  errand(args: string[], options: { input?: string | Buffer; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
    return new Promise((resolvePromise, reject) => {
      const child = spawn(process.execPath, [ERRAND_BIN, ...args], { env: { ...this.env, ...options.env }, cwd: this.root });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => stdout.push(d));
      child.stderr.on('data', (d: Buffer) => stderr.push(d));
      child.on('error', reject);
      child.on('close', (code) =>
        resolvePromise({ code: code ?? -1, stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString() }),
      );
      child.stdin.end(options.input ?? '');
    });
  }

  /** Runs `errand … --json`, expects success, and returns the parsed answer. */
  async json<T = any>(args: string[], options: { input?: string | Buffer } = {}): Promise<T> {
    const dashes = args.indexOf('--');
    const withJson = dashes === -1 ? [...args, '--json'] : [...args.slice(0, dashes), '--json', ...args.slice(dashes)];
    const result = await this.errand(withJson, options);
    if (result.code !== 0) throw new Error(`errand ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
    return JSON.parse(result.stdout) as T;
  }

  /** A profile that runs the fake agent with these steps. */
  async fakeProfile(name: string, steps: string[], extra: string[] = []): Promise<void> {
    const result = await this.errand(['profile', 'add', name, ...extra, '--', process.execPath, FAKE_AGENT, ...steps]);
    if (result.code !== 0) throw new Error(`profile add failed: ${result.stderr}`);
  }

  async cleanup(): Promise<void> {
    await this.errand(['daemon', 'stop', '--force']);
    rmSync(this.root, { recursive: true, force: true });
  }
}
