// What `clean` counts as work in a worktree, against real git: the listing's bounds, and ignored folders.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gitBounded } from '../../../electron/engine/worktrees/git.js';
import { leftovers, nameSome } from '../../../electron/engine/worktrees/unsaved-work.js';
import { Sandbox } from '../../support/sandbox.js';

function write(root: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

describe('leftovers in a worktree', () => {
  let sb: Sandbox;
  let repo: string;
  let worktree: string;

  beforeEach(() => {
    sb = new Sandbox();
    repo = sb.repo('app', { 'README.md': 'hi\n', '.gitignore': '*.log\nnode_modules/\nbuild/\nconfig/local/\n' });
    worktree = join(sb.root, 'wt');
    sb.git(repo, 'worktree', 'add', '-q', '-b', 'errand/1-x-abcd', worktree, 'main');
  });
  afterEach(() => rmSync(sb.root, { recursive: true, force: true }));

  it('treats an ignored folder the checkout also has as regenerable, and lists one it lacks', async () => {
    write(repo, { 'node_modules/a/index.js': 'checkout\n' });
    write(worktree, { 'node_modules/a/index.js': 'reinstalled\n', 'node_modules/b/index.js': 'new dep\n', 'build/out.bin': 'x' });
    expect(await leftovers(worktree, repo, [])).toEqual({ uncommitted: [], ignored: ['build/'], truncated: false });
  });

  it('looks into an ignored folder that holds a copied file, so an edited copy there is found', async () => {
    write(repo, { 'config/local/keys.json': '{"k":1}\n', 'config/local/other.json': 'same\n' });
    write(worktree, { 'config/local/keys.json': '{"k":2}\n', 'config/local/other.json': 'same\n', 'config/local/new.json': '{}' });
    const found = await leftovers(worktree, repo, ['config/local']);
    expect(found.ignored.sort()).toEqual(['config/local/keys.json', 'config/local/new.json']);
  });

  it('counts untracked files the checkout holds as they are as nothing to lose (an untracked .mcp.json)', async () => {
    write(repo, { '.mcp.json': '{"servers":{}}\n' });
    write(worktree, { '.mcp.json': '{"servers":{}}\n', 'notes.txt': 'the agent wrote this\n' });
    writeFileSync(join(worktree, 'README.md'), 'changed\n');
    expect(await leftovers(worktree, repo, ['.mcp.json'])).toEqual({ uncommitted: ['README.md', 'notes.txt'], ignored: [], truncated: false });
  });

  it('names at most ten files, then how many more', async () => {
    const files = Array.from({ length: 14 }, (_, i) => `run-${String(i).padStart(2, '0')}.log`);
    write(worktree, Object.fromEntries(files.map((f) => [f, f])));
    const { ignored } = await leftovers(worktree, repo, []);
    expect(ignored).toHaveLength(14);
    expect(nameSome(ignored.sort(), false)).toBe(`${files.slice(0, 10).join(', ')} and 4 more`);
    expect(nameSome(['a'], true)).toBe('a and more');
  });

  it('reads a bounded listing of a worktree the agent filled with files, and says there are more', async () => {
    const files = Array.from({ length: 3000 }, (_, i) => `${String(i).padStart(4, '0')}-${'n'.repeat(200)}.txt`);
    write(worktree, Object.fromEntries(files.map((f) => [f, ''])));
    const found = await leftovers(worktree, repo, []);
    expect(found.truncated).toBe(true);
    expect(found.uncommitted.length).toBeGreaterThan(2000);
    expect(found.uncommitted.length).toBeLessThan(3000);
    expect(found.uncommitted.every((f) => files.includes(f))).toBe(true);
  });

  it('stops reading git at the bound it was given', async () => {
    write(repo, { 'big.txt': 'y'.repeat(2 * 1024 * 1024) });
    sb.git(repo, 'add', 'big.txt');
    sb.git(repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'big');
    const cut = await gitBounded(repo, ['cat-file', 'blob', 'HEAD:big.txt'], 1000);
    expect(cut).toEqual({ stdout: 'y'.repeat(1000), truncated: true });
    expect(await gitBounded(repo, ['cat-file', 'blob', 'HEAD:README.md'], 1000)).toEqual({ stdout: 'hi\n', truncated: false });
  });
});
